// An API's error body is the cloud's words: what Porthole repeats of it (in an error's detail, and so in the
// UI and the report) has no line breaks, terminal escapes or bidi overrides, and is cut short.
import { describe, expect, it } from 'vitest';
import { apiReason, statusError } from '../../../main/providers/api-client.js';

describe('apiReason', () => {
  it('finds OpenStack and Proxmox messages', () => {
    expect(apiReason({ error: { message: 'The request you have made requires authentication.', code: 401 } })).toBe('The request you have made requires authentication.');
    expect(apiReason({ conflictingRequest: { message: 'Instance is not ready' } })).toBe('Instance is not ready');
    expect(apiReason({ message: 'permission check failed\n' })).toBe('permission check failed');
    expect(apiReason('not an object')).toBeUndefined();
    expect(apiReason({ error: { message: '  \u0007 ' } })).toBeUndefined();
  });

  it('cleans and cuts what a hostile API sends', () => {
    const hostile = `denied\r\nX-Injected: 1\u001b[31m red \u202e${'A'.repeat(70_000)}`;
    const detail = statusError('cloud-forbidden', 403, { error: { message: hostile } }).shape.detail ?? '';
    expect(detail.startsWith('HTTP 403: denied X-Injected: 1 red ')).toBe(true);
    for (const c of ['\r', '\n', '\u001b', '\u202e']) expect(detail).not.toContain(c);
    expect(Array.from(detail).length).toBeLessThan(230);
  });
});

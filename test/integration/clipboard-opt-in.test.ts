// Copying the guest's clipboard to this computer is opt-in per profile (issue 12, item 8): the
// choice is saved with the profile's display options and handed to the console with the session;
// a profile that does not choose leaves it off (the renderer then applies its app option, off by default).
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { OpenedSession, Outcome } from '../../app/contract.js';
import type { ProfileSummary } from '../../app/profile.js';
import { startCore } from '../../main/core.js';
import { silentLogger } from '../../main/log/logger.js';

describe('clipboard copying per profile', () => {
  it('a profile that opts in hands copyClipboard: true to its console; one that does not, nothing', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'porthole-clipboard-'));
    const core = await startCore({ dataDir, appOrigin: 'http://127.0.0.1:4', shell: 'browser', version: 'test' }, { logger: silentLogger() });
    const caller = { id: 'w' };
    try {
      const save = async (name: string, display: Record<string, unknown>): Promise<string> => {
        const saved = (await core.handle('profiles.save', { profile: { name, address: 'vnc://127.0.0.1:5999', display } }, caller)) as Outcome<{ profile: ProfileSummary }>;
        if (!saved.ok) throw new Error(saved.error.code);
        return saved.value.profile.id;
      };
      const open = async (profileId: string): Promise<OpenedSession> => {
        const opened = (await core.handle('session.open', { source: { type: 'profile', profileId } }, caller)) as Outcome<OpenedSession>;
        if (!opened.ok) throw new Error(opened.error.code);
        return opened.value;
      };
      const optedIn = await open(await save('copies', { copyClipboard: true }));
      const plain = await open(await save('does not copy', {}));
      expect(optedIn.display?.copyClipboard).toBe(true);
      expect(plain.display?.copyClipboard ?? false).toBe(false);
    } finally {
      await core.close();
    }
  });
});

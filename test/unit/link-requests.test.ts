// Pending deep links and .vv files (main/links): what the page is shown, what main keeps, and when a
// .vv file that asked to be deleted is deleted — after the user's answer, never before.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { submitCommandLineLinks } from '../../main/links/command-line-links.js';
import { LinkRequests } from '../../main/links/link-requests.js';
import { FakeCore } from './electron-fakes.js';

const PASSWORD = 'vv-SECRET-9x';
const TOKEN = '7b3e9a1c-52d4-4f0e-9a8b-1c2d3e4f5a6b';
const CA = '-----BEGIN CERTIFICATE-----\\nMIIBszCCAVmgAwIBAgIUb3J0aG9sZQ==\\n-----END CERTIFICATE-----';

async function vv(lines: string[]): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'porthole-vv-'));
  const file = path.join(dir, 'console.vv');
  await writeFile(file, ['[virt-viewer]', ...lines].join('\n'));
  return file;
}

describe('LinkRequests', () => {
  it('shows a .vv request without its password, keeps the CA and password for main, marks the title', async () => {
    const file = await vv(['type=vnc', 'host=kvm01.example.org', 'port=-1', 'tls-port=5901', `password=${PASSWORD}`, `ca=${CA}`, 'title=web\\n01', 'fullscreen=1', 'host-subject=CN=kvm01']);
    const requests = new LinkRequests();
    const out = await requests.add({ kind: 'vv-file', path: file });
    expect(out).toMatchObject({ ok: true, view: { kind: 'vv-file', displayAddress: 'vnc+tls://kvm01.example.org:5901', title: 'web 01', warnings: [], fullscreen: true } });
    if (!out.ok) return;
    expect(out.view.notices?.join('\n')).toContain('its own CA certificate');
    expect(out.view.notices?.join('\n')).toContain('"CN=kvm01"');
    expect(JSON.stringify(requests.list())).not.toContain(PASSWORD);
    const open = await requests.accept(out.view.requestId);
    expect(open).toMatchObject({ type: 'vv', target: { host: 'kvm01.example.org', port: 5901, tls: true, password: PASSWORD }, title: 'web 01' });
    expect(open?.type === 'vv' ? open.caPem : undefined).toContain('-----BEGIN CERTIFICATE-----\nMIIB');
    expect(requests.list()).toEqual([]);
    expect(await requests.accept(out.view.requestId)).toBeUndefined();
  });

  it('deletes a delete-this-file .vv only once the user answers (Connect or Cancel), not when it is read or expires', async () => {
    let now = 0;
    const requests = new LinkRequests({ now: () => now });
    const lines = ['type=vnc', 'host=10.0.0.5', 'port=5900', `password=${PASSWORD}`, 'delete-this-file=1'];
    const [accepted, cancelled, expired] = await Promise.all([vv(lines), vv(lines), vv(lines)]);
    const a = await requests.add({ kind: 'vv-file', path: accepted });
    const c = await requests.add({ kind: 'vv-file', path: cancelled });
    expect([existsSync(accepted), existsSync(cancelled)]).toEqual([true, true]);
    if (!a.ok || !c.ok) throw new Error('not pending');
    await requests.accept(a.view.requestId);
    expect(existsSync(accepted)).toBe(false);
    expect(await requests.dismiss(c.view.requestId)).toBe(true);
    expect(existsSync(cancelled)).toBe(false);
    const e = await requests.add({ kind: 'vv-file', path: expired });
    expect(e.ok).toBe(true);
    now = 11 * 60_000;
    expect(requests.list()).toEqual([]);
    expect(existsSync(expired)).toBe(true);
  });

  it('refuses unreadable, SPICE and proxied files with a reason, and keeps nothing', async () => {
    const requests = new LinkRequests();
    expect(await requests.add({ kind: 'vv-file', path: '/nonexistent/x.vv' })).toMatchObject({ ok: false, error: { code: 'url-invalid' } });
    const spice = await vv(['type=spice', 'host=h.example', 'port=5900']);
    expect(await requests.add({ kind: 'vv-file', path: spice })).toMatchObject({ ok: false, error: { code: 'url-unsupported' } });
    const proxied = await vv(['type=vnc', 'host=h.example', 'port=5900', 'proxy=http://squid.example:3128']);
    expect(await requests.add({ kind: 'vv-file', path: proxied })).toMatchObject({ ok: false, error: { code: 'url-unsupported' } });
    expect(requests.list()).toEqual([]);
  });

  it('shows a console URL request secret-free, with its notices, and opens it as the pasted source', async () => {
    const requests = new LinkRequests();
    const url = `vnc://alice:${PASSWORD}@vm.example.com:5901?ViewOnly=true&Foo=1`;
    const out = await requests.add({ kind: 'console-url', url });
    expect(out).toMatchObject({ ok: true, view: { kind: 'console-url', displayAddress: 'vnc://vm.example.com:5901', warnings: ['unencrypted-upstream'] } });
    if (!out.ok) return;
    expect(out.view.notices).toEqual(['the parameter "Foo" is not used by Porthole', 'opens view only, as the address asks']);
    expect(JSON.stringify(out.view)).not.toContain(PASSWORD);
    expect(JSON.stringify(out.view)).not.toContain('alice');
    expect(await requests.accept(out.view.requestId)).toEqual({ type: 'source', source: { type: 'url', url } });
  });
});

describe('browser mode command-line links', () => {
  it('hands links to the core and prints the endpoint, never the argument', async () => {
    const core = new FakeCore();
    const lines: string[] = [];
    const announced: unknown[] = [];
    core.subscribe({ id: 'tab-1' }, (name, payload) => announced.push([name, payload]));
    const file = await vv(['type=vnc', 'host=10.0.0.5', 'port=5901', `password=${PASSWORD}`]);
    await submitCommandLineLinks(
      core,
      [`vnc://:${PASSWORD}@vm.example.com:5902`, file, `https://nova.example.com/vnc_lite.html?path=%3Ftoken%3D${TOKEN}`, 'vnc://bad host'],
      '/',
      (l) => lines.push(l),
    );
    expect(lines).toEqual([
      'Waiting for you to confirm in the browser: vnc://vm.example.com:5902',
      'Waiting for you to confirm in the browser: vnc://10.0.0.5:5901',
      'Argument 3 is not a vnc:// or porthole:// link or a .vv file: ignored.',
      'Argument 4 is not a vnc:// or porthole:// link or a .vv file: ignored.',
    ]);
    expect(core.links.list()).toHaveLength(2);
    expect(announced).toHaveLength(2);
    expect(JSON.stringify([lines, announced])).not.toContain(PASSWORD);
    expect(JSON.stringify(lines)).not.toContain(TOKEN);
  });
});

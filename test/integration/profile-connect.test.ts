// A Proxmox-style gateway: the upgrade must carry an Authorization header, which a profile keeps
// as a secret header (keychain, or memory for this run where no keychain answers — never the file).
// Connecting the profile through the real core sends it; the profile's display choices come back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import type { OpenedSession, Outcome } from '../../app/contract.js';
import type { ProfileSummary } from '../../app/profile.js';
import { startCore } from '../../main/core.js';
import { silentLogger } from '../../main/log/logger.js';
import { startHeaderGateway, type HeaderGateway } from '../fixtures/header-gateway.js';
import { sharedPeers } from '../fixtures/shared-peers.js';

const peers = sharedPeers();
const apiToken = `PVEAPIToken=root@pam!porthole=${Math.random().toString(36).slice(2)}-secret`;
const appOrigin = 'http://127.0.0.1:3';
let gateway: HeaderGateway;

beforeAll(async () => {
  gateway = await startHeaderGateway(apiToken, peers.xvnc.rfbPort);
});
afterAll(() => gateway.stop());

describe('a profile with a secret header and display choices', () => {
  it('sends the secret header upstream, returns the display choices, and keeps the secret out of the file', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'porthole-profile-connect-'));
    // No Secret Service in this process: secrets fall back to memory for the run, never to disk.
    const env = { ...process.env };
    delete process.env.DBUS_SESSION_BUS_ADDRESS;
    const core = await startCore({ dataDir, appOrigin, shell: 'browser', version: 'test' }, { logger: silentLogger() });
    const caller = { id: 'w' };
    try {
      const saved = (await core.handle(
        'profiles.save',
        {
          profile: {
            name: 'pve1 vm 100',
            address: `ws://127.0.0.1:${gateway.port}/api2/json/nodes/pve1/qemu/100/vncwebsocket?port=5900`,
            display: { scaling: 'actual', viewOnly: true, quality: 3 },
            secrets: { headers: { Authorization: apiToken } },
          },
        },
        caller,
      )) as Outcome<{ profile: ProfileSummary }>;
      if (!saved.ok) throw new Error(saved.error.code);
      expect(saved.value.profile.endpoint.kind).toBe('proxmox');
      expect(saved.value.profile.endpoint.secretHeaders.concat(Object.keys(saved.value.profile.secretStatus))).toContain('header:Authorization');

      const opened = (await core.handle('session.open', { source: { type: 'profile', profileId: saved.value.profile.id } }, caller)) as Outcome<OpenedSession>;
      if (!opened.ok) throw new Error(opened.error.code);
      expect(opened.value.display).toMatchObject({ scaling: 'actual', viewOnly: true, quality: 3 });
      const ws = new WebSocket(opened.value.wsUrl, ['binary'], { origin: appOrigin });
      const banner = await new Promise<string>((resolve, reject) => {
        ws.once('message', (d: Buffer) => resolve(d.toString('latin1')));
        ws.once('close', (code) => reject(new Error(`closed ${code}`)));
      });
      expect(banner).toMatch(/^RFB 003\.00\d\n/);
      expect(gateway.seenAuthorization()).toContain(apiToken);
      ws.close();

      for (const file of readdirSync(dataDir)) expect(readFileSync(path.join(dataDir, file), 'latin1'), file).not.toContain(apiToken.split('=')[2]!);
    } finally {
      await core.close();
      Object.assign(process.env, env);
    }
  });
});

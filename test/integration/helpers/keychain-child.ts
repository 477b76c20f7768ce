// Child process for keychain.test.ts, bundled with esbuild and run with plain node, usually inside a
// private D-Bus session with gnome-keyring (test/fixtures/keyring.ts). It drives the real
// KeychainSecretStore and ProfileStore and prints one JSON line of findings. It never prints a
// secret: only comparisons, statuses and notices (which must not contain secrets either).
// argv: <scenario> <dataDir> <secret>
import { execFileSync, spawnSync } from 'node:child_process';
import { makeError, PortholeError } from '../../../app/errors.js';
import { openProfileStore, type AddressResolver } from '../../../main/profiles/profile-store.js';
import { KeychainSecretStore } from '../../../main/secrets/keychain-secret-store.js';

const [scenario, dataDir, secret] = process.argv.slice(2);
if (!scenario || !dataDir || !secret) throw new Error('usage: keychain-child <scenario> <dataDir> <secret>');

const resolve: AddressResolver = (address) => {
  const url = new URL(address);
  const token = url.searchParams.get('token') ?? undefined;
  url.searchParams.delete('token');
  return url.protocol === 'wss:' || url.protocol === 'ws:'
    ? { ok: true, kind: 'websockify', address: url.toString(), ...(token ? { token } : {}) }
    : { ok: false, error: makeError('url-invalid') };
};

/** What the keyring holds, read with libsecret's own tool (keyring-rs stores service + username attributes). */
function lookup(account: string): string | undefined {
  const r = spawnSync('secret-tool', ['lookup', 'service', 'Porthole', 'username', account], { encoding: 'utf8', timeout: 5000 });
  return r.status === 0 ? r.stdout : undefined;
}

function daemonPid(): number {
  const out = execFileSync(
    'dbus-send',
    ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.GetConnectionUnixProcessID', 'string:org.freedesktop.secrets'],
    { encoding: 'utf8' },
  );
  const m = /uint32 (\d+)/.exec(out);
  if (!m) throw new Error('no Secret Service on the bus');
  return Number(m[1]);
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = Date.now();
  const value = await fn();
  return { value, ms: Date.now() - t0 };
}

async function outcome(fn: () => Promise<string | undefined>): Promise<{ matches?: boolean; undefined?: true; error?: string; detail?: string; ms: number }> {
  const t0 = Date.now();
  try {
    const v = await fn();
    return v === undefined ? { undefined: true, ms: Date.now() - t0 } : { matches: v === secret, ms: Date.now() - t0 };
  } catch (err) {
    return err instanceof PortholeError ? { error: err.code, ...(err.shape.detail ? { detail: err.shape.detail } : {}), ms: Date.now() - t0 } : { error: 'untyped', ms: Date.now() - t0 };
  }
}

const out: Record<string, unknown> = {};
const store = new KeychainSecretStore();
const notices: unknown[] = [];
store.onNotice((n) => notices.push(n));

switch (scenario) {
  case 'roundtrip': {
    out.set = await store.set('p1', 'token', secret);
    out.status = store.status('p1', 'token');
    out.get = await outcome(() => store.get('p1', 'token'));
    out.inKeyring = lookup('p1/token') === secret;
    out.header = await store.set('p1', 'header:X-Auth', `${secret}-h`);
    out.headerInKeyring = lookup('p1/header:X-Auth') === `${secret}-h`;
    // A second store (its own worker) reads what the first one saved: it is really in the keyring.
    const fresh = new KeychainSecretStore();
    out.freshGet = await outcome(() => fresh.get('p1', 'token'));
    out.freshStatus = fresh.status('p1', 'token');
    await store.deleteAll('p1', ['token', 'header:X-Auth', 'password']);
    out.afterDelete = await outcome(() => fresh.get('p1', 'token'));
    out.inKeyringAfterDelete = lookup('p1/token') !== undefined;
    await fresh.close();
    break;
  }
  case 'profile': {
    const profiles = await openProfileStore({ dataDir, secrets: store });
    const saved = await profiles.save({ name: 'Nova VM', address: `wss://nova.example.test:6080/vnc_lite.html?token=${secret}` }, resolve);
    out.profileId = saved.profile.id;
    out.warnings = saved.warnings;
    out.secretStatus = saved.profile.secretStatus;
    out.inKeyring = lookup(`${saved.profile.id}/token`) === secret;
    const copy = await profiles.duplicate(saved.profile.id);
    out.copyInKeyring = lookup(`${copy.id}/token`) === secret;
    await profiles.delete(copy.id);
    out.copyGone = lookup(`${copy.id}/token`) === undefined;
    out.exportHasSecret = JSON.stringify(await profiles.exportBundle()).includes(secret);
    await profiles.close();
    break;
  }
  case 'read-back': {
    // A later run (new process) with the keyring unlocked again.
    const profiles = await openProfileStore({ dataDir, secrets: store });
    const [p] = (await profiles.list()).profiles;
    out.secretStatus = p?.secretStatus;
    out.get = await outcome(() => store.get(p?.id ?? 'none', 'token'));
    break;
  }
  case 'locked':
  case 'no-service': {
    // Locked keyring (unlock prompt cannot be shown) or no Secret Service at all.
    const profiles = await openProfileStore({ dataDir, secrets: store });
    const existing = (await profiles.list()).profiles[0];
    if (existing) out.readExisting = await outcome(() => store.get(existing.id, 'token'));
    const saved = await timed(() => profiles.save({ name: 'New VM', address: `wss://h.example.test/websockify?token=${secret}` }, resolve));
    out.saveMs = saved.ms;
    out.warnings = saved.value.warnings;
    out.secretStatus = saved.value.profile.secretStatus;
    out.secretSlots = saved.value.profile.secretSlots;
    out.memoryGet = await outcome(() => store.get(saved.value.profile.id, 'token'));
    out.inKeyring = scenario === 'locked' ? lookup(`${saved.value.profile.id}/token`) !== undefined : false;
    await profiles.close();
    break;
  }
  case 'hang': {
    // A Secret Service that stops answering (stands in for an unlock prompt nobody answers).
    const quick = new KeychainSecretStore({ timeoutMs: 800 });
    quick.onNotice((n) => notices.push(n));
    out.before = await quick.set('h1', 'token', secret);
    const pid = daemonPid();
    process.kill(pid, 'SIGSTOP');
    const first = await timed(() => quick.set('h2', 'token', secret));
    out.first = { result: first.value, ms: first.ms };
    const second = await timed(() => quick.set('h3', 'token', secret));
    out.second = { result: second.value, ms: second.ms, detail: quick.notice()?.detail };
    out.read = await outcome(() => quick.get('h1', 'token'));
    out.memoryRead = await outcome(() => quick.get('h2', 'token'));
    process.kill(pid, 'SIGCONT');
    // Once the stuck call returns, the keychain is used again.
    const deadline = Date.now() + 8000;
    let again = 'memory-only';
    while (again !== 'saved' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      again = await quick.set('h4', 'token', secret);
    }
    out.recovered = again;
    out.recoveredInKeyring = lookup('h4/token') === secret;
    await quick.close();
    break;
  }
  case 'kill-daemon': {
    out.before = await store.set('k1', 'token', secret);
    process.kill(daemonPid(), 'SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
    const after = await timed(() => store.set('k2', 'token', secret));
    out.after = { result: after.value, ms: after.ms };
    out.memoryRead = await outcome(() => store.get('k2', 'token'));
    out.savedRead = await outcome(() => store.get('k1', 'token'));
    break;
  }
  default:
    throw new Error(`unknown scenario ${scenario}`);
}

out.notices = notices;
out.lastNotice = store.notice();
await store.close();
process.stdout.write(`RESULT ${JSON.stringify(out)}\n`);
// The keychain worker is unref'd; nothing else should keep us alive.

// SecretStore over the OS keychain (@napi-rs/keyring: Keychain on macOS, Credential Manager on
// Windows, the Secret Service on Linux). Service "Porthole", account "<profileId>/<slot>".
//
// - The native calls run in a worker thread: on Linux, creating an entry talks to D-Bus
//   synchronously and blocks for seconds when the Secret Service hangs; the Electron main thread
//   must never wait on that.
// - Every call has a timeout (default 5 s; a locked keyring can sit on an unlock prompt). Calls are
//   serialised; while a timed-out call is still pending, further calls fail fast instead of piling
//   up blocked threads or a stack of unlock prompts.
// - When the keychain cannot be used the secret is kept in an in-memory Map for this run only,
//   reported as 'memory-only', and a typed keychain-unavailable notice is raised. Nothing is written
//   anywhere else. Values never appear in logs, notices or errors (the keychain's own error text is
//   not forwarded either: it is mapped to a fixed description).
// - On Linux the entry is pinned to the Secret Service: the library's default would fall back to
//   the kernel keyring, which does not survive a reboot, and we would report that as 'saved'.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { makeError, PortholeError, type PortholeErrorShape } from '../../app/errors.js';
import type { SecretStatus } from '../../app/profile.js';
import { assertSlot, type NoticeListener, type SecretSlotName, type SecretStore, type SetResult } from './secret-store.js';

export const KEYCHAIN_SERVICE = 'Porthole';
export const DEFAULT_KEYCHAIN_TIMEOUT_MS = 5000;

export type KeychainFailureReason = 'no-service' | 'locked' | 'timeout' | 'not-answering' | 'denied' | 'module-missing' | 'failed';

const reasonText: Record<KeychainFailureReason, string> = {
  'no-service': 'no keychain service is running',
  locked: 'the keychain is locked and was not unlocked',
  timeout: 'the keychain did not answer in time',
  'not-answering': 'the keychain is still busy with an earlier request (an unlock prompt may be open)',
  denied: 'the keychain refused access',
  'module-missing': 'the keychain module could not be loaded',
  failed: 'the keychain reported an error',
};

/** A classified keychain failure; carries no text from the keychain itself. */
export class KeychainFailure extends Error {
  constructor(readonly reason: KeychainFailureReason) {
    super(reasonText[reason]);
    this.name = 'KeychainFailure';
  }
}

/** Maps the keychain library's error text to a reason; the text itself is dropped. */
export function classifyKeychainError(message: string): KeychainFailureReason {
  if (message.startsWith('module:')) return 'module-missing';
  if (/dismissed|is locked|locked collection/i.test(message)) return 'locked';
  if (/did not receive a reply|timed? ?out/i.test(message)) return 'timeout';
  if (/failed to connect|not provided by any \.service|ServiceUnknown|NoServer|autolaunch|No such file|Connection refused|no result found/i.test(message)) {
    return 'no-service';
  }
  if (/AccessDenied|access denied|NoStorageAccess/i.test(message)) return 'denied';
  return 'failed';
}

/** The raw keychain operations. Rejections should be KeychainFailure; anything else counts as 'failed'. */
export interface KeychainBackend {
  get(account: string, signal: AbortSignal): Promise<string | null>;
  set(account: string, value: string, signal: AbortSignal): Promise<void>;
  delete(account: string, signal: AbortSignal): Promise<boolean>;
  close(): Promise<void>;
}

// Plain CommonJS run by `new Worker(..., { eval: true })`. Keep it tiny: it is not type-checked.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let keyring;
let loadError = '';
try { keyring = require(workerData.modulePath); } catch (err) { loadError = String(err && err.message); }
const controllers = new Map();
parentPort.on('message', async (m) => {
  if (m.type === 'cancel') { const c = controllers.get(m.id); if (c) c.abort(); return; }
  if (!keyring) { parentPort.postMessage({ id: m.id, ok: false, message: 'module: ' + loadError }); return; }
  const ac = new AbortController();
  controllers.set(m.id, ac);
  try {
    const entry = new keyring.AsyncEntry(workerData.service, m.account, workerData.options);
    let value = null;
    if (m.op === 'get') value = await entry.getPassword(ac.signal);
    else if (m.op === 'set') await entry.setPassword(m.value, ac.signal);
    else value = await entry.deleteCredential(ac.signal);
    parentPort.postMessage({ id: m.id, ok: true, value: value });
  } catch (err) {
    parentPort.postMessage({ id: m.id, ok: false, message: String(err && err.message) });
  } finally {
    controllers.delete(m.id);
  }
});
`;

type WorkerReply = { id: number; ok: true; value: string | boolean | null } | { id: number; ok: false; message: string };

function isWorkerReply(v: unknown): v is WorkerReply {
  return typeof v === 'object' && v !== null && typeof (v as { id?: unknown }).id === 'number' && typeof (v as { ok?: unknown }).ok === 'boolean';
}

/** Where @napi-rs/keyring is, resolved from this module (ESM source or a CJS bundle). */
export function defaultKeyringModulePath(): string {
  const base = typeof __filename === 'string' ? __filename : import.meta.url;
  return createRequire(base).resolve('@napi-rs/keyring');
}

export interface WorkerKeyringBackendOptions {
  service?: string;
  /** Absolute path of @napi-rs/keyring's entry (for bundled or packaged builds). */
  modulePath?: string;
}

/** Runs @napi-rs/keyring's async API in a worker thread (created on first use, never keeps the process alive). */
export class WorkerKeyringBackend implements KeychainBackend {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: string | boolean | null) => void; reject: (e: Error) => void }>();

  constructor(private readonly options: WorkerKeyringBackendOptions = {}) {}

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    let modulePath: string;
    try {
      modulePath = this.options.modulePath ?? defaultKeyringModulePath();
    } catch {
      throw new KeychainFailure('module-missing');
    }
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        modulePath,
        service: this.options.service ?? KEYCHAIN_SERVICE,
        options: { linux: { store: 'secret-service' } },
      },
      // Keep the worker's stdio off the parent's: nothing from it should reach logs.
      stdout: true,
      stderr: true,
    });
    worker.stdout.resume();
    worker.stderr.resume();
    worker.unref();
    worker.on('message', (msg: unknown) => {
      if (!isWorkerReply(msg)) return;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.value);
      else p.reject(new KeychainFailure(classifyKeychainError(msg.message)));
    });
    const fail = (): void => {
      if (this.worker === worker) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(new KeychainFailure('failed'));
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    this.worker = worker;
    return worker;
  }

  private call(op: 'get' | 'set' | 'delete', account: string, value: string | undefined, signal: AbortSignal): Promise<string | boolean | null> {
    return new Promise((resolve, reject) => {
      const worker = this.ensureWorker();
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      signal.addEventListener('abort', () => worker.postMessage({ type: 'cancel', id }), { once: true });
      worker.postMessage({ type: 'op', id, op, account, value });
    });
  }

  async get(account: string, signal: AbortSignal): Promise<string | null> {
    const v = await this.call('get', account, undefined, signal);
    return typeof v === 'string' ? v : null;
  }

  async set(account: string, value: string, signal: AbortSignal): Promise<void> {
    await this.call('set', account, value, signal);
  }

  async delete(account: string, signal: AbortSignal): Promise<boolean> {
    return (await this.call('delete', account, undefined, signal)) === true;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    for (const p of this.pending.values()) p.reject(new KeychainFailure('failed'));
    this.pending.clear();
    // Not awaited: a worker stuck in a native D-Bus call exits only when that call returns.
    if (worker) void worker.terminate().catch(() => undefined);
  }
}

export interface KeychainSecretStoreOptions {
  /** Per-call timeout, including time queued behind earlier calls. Default 5000 ms. */
  timeoutMs?: number;
  backend?: KeychainBackend;
  /** Passed to the default WorkerKeyringBackend. */
  service?: string;
  modulePath?: string;
}

export function accountFor(profileId: string, slot: SecretSlotName): string {
  return `${profileId}/${slot}`;
}

export class KeychainSecretStore implements SecretStore {
  readonly timeoutMs: number;
  private readonly backend: KeychainBackend;
  /** Secrets the keychain would not take: this run only. */
  private readonly memory = new Map<string, string>();
  /** Accounts known to be in the keychain (set or read this run). */
  private readonly saved = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  private hung: Promise<unknown> | undefined;
  private lastNotice: PortholeErrorShape | undefined;
  private readonly listeners = new Set<NoticeListener>();

  constructor(options: KeychainSecretStoreOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_KEYCHAIN_TIMEOUT_MS;
    this.backend =
      options.backend ??
      new WorkerKeyringBackend({
        ...(options.service !== undefined ? { service: options.service } : {}),
        ...(options.modulePath !== undefined ? { modulePath: options.modulePath } : {}),
      });
  }

  /** One keychain call: serialised, bounded by timeoutMs, failing fast while an earlier call hangs. */
  private async exec<T>(op: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const ac = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.timeoutMs);
    });
    const turn = this.chain;
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    this.chain = turn.then(() => mine);
    try {
      const first = await Promise.race([turn.then(() => 'turn' as const), timedOut]);
      if (first === 'timeout') {
        ac.abort();
        throw new KeychainFailure('timeout');
      }
      if (this.hung) throw new KeychainFailure('not-answering');
      const raw = Promise.resolve().then(() => op(ac.signal));
      const outcome = await Promise.race([raw.then((value) => ({ value })), timedOut]);
      if (outcome === 'timeout') {
        ac.abort();
        this.hung = raw;
        const clear = (): void => {
          if (this.hung === raw) this.hung = undefined;
        };
        raw.then(clear, clear);
        throw new KeychainFailure('timeout');
      }
      return outcome.value;
    } catch (err) {
      throw err instanceof KeychainFailure ? err : new KeychainFailure('failed');
    } finally {
      clearTimeout(timer);
      done();
    }
  }

  private report(err: unknown): PortholeErrorShape {
    const reason = err instanceof KeychainFailure ? err.reason : 'failed';
    const notice = makeError('keychain-unavailable', reasonText[reason]);
    this.lastNotice = notice;
    for (const listener of this.listeners) {
      try {
        listener(notice);
      } catch {
        // A listener's failure must not break secret handling.
      }
    }
    return notice;
  }

  private ok(): void {
    this.lastNotice = undefined;
  }

  async get(profileId: string, slot: SecretSlotName): Promise<string | undefined> {
    assertSlot(profileId, slot);
    const account = accountFor(profileId, slot);
    const held = this.memory.get(account);
    if (held !== undefined) return held;
    try {
      const value = await this.exec((signal) => this.backend.get(account, signal));
      this.ok();
      if (value === null) {
        this.saved.delete(account);
        return undefined;
      }
      this.saved.add(account);
      return value;
    } catch (err) {
      // Set meanwhile (memory-only)? Then that value stands.
      const late = this.memory.get(account);
      if (late !== undefined) return late;
      const notice = this.report(err);
      throw new PortholeError('keychain-unavailable', notice.detail);
    }
  }

  async set(profileId: string, slot: SecretSlotName, value: string): Promise<SetResult> {
    assertSlot(profileId, slot);
    if (typeof value !== 'string') throw new PortholeError('bad-request', 'a secret must be a string');
    const account = accountFor(profileId, slot);
    try {
      await this.exec((signal) => this.backend.set(account, value, signal));
      this.ok();
      this.memory.delete(account);
      this.saved.add(account);
      return 'saved';
    } catch (err) {
      this.memory.set(account, value);
      this.saved.delete(account);
      this.report(err);
      return 'memory-only';
    }
  }

  async delete(profileId: string, slot: SecretSlotName): Promise<void> {
    assertSlot(profileId, slot);
    const account = accountFor(profileId, slot);
    this.memory.delete(account);
    this.saved.delete(account);
    try {
      await this.exec((signal) => this.backend.delete(account, signal));
      this.ok();
    } catch (err) {
      this.report(err);
    }
  }

  async deleteAll(profileId: string, slots: readonly SecretSlotName[]): Promise<void> {
    for (const slot of new Set(slots)) await this.delete(profileId, slot);
  }

  status(profileId: string, slot: SecretSlotName): SecretStatus {
    const account = accountFor(profileId, slot);
    if (this.memory.has(account)) return 'memory-only';
    return this.saved.has(account) ? 'saved' : 'none';
  }

  notice(): PortholeErrorShape | undefined {
    return this.lastNotice;
  }

  onNotice(listener: NoticeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.memory.clear();
    this.saved.clear();
    this.listeners.clear();
    await this.backend.close();
  }
}

// Porthole's core as the cloud-console integration tests run it: browser shell, a fresh data
// directory, no Secret Service (secrets held in memory for the run), a captured log, and every
// session.state event the window receives. `close` checks that no secret reached the data files
// or the log, whatever the tests did, then removes the directory.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import type { CallName, Outcome, SessionStateEvent } from '../../../app/contract.js';
import type { PortholeErrorShape } from '../../../app/errors.js';
import { startCore } from '../../../main/core.js';
import { captureLogger } from '../../fixtures/capture-logger.js';

export interface TestCore {
  core: Awaited<ReturnType<typeof startCore>>;
  dataDir: string;
  logs(): string;
  events: SessionStateEvent[];
  /** A contract call that must succeed; a failure throws with its error shape attached. */
  call<T>(name: CallName, args: unknown): Promise<T>;
  /** A contract call that must fail: its typed error. */
  failure(name: CallName, args: unknown): Promise<PortholeErrorShape>;
  /** The session's closing event (closed or failed), polled from `events`. */
  waitForEnd(sessionId: string, timeoutMs?: number): Promise<SessionStateEvent>;
  close(secrets: readonly string[]): Promise<void>;
}

/** `events`: where session.state events go (a new array when not given). */
export async function startTestCore(options: { dataDirPrefix: string; appOrigin: string; caller: { id: string }; events?: SessionStateEvent[] }): Promise<TestCore> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), options.dataDirPrefix));
  delete process.env.DBUS_SESSION_BUS_ADDRESS;
  const { logger, text: logs } = captureLogger();
  const core = await startCore({ dataDir, appOrigin: options.appOrigin, shell: 'browser', version: 'test' }, { logger });
  const events = options.events ?? [];
  core.subscribe(options.caller, (name, payload) => {
    if (name === 'session.state') events.push(payload as SessionStateEvent);
  });
  return {
    core,
    dataDir,
    logs,
    events,
    async call<T>(name: CallName, args: unknown): Promise<T> {
      const out = (await core.handle(name, args, options.caller)) as Outcome<T>;
      if (!out.ok) throw Object.assign(new Error(`${name}: ${out.error.code} ${out.error.detail ?? ''}`), { shape: out.error });
      return out.value;
    },
    async failure(name: CallName, args: unknown): Promise<PortholeErrorShape> {
      const out = (await core.handle(name, args, options.caller)) as Outcome<unknown>;
      if (out.ok) throw new Error(`${name} unexpectedly succeeded`);
      return out.error;
    },
    waitForEnd(sessionId, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const end = events.find((e) => e.sessionId === sessionId && (e.state === 'closed' || e.state === 'failed'));
          if (end) return resolve(end);
          if (Date.now() > deadline) return reject(new Error(`session ${sessionId} did not end`));
          setTimeout(check, 50);
        };
        check();
      });
    },
    async close(secrets) {
      await core.close();
      const files = readdirSync(dataDir).map((f) => readFileSync(path.join(dataDir, f), 'utf8')).join('\n');
      for (const s of secrets) {
        expect(files).not.toContain(s);
        expect(logs()).not.toContain(s);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

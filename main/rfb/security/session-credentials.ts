// One session's VNC credentials, in the order issue 10 sets: what the session knows (the profile's
// keychain slots, a password carried by the address, a minted ticket, or what the user typed
// earlier in this session), else the user is asked through the contract. Lives in main only.
import { makeError, type PortholeErrorShape } from '../../../app/errors.js';
import type { PasswordProtection } from '../../../app/password-protection.js';
import type { CredentialAnswer, CredentialBroker, CredentialNeed } from './security-stage.js';
import type { VncCredentials } from './upstream-security.js';

/** How a session gets its credentials; part of SessionRequest. */
export interface SessionCredentials {
  /** Known without asking: a value, or fetched at the moment of use (e.g. a freshly minted ticket). */
  known?: VncCredentials | (() => Promise<VncCredentials | undefined>);
  /** May the user be asked? Default true. False for minted tickets: a wrong one is just an error. */
  prompt?: boolean;
  /** Saves typed credentials the user chose to remember (profile consoles). Absent: no checkbox. */
  remember?: (credentials: VncCredentials) => Promise<void>;
  /**
   * A user name the address itself carries (vnc://user@host, typed or clicked by the user): the
   * prompt is pre-filled with it. Never one read from the keychain: a saved secret never reaches
   * the renderer.
   */
  addressUsername?: string;
}

export interface PromptRequest {
  username: boolean;
  canRemember: boolean;
  /** How the password will travel with the chosen security type. */
  protection: PasswordProtection;
  /** Pre-fills the Username field (see SessionCredentials.addressUsername). */
  usernameFromAddress?: string;
  failure?: PortholeErrorShape;
}

export interface PromptAnswer {
  credentials: VncCredentials;
  remember: boolean;
}

/** Shows the prompt (main → renderer event) and resolves with the answer; undefined = cancelled. */
export type Prompter = (request: PromptRequest, signal: AbortSignal) => Promise<PromptAnswer | undefined>;

/**
 * The per-request memory that outlives one connection: reconnects of the same session reuse what
 * worked. Typed credentials stay here (main's memory) for this session's reconnects only.
 */
export class CredentialMemory {
  typed: VncCredentials | undefined;
  /** The known credentials were refused by the server: do not use them again. */
  knownRejected = false;

  constructor(readonly source: SessionCredentials) {}
}

export class SessionCredentialBroker implements CredentialBroker {
  private lastFrom: 'known' | 'typed' | 'prompt' | undefined;
  private readonly aborter = new AbortController();

  constructor(
    private readonly memory: CredentialMemory,
    private readonly prompt: Prompter,
    private readonly log: (event: string, detail?: Record<string, unknown>) => void = () => undefined,
  ) {}

  async get(need: CredentialNeed, failure?: PortholeErrorShape): Promise<CredentialAnswer> {
    const { memory } = this;
    if (!failure) {
      if (memory.typed && (!need.username || memory.typed.username !== undefined)) {
        this.lastFrom = 'typed';
        return { ok: true, credentials: memory.typed };
      }
      if (!memory.knownRejected) {
        let known: VncCredentials | undefined;
        try {
          known = typeof memory.source.known === 'function' ? await memory.source.known() : memory.source.known;
        } catch {
          this.log('credentials could not be fetched');
          known = undefined;
        }
        if (known && (!need.username || known.username !== undefined)) {
          this.lastFrom = 'known';
          return { ok: true, credentials: known };
        }
      }
    }
    if (memory.source.prompt === false) {
      return { ok: false, error: failure ?? makeError('vnc-auth-cancelled', 'no password is known for this console and it may not ask for one') };
    }
    if (this.aborter.signal.aborted) return { ok: false, error: makeError('vnc-auth-cancelled', 'the session ended') };
    const canRemember = memory.source.remember !== undefined;
    const prefill = need.username ? memory.source.addressUsername : undefined;
    const request: PromptRequest = { username: need.username, canRemember, protection: need.protection, ...(prefill ? { usernameFromAddress: prefill } : {}), ...(failure ? { failure } : {}) };
    let answer: PromptAnswer | undefined;
    try {
      answer = await this.prompt(request, this.aborter.signal);
    } catch (err) {
      const shape = typeof err === 'object' && err !== null && 'shape' in err ? (err as { shape: PortholeErrorShape }).shape : undefined;
      return { ok: false, error: shape ?? makeError('vnc-auth-cancelled') };
    }
    if (!answer) return { ok: false, error: makeError('vnc-auth-cancelled', 'the password dialog was cancelled') };
    this.lastFrom = 'prompt';
    memory.typed = answer.credentials;
    if (answer.remember && memory.source.remember) {
      const save = memory.source.remember;
      // Saved in the background; a keychain failure leaves the password in memory for this session.
      void save(answer.credentials).catch(() => this.log('typed credentials could not be saved'));
    }
    return { ok: true, credentials: answer.credentials };
  }

  rejected(): boolean {
    if (this.lastFrom === 'typed' || this.lastFrom === 'prompt') this.memory.typed = undefined;
    if (this.lastFrom === 'known') this.memory.knownRejected = true;
    return this.memory.source.prompt !== false;
  }

  abort(): void {
    this.aborter.abort();
  }
}

// The client side of the RFB security handshake towards the real VNC server, as a state machine
// without I/O: feed it the server's bytes in any split, and it answers with actions (bytes to
// send, credentials it needs, "start TLS now", done or failed). Versions 3.3, 3.7 and 3.8; types
// None, VNC authentication and VeNCrypt with every subtype in ./types.ts. Never throws on input.
import { ByteQueue } from '../byte-queue.js';
import { formatVersionBanner, MAX_REASON_LENGTH, negotiateProtocol, parseVersionBanner, protocolVersion, type RfbProtocol, type RfbVersion } from '../handshake.js';
import { chooseSubtype, chooseTopLevel, fallbackAfterVeNCrypt, type ChoiceContext } from './choose.js';
import { vncAuthResponse } from './des.js';
import { knownSubtypes, SecType, type InnerAuth } from './types.js';

export interface VncCredentials {
  username?: string;
  password: string;
}

export type SecurityFailure =
  | { kind: 'not-rfb'; detail: string }
  | { kind: 'unsupported-version'; detail: string }
  /** The server refused before authentication (too many failures, blacklisted, busy) with its reason. */
  | { kind: 'refused'; reason: string }
  /** Nothing offered that Porthole speaks; `vencrypt` holds the subtypes when VeNCrypt was tried. */
  | { kind: 'unsupported'; offered: number[]; vencrypt?: number[]; anonymousTlsUnavailable?: boolean }
  /** SecurityResult "failed"; 3.8 servers give a reason. `tooMany`: result 2 (too many attempts). */
  | { kind: 'auth-failed'; reason?: string; tooMany?: boolean }
  | { kind: 'protocol'; detail: string };

export type SecurityAction =
  | { kind: 'send'; bytes: Buffer }
  /** Call provide() with credentials (a user name too when `username`). */
  | { kind: 'need-credentials'; username: boolean }
  /** Wrap the stream in TLS now, then call tlsReady(); later bytes come from inside TLS. */
  | { kind: 'start-tls'; anonymous: boolean }
  /** Authenticated: the server now waits for ClientInit. `leftover`: bytes that came after. */
  | { kind: 'done'; leftover: Buffer }
  /**
   * No VeNCrypt subtype is usable, but the server also offers None or VNC authentication at the
   * top level: this connection is spent (VeNCrypt was chosen); connect again with a machine made
   * with `withoutVeNCrypt`. `failure` is what to report if that is not possible.
   */
  | { kind: 'retry-without-vencrypt'; failure: SecurityFailure }
  | { kind: 'failed'; failure: SecurityFailure };

/** What was negotiated so far (for logs, diagnostics and tests). */
export interface Negotiation {
  serverVersion?: RfbVersion;
  protocol?: RfbProtocol;
  offered?: number[];
  type?: number;
  subtypes?: number[];
  subtype?: number;
}

type State =
  | 'version'
  | 'types'
  | 'type33'
  | 'vnc-challenge'
  | 'plain-creds'
  | 'result'
  | 'vc-version'
  | 'vc-ack'
  | 'vc-subtypes'
  | 'vc-accept'
  | 'tls'
  | 'done'
  | 'failed';

const BANNER = 12;

export class UpstreamSecurity {
  readonly negotiation: Negotiation = {};
  private state: State = 'version';
  private readonly queue = new ByteQueue(256);
  private creds: VncCredentials | undefined;
  private inner: InnerAuth = 'none';
  private actions: SecurityAction[] = [];

  constructor(private readonly ctx: ChoiceContext) {}

  get finished(): boolean {
    return this.state === 'done' || this.state === 'failed';
  }

  feed(chunk: Uint8Array): SecurityAction[] {
    if (this.finished) return [];
    this.queue.push(chunk);
    return this.run();
  }

  provide(creds: VncCredentials): SecurityAction[] {
    if (this.finished) return [];
    this.creds = creds;
    return this.run();
  }

  /** The TLS handshake asked for by 'start-tls' succeeded; the inner step starts. */
  tlsReady(): SecurityAction[] {
    if (this.state !== 'tls') return [];
    this.queue.clear(); // nothing plaintext may follow the accept byte
    this.enterInner();
    return this.run();
  }

  private run(): SecurityAction[] {
    try {
      while (!this.finished && this.step()) {
        // each step consumed input or changed state
      }
    } catch (err) {
      this.fail({ kind: 'protocol', detail: err instanceof Error ? err.message : String(err) });
    }
    const out = this.actions;
    this.actions = [];
    return out;
  }

  private send(bytes: Buffer): void {
    this.actions.push({ kind: 'send', bytes });
  }

  private fail(failure: SecurityFailure): void {
    this.state = 'failed';
    this.queue.clear();
    this.actions.push({ kind: 'failed', failure });
  }

  private finish(): void {
    this.state = 'done';
    const leftover = Buffer.from(this.queue.view(this.queue.length));
    this.queue.clear();
    this.actions.push({ kind: 'done', leftover });
  }

  private u32(offset: number): number {
    return this.queue.u32(offset) >>> 0;
  }

  /** Reads a u32 length + UTF-8 text at `offset`; null when not all of it is there yet. */
  private reasonAt(offset: number): { text: string; length: number } | null | 'too-long' {
    if (this.queue.length < offset + 4) return null;
    const len = this.u32(offset);
    if (len > MAX_REASON_LENGTH) return 'too-long';
    if (this.queue.length < offset + 4 + len) return null;
    return { text: this.queue.view(offset + 4 + len).subarray(offset + 4).toString('utf8'), length: offset + 4 + len };
  }

  /** One step; false when it needs more input (or credentials, or TLS). */
  private step(): boolean {
    const q = this.queue;
    switch (this.state) {
      case 'version': {
        if (q.length < BANNER) return false;
        const banner = q.view(BANNER);
        const v = parseVersionBanner(banner);
        if (!v) {
          this.fail({ kind: 'not-rfb', detail: `not an RFB banner: ${JSON.stringify(banner.toString('latin1'))}` });
          return false;
        }
        q.skip(BANNER);
        const protocol = negotiateProtocol(v);
        this.negotiation.serverVersion = v;
        if (!protocol) {
          this.fail({ kind: 'unsupported-version', detail: `the server speaks RFB ${v.major}.${v.minor}` });
          return false;
        }
        this.negotiation.protocol = protocol;
        this.send(Buffer.from(formatVersionBanner(protocolVersion[protocol]), 'latin1'));
        this.state = protocol === '3.3' ? 'type33' : 'types';
        return true;
      }
      case 'types': {
        if (q.length < 1) return false;
        const count = q.u8(0);
        if (count === 0) return this.readRefusal(1);
        if (q.length < 1 + count) return false;
        const offered = Array.from(q.view(1 + count).subarray(1));
        q.skip(1 + count);
        this.negotiation.offered = offered;
        const type = chooseTopLevel(offered, this.ctx.withoutVeNCrypt);
        if (type === undefined) {
          this.fail({ kind: 'unsupported', offered });
          return false;
        }
        this.negotiation.type = type;
        this.send(Buffer.from([type]));
        this.afterType(type);
        return true;
      }
      case 'type33': {
        if (q.length < 4) return false;
        const type = this.u32(0);
        if (type === 0) return this.readRefusal(4);
        q.skip(4);
        this.negotiation.offered = [type];
        if (type !== SecType.None && type !== SecType.VncAuth) {
          this.fail({ kind: 'unsupported', offered: [type] });
          return false;
        }
        this.negotiation.type = type;
        this.afterType(type);
        return true;
      }
      case 'vnc-challenge': {
        if (q.length < 16 || !this.creds) return false;
        const response = vncAuthResponse(this.creds.password, q.view(16));
        q.skip(16);
        this.send(response);
        this.state = 'result';
        return true;
      }
      case 'plain-creds': {
        if (!this.creds) return false;
        const user = Buffer.from(this.creds.username ?? '', 'utf8');
        const pass = Buffer.from(this.creds.password, 'utf8');
        const head = Buffer.alloc(8);
        head.writeUInt32BE(user.length, 0);
        head.writeUInt32BE(pass.length, 4);
        this.send(Buffer.concat([head, user, pass]));
        this.state = 'result';
        return true;
      }
      case 'result': {
        if (q.length < 4) return false;
        const result = this.u32(0);
        if (result === 0) {
          q.skip(4);
          this.finish();
          return false;
        }
        if (this.negotiation.protocol === '3.8') {
          const reason = this.reasonAt(4);
          if (reason === null) return false;
          if (reason === 'too-long') {
            this.fail({ kind: 'auth-failed', tooMany: result === 2 });
            return false;
          }
          this.fail({ kind: 'auth-failed', reason: reason.text, ...(result === 2 ? { tooMany: true } : {}) });
          return false;
        }
        this.fail({ kind: 'auth-failed', ...(result === 2 ? { tooMany: true } : {}) });
        return false;
      }
      case 'vc-version': {
        if (q.length < 2) return false;
        const major = q.u8(0);
        const minor = q.u8(1);
        q.skip(2);
        if (major === 0 && minor < 2) {
          this.fail({ kind: 'protocol', detail: `VeNCrypt ${major}.${minor} is not supported (0.2 is)` });
          return false;
        }
        this.send(Buffer.from([0, 2]));
        this.state = 'vc-ack';
        return true;
      }
      case 'vc-ack': {
        if (q.length < 1) return false;
        const ack = q.u8(0);
        q.skip(1);
        if (ack !== 0) {
          this.fail({ kind: 'protocol', detail: 'the server refused VeNCrypt 0.2' });
          return false;
        }
        this.state = 'vc-subtypes';
        return true;
      }
      case 'vc-subtypes': {
        if (q.length < 1) return false;
        const count = q.u8(0);
        if (q.length < 1 + 4 * count) return false;
        const subtypes: number[] = [];
        for (let i = 0; i < count; i++) subtypes.push(this.u32(1 + 4 * i));
        q.skip(1 + 4 * count);
        this.negotiation.subtypes = subtypes;
        const choice = chooseSubtype(subtypes, this.ctx);
        if (!choice.ok) {
          const offered = this.negotiation.offered ?? [SecType.VeNCrypt];
          const failure: SecurityFailure = {
            kind: 'unsupported',
            offered,
            vencrypt: subtypes,
            ...(choice.why === 'anonymous-tls-unavailable' ? { anonymousTlsUnavailable: true } : {}),
          };
          if (fallbackAfterVeNCrypt(offered)) {
            this.state = 'failed';
            this.queue.clear();
            this.actions.push({ kind: 'retry-without-vencrypt', failure });
          } else this.fail(failure);
          return false;
        }
        const reply = Buffer.alloc(4);
        reply.writeUInt32BE(choice.subtype, 0);
        this.send(reply);
        this.negotiation.subtype = choice.subtype;
        const info = knownSubtypes.get(choice.subtype)!;
        this.inner = info.inner;
        if (info.tls === 'none') this.enterInner();
        else this.state = 'vc-accept';
        return true;
      }
      case 'vc-accept': {
        if (q.length < 1) return false;
        const accepted = q.u8(0);
        q.skip(1);
        if (accepted !== 1) {
          this.fail({ kind: 'protocol', detail: 'the server refused the chosen VeNCrypt subtype' });
          return false;
        }
        if (q.length > 0) {
          this.fail({ kind: 'protocol', detail: 'the server sent plaintext where the TLS handshake should start' });
          return false;
        }
        this.state = 'tls';
        const info = knownSubtypes.get(this.negotiation.subtype ?? 0);
        this.actions.push({ kind: 'start-tls', anonymous: info?.tls === 'anonymous' });
        return false;
      }
      case 'tls':
        // Plaintext while TLS is being set up belongs to the TLS layer, not here.
        if (q.length > 0) this.fail({ kind: 'protocol', detail: 'unexpected bytes during the TLS handshake' });
        return false;
      case 'done':
      case 'failed':
        return false;
    }
  }

  private readRefusal(at: number): boolean {
    const reason = this.reasonAt(at);
    if (reason === null) return false;
    if (reason === 'too-long') this.fail({ kind: 'protocol', detail: 'the refusal reason is too long' });
    else this.fail({ kind: 'refused', reason: reason.text });
    return false;
  }

  /** After the top-level type (or 3.3's given type) is known. */
  private afterType(type: number): void {
    const p = this.negotiation.protocol;
    if (type === SecType.None) {
      if (p === '3.8') this.state = 'result';
      else this.finish();
    } else if (type === SecType.VncAuth) {
      this.inner = 'vnc';
      this.enterInner();
    } else {
      this.state = 'vc-version';
    }
  }

  /** The authentication inside (or without) TLS; VeNCrypt and VNC auth end with a SecurityResult. */
  private enterInner(): void {
    if (this.inner === 'none') {
      this.state = 'result';
      return;
    }
    this.state = this.inner === 'vnc' ? 'vnc-challenge' : 'plain-creds';
    if (!this.creds) this.actions.push({ kind: 'need-credentials', username: this.inner === 'plain' });
  }
}

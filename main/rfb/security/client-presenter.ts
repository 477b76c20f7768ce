// The server side of the RFB handshake towards the renderer (noVNC), as a state machine without
// I/O: Porthole presents RFB 3.8 with exactly one security type, None, because main has already
// authenticated upstream. Clients answering 3.3 or 3.7 are served too. After the client's choice
// (and, for 3.8, a SecurityResult "OK") everything it sends — ClientInit onwards — is `leftover`
// for the real server.
import { ByteQueue } from '../byte-queue.js';
import { formatVersionBanner, parseVersionBanner } from '../handshake.js';

export const PRESENTED_BANNER = Buffer.from(formatVersionBanner({ major: 3, minor: 8 }), 'latin1');

export type PresenterAction =
  | { kind: 'send'; bytes: Buffer }
  | { kind: 'done'; leftover: Buffer }
  | { kind: 'failed'; detail: string };

type State = 'version' | 'choice' | 'done' | 'failed';

export class ClientPresenter {
  private state: State = 'version';
  private protocolMinor = 8;
  private readonly queue = new ByteQueue(64);

  /** The first bytes to send: the banner. */
  start(): Buffer {
    return PRESENTED_BANNER;
  }

  get finished(): boolean {
    return this.state === 'done' || this.state === 'failed';
  }

  feed(chunk: Uint8Array): PresenterAction[] {
    if (this.finished) return [];
    this.queue.push(chunk);
    const out: PresenterAction[] = [];
    const q = this.queue;
    if (this.state === 'version') {
      if (q.length < 12) return out;
      const v = parseVersionBanner(q.view(12));
      if (!v || v.major !== 3 || v.minor < 3 || v.minor > 8) return this.fail(out, 'the console window answered with an unsupported RFB version');
      q.skip(12);
      this.protocolMinor = v.minor >= 8 ? 8 : v.minor >= 7 ? 7 : 3;
      if (this.protocolMinor === 3) {
        // 3.3: the server names the type (None); no SecurityResult follows.
        out.push({ kind: 'send', bytes: Buffer.from([0, 0, 0, 1]) });
        return this.done(out);
      }
      out.push({ kind: 'send', bytes: Buffer.from([1, 1]) });
      this.state = 'choice';
    }
    if (this.state === 'choice') {
      if (q.length < 1) return out;
      const chosen = q.u8(0);
      q.skip(1);
      if (chosen !== 1) return this.fail(out, `the console window chose security type ${chosen}, not None`);
      if (this.protocolMinor === 8) out.push({ kind: 'send', bytes: Buffer.from([0, 0, 0, 0]) });
      return this.done(out);
    }
    return out;
  }

  private done(out: PresenterAction[]): PresenterAction[] {
    this.state = 'done';
    out.push({ kind: 'done', leftover: Buffer.from(this.queue.view(this.queue.length)) });
    this.queue.clear();
    return out;
  }

  private fail(out: PresenterAction[], detail: string): PresenterAction[] {
    this.state = 'failed';
    this.queue.clear();
    out.push({ kind: 'failed', detail });
    return out;
  }
}

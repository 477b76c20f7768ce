// Turns launch links into pending requests the user confirms; nothing here opens a session by itself.
// The page sees only a secret-free view (kind, display address, warnings); the session source with any
// token or password stays in main until the user accepts, then goes to the core as a session.open.
// Proposed contract additions (the lead owns app/contract.ts):
//   event 'link.request'  payload LinkRequestView
//   call  'link.pending'  {}                      → { requests: LinkRequestView[] }
//   call  'link.accept'   { requestId }           → OpenedSession  (session.open with the kept source)
//   call  'link.dismiss'  { requestId }           → {}
import { randomUUID } from 'node:crypto';
import { lstat, open, unlink } from 'node:fs/promises';
import type { Outcome, SessionSource, SessionWarning } from '../../app/contract.js';
import { parseConsoleAddress } from '../../app/console-address.js';
import { describeTarget, type TcpTarget } from '../../app/console-target.js';
import { makeError, type PortholeErrorShape } from '../../app/errors.js';
import { MAX_VV_BYTES, parseVirtViewerFile } from '../../app/virt-viewer-file.js';
import type { PortholeCore } from '../core-types.js';
import type { LaunchLink } from './deep-links.js';
import type { LocalCallHandler } from './ipc-bridge.js';

export const LINK_REQUEST_EVENT = 'link.request';
export const linkCallNames = ['link.pending', 'link.accept', 'link.dismiss'] as const;

/** What the page shows to ask "Connect to …?": never a token or password. */
export interface LinkRequestView {
  requestId: string;
  kind: LaunchLink['kind'];
  displayAddress: string;
  title?: string;
  profileId?: string;
  warnings: SessionWarning[];
}

interface Pending {
  view: LinkRequestView;
  source: SessionSource;
  expiresAt: number;
}

export type LinkOutcome = { ok: true; view: LinkRequestView } | { ok: false; error: PortholeErrorShape };

export interface LinkRequestDeps {
  /** Reads a .vv file, refusing anything that is not a regular file of at most maxBytes. */
  readSmallFile?(file: string, maxBytes: number): Promise<string>;
  removeFile?(file: string): Promise<void>;
  now?(): number;
  newId?(): string;
}

const MAX_PENDING = 16;
const PENDING_TTL_MS = 10 * 60_000;

export async function readSmallFile(file: string, maxBytes: number): Promise<string> {
  const info = await lstat(file);
  if (!info.isFile()) throw new Error('not a regular file');
  if (info.size > maxBytes) throw new Error('file too large');
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(maxBytes + 1);
    const { bytesRead } = await handle.read(buffer, 0, maxBytes + 1, 0);
    if (bytesRead > maxBytes) throw new Error('file too large');
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** The vnc:// address (with the password, for main only) a .vv file's target corresponds to. */
export function vncUrlFor(target: TcpTarget): string {
  const auth = target.password !== undefined ? `:${encodeURIComponent(target.password)}@` : '';
  return `${target.tls ? 'vnc+tls' : 'vnc'}://${auth}${hostForUrl(target.host)}:${target.port}`;
}

export class LinkRequests {
  readonly #pending = new Map<string, Pending>();
  readonly #deps: Required<LinkRequestDeps>;

  constructor(deps: LinkRequestDeps = {}) {
    this.#deps = {
      readSmallFile: deps.readSmallFile ?? readSmallFile,
      removeFile: deps.removeFile ?? ((file) => unlink(file)),
      now: deps.now ?? (() => Date.now()),
      newId: deps.newId ?? (() => randomUUID()),
    };
  }

  /** Checks a link and keeps it as a pending request. Never connects. */
  async add(link: LaunchLink): Promise<LinkOutcome> {
    const resolved = await this.#resolve(link);
    if (!resolved.ok) return resolved;
    this.#prune();
    while (this.#pending.size >= MAX_PENDING) {
      const oldest = this.#pending.keys().next().value;
      if (oldest === undefined) break;
      this.#pending.delete(oldest);
    }
    const requestId = this.#deps.newId();
    const view: LinkRequestView = { requestId, ...resolved.view };
    this.#pending.set(requestId, { view, source: resolved.source, expiresAt: this.#deps.now() + PENDING_TTL_MS });
    return { ok: true, view };
  }

  list(): LinkRequestView[] {
    this.#prune();
    return [...this.#pending.values()].map((p) => p.view);
  }

  /** Removes a request and hands back its source (for link.accept). */
  take(requestId: string): SessionSource | undefined {
    this.#prune();
    const pending = this.#pending.get(requestId);
    this.#pending.delete(requestId);
    return pending?.source;
  }

  dismiss(requestId: string): boolean {
    return this.#pending.delete(requestId);
  }

  #prune(): void {
    const now = this.#deps.now();
    for (const [id, p] of this.#pending) if (p.expiresAt <= now) this.#pending.delete(id);
  }

  async #resolve(
    link: LaunchLink,
  ): Promise<{ ok: true; view: Omit<LinkRequestView, 'requestId'>; source: SessionSource } | { ok: false; error: PortholeErrorShape }> {
    switch (link.kind) {
      case 'profile':
        return {
          ok: true,
          view: { kind: 'profile', displayAddress: `saved profile ${link.profileId}`, profileId: link.profileId, warnings: [] },
          source: { type: 'profile', profileId: link.profileId },
        };
      case 'console-url': {
        const parsed = parseConsoleAddress(link.url);
        if (!parsed.ok) return parsed;
        return {
          ok: true,
          view: { kind: 'console-url', displayAddress: describeTarget(parsed.target), warnings: [...parsed.warnings] },
          source: { type: 'url', url: link.url },
        };
      }
      case 'vv-file': {
        let text: string;
        try {
          text = await this.#deps.readSmallFile(link.path, MAX_VV_BYTES);
        } catch {
          return { ok: false, error: makeError('url-invalid', 'the .vv file could not be read') };
        }
        const parsed = parseVirtViewerFile(text);
        if (!parsed.ok) return parsed;
        // virt-viewer's own rule: a file that asks to be deleted (it holds a one-time password) is deleted once read.
        if (parsed.deleteThisFile) await this.#deps.removeFile(link.path).catch(() => undefined);
        const { password: _password, ...publicTarget } = parsed.target;
        return {
          ok: true,
          view: {
            kind: 'vv-file',
            displayAddress: describeTarget(publicTarget),
            ...(parsed.title !== undefined ? { title: parsed.title } : {}),
            warnings: [...parsed.warnings],
          },
          source: { type: 'url', url: vncUrlFor(parsed.target) },
        };
      }
    }
  }
}

const requestIdOf = (args: unknown): string | undefined => {
  if (typeof args !== 'object' || args === null) return undefined;
  const id = (args as { requestId?: unknown }).requestId;
  return typeof id === 'string' && id.length > 0 && id.length <= 128 ? id : undefined;
};

/**
 * The shell-side handlers of the proposed link.* calls, for IpcBridgeDeps.localCalls. Accepting a
 * request runs session.open in the core for the accepting window; the source never reaches the page.
 */
export function createLinkCalls(requests: LinkRequests, core: PortholeCore): Map<string, LocalCallHandler> {
  const notFound = (): Outcome<never> => ({ ok: false, error: makeError('session-not-found', 'that link request is no longer pending') });
  const badRequest = (): Outcome<never> => ({ ok: false, error: makeError('bad-request', 'requestId') });
  return new Map<string, LocalCallHandler>([
    ['link.pending', async () => ({ ok: true, value: { requests: requests.list() } })],
    [
      'link.accept',
      async (args, record) => {
        const id = requestIdOf(args);
        if (id === undefined) return badRequest();
        const source = requests.take(id);
        if (source === undefined) return notFound();
        return core.handle('session.open', { source }, record.caller);
      },
    ],
    [
      'link.dismiss',
      async (args) => {
        const id = requestIdOf(args);
        if (id === undefined) return badRequest();
        return requests.dismiss(id) ? { ok: true, value: {} } : notFound();
      },
    ],
  ]);
}

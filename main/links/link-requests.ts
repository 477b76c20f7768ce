// Turns launch links into pending requests the user confirms; nothing here opens a session by itself.
// The page sees only a secret-free view (kind, display address, warnings, the file's title marked as
// such); what to open, with any token or password and a .vv file's CA, stays in main until the user
// answers. A .vv file that asks to be deleted (it holds a one-time password) is deleted once the
// user has answered, Connect or Cancel — never before, and not when a request merely expires.
// Shell-independent: the core owns one registry; both shells only submit links to it.
import { randomUUID } from 'node:crypto';
import { lstat, open, unlink } from 'node:fs/promises';
import type { LinkRequestView, SessionSource } from '../../app/contract.js';
import { parseConsoleAddress } from '../../app/console-address.js';
import { describeTarget, type TcpTarget } from '../../app/console-target.js';
import { makeError, type PortholeErrorShape } from '../../app/errors.js';
import { MAX_VV_BYTES, parseVirtViewerFile } from '../../app/virt-viewer-file.js';
import type { LaunchLink } from './launch-links.js';

/** What accepting a request opens: an ordinary session source, or a .vv file's resolved console. */
export type LinkOpen =
  | { type: 'source'; source: SessionSource }
  | { type: 'vv'; target: TcpTarget; title?: string; caPem?: string; hostSubject?: string };

interface Pending {
  view: LinkRequestView;
  open: LinkOpen;
  expiresAt: number;
  /** A .vv file to delete once the user has answered. */
  deleteAfterAnswer?: string;
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
/** A file's text for display: one line, no control characters, at most 200 characters. */
const displayText = (s: string): string =>
  [...s]
    .map((c) => (c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f) ? ' ' : c))
    .join('')
    .replace(/ {2,}/g, ' ')
    .trim()
    .slice(0, 200);
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

type Resolved = { ok: true; view: Omit<LinkRequestView, 'requestId'>; open: LinkOpen; deleteAfterAnswer?: string } | { ok: false; error: PortholeErrorShape };

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

  /** Checks a link and keeps it as a pending request. Never connects, never deletes. */
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
    this.#pending.set(requestId, {
      view,
      open: resolved.open,
      expiresAt: this.#deps.now() + PENDING_TTL_MS,
      ...(resolved.deleteAfterAnswer !== undefined ? { deleteAfterAnswer: resolved.deleteAfterAnswer } : {}),
    });
    return { ok: true, view };
  }

  list(): LinkRequestView[] {
    this.#prune();
    return [...this.#pending.values()].map((p) => p.view);
  }

  /** The user pressed Connect: removes the request, deletes its file if asked, and hands back what to open. */
  async accept(requestId: string): Promise<LinkOpen | undefined> {
    this.#prune();
    const pending = this.#pending.get(requestId);
    if (pending === undefined) return undefined;
    this.#pending.delete(requestId);
    await this.#answered(pending);
    return pending.open;
  }

  /** The user pressed Cancel. */
  async dismiss(requestId: string): Promise<boolean> {
    const pending = this.#pending.get(requestId);
    if (pending === undefined) return false;
    this.#pending.delete(requestId);
    await this.#answered(pending);
    return true;
  }

  async #answered(pending: Pending): Promise<void> {
    if (pending.deleteAfterAnswer !== undefined) await this.#deps.removeFile(pending.deleteAfterAnswer).catch(() => undefined);
  }

  #prune(): void {
    const now = this.#deps.now();
    for (const [id, p] of this.#pending) if (p.expiresAt <= now) this.#pending.delete(id);
  }

  async #resolve(link: LaunchLink): Promise<Resolved> {
    switch (link.kind) {
      case 'profile':
        return {
          ok: true,
          view: { kind: 'profile', displayAddress: `saved profile ${link.profileId}`, profileId: link.profileId, warnings: [] },
          open: { type: 'source', source: { type: 'profile', profileId: link.profileId } },
        };
      case 'console-url': {
        const parsed = parseConsoleAddress(link.url);
        if (!parsed.ok) return parsed;
        const notices = [...parsed.notices];
        if (parsed.display?.viewOnly) notices.push('opens view only, as the address asks');
        return {
          ok: true,
          view: { kind: 'console-url', displayAddress: describeTarget(parsed.target), warnings: [...parsed.warnings], ...(notices.length ? { notices } : {}) },
          open: { type: 'source', source: { type: 'url', url: link.url } },
        };
      }
      case 'vv-file':
        return this.#resolveFile(link.path);
    }
  }

  async #resolveFile(file: string): Promise<Resolved> {
    let text: string;
    try {
      text = await this.#deps.readSmallFile(file, MAX_VV_BYTES);
    } catch {
      return { ok: false, error: makeError('url-invalid', 'the .vv file could not be read') };
    }
    const parsed = parseVirtViewerFile(text);
    if (!parsed.ok) return { ok: false, error: parsed.error };
    const { password: _password, username: _username, ...publicTarget } = parsed.target;
    const notices: string[] = [];
    if (parsed.caPem !== undefined) notices.push('the file brings its own CA certificate, used to verify this console');
    if (parsed.hostSubject !== undefined) notices.push(`the server certificate must have the subject ${JSON.stringify(displayText(parsed.hostSubject))}, which the file names (checked instead of the host name)`);
    if (parsed.deleteThisFile) notices.push('the file asks to be deleted: it is deleted when you answer');
    return {
      ok: true,
      view: {
        kind: 'vv-file',
        displayAddress: describeTarget(publicTarget),
        ...(parsed.title !== undefined ? { title: displayText(parsed.title) } : {}),
        warnings: [...parsed.warnings],
        ...(notices.length ? { notices } : {}),
        ...(parsed.fullscreen ? { fullscreen: true } : {}),
      },
      open: {
        type: 'vv',
        target: parsed.target,
        ...(parsed.title !== undefined ? { title: displayText(parsed.title) } : {}),
        ...(parsed.caPem !== undefined ? { caPem: parsed.caPem } : {}),
        ...(parsed.hostSubject !== undefined ? { hostSubject: parsed.hostSubject } : {}),
      },
      ...(parsed.deleteThisFile ? { deleteAfterAnswer: file } : {}),
    };
  }
}

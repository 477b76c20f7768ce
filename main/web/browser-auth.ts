// Browser mode protects itself like a notebook server, with two differences that matter on a
// shared machine: a launch secret works once and only for a short time, and the cookie alone is
// worth nothing, because cookies are sent to every port of 127.0.0.1.
//
// A launch exchange gives that one browser an identity: an HttpOnly cookie (which gates the
// static files) and a key that the page keeps in localStorage, which belongs to our exact origin
// (port included), so no other port can read it. The contract socket needs both.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { API_PROTOCOL, KEY_PROTOCOL_PREFIX } from '../../app/browser-mode.js';
import type { BrowserIdentity, IdentityStore } from './identity-store.js';

export const DEFAULT_LAUNCH_TTL_MS = 2 * 60_000;
/** Unused launch secrets kept at most; the oldest goes first. */
const MAX_PENDING_LAUNCHES = 16;
const COOKIE_PREFIX = 'porthole-';

function secret(): string {
  return randomBytes(32).toString('base64url');
}

export function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function sameDigest(value: string, hex: string): boolean {
  const a = Buffer.from(digest(value), 'hex');
  const b = Buffer.from(hex, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** What one successful launch exchange hands to the browser (and nothing keeps in clear afterwards). */
export interface Grant {
  setCookie: string;
  key: string;
}

export class BrowserAuth {
  readonly origin: string;
  readonly host: string;
  /** launch-secret digest → expiry (ms since epoch); entries are deleted when used or expired. */
  private readonly launches = new Map<string, number>();

  constructor(
    readonly port: number,
    private readonly store: IdentityStore,
    private readonly launchTtlMs = DEFAULT_LAUNCH_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {
    this.host = `127.0.0.1:${port}`;
    this.origin = `http://${this.host}`;
  }

  /** A fresh single-use launch URL, valid for launchTtlMs. */
  mintLaunchUrl(): string {
    this.dropExpired();
    while (this.launches.size >= MAX_PENDING_LAUNCHES) this.launches.delete(this.launches.keys().next().value!);
    const launch = secret();
    this.launches.set(digest(launch), this.now() + this.launchTtlMs);
    return `${this.origin}/?launch=${launch}`;
  }

  get launchTtlSeconds(): number {
    return Math.round(this.launchTtlMs / 1000);
  }

  hostOk(headers: IncomingHttpHeaders): boolean {
    return headers.host === this.host;
  }

  /** Absent Origin is fine for plain navigations; present, it must be ours exactly. */
  originOk(headers: IncomingHttpHeaders, required: boolean): boolean {
    const origin = headers.origin;
    if (origin === undefined) return !required;
    return origin === this.origin;
  }

  /** Burns the launch secret and creates a new browser identity; undefined if unknown, used or expired. */
  redeem(launch: string | null): Grant | undefined {
    this.dropExpired();
    if (launch === null) return undefined;
    const key = digest(launch);
    if (!this.launches.has(key)) return undefined;
    this.launches.delete(key);
    const identity = { id: randomBytes(9).toString('base64url'), cookie: secret(), key: secret() };
    this.store.add({ id: identity.id, cookieDigest: digest(identity.cookie), keyDigest: digest(identity.key) });
    return {
      // A session cookie: it lives as long as this browser runs. Its name is random, not the port.
      setCookie: `${COOKIE_PREFIX}${identity.id}=${identity.cookie}; HttpOnly; SameSite=Strict; Path=/`,
      key: identity.key,
    };
  }

  /** The identities whose cookies this request carries (a browser launched twice holds two). */
  identitiesOf(headers: IncomingHttpHeaders): BrowserIdentity[] {
    const found: BrowserIdentity[] = [];
    const raw = headers.cookie;
    if (!raw) return found;
    for (const part of raw.split(';')) {
      const eq = part.indexOf('=');
      if (eq <= 0) continue;
      const name = part.slice(0, eq).trim();
      if (!name.startsWith(COOKIE_PREFIX)) continue;
      const identity = this.store.get(name.slice(COOKIE_PREFIX.length));
      if (identity && sameDigest(part.slice(eq + 1).trim(), identity.cookieDigest)) found.push(identity);
    }
    return found;
  }

  hasCookie(headers: IncomingHttpHeaders): boolean {
    return this.identitiesOf(headers).length > 0;
  }

  /** The contract socket: one identity's cookie AND that same identity's key, offered as a subprotocol. */
  apiAllowed(headers: IncomingHttpHeaders): boolean {
    const identities = this.identitiesOf(headers);
    if (identities.length === 0) return false;
    const offered = (headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!offered.includes(API_PROTOCOL)) return false;
    const keys = offered.filter((p) => p.startsWith(KEY_PROTOCOL_PREFIX)).map((p) => p.slice(KEY_PROTOCOL_PREFIX.length));
    return identities.some((identity) => keys.some((key) => sameDigest(key, identity.keyDigest)));
  }

  private dropExpired(): void {
    const now = this.now();
    for (const [key, expires] of this.launches) if (expires <= now) this.launches.delete(key);
  }
}

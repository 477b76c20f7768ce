// Browser mode protects itself like a notebook server: the printed URL carries a random launch
// secret, exchanged for an HttpOnly SameSite=Strict cookie; every request must be addressed to
// our exact loopback Host, and any Origin must be our own.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class BrowserAuth {
  readonly launchSecret = randomBytes(32).toString('base64url');
  private readonly cookieValue = randomBytes(32).toString('base64url');
  readonly cookieName: string;
  readonly origin: string;
  readonly host: string;

  constructor(readonly port: number) {
    // Cookies ignore ports, so two instances on different ports need different cookie names.
    this.cookieName = `porthole-${port}`;
    this.host = `127.0.0.1:${port}`;
    this.origin = `http://${this.host}`;
  }

  get launchUrl(): string {
    return `${this.origin}/?launch=${this.launchSecret}`;
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

  isLaunch(secret: string | null): boolean {
    return secret !== null && safeEqual(secret, this.launchSecret);
  }

  setCookieHeader(): string {
    return `${this.cookieName}=${this.cookieValue}; HttpOnly; SameSite=Strict; Path=/`;
  }

  hasCookie(headers: IncomingHttpHeaders): boolean {
    const raw = headers.cookie;
    if (!raw) return false;
    for (const part of raw.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === this.cookieName && safeEqual(part.slice(eq + 1).trim(), this.cookieValue)) return true;
    }
    return false;
  }
}

// Who may open a WebSocket on the loopback proxy: a request addressed to our exact loopback
// Host, from the app's exact Origin, on /session/<ticket>. Pure: it only reads the request.
import type { IncomingHttpHeaders } from 'node:http';
import type { ErrorCode } from '../../app/errors.js';
import { TICKET_PATTERN } from './tickets.js';

export type Admission = { ok: true; ticket: string } | { ok: false; status: 400 | 403 | 404; code: ErrorCode };

/** The Host values a loopback server on `port` answers to; anything else may be DNS rebinding. */
export function loopbackHosts(port: number): ReadonlySet<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function admitUpgrade(
  url: string | undefined,
  headers: IncomingHttpHeaders,
  expected: { port: number; origin: string },
): Admission {
  const host = single(headers.host);
  if (host === undefined || !loopbackHosts(expected.port).has(host)) return { ok: false, status: 403, code: 'host-rejected' };
  // Exact match, case-sensitive: browsers serialise origins in lower case, so anything else is forged.
  const origin = single(headers.origin);
  if (origin === undefined || origin !== expected.origin) return { ok: false, status: 403, code: 'origin-rejected' };
  const match = /^\/session\/([^/?#]*)$/.exec(url ?? '');
  const ticket = match?.[1];
  if (ticket === undefined || !TICKET_PATTERN.test(ticket)) return { ok: false, status: 403, code: 'ticket-invalid' };
  return { ok: true, ticket };
}

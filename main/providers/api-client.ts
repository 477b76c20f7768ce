// HTTP(S) to a cloud API, JSON in and out. TLS is verified against the system store plus the
// account's CA (or the account's pinned key); every failure becomes a typed error whose detail is
// safe to show: an HTTP status, an errno code, never a URL (it may carry ids) and never a secret.
import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { makeError, PortholeError } from '../../app/errors.js';
import { classifyUpstreamError } from '../proxy/classify-error.js';
import { checkPin, tlsOptionsFor, type TlsPolicy } from '../proxy/tls-policy.js';
import { cleanServerText } from '../../app/server-text.js';

export interface ApiRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers?: Record<string, string>;
  /** Sent as JSON, or as a form when `form` is set. */
  json?: unknown;
  form?: Record<string, string>;
  tls: TlsPolicy;
  timeoutMs?: number;
}

export interface ApiResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON, or undefined for an empty or non-JSON body. */
  body: unknown;
}

const MAX_BODY = 8 * 1024 * 1024;
// Generous: a big project's /servers/detail, or a cloud API's first call after a restart, can take many seconds.
export const DEFAULT_API_TIMEOUT_MS = 30_000;

/** The network failed before an HTTP answer: unreachable, or one of the TLS codes. */
function networkError(err: unknown): PortholeError {
  const shape = classifyUpstreamError(err);
  if (shape.code.startsWith('tls-')) return new PortholeError(shape.code, shape.detail);
  return new PortholeError('cloud-unreachable', shape.detail ?? shape.code);
}

export function apiRequest(req: ApiRequest): Promise<ApiResponse> {
  const { url } = req;
  const secure = url.protocol === 'https:';
  const body = req.form !== undefined ? new URLSearchParams(req.form).toString() : req.json !== undefined ? JSON.stringify(req.json) : undefined;
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'User-Agent': 'Porthole',
    ...(body !== undefined ? { 'Content-Type': req.form !== undefined ? 'application/x-www-form-urlencoded' : 'application/json', 'Content-Length': String(Buffer.byteLength(body)) } : {}),
    ...req.headers,
  };
  const timeoutMs = req.timeoutMs ?? DEFAULT_API_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const options: https.RequestOptions = { method: req.method, headers, agent: false, timeout: timeoutMs };
    const request: http.ClientRequest = secure ? https.request(url, { ...options, ...tlsOptionsFor(url.hostname.replace(/^\[|\]$/g, ''), req.tls) }) : http.request(url, options);
    let settled = false;
    const fail = (err: PortholeError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      request.destroy();
      reject(err);
    };
    const deadline = setTimeout(() => fail(new PortholeError('cloud-unreachable', `no answer within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    request.on('timeout', () => fail(new PortholeError('cloud-unreachable', `no answer within ${Math.round(timeoutMs / 1000)} s`)));
    request.on('error', (err) => fail(err instanceof PortholeError ? err : networkError(err)));
    if (secure && req.tls.pinSha256) {
      // Checked before the request body (and so any credential) leaves.
      request.on('socket', (socket) =>
        socket.once('secureConnect', () => {
          const mismatch = checkPin(socket as TLSSocket, req.tls);
          if (mismatch) fail(networkError(mismatch));
        }),
      );
    }
    request.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY) fail(new PortholeError('cloud-unreachable', 'the API answered with an oversized body'));
        else chunks.push(chunk);
      });
      res.on('error', (err) => fail(networkError(err)));
      res.on('end', () => {
        clearTimeout(deadline);
        if (settled) return;
        settled = true;
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
    });
    request.end(body);
  });
}

/** A short, quoted reason from an API's error body (OpenStack's {"error":{"message"}} or {"x":{"message"}}, Proxmox's {"message"}). */
export function apiReason(body: unknown): string | undefined {
  // The cloud's words: no control, escape or bidi characters, cut short (app/server-text.ts).
  const pick = (v: unknown): string | undefined => (typeof v === 'string' && cleanServerText(v) ? cleanServerText(v) : undefined);
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  if (pick(record.message)) return pick(record.message);
  for (const value of Object.values(record)) {
    if (typeof value === 'object' && value !== null && pick((value as Record<string, unknown>).message)) return pick((value as Record<string, unknown>).message);
  }
  return undefined;
}

export function statusError(code: Parameters<typeof makeError>[0], status: number, body: unknown): PortholeError {
  const reason = apiReason(body);
  return new PortholeError(code, `HTTP ${status}${reason ? `: ${reason}` : ''}`);
}

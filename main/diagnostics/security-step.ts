// "Test connection", security step: on the stream the RFB step read the greeting from, run the
// same security handshake a console would (main/rfb/security): which types the server offers
// (named), which one Porthole would choose, whether it needs a password or a user name, the
// VeNCrypt certificate like any other, and — when a password is known — whether it is accepted.
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { makeError, type PortholeErrorShape } from '../../app/errors.js';
import { protectionWarning, type PasswordProtection } from '../../app/password-protection.js';
import { classifyUpstreamError } from '../proxy/classify-error.js';
import type { TlsPolicy } from '../proxy/tls-policy.js';
import { formatVersionBanner, type RfbGreeting } from '../rfb/handshake.js';
import { failureToError } from '../rfb/security/failure-error.js';
import { passwordProtection } from '../rfb/security/protection.js';
import { anonymousTlsAvailable } from '../rfb/security/tls-upgrade.js';
import { securityName } from '../rfb/security/types.js';
import { UpstreamSecurity, type SecurityAction, type VncCredentials } from '../rfb/security/upstream-security.js';
import { captureCertificate, capturingTlsOptions, certificateVerdict } from './certificate.js';
import type { DiagnosticStep } from './types.js';

export interface SecurityStepOptions {
  host: string;
  tls: TlsPolicy;
  /** The stream is already TLS/wss with verification on. */
  transportVerified: boolean;
  /** The stream is TLS/wss, verified or not. */
  transportEncrypted: boolean;
  /** A password (and user name) known for this console: when given, the authentication is completed. */
  credentials?: VncCredentials;
  timeoutMs: number;
}

type Needs = 'nothing' | 'password' | 'username-and-password';

function elapsed(since: number): number {
  return Math.round((performance.now() - since) * 10) / 10;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

/** The greeting readRfbGreeting consumed, as server bytes for a fresh state machine. */
function replay(greeting: Extract<RfbGreeting, { ok: true }>): Buffer[] {
  const types = greeting.protocol === '3.3' ? u32(greeting.securityTypes[0] ?? 0) : Buffer.from([greeting.securityTypes.length, ...greeting.securityTypes]);
  return [Buffer.from(formatVersionBanner(greeting.serverVersion), 'latin1'), Buffer.concat([types, greeting.rest])];
}

export function securityStep(stream: Duplex, greeting: Extract<RfbGreeting, { ok: true }>, options: SecurityStepOptions): Promise<DiagnosticStep> {
  const started = performance.now();
  return new Promise((resolve) => {
    const machine = new UpstreamSecurity({ transportVerified: options.transportVerified, anonymousTls: anonymousTlsAvailable() });
    let replaying = true;
    let reader: Duplex = stream;
    let needs: Needs = 'nothing';
    /** How the password travels with the chosen type (set once one is needed). */
    let protection: PasswordProtection | undefined;
    let tlsKind: 'x509' | 'anonymous' | undefined;
    let certificate: DiagnosticStep['certificate'];
    let done = false;

    const summary = (): string => {
      const n = machine.negotiation;
      const offered = (n.offered ?? greeting.securityTypes).map(securityName).join(', ');
      const parts = [`offers ${offered}${n.subtypes ? ` (VeNCrypt: ${n.subtypes.map(securityName).join(', ')})` : ''}`];
      const chosen = n.subtype ?? n.type;
      if (chosen !== undefined && chosen !== 19) parts.push(`Porthole uses ${securityName(chosen)}${tlsKind === 'anonymous' ? ' (encrypted, but the server is not verified)' : tlsKind === 'x509' ? ' (TLS with a verified certificate)' : ''}`);
      if (chosen !== undefined) parts.push(needs === 'nothing' ? 'needs no password' : needs === 'password' ? 'needs a password' : 'needs a user name and password');
      return parts.join('; ');
    };
    const security = (authenticated?: boolean): NonNullable<DiagnosticStep['security']> => {
      const n = machine.negotiation;
      const chosen = n.subtype ?? n.type;
      return {
        offered: (n.offered ?? greeting.securityTypes).map(securityName),
        ...(n.subtypes ? { vencrypt: n.subtypes.map(securityName) } : {}),
        ...(chosen !== undefined && chosen !== 19 ? { chosen: securityName(chosen) } : {}),
        needs,
        ...(protection ? { protection } : {}),
        ...(authenticated !== undefined ? { authenticated } : {}),
      };
    };
    const finish = (status: 'ok' | 'failed', detail: string, error?: PortholeErrorShape, authenticated?: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reader.off('data', onData);
      // How the password travels, in the words the password dialog uses.
      const warning = protection && protectionWarning(protection);
      if (warning) detail = `${detail}. ${warning}`;
      resolve({ step: 'security', status, ms: elapsed(started), detail, security: security(authenticated), ...(error ? { error } : {}), ...(certificate ? { certificate } : {}) });
    };

    const startTls = (anonymous: boolean): void => {
      tlsKind = anonymous ? 'anonymous' : 'x509';
      stream.off('data', onData);
      const socket = tls.connect({
        ...(anonymous
          ? { ciphers: 'aNULL:@SECLEVEL=0', maxVersion: 'TLSv1.2' as const, rejectUnauthorized: false, checkServerIdentity: () => undefined }
          : capturingTlsOptions(options.host, options.tls, options.host)),
        host: options.host,
        socket: stream,
      });
      socket.on('error', (err) => {
        const error = classifyUpstreamError(err);
        finish('failed', `${summary()}; the VeNCrypt TLS handshake failed`, error.code === 'remote-closed' ? makeError('tls-handshake-failed') : error);
      });
      socket.once('secureConnect', () => {
        if (!anonymous) {
          certificate = captureCertificate(socket, options.host, options.tls.pinSha256);
          const verdict = certificate ? certificateVerdict(certificate, options.tls) : makeError('tls-untrusted', 'no certificate');
          if (verdict) {
            finish('failed', `${summary()}; the VeNCrypt certificate is refused`, verdict);
            return;
          }
        }
        reader = socket;
        socket.on('data', onData);
        handle(machine.tlsReady());
      });
    };

    const handle = (actions: SecurityAction[]): void => {
      for (const a of actions) {
        if (done) return;
        if (a.kind === 'send') {
          // The version answer was sent by the RFB step already.
          if (replaying) replaying = false;
          else reader.write(a.bytes);
        } else if (a.kind === 'need-credentials') {
          needs = a.username ? 'username-and-password' : 'password';
          const n = machine.negotiation;
          protection = passwordProtection(n.subtype ?? n.type ?? 0, { encrypted: options.transportEncrypted, verified: options.transportVerified, allowInsecure: options.tls.allowInsecure });
          const c = options.credentials;
          if (c && (!a.username || c.username !== undefined)) handle(machine.provide(c));
          else return finish('ok', `${summary()}; no password is known here, so Porthole will ask for it when connecting`);
        } else if (a.kind === 'start-tls') startTls(a.anonymous);
        else if (a.kind === 'done') return finish('ok', `${summary()}; ${needs === 'nothing' ? 'security handshake completed' : 'the known password was accepted'}`, undefined, true);
        else {
          const error = failureToError(a.failure);
          return finish('failed', `${summary()}${error.detail ? `; ${error.detail}` : ''}`, error, a.failure.kind === 'auth-failed' ? false : undefined);
        }
      }
    };
    const onData = (chunk: Buffer): void => handle(machine.feed(chunk));

    const timer = setTimeout(() => finish('failed', `${summary()}; the server stopped answering`, makeError('tcp-timeout', 'no answer during the security handshake')), options.timeoutMs);
    stream.on('error', () => finish('failed', `${summary()}; the connection failed`, makeError('remote-closed', 'during the security handshake')));
    stream.on('close', () => finish('failed', `${summary()}; the server closed the connection`, makeError('remote-closed', 'during the security handshake')));
    for (const chunk of replay(greeting)) handle(machine.feed(chunk));
    if (!done && !tlsKind) {
      stream.on('data', onData);
      stream.resume();
    }
  });
}

// Every failure Porthole reports maps to one of these codes. The UI shows `message` and `hint`;
// tests assert on `code`. Messages never contain secrets: callers pass only safe details.
import { z } from 'zod';

export const errorCodes = [
  // Console address and input
  'url-invalid',
  'url-unsupported',
  'bad-request',
  // Local proxy admission
  'ticket-invalid',
  'origin-rejected',
  'host-rejected',
  'too-many-sessions',
  // Reaching the upstream
  'dns-failed',
  'tcp-refused',
  'tcp-timeout',
  'tls-untrusted',
  'tls-hostname-mismatch',
  'tls-pin-mismatch',
  'ws-upgrade-rejected',
  'token-rejected-or-expired',
  // Session life
  'remote-closed',
  'idle-timeout',
  'session-not-found',
  // Storage
  'keychain-unavailable',
  'profile-not-found',
  'profile-store-failed',
  'internal',
  // Added later; appended so earlier codes keep their WebSocket close codes.
  'tls-handshake-failed',
  'upstream-request-invalid',
  // VNC security, answered in main (main/rfb/security)
  'vnc-auth-failed',
  'vnc-auth-blocked',
  'vnc-auth-cancelled',
  'vnc-auth-timeout',
  'vnc-security-unsupported',
  'vnc-tls-anonymous-unavailable',
  'vnc-protocol-error',
  // Cloud accounts (main/providers)
  'cloud-auth-failed',
  'cloud-forbidden',
  'server-not-found',
  'server-ambiguous',
  'console-unavailable',
  'cloud-unreachable',
  'console-token-stale',
  'cloud-account-not-found',
] as const;

export const ErrorCode = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const PortholeErrorShape = z.object({
  code: ErrorCode,
  message: z.string(),
  hint: z.string(),
  /** Safe, secret-free detail (an HTTP status, a host name, a field name). */
  detail: z.string().optional(),
});
export type PortholeErrorShape = z.infer<typeof PortholeErrorShape>;

const texts: Record<ErrorCode, { message: string; hint: string }> = {
  'url-invalid': {
    message: 'That is not a console URL Porthole can read.',
    hint: 'Paste the URL exactly as "openstack console url show" prints it, or a ws:// / wss:// websockify URL.',
  },
  'url-unsupported': {
    message: 'Porthole recognises this address but cannot open it directly.',
    hint: 'See the detail below for what Porthole needs instead.',
  },
  'bad-request': {
    message: 'The request was not understood.',
    hint: 'This is a bug in Porthole if it keeps happening; please report it.',
  },
  'ticket-invalid': {
    message: 'The console connection was refused by Porthole itself (its one-time ticket was missing, used or expired).',
    hint: 'Press Connect again to get a fresh connection.',
  },
  'origin-rejected': {
    message: 'A connection from an unknown web page was refused.',
    hint: 'Only Porthole’s own window may use its console proxy.',
  },
  'host-rejected': {
    message: 'A connection addressed to an unexpected host name was refused.',
    hint: 'Open Porthole through the exact address it printed (127.0.0.1 and its port).',
  },
  'too-many-sessions': {
    message: 'Too many consoles are open at once.',
    hint: 'Close a console tab and try again.',
  },
  'dns-failed': {
    message: 'The console host name could not be found.',
    hint: 'Check the host name, your DNS, and that your VPN is connected.',
  },
  'tcp-refused': {
    message: 'The console host refused the connection.',
    hint: 'Check the port, and that the console proxy (novncproxy / websockify) is running.',
  },
  'tcp-timeout': {
    message: 'The console host did not answer in time.',
    hint: 'Check that the host is reachable (VPN, firewall) and the port is right.',
  },
  'tls-untrusted': {
    message: 'The console server’s certificate is not trusted.',
    hint: 'Add the CA that signed it to the profile, or run “Test connection” on the profile to review the certificate and trust it for that profile only.',
  },
  'tls-hostname-mismatch': {
    message: 'The console server’s certificate is for a different host name.',
    hint: 'Use the host name the certificate was issued for, or fix the server’s certificate.',
  },
  'tls-pin-mismatch': {
    message: 'The console server’s certificate has changed since you trusted it.',
    hint: 'Do not continue unless your administrator confirms the new certificate.',
  },
  'ws-upgrade-rejected': {
    message: 'The console server refused the WebSocket connection.',
    hint: 'Check the URL’s path, and any headers or Origin the gateway requires.',
  },
  'token-rejected-or-expired': {
    message: 'The console token was rejected or has expired.',
    hint: 'Console URLs are valid for a short time and only once. Get a new one (openstack console url show) and paste it.',
  },
  'remote-closed': {
    message: 'The console server closed the connection.',
    hint: 'The VM may have been stopped or migrated. Connect again.',
  },
  'idle-timeout': {
    message: 'The console was closed after being idle.',
    hint: 'Connect again when you need it.',
  },
  'session-not-found': {
    message: 'That console session no longer exists.',
    hint: 'Connect again.',
  },
  'keychain-unavailable': {
    message: 'The system keychain could not be used; the secret is kept in memory for this session only (not saved).',
    hint: 'Unlock your keychain (on Linux: start or unlock GNOME Keyring / KWallet) and save again.',
  },
  'profile-not-found': {
    message: 'That profile no longer exists.',
    hint: 'It may have been deleted in another window.',
  },
  'profile-store-failed': {
    message: 'Your profiles could not be saved.',
    hint: 'Check free disk space and permissions of the data directory. Nothing already saved was lost.',
  },
  internal: {
    message: 'Something went wrong inside Porthole.',
    hint: 'Try again; if it keeps happening, export diagnostics and report it.',
  },
  'tls-handshake-failed': {
    message: 'The secure (TLS) connection to the console server could not be set up.',
    hint: 'The server closed the connection during the TLS handshake or does not speak TLS on this port. Check the port and the scheme (wss:// or vnc+tls:// only for TLS servers).',
  },
  'upstream-request-invalid': {
    message: 'The connection request to the console server could not be built.',
    hint: 'A header or the Origin override of this profile contains a character HTTP does not allow (such as a line break). Edit the profile and correct it.',
  },
  'vnc-auth-failed': {
    message: 'The VNC server did not accept the password.',
    hint: 'Check the password and try again (VNC passwords use only their first 8 characters). Porthole never retries a password on its own: servers block an address after a few failed attempts.',
  },
  'vnc-auth-blocked': {
    message: 'The VNC server refuses connections from this address for now: too many failed password attempts.',
    hint: 'Wait a minute (TigerVNC blocks for about 10 seconds, doubling with each further failure) and connect again with the right password, or ask the server’s administrator.',
  },
  'vnc-auth-cancelled': {
    message: 'The console was not opened because no password was given.',
    hint: 'Connect again and enter the VNC password, or save it in the profile.',
  },
  'vnc-auth-timeout': {
    message: 'The password was not entered in time.',
    hint: 'Connect again and enter the password a little sooner.',
  },
  'vnc-security-unsupported': {
    message: 'The VNC server asks for a kind of security Porthole cannot answer.',
    hint: 'The detail names what it offered. Porthole speaks None, VNC password authentication and VeNCrypt (X509 or TLS with None, VNC password or Plain). Ask for one of those on the server.',
  },
  'vnc-tls-anonymous-unavailable': {
    message: 'The VNC server offers only anonymous TLS, which this build of Porthole cannot use.',
    hint: 'Give the server a certificate and offer X509Vnc or X509None (TigerVNC: -SecurityTypes X509Vnc with -X509Cert and -X509Key), or also offer VncAuth.',
  },
  'vnc-protocol-error': {
    message: 'The VNC server’s security handshake could not be understood.',
    hint: 'The server may not be a VNC server, or it speaks a variant Porthole does not know. Run Test connection for details.',
  },
  'cloud-auth-failed': {
    message: 'The cloud did not accept the account’s credential.',
    hint: 'The secret may be wrong, expired or revoked. Edit the cloud account and enter a valid application credential, API token or password.',
  },
  'cloud-forbidden': {
    message: 'The cloud refused this request for the account.',
    hint: 'The credential’s access rules, roles or ACL do not allow it. Ask your cloud administrator for console access (OpenStack: the remote-consoles call; Proxmox: VM.Console).',
  },
  'server-not-found': {
    message: 'That server or VM was not found in the cloud.',
    hint: 'It may have been deleted or renamed, or it belongs to another project or node. Refresh the list.',
  },
  'server-ambiguous': {
    message: 'More than one server has that name.',
    hint: 'Pick the server from the list (by its id) instead of by name.',
  },
  'console-unavailable': {
    message: 'This server has no console right now.',
    hint: 'It may be stopped, still building, or have no VNC console. Start it (or wait for it) and try again.',
  },
  'cloud-unreachable': {
    message: 'The cloud’s API could not be reached.',
    hint: 'Check the API address, your network or VPN, and that the service is up.',
  },
  'console-token-stale': {
    message: 'The console server refused the console’s token; Porthole is requesting a fresh console.',
    hint: 'Nothing to do: a cloud console is minted again on every connect.',
  },
  'cloud-account-not-found': {
    message: 'That cloud account no longer exists.',
    hint: 'It may have been deleted in another window.',
  },
};

export function makeError(code: ErrorCode, detail?: string): PortholeErrorShape {
  const t = texts[code];
  return detail === undefined ? { code, ...t } : { code, ...t, detail };
}

/** A thrown form of PortholeErrorShape, for code paths where throwing reads better than returning. */
export class PortholeError extends Error {
  readonly shape: PortholeErrorShape;
  constructor(code: ErrorCode, detail?: string) {
    const shape = makeError(code, detail);
    super(detail ? `${code}: ${detail}` : code);
    this.name = 'PortholeError';
    this.shape = shape;
  }
  get code(): ErrorCode {
    return this.shape.code;
  }
}

/**
 * WebSocket close codes the proxy uses towards the renderer (4000–4999 are for applications).
 * The reason string carries the error code so noVNC and our UI can report it.
 */
export const closeCodeFor: Record<ErrorCode, number> = Object.fromEntries(
  errorCodes.map((code, i) => [code, 4000 + i]),
) as Record<ErrorCode, number>;

export function errorCodeFromClose(closeCode: number): ErrorCode | undefined {
  const i = closeCode - 4000;
  return i >= 0 && i < errorCodes.length ? errorCodes[i] : undefined;
}

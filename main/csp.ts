// The renderer's Content-Security-Policy, shared by both shells: no inline script, nothing from
// the network, and connections only to the app itself and the loopback console proxy.
export function contentSecurityPolicy(connectTo: string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self' ${connectTo.join(' ')}`.trim(),
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

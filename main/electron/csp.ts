// The Content-Security-Policy of Porthole's own pages in the Electron shell, as a pure function of the
// loopback proxy port: nothing is loaded from anywhere but the app itself, and the only network peer
// is the local console proxy. The directive list itself is shared with browser mode (main/csp.ts).
import { contentSecurityPolicy } from '../csp.js';

export function buildCsp(proxyPort: number): string {
  if (!Number.isInteger(proxyPort) || proxyPort < 1 || proxyPort > 65_535) {
    throw new RangeError(`buildCsp: the proxy port must be an integer in 1..65535, got ${String(proxyPort)}`);
  }
  return contentSecurityPolicy([`ws://127.0.0.1:${proxyPort}`]);
}

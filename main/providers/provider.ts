// The one interface every cloud implements, so KubeVirt, oVirt and others fit later: list the
// servers an account can see, and mint a fresh console for one of them. Minting happens in main on
// every connect and reconnect; what it returns (token, ticket, password, headers) never leaves main.
import type { WebSocketTarget } from '../../app/console-target.js';
import type { CloudServer, CloudSettings, CloudTestStep } from '../../app/cloud-account.js';
import type { TlsPolicy } from '../proxy/tls-policy.js';

/** An account as a provider sees it: settings plus the secret read from the keychain for this call. */
export interface AccountCredential<S extends CloudSettings = CloudSettings> {
  id: string;
  settings: S;
  secret: string;
}

export interface MintedConsole {
  /** The console WebSocket, token included (main only). */
  target: WebSocketTarget;
  tls: TlsPolicy;
  /** Upgrade headers (Proxmox: the API token). */
  headers?: Record<string, string>;
  /** The VNC password main answers with (Proxmox), never shown to the renderer. */
  rfbPassword?: string;
  /** The server's name, for the tab title. */
  title: string;
  /** Secret-free text for the UI and logs, when the target's query holds a secret (Proxmox's vncticket). */
  displayAddress?: string;
}

export interface ConsoleProvider<S extends CloudSettings = CloudSettings> {
  list(account: AccountCredential<S>): Promise<CloudServer[]>;
  /** `server` is an id from list(), or (OpenStack) an exact name. */
  mint(account: AccountCredential<S>, server: string): Promise<MintedConsole>;
  /** "Test connection": each step timed, every text secret-free. */
  test(account: AccountCredential<S>): Promise<CloudTestStep[]>;
  /** Forgets cached tokens of an account (its secret or settings changed). */
  forget(accountId: string): void;
}

/** Runs one step of a connection test, timing it; a failure ends the test with its typed message. */
export async function timedStep<T>(steps: CloudTestStep[], name: string, run: () => Promise<{ value: T; detail: string }>): Promise<T | undefined> {
  const t0 = performance.now();
  try {
    const { value, detail } = await run();
    steps.push({ name, ok: true, ms: Math.round(performance.now() - t0), detail });
    return value;
  } catch (err) {
    const shape = (err as { shape?: { code: string; message: string; detail?: string } }).shape;
    steps.push({ name, ok: false, ms: Math.round(performance.now() - t0), detail: shape ? `${shape.code}: ${shape.message}${shape.detail ? ` (${shape.detail})` : ''}` : 'failed' });
    return undefined;
  }
}

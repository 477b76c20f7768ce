// Cloud accounts as the contract sees them: the account store, the providers, and minting a
// console into a session request that mints again on every reconnect. Secrets are read from the
// keychain at the moment of use and given to the provider only; logs name accounts and servers, never
// a token, a ticket or a URL that carries one.
import { isIP } from 'node:net';
import { parseConsoleAddress } from '../../app/console-address.js';
import { describeTarget } from '../../app/console-target.js';
import type { CloudAccountInput, CloudServer, CloudSettings, CloudsYamlImport, CloudTestStep } from '../../app/cloud-account.js';
import type { OpenedSession, SessionWarning } from '../../app/contract.js';
import type { CertificateInfo } from '../../app/diagnostics.js';
import { PortholeError } from '../../app/errors.js';
import { CloudReference, type DisplayOptions } from '../../app/profile.js';
import { inspectCertificate } from '../diagnostics/certificate.js';
import type { Logger } from '../log/logger.js';
import { redactText } from '../log/redact.js';
import type { ConsoleProvider } from '../providers/provider.js';
import { OpenStackProvider } from '../providers/openstack/openstack-provider.js';
import { ProxmoxProvider } from '../providers/proxmox/proxmox-provider.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { SessionManager, SessionRequest } from '../sessions.js';
import { CloudAccountStore } from './account-store.js';
import { readCloudsYaml } from './clouds-yaml.js';
import { accountForProxmoxLink } from './proxmox-link-account.js';

export interface CloudServiceDeps {
  dataDir: string;
  secrets: SecretStore;
  sessions: SessionManager;
  logger: Logger;
  /** Providers by cloud type (tests may replace one). */
  providers?: Partial<Record<CloudSettings['type'], ConsoleProvider>>;
}

/** A cloud profile's own choices for the console it opens. */
export interface ProfileChoices {
  title: string;
  display: DisplayOptions;
}

export class CloudService {
  readonly store: CloudAccountStore;
  private readonly providers: Partial<Record<CloudSettings['type'], ConsoleProvider>>;

  constructor(private readonly deps: CloudServiceDeps) {
    this.store = new CloudAccountStore(deps.dataDir, deps.secrets);
    this.providers = { openstack: new OpenStackProvider() as ConsoleProvider, proxmox: new ProxmoxProvider() as ConsoleProvider, ...deps.providers };
  }

  private provider(settings: CloudSettings): ConsoleProvider {
    const p = this.providers[settings.type];
    if (!p) throw new PortholeError('url-unsupported', `${settings.type} accounts are not supported yet`);
    return p;
  }

  async save(input: CloudAccountInput) {
    const result = await this.store.save(input);
    for (const p of Object.values(this.providers)) p?.forget(result.account.id);
    return result;
  }

  async delete(accountId: string): Promise<void> {
    await this.store.delete(accountId);
    for (const p of Object.values(this.providers)) p?.forget(accountId);
  }

  async servers(accountId: string): Promise<CloudServer[]> {
    const account = await this.store.credential(accountId);
    return this.provider(account.settings).list(account);
  }

  async test(accountId: string): Promise<{ steps: CloudTestStep[]; text: string }> {
    const account = await this.store.credential(accountId);
    const steps = await this.provider(account.settings).test(account);
    const lines = [`Porthole cloud account test — ${account.settings.type}`, `Account: ${account.name}`, ''];
    for (const s of steps) lines.push(`${s.ok ? 'OK  ' : 'FAIL'} ${s.name} (${s.ms} ms): ${s.detail}`);
    // Nothing above holds a secret; the redactor is a second line of defence for support reports.
    return { steps, text: redactText(lines.join('\n')) };
  }

  /** The certificate an API presents, for trust on first use (the user compares its SHA-256, then the account pins its key). */
  async certificate(apiUrl: string, caPem?: string): Promise<CertificateInfo> {
    const url = new URL(apiUrl);
    if (url.protocol !== 'https:') throw new PortholeError('url-unsupported', 'this API address does not use TLS (https://), so it has no certificate');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    return inspectCertificate(host, url.port ? Number(url.port) : 443, isIP(host) ? undefined : host, caPem ? { caPem } : {});
  }

  /** What a profile of this server stores: the account and server by reference, with their names for display. */
  async profileReference(accountId: string, serverId: string, serverName: string): Promise<CloudReference> {
    const account = await this.store.get(accountId);
    const parsed = CloudReference.safeParse({ accountId, serverId, serverName, cloudName: account.name, cloudType: account.settings.type });
    if (!parsed.success) throw new PortholeError('bad-request', `this server cannot be saved as a profile: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    return parsed.data;
  }

  /** Mints a console and describes the session that reaches it; `refresh` mints again for a reconnect. */
  async request(accountId: string, serverId: string, callerId: string, profile?: ProfileChoices): Promise<SessionRequest> {
    const account = await this.store.credential(accountId);
    const t0 = performance.now();
    let minted;
    try {
      minted = await this.provider(account.settings).mint(account, serverId);
    } catch (err) {
      const code = err instanceof PortholeError ? err.code : 'internal';
      this.deps.logger.warn({ accountId, serverId, code, ms: Math.round(performance.now() - t0) }, 'console mint failed');
      throw err;
    }
    this.deps.logger.info({ accountId, serverId, cloud: account.settings.type, ms: Math.round(performance.now() - t0) }, 'console minted');
    const warnings: SessionWarning[] = minted.target.secure ? [] : ['unencrypted-upstream'];
    return {
      callerId,
      target: minted.target,
      title: profile?.title ?? minted.title,
      ...(profile?.display ? { display: profile.display } : {}),
      displayAddress: minted.displayAddress ?? describeTarget(minted.target),
      tls: minted.tls,
      warnings,
      ...(minted.headers ? { headers: minted.headers } : {}),
      // The minted VNC password (Proxmox) is answered by main's RFB security stage; never asked of the user.
      ...(minted.rfbPassword !== undefined ? { credentials: { known: { password: minted.rfbPassword }, prompt: false } } : {}),
      refresh: () => this.request(accountId, serverId, callerId, profile),
    };
  }

  async open(accountId: string, serverId: string, callerId: string, profile?: ProfileChoices): Promise<OpenedSession> {
    const request = await this.request(accountId, serverId, callerId, profile);
    const { sessionId, wsUrl } = this.deps.sessions.open(request);
    return {
      sessionId,
      wsUrl,
      title: request.title,
      displayAddress: request.displayAddress,
      warnings: request.warnings,
      ...(request.display ? { display: request.display } : {}),
    };
  }

  /**
   * A Proxmox web UI console link, when a Proxmox account is saved for its API host: the VM's
   * console through that account (undefined otherwise; the address parser's refusal then says what to add).
   */
  async openProxmoxLink(url: string, callerId: string): Promise<OpenedSession | undefined> {
    const parsed = parseConsoleAddress(url);
    if (parsed.ok || parsed.recognised?.kind !== 'proxmox') return undefined;
    const match = accountForProxmoxLink(parsed.recognised, (await this.store.list()).accounts);
    if (!match) return undefined;
    const opened = await this.open(match.accountId, match.serverId, callerId);
    return { ...opened, notices: [`This Proxmox VE link was opened through the cloud account “${match.accountName}”`] };
  }

  async importYaml(args: { cloudsYaml: string; secureYaml?: string; passwords?: Record<string, string>; only?: string[] }): Promise<CloudsYamlImport> {
    let read;
    try {
      read = readCloudsYaml(args.cloudsYaml, args.secureYaml);
    } catch (err) {
      throw new PortholeError('bad-request', (err as Error).message);
    }
    const wanted = (name: string): boolean => !args.only || args.only.includes(name);
    const result: CloudsYamlImport = { added: [], needPassword: [], refused: read.refused.filter((r) => wanted(r.cloud)) };
    const ready = read.clouds.filter((c) => wanted(c.name));
    for (const c of read.needPassword.filter((n) => wanted(n.name))) {
      const password = args.passwords?.[c.name];
      if (password) ready.push({ ...c, secret: password });
      else result.needPassword.push(c.name);
    }
    for (const c of ready) {
      const { account } = await this.store.save({ name: c.name, settings: c.settings, ...(c.secret ? { secret: c.secret } : {}) });
      result.added.push(account);
    }
    return result;
  }
}

// A Proxmox VE web UI console link (?console=kvm&vmid=…&node=…) names a VM on an API host. When a
// Proxmox cloud account is saved for that host and port, the link opens through it: the account
// mints the console, as a click in its VM list does. Pure (unit-tested).
import type { CloudAccount } from '../../app/cloud-account.js';
import type { RecognisedConsole } from '../../app/console-address.js';

type ProxmoxLink = Extract<RecognisedConsole, { kind: 'proxmox' }>;

/** "host" lower-cased without IPv6 brackets, and the port (443 / 80 by scheme when absent). */
function hostPortOf(url: string): { host: string; port: number } | undefined {
  try {
    const u = new URL(url);
    return { host: u.hostname.replace(/^\[|\]$/g, '').toLowerCase(), port: u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80 };
  } catch {
    return undefined;
  }
}

/**
 * The account and VM reference ("node/qemu|lxc/vmid") that open this link, or undefined when no
 * Proxmox account has that API host and port, or the link is not a VM or container VNC console
 * (a node shell or an xterm.js terminal has nothing to mint here).
 */
export function accountForProxmoxLink(link: ProxmoxLink, accounts: readonly Pick<CloudAccount, 'id' | 'name' | 'settings'>[]): { accountId: string; accountName: string; serverId: string } | undefined {
  if (link.console === 'shell' || link.terminal || link.vmid === undefined) return undefined;
  const host = link.host.toLowerCase();
  const account = accounts.find((a) => {
    if (a.settings.type !== 'proxmox') return false;
    const api = hostPortOf(a.settings.apiUrl);
    return api !== undefined && api.host === host && api.port === link.port;
  });
  if (!account) return undefined;
  return { accountId: account.id, accountName: account.name, serverId: `${link.node}/${link.console === 'lxc' ? 'lxc' : 'qemu'}/${link.vmid}` };
}

// Proxmox VE web UI console links, as pve-manager opens them (Utils.openVNCViewer / openXtermJsViewer):
// https://host:8006/?console=kvm|lxc|shell&novnc=1|xtermjs=1&vmid=…&vmname=…&node=…&resize=…&cmd=…
// They need a Proxmox login to mint a one-time vncticket, so they are refused with a typed
// description (node, VM, console type, host:port) that a Proxmox cloud account can open, and a
// message that says exactly what to add.
import { hostForUrl, quote, refuseRecognised, reject } from './common.js';
import type { RecognisedConsole } from './types.js';

export function isProxmoxUiLink(params: URLSearchParams): boolean {
  return params.has('console') && (params.has('novnc') || params.has('xtermjs') || params.has('vmid') || params.has('node'));
}

export type ProxmoxConsoleLink = Extract<RecognisedConsole, { kind: 'proxmox' }>;

export function readProxmoxUiLink(page: URL, params: URLSearchParams): ProxmoxConsoleLink {
  const type = params.get('console');
  const consoleType = type === 'kvm' || type === 'lxc' ? type : type === 'shell' || type === 'upgrade' ? 'shell' : undefined;
  if (consoleType === undefined) reject(`the Proxmox console type ${quote(type ?? '')} is not one Porthole knows (kvm, lxc or shell)`);
  const node = params.get('node') ?? '';
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/.test(node)) reject('this Proxmox console link has no valid node parameter');
  const vmidText = params.get('vmid');
  if (consoleType !== 'shell' && (vmidText === null || !/^[1-9][0-9]{2,8}$/.test(vmidText))) reject('this Proxmox console link has no valid vmid parameter');
  const port = page.port ? Number(page.port) : page.protocol === 'https:' ? 443 : 80;
  return {
    kind: 'proxmox',
    host: page.hostname.replace(/^\[|\]$/g, ''),
    port,
    node,
    ...(consoleType !== 'shell' && vmidText !== null ? { vmid: Number(vmidText) } : {}),
    console: consoleType,
    terminal: params.get('xtermjs') === '1',
  };
}

export function describeProxmoxLink(link: ProxmoxConsoleLink): string {
  const where = `${hostForUrl(link.host)}:${link.port}`;
  const what =
    link.console === 'shell' ? `the shell of node ${link.node}` : `${link.console === 'lxc' ? 'container' : 'VM'} ${link.vmid ?? ''} on node ${link.node}`;
  const kind = link.terminal ? 'terminal (xterm.js) console' : 'VNC console';
  const base = `this is a Proxmox VE ${kind} link for ${what} at ${where}. Porthole opens Proxmox consoles through a Proxmox cloud account: add one for https://${where} (an API token with the VM.Console privilege)`;
  if (link.terminal) return `${base}; a terminal console is text only and Porthole shows VNC consoles, so open the ${link.console === 'shell' ? 'node shell' : 'guest'} with noVNC there instead`;
  return `${base}, then open ${link.console === 'shell' ? 'the node shell' : `${link.console === 'lxc' ? 'container' : 'VM'} ${link.vmid ?? ''}`} from it`;
}

export function refuseProxmoxUiLink(page: URL, params: URLSearchParams): never {
  const link = readProxmoxUiLink(page, params);
  return refuseRecognised(link, describeProxmoxLink(link));
}

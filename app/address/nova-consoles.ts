// Nova's other console types, recognised by the addresses their proxies hand out, and refused with
// what they are before anything connects (their tokens are single use). Defaults from nova.conf:
// [spice] html5proxy_base_url http://…:6082/spice_auto.html, [xvp] (XenServer, removed in Victoria)
// xvpvncproxy_base_url http://…:6081/console, [rdp] html5_proxy_base_url http://…:6083/,
// [mks] mksproxy_base_url http://…:6090/. The serial console (ws://…:6083/) is in websocket-url.ts.
import { refuseRecognised, reject } from './common.js';

const SPICE_PAGES = new Set(['spice_auto.html', 'spice.html']);
const ASK_FOR_VNC = 'ask for a VNC console instead (openstack console url show --novnc <server>)';

export const SPICE_DETAIL = 'SPICE consoles are not supported: Porthole speaks VNC only';

function portOf(page: URL): number {
  return page.port ? Number(page.port) : page.protocol === 'https:' ? 443 : 80;
}

/** Refuses a page that is one of Nova's non-VNC consoles; returns normally otherwise. */
export function recogniseNovaPage(page: URL, params: URLSearchParams): void {
  const host = page.hostname.replace(/^\[|\]$/g, '');
  const port = portOf(page);
  const name = page.pathname.split('/').pop()?.toLowerCase() ?? '';
  if (/^\/(?:[^/]+\/)*project\/instances\/[0-9a-f-]{36}\/(?:console|vnc|spice|serial)\/?$/i.test(page.pathname)) {
    reject('this is Horizon’s console tab, a page around the console: use its “Click here to show only console” link, or openstack console url show <server>', 'url-unsupported');
  }
  if (SPICE_PAGES.has(name)) {
    refuseRecognised({ kind: 'nova-spice', host, port }, `this is a SPICE console page (${name}, Nova's spice-html5 proxy). ${SPICE_DETAIL}; ${ASK_FOR_VNC}`);
  }
  if (!params.has('token')) return;
  if (port === 6081 && page.pathname === '/console') {
    refuseRecognised({ kind: 'nova-xvpvnc', host, port }, `this is a Nova xvpvnc console (XenServer's VNC proxy on port 6081), which only its Java applet speaks; ${ASK_FOR_VNC}`);
  }
  if (port === 6083 && page.pathname === '/') {
    refuseRecognised({ kind: 'nova-rdp', host, port }, `this is a Nova RDP console (rdp-html5 proxy on port 6083, Hyper-V): Porthole speaks VNC only; open it in a browser or an RDP client`);
  }
  if (port === 6090) {
    refuseRecognised({ kind: 'nova-webmks', host, port }, `this is a Nova WebMKS console (VMware's mksproxy on port 6090): Porthole speaks VNC only; ${ASK_FOR_VNC}`);
  }
}

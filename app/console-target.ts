// What a console address resolves to: where the proxy connects upstream and which secret it needs.
// A ConsoleTarget may hold a token or password: it lives in main only and is never logged;
// `describeTarget` gives the secret-free text for logs and the UI.

export type WebSocketTarget = {
  kind: 'websocket';
  /** Which server we expect: Nova's novncproxy, a websockify token endpoint, or a Proxmox vncwebsocket. */
  flavour: 'nova' | 'websockify' | 'proxmox';
  secure: boolean;
  host: string;
  port: number;
  /** The URL path, starting with "/". */
  path: string;
  /** Non-secret query parameters, in order. */
  query: Array<[string, string]>;
  /** The console token, sent as ?token= (or as a cookie for older consoles). */
  token?: string;
  tokenIn?: 'query' | 'cookie';
  /** A VNC password the address carried (a noVNC page's `password`), for main's RFB security stage only. */
  password?: string;
  username?: string;
};

export type TcpTarget = {
  kind: 'vnc-tcp';
  /** TLS-wrapped TCP (a VNC server behind stunnel), like websockify's --ssl-target. */
  tls: boolean;
  host: string;
  port: number;
  /** A VNC password from a vnc:// URL or .vv file. */
  password?: string;
  /** A user name from a vnc:// URL (VeNCrypt Plain, Apple ARD); never shown with the address. */
  username?: string;
};

export type DemoTarget = { kind: 'demo' };

export type ConsoleTarget = WebSocketTarget | TcpTarget | DemoTarget;

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** The upstream WebSocket URL including the token: for the proxy's connector only, never for logs. */
export function upstreamWebSocketUrl(t: WebSocketTarget): string {
  const params = new URLSearchParams(t.query);
  if (t.token !== undefined && (t.tokenIn ?? 'query') === 'query') params.set('token', t.token);
  const qs = params.toString();
  return `${t.secure ? 'wss' : 'ws'}://${hostForUrl(t.host)}:${t.port}${t.path}${qs ? `?${qs}` : ''}`;
}

/** Secret-free text naming the target, for the UI and logs. */
export function describeTarget(t: ConsoleTarget): string {
  switch (t.kind) {
    case 'demo':
      return 'Demo console (built in)';
    case 'vnc-tcp':
      return `${t.tls ? 'vnc+tls' : 'vnc'}://${hostForUrl(t.host)}:${t.port}`;
    case 'websocket': {
      const params = new URLSearchParams(t.query);
      if (t.token !== undefined) params.set('token', '…');
      const qs = params.toString().replace('%E2%80%A6', '…');
      return `${t.secure ? 'wss' : 'ws'}://${hostForUrl(t.host)}:${t.port}${t.path}${qs ? `?${qs}` : ''}`;
    }
  }
}

export function isEncrypted(t: ConsoleTarget): boolean {
  return t.kind === 'demo' || (t.kind === 'websocket' ? t.secure : t.tls);
}

// Keeps every web contents on Porthole's own pages: no navigation, no new windows, no <webview>, and
// no permission beyond the clipboard for the app origin. An http(s) link the page asks to open goes to
// the system browser, and only after it parses as a plain http(s) URL.
import { APP_HOST, APP_SCHEME } from './app-protocol.js';
import type { PermissionCheckHandler, PermissionRequestHandler, SessionLike, WebContentsLike } from './electron-api.js';

const EXTERNAL_SCHEMES = new Set(['http:', 'https:']);
const MAX_EXTERNAL_URL = 2048;
/** The only permissions granted, and only to the app origin. */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-read', 'clipboard-sanitized-write']);

/** True when `url` is on the app origin (app://porthole). Node's URL gives custom schemes a "null" origin, so compare parts. */
export function isAppUrl(url: string | undefined): boolean {
  if (url === undefined || url === '') return false;
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

/** The URL to hand to the system browser, or null when it is not a plain http(s) link. */
export function checkExternalUrl(url: string): string | null {
  if (typeof url !== 'string' || url.length > MAX_EXTERNAL_URL) return null;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (!EXTERNAL_SCHEMES.has(u.protocol) || u.hostname === '' || u.username !== '' || u.password !== '') return null;
  return u.href;
}

export interface NavigationGuardDeps {
  openExternal(url: string): Promise<void>;
  onBlocked?(what: string): void;
}

/** Opens `url` in the system browser if it passes checkExternalUrl; returns whether it did. */
export function openExternalSafely(url: string, deps: NavigationGuardDeps): boolean {
  const checked = checkExternalUrl(url);
  if (checked === null) {
    deps.onBlocked?.('external-link');
    return false;
  }
  deps.openExternal(checked).catch(() => deps.onBlocked?.('external-link-failed'));
  return true;
}

/** Applies the guard to one web contents; the shell calls it from app 'web-contents-created'. */
export function guardWebContents(contents: WebContentsLike, deps: NavigationGuardDeps): void {
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    deps.onBlocked?.('navigation');
    openExternalSafely(url, deps);
  });
  contents.on('will-frame-navigate', (event) => {
    // Main-frame navigations are handled (and denied) by will-navigate; subframes never navigate.
    if (!isAppUrl(event.url)) {
      event.preventDefault();
      deps.onBlocked?.('frame-navigation');
    }
  });
  contents.on('will-redirect', (event) => {
    event.preventDefault();
    deps.onBlocked?.('redirect');
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    deps.onBlocked?.('webview');
  });
  contents.setWindowOpenHandler(({ url }) => {
    openExternalSafely(url, deps);
    return { action: 'deny' };
  });
}

function permissionAllowed(permission: string, url: string | undefined): boolean {
  return ALLOWED_PERMISSIONS.has(permission) && isAppUrl(url);
}

export const permissionRequestHandler: PermissionRequestHandler = (contents, permission, callback, details) => {
  const url = details.requestingUrl ?? contents.getURL();
  callback(permissionAllowed(permission, url) && isAppUrl(contents.getURL()));
};

export const permissionCheckHandler: PermissionCheckHandler = (contents, permission, requestingOrigin, details) => {
  if (contents === null || !isAppUrl(contents.getURL())) return false;
  // requestingOrigin is "app://porthole" (no path); requestingUrl, when given, must agree.
  const origin = requestingOrigin.endsWith('/') ? requestingOrigin : `${requestingOrigin}/`;
  return permissionAllowed(permission, origin) && (details.requestingUrl === undefined || isAppUrl(details.requestingUrl));
};

export function guardSessionPermissions(session: SessionLike): void {
  session.setPermissionRequestHandler(permissionRequestHandler);
  session.setPermissionCheckHandler(permissionCheckHandler);
  session.setDevicePermissionHandler(() => false);
}

// What the browser-mode page says about its link to Porthole: a banner of its own while Porthole
// is stopped (never cleared by console notices), the page that explains how to sign this browser
// in, and a warning before leaving the page while consoles are open.
import type { LinkState } from '../transport/websocket-transport.js';
import { el } from '../ui/dom.js';

const BACK_VISIBLE_MS = 8000;
/** Set before this page reloads itself after a restart, so the reloaded page can say why. */
const RESTARTED_FLAG = 'porthole.restarted';
let leavingOnPurpose = false;

export class LinkBanner {
  private readonly node: HTMLElement;
  private hideTimer: number | undefined;

  constructor(parent: HTMLElement = document.body) {
    this.node = el('div', { className: 'link-banner', hidden: true });
    parent.prepend(this.node);
  }

  show(state: LinkState): void {
    window.clearTimeout(this.hideTimer);
    if (state === 'connected') {
      if (takeRestartedFlag()) this.show('back');
      return;
    }
    if (state === 'not-signed-in') {
      showNotSignedIn();
      return;
    }
    if (state === 'restarted') {
      // A new run of Porthole has a new console proxy, which this page's CSP does not name; every
      // console of this page was closed with the old run anyway. Reload, and say so afterwards.
      try {
        sessionStorage.setItem(RESTARTED_FLAG, '1');
      } catch {
        // the reloaded page just will not mention it
      }
      leavingOnPurpose = true;
      location.reload();
      return;
    }
    const lost = state === 'lost';
    this.node.dataset.state = state;
    // An alert while stopped (announced at once); a status when it is back.
    this.node.setAttribute('role', lost ? 'alert' : 'status');
    this.node.replaceChildren(
      el('strong', {}, lost ? 'Porthole has stopped.' : 'Porthole is running again.'),
      ' ',
      lost
        ? 'Consoles in this page were closed. Start Porthole again in its terminal; this page reconnects by itself.'
        : 'Open again the consoles you need.',
    );
    this.node.hidden = false;
    if (!lost) this.hideTimer = window.setTimeout(() => (this.node.hidden = true), BACK_VISIBLE_MS);
  }
}

function takeRestartedFlag(): boolean {
  try {
    const set = sessionStorage.getItem(RESTARTED_FLAG) !== null;
    sessionStorage.removeItem(RESTARTED_FLAG);
    return set;
  } catch {
    return false;
  }
}

/** Replaces the page with the explanation of how to let this browser in. */
export function showNotSignedIn(): void {
  document.title = 'Porthole: sign in needed';
  const heading = el('h1', { tabindex: -1 }, 'This browser is not signed in to Porthole');
  document.body.replaceChildren(
    el(
      'main',
      { className: 'signin-page' },
      heading,
      el('p', {}, 'Porthole lets in only the browser it was opened in. To use it here:'),
      el(
        'ol',
        {},
        el('li', {}, 'Go to the terminal where Porthole is running (', el('code', {}, 'npm start'), ' or ', el('code', {}, 'npm run serve'), ').'),
        el('li', {}, 'Press ', el('kbd', {}, 'Enter'), ' there. Porthole prints a new launch link.'),
        el('li', {}, 'Open that link in this browser. It works once; after that, new tabs and reloads in this browser just work.'),
      ),
      el('p', { className: 'why' }, 'Why: a launch link is single use and short-lived, so only you, at your terminal, can let a browser in.'),
    ),
  );
  document.body.dataset.ready = 'signin';
  heading.focus();
}

/** Asks before the page is left (reload, close, navigate) while any console tab is open. */
export function warnBeforeUnloadWithConsoles(hasConsoles: () => boolean): void {
  window.addEventListener('beforeunload', (event) => {
    if (leavingOnPurpose || !hasConsoles()) return;
    event.preventDefault();
    event.returnValue = ''; // older Chromium needs it set to show the dialog
  });
}

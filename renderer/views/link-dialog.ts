// Confirmation of deep links and .vv files: nothing they name connects until the user presses
// Connect here. Requests arrive as link.request events and, for a page that loads later, from
// link.pending; one dialog at a time, in order. The dialog names the endpoint (secret-free: main
// never sends a token or password), marks a title as coming from the file, and lists warnings and
// notices. Cancel (or Escape) tells main, which then deletes a .vv file that asked for it.
import type { LinkRequestView, PortholeApi, SessionSource } from '../../app/contract.js';
import type { PortholeErrorShape } from '../../app/errors.js';
import { button, el } from '../ui/dom.js';
import { Modal } from '../ui/modal.js';

export interface LinkDialogDeps {
  api: PortholeApi;
  container: HTMLElement;
  /** Opens the console in a tab (as quick connect does); a saved profile lacking its token asks for it first. */
  open(source: SessionSource): Promise<'opened' | 'failed' | 'cancelled'>;
  fullscreen(): void;
  showError(error: PortholeErrorShape): void;
  setStatus(text: string): void;
}

const WARNING_TEXT: Record<string, string> = {
  'unencrypted-upstream': 'The connection to this console is not encrypted.',
  'tls-verification-off': 'The server’s certificate will not be checked.',
  'secret-not-saved': 'A secret could not be saved in the keychain.',
};

function sourceText(view: LinkRequestView): string {
  switch (view.kind) {
    case 'vv-file':
      return 'A virt-viewer file (.vv) asks Porthole to open this console:';
    case 'profile':
      return 'A link asks Porthole to open this saved profile:';
    default:
      return 'A link asks Porthole to open this console:';
  }
}

export class LinkRequestDialogs {
  private readonly queue: LinkRequestView[] = [];
  private readonly seen = new Set<string>();
  private showing = false;

  constructor(private readonly deps: LinkDialogDeps) {
    deps.api.on('link.request', (view) => this.enqueue(view));
  }

  /** Asks main for requests that arrived before this page loaded. */
  async loadPending(): Promise<void> {
    const pending = await this.deps.api.call('link.pending', {});
    if (pending.ok) for (const view of pending.value.requests) this.enqueue(view);
  }

  private enqueue(view: LinkRequestView): void {
    if (this.seen.has(view.requestId)) return;
    this.seen.add(view.requestId);
    this.queue.push(view);
    void this.next();
  }

  private async next(): Promise<void> {
    if (this.showing) return;
    const view = this.queue.shift();
    if (view === undefined) return;
    this.showing = true;
    try {
      // Connect, then (for a profile without its token) the secret prompt: cancelling either drops the request.
      const outcome = (await this.ask(view)) ? await this.deps.open({ type: 'link', requestId: view.requestId }) : 'cancelled';
      if (outcome === 'opened' && view.fullscreen) this.deps.fullscreen();
      if (outcome === 'cancelled') {
        const out = await this.deps.api.call('link.dismiss', { requestId: view.requestId });
        if (!out.ok && out.error.code !== 'session-not-found') this.deps.showError(out.error);
        this.deps.setStatus(`Not connected to ${view.displayAddress}.`);
      }
    } finally {
      this.showing = false;
      void this.next();
    }
  }

  /** Shows the dialog; true for Connect, false for Cancel or Escape. */
  private ask(view: LinkRequestView): Promise<boolean> {
    const modal = new Modal(this.deps.container, 'Open this console?', 'link-dialog');
    const details = el('dl', { className: 'link-details' }, el('dt', {}, 'Connects to'), el('dd', {}, el('code', {}, view.displayAddress)));
    if (view.title !== undefined) {
      details.append(el('dt', {}, view.kind === 'vv-file' ? 'Title (from the file)' : 'Title (from the link)'), el('dd', {}, `“${view.title}”`));
    }
    modal.body.append(el('p', {}, sourceText(view)), details);
    const remarks = [...view.warnings.map((w) => WARNING_TEXT[w] ?? w), ...(view.notices ?? [])];
    if (view.fullscreen) remarks.push('The file asks to open the console full screen.');
    if (remarks.length > 0) modal.body.append(el('ul', { className: 'link-notices' }, ...remarks.map((r) => el('li', {}, r))));
    modal.body.append(el('p', { className: 'hint' }, 'Connect only if you expected this. Nothing has been sent to the console yet.'));
    return new Promise<boolean>((resolve) => {
      let answer = false;
      const connect = button('Connect', { className: 'primary' }, () => {
        answer = true;
        modal.close();
      });
      const cancel = button('Cancel', {}, () => modal.close());
      modal.footer.append(connect, cancel);
      modal.dialog.addEventListener(
        'close',
        () => {
          modal.dialog.remove();
          resolve(answer);
        },
        { once: true },
      );
      modal.show(cancel);
    });
  }
}

// The console area: opens sessions through main and shows them. Everything the renderer does with
// a console goes through `open`, whoever asks (quick connect, a profile, a deep link).
import type { PortholeApi, SessionSource } from '../../app/contract.js';
import { ConsoleView } from './console-view.js';
import type { Notices } from './notices.js';

const warningText: Record<string, string> = {
  'unencrypted-upstream': 'Unencrypted connection: the console traffic to this server is not protected by TLS.',
  'tls-verification-off': 'Certificate checks are OFF for this profile.',
  'secret-not-saved': 'A secret could not be saved in the keychain and is kept for this session only.',
};

export class ConsoleArea {
  private current: ConsoleView | undefined;

  constructor(
    private readonly screen: HTMLElement,
    private readonly api: PortholeApi,
    private readonly notices: Notices,
  ) {
    api.on('session.state', (event) => this.current?.onSessionState(event));
  }

  async open(source: SessionSource): Promise<void> {
    const { notices, screen } = this;
    notices.clearError();
    this.current?.disconnect();
    this.current = undefined;
    screen.replaceChildren();
    notices.setStatus('Connecting…');
    const opened = await this.api.call('session.open', { source });
    if (!opened.ok) {
      notices.setStatus('Not connected.');
      notices.showError(opened.error);
      return;
    }
    const session = opened.value;
    const warnings = session.warnings.map((w) => warningText[w] ?? w).join(' ');
    const view = new ConsoleView(session, screen, {
      connected: (desktopName) => {
        notices.setStatus(`Connected to ${desktopName || session.title} (${session.displayAddress}). ${warnings}`.trim());
        document.title = `${desktopName || session.title} — Porthole`;
      },
      ended: (error) => {
        if (this.current !== view) return;
        notices.setStatus('Disconnected.');
        if (error) notices.showError(error);
      },
    });
    this.current = view;
  }
}

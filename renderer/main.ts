// Renderer entry: wires the quick-connect bar, the console and the notices to main.
import type { PortholeApi, SessionSource } from '../app/contract.js';
import { makeError } from '../app/errors.js';
import { connectToMain } from './transport/pick-transport.js';
import { ConsoleView } from './views/console-view.js';
import { Notices } from './views/notices.js';
import { bindQuickConnect } from './views/quick-connect.js';

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
}

const warningText: Record<string, string> = {
  'unencrypted-upstream': 'Unencrypted connection: the console traffic to this server is not protected by TLS.',
  'tls-verification-off': 'Certificate checks are OFF for this profile.',
  'secret-not-saved': 'A secret could not be saved in the keychain and is kept for this session only.',
};

async function start(): Promise<void> {
  const notices = new Notices(byId('status'), byId('alert'));
  const screen = byId<HTMLElement>('screen');
  let current: ConsoleView | undefined;
  let api: PortholeApi;
  try {
    api = await connectToMain(() => notices.showError(makeError('internal', 'Porthole has stopped; restart it and reload this page.')));
  } catch {
    notices.showError(makeError('internal', 'This page cannot reach Porthole. Open it with the URL Porthole printed.'));
    return;
  }
  api.on('session.state', (event) => current?.onSessionState(event));

  const connect = async (source: SessionSource): Promise<void> => {
    notices.clearError();
    current?.disconnect();
    current = undefined;
    screen.replaceChildren();
    notices.setStatus('Connecting…');
    const opened = await api.call('session.open', { source });
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
        if (current !== view) return;
        notices.setStatus('Disconnected.');
        if (error) notices.showError(error);
      },
    });
    current = view;
  };

  bindQuickConnect(byId('quick-connect'), byId('console-url'), byId('demo'), (source) => void connect(source));
  notices.setStatus('Paste a console URL and press Connect, or open the Demo.');
  document.body.dataset.ready = 'true';
}

void start();

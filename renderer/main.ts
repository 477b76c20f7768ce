// Renderer entry: connects to main and wires the views together.
import { makeError } from '../app/errors.js';
import { connectToMain } from './transport/pick-transport.js';
import { ConsoleArea } from './views/console-area.js';
import { showDiagnostics } from './views/diagnostics-dialog.js';
import { Notices } from './views/notices.js';
import { ProfilesPanel } from './views/profiles/profiles-panel.js';
import { bindQuickConnect } from './views/quick-connect.js';

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
}

async function start(): Promise<void> {
  const notices = new Notices(byId('status'), byId('alert'));
  let api;
  try {
    api = await connectToMain(() => notices.showError(makeError('internal', 'Porthole has stopped; restart it and reload this page.')));
  } catch {
    notices.showError(makeError('internal', 'This page cannot reach Porthole. Open it with the URL Porthole printed.'));
    return;
  }
  const consoles = new ConsoleArea(byId('screen'), api, notices);
  const urlField = byId<HTMLInputElement>('console-url');
  bindQuickConnect(byId('quick-connect'), urlField, byId('demo'), (source) => void consoles.open(source));
  const profiles = new ProfilesPanel(byId('profiles'), {
    api,
    connect: (source) => consoles.open(source),
    showError: (error) => notices.showError(error),
    setStatus: (text) => notices.setStatus(text),
  });
  byId('test-connection').addEventListener('click', () => {
    const url = urlField.value.trim();
    if (!url) return urlField.focus();
    void showDiagnostics({ api, showError: (e) => notices.showError(e), setStatus: (t) => notices.setStatus(t) }, { type: 'url', url }, 'this console');
  });
  byId('save-as-profile').addEventListener('click', () => void profiles.saveAs({ address: urlField.value.trim() }));
  await profiles.refresh();
  notices.setStatus('Paste a console URL and press Connect, or open the Demo.');
  document.body.dataset.ready = 'true';
}

void start();

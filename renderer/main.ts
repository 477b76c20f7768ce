// Renderer entry: connects to main and wires the views together.
import { makeError } from '../app/errors.js';
import { connectToMain, NotSignedIn } from './transport/pick-transport.js';
import { LinkBanner, showNotSignedIn, warnBeforeUnloadWithConsoles } from './views/browser-mode-status.js';
import { ConsoleArea } from './views/console-area.js';
import { showDiagnostics } from './views/diagnostics-dialog.js';
import { LinkRequestDialogs } from './views/link-dialog.js';
import { Notices } from './views/notices.js';
import { ProfilesPanel } from './views/profiles/profiles-panel.js';
import { CloudsPanel } from './views/clouds/clouds-panel.js';
import { bindQuickConnect } from './views/quick-connect.js';

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
}

async function start(): Promise<void> {
  const notices = new Notices(byId('status'), byId('alert'));
  const banner = new LinkBanner();
  let link;
  try {
    link = await connectToMain((state) => banner.show(state));
  } catch (err) {
    if (err instanceof NotSignedIn) return showNotSignedIn();
    notices.showError(makeError('internal', 'This page cannot reach Porthole. Start Porthole in its terminal, then reload this page.'));
    return;
  }
  const { api } = link;
  const consoles = new ConsoleArea(byId('screen'), api, notices, {
    profilesChanged: () => void profiles.refresh(),
    // "Edit profile" on a profile's failed tab (a wrong address, a stale token): the profile's editor.
    editProfile: (profileId) => void profiles.editById(profileId),
  });
  const urlField = byId<HTMLInputElement>('console-url');
  bindQuickConnect(byId('quick-connect'), urlField, byId('demo'), (source) => void consoles.open(source));
  // Deep links and .vv files (the desktop app's, or browser mode's command line) wait for the user's Connect.
  const links = new LinkRequestDialogs({
    api,
    container: document.body,
    open: (source) => consoles.open(source),
    fullscreen: () => consoles.runAction('fullscreen'),
    showError: (error) => notices.showError(error),
    setStatus: (text) => notices.setStatus(text),
  });
  const profiles = new ProfilesPanel(byId('profiles'), {
    api,
    connect: (source) => consoles.open(source),
    showError: (error) => notices.showError(error),
    setStatus: (text) => notices.setStatus(text),
  });
  // The "Clouds" section sits in the sidebar below the profiles (the panel above owns only its own nodes).
  const cloudsRoot = document.createElement('section');
  cloudsRoot.className = 'clouds';
  cloudsRoot.setAttribute('aria-label', 'Clouds');
  byId('profiles').append(cloudsRoot);
  const clouds = new CloudsPanel(cloudsRoot, {
    api,
    connect: (source) => consoles.open(source),
    showError: (error) => notices.showError(error),
    setStatus: (text) => notices.setStatus(text),
    profileSaved: () => void profiles.refresh(),
  });
  byId('test-connection').addEventListener('click', () => {
    const url = urlField.value.trim();
    if (!url) return urlField.focus();
    void showDiagnostics({ api, showError: (e) => notices.showError(e), setStatus: (t) => notices.setStatus(t) }, { type: 'url', url }, 'this console');
  });
  byId('save-as-profile').addEventListener('click', () => void profiles.saveAs({ address: urlField.value.trim() }));
  await profiles.refresh();
  await clouds.refresh();
  notices.setStatus('Paste a console URL and press Connect, or open the Demo.');
  if (link.browserMode) warnBeforeUnloadWithConsoles(() => document.querySelector('#console-area [role="tab"]') !== null);
  document.body.dataset.ready = 'true';
  await links.loadPending();
}

void start();

// The console area: tabs of consoles (each its own session), the toolbar of the active one, its
// dialogs and keyboard shortcuts. Everything the renderer does with a console goes through `open`,
// whoever asks (quick connect, a profile, a deep link); `runAction` is the same set of actions for
// menus outside the page (the Electron Console menu).
//
// Exactly one visible element is labelled "Console": the active tab's screen (or, with no tab,
// the empty placeholder), so `[aria-label="Console"] canvas` is always the console in view.
import type { PortholeApi, SessionSource } from '../../app/contract.js';
import { confirmAction, ClipboardDialog, CombinationDialog, OptionsDialog, TypeTextDialog } from './console/dialogs.js';
import { bindSidePanel } from '../ui/side-panel.js';
import { button, el, isEditable } from '../ui/dom.js';
import { keyPresets } from './console/key-sequences.js';
import { keys, type KeyStroke } from './console/keysyms.js';
import type { MenuItem } from '../ui/menu.js';
import { loadSettings, saveSettings, scalingModes, screenshotFileName, uniqueTitle, type ConsoleSettings, type SettingsStorage } from './console/settings.js';
import { hostKeyLabel, ShortcutTracker, type ShortcutAction } from './console/shortcuts.js';
import { ConsoleTab, targetKey, type TabHost } from './console/tab.js';
import { EarlyKeys } from './console/early-keys.js';
import { Toolbar, type ToolbarAction } from './console/toolbar.js';
import type { Notices } from './notices.js';
import { bindPasswordPrompts } from './console/password-dialog.js';
import { readyToOpen, type ReadyToOpen } from './profiles/missing-secrets.js';

function storage(): SettingsStorage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

/** How an open ended: a console tab opened (or reused), main refused it, or the user cancelled a secret prompt. */
export type OpenOutcome = 'opened' | 'failed' | 'cancelled';

/** What the console area may ask of the rest of the page. */
export interface ConsoleAreaHooks {
  /** Profiles were added or changed here (Save as profile and trust). */
  profilesChanged?(): void;
  editProfile?(profileId: string): void;
}

export class ConsoleArea implements TabHost {
  private readonly tabs: ConsoleTab[] = [];
  private active: ConsoleTab | undefined;
  private readonly area: HTMLElement;
  private readonly tablist: HTMLElement;
  private readonly tabStrip: HTMLElement;
  private readonly closeFailed: HTMLButtonElement;
  private readonly captureState: HTMLElement;
  private readonly edge: HTMLElement;
  private readonly empty: HTMLElement;
  /** The desktop window is fullscreen (main did it), so the page shows only the console. */
  private windowFullscreen = false;
  private readonly toolbar: Toolbar;
  private readonly typeText: TypeTextDialog;
  private readonly clipboard: ClipboardDialog;
  private readonly combination: CombinationDialog;
  private readonly options: OptionsDialog;
  private readonly shortcuts: ShortcutTracker;
  private current: ConsoleSettings;
  private noticeKey = '';
  /** Keys held down right now (to know whether Ctrl is still held when a paste goes out). */
  private readonly held = new Set<string>();
  /** A Ctrl+V taken for pasting: its release is kept from the guest too. */
  private pasteKeyDown = false;
  /** Keys typed between Connect and the console being up, for the console being opened. */
  private readonly earlyKeys = new EarlyKeys();
  private opening = 0;

  constructor(
    private readonly screen: HTMLElement,
    readonly api: PortholeApi,
    private readonly notices: Notices,
    private readonly hooks: ConsoleAreaHooks = {},
  ) {
    if (hooks.editProfile) this.editProfile = (id: string): void => hooks.editProfile?.(id);
    this.current = loadSettings(storage());
    this.shortcuts = new ShortcutTracker(this.current.hostKey);
    this.area = screen.parentElement ?? screen;
    screen.removeAttribute('aria-label');
    this.tablist = el('div', { role: 'tablist', 'aria-label': 'Consoles', className: 'console-tabs', hidden: true });
    this.tablist.addEventListener('keydown', (e) => this.onTablistKey(e));
    this.closeFailed = button('Close all failed', { className: 'close-failed', hidden: true }, () => this.closeAllFailed());
    this.tabStrip = el('div', { className: 'tab-strip', hidden: true }, this.tablist, this.closeFailed);
    this.toolbar = new Toolbar({
      run: (action) => this.runAction(action),
      sendKeysItems: () => this.sendKeysItems(),
      scalingItems: () => this.scalingItems(),
      powerItems: () => this.powerItems(),
    });
    this.empty = el('div', { className: 'console-empty', role: 'region', 'aria-label': 'Console' }, el('p', {}, 'No console is open. Paste a console URL above and press Connect, or open the Demo. Each console opens in its own tab.'));
    screen.append(this.empty);
    // Shown while the keyboard goes to the console, with the key that takes it back.
    this.captureState = el('p', { className: 'capture-state', 'aria-live': 'polite' });
    this.toolbar.element.append(this.captureState);
    // Fullscreen shows only the console; the toolbar slides in when the pointer reaches the top edge.
    this.edge = el('div', { className: 'fullscreen-edge', 'aria-hidden': 'true' });
    this.edge.addEventListener('pointerenter', () => this.revealToolbar(true));
    this.toolbar.element.addEventListener('pointerleave', () => {
      if (!this.toolbar.element.contains(document.activeElement)) this.revealToolbar(false);
    });
    this.toolbar.element.addEventListener('focusin', () => this.revealToolbar(true));
    this.toolbar.element.addEventListener('focusout', (e) => {
      if (!this.toolbar.element.contains(e.relatedTarget as Node | null)) this.revealToolbar(false);
    });
    this.area.insertBefore(this.tabStrip, screen);
    this.area.insertBefore(this.edge, screen);
    this.area.insertBefore(this.toolbar.element, screen);
    screen.setAttribute('tabindex', '-1');
    this.earlyKeys.listen(screen, () => {
      const tab = this.active;
      return this.opening > 0 || (tab !== undefined && tab.wantsFocus && tab.state === 'connecting');
    });
    for (const link of document.querySelectorAll<HTMLAnchorElement>('a.skip-link')) {
      link.addEventListener('click', (e) => {
        e.preventDefault();
        this.skipToConsole();
      });
    }
    const profilesToggle = document.getElementById('toggle-profiles');
    const layout = document.querySelector<HTMLElement>('.layout');
    const sidebar = document.getElementById('profiles');
    const work = document.querySelector<HTMLElement>('.work');
    if (profilesToggle instanceof HTMLButtonElement && layout && sidebar && work) {
      // Below 720 CSS px (800×600 at 150%, 1280×800 at 200%) the sidebar is a drawer over the console.
      bindSidePanel({ toggle: profilesToggle, panel: sidebar, container: layout, covered: work, foldedClass: 'sidebar-collapsed', overlayClass: 'sidebar-overlay', narrowQuery: '(max-width: 720px)', folded: this.current.sidebarCollapsed, changed: (collapsed) => this.updateSettings({ sidebarCollapsed: collapsed }) });
    }
    document.addEventListener('focusin', () => this.showCapture());
    document.addEventListener('focusout', () => queueMicrotask(() => this.showCapture()));

    const refocus = (): void => this.focusConsole();
    this.typeText = new TypeTextDialog(this.area, {
      send: (stroke) => this.sendStroke(stroke),
      delayMs: () => this.current.typeDelayMs,
      layout: () => this.current.typeLayout,
      setLayout: (typeLayout) => this.updateSettings({ typeLayout }),
      targetTitle: () => this.active?.title ?? 'the console',
      announce: (text) => notices.setStatus(text),
      closed: refocus,
    });
    this.clipboard = new ClipboardDialog(this.area, {
      send: (text) => {
        const view = this.active?.view;
        if (!view?.connected) return false;
        view.rfb.clipboardPasteFrom(text);
        return true;
      },
      remoteText: () => this.active?.remoteClipboardText ?? '',
      copyAutomatically: () => this.active?.copyClipboard ?? false,
      setCopyAutomatically: (on) => {
        if (this.active) this.active.copyClipboard = on;
      },
      announce: (text) => notices.setStatus(text),
      closed: refocus,
    });
    this.combination = new CombinationDialog(this.area, (strokes, label) => this.sendStrokes(strokes, label), refocus);
    this.options = new OptionsDialog(this.area, () => this.current, (change) => this.updateSettings(change), () => undefined);

    // A VNC server asking for a password main does not have (main/rfb/security).
    bindPasswordPrompts(this.area, api, {
      consoleTitle: (id) => this.tabs.find((t) => t.session.sessionId === id)?.title,
      reveal: (id) => {
        const tab = this.tabs.find((t) => t.session.sessionId === id);
        if (tab && tab !== this.active) this.activate(tab);
      },
      closed: refocus,
    });
    api.on('session.state', (event) => {
      for (const tab of this.tabs) tab.onSessionState(event);
    });
    // The Electron Console menu. Fullscreen included: the page asks main to toggle the window
    // (window.fullscreen), so it learns the new state and shows only the console, like the toolbar button.
    api.on('menu.action', ({ action }) => this.runAction(action));
    window.addEventListener('keydown', (e) => this.onKey(e), { capture: true });
    window.addEventListener('keyup', (e) => this.onKey(e), { capture: true });
    window.addEventListener('blur', () => this.shortcuts.reset());
    document.addEventListener('fullscreenchange', () => this.refresh());
    this.refresh();
  }

  /**
   * Opens a console: in the failed or closed tab of the same target if there is one (or in
   * `into`), else in a new tab. The keyboard goes to the console: at once to its panel (so keys
   * typed while it connects are kept for it), then to the console itself once it is up.
   */
  async open(source: SessionSource, into?: ConsoleTab): Promise<OpenOutcome> {
    const { notices } = this;
    notices.clearError();
    const check = await this.secretsCheck(source);
    if (!check.ready) {
      notices.setStatus('Not connected.');
      return 'cancelled';
    }
    // A cloud console is minted in main first (an API round trip or two).
    notices.setStatus(source.type === 'cloud' ? 'Requesting a console…' : 'Connecting…');
    this.noticeKey = '';
    // The keyboard leaves the URL field (or the profile list) at once: what the user types next is for the console.
    this.earlyKeys.clear();
    this.opening++;
    this.screen.focus({ preventScroll: true });
    let opened;
    try {
      opened = await this.api.call('session.open', { source });
    } finally {
      this.opening--;
    }
    if (!opened.ok) {
      this.earlyKeys.clear();
      notices.setStatus(this.tabs.length ? 'Not connected; the other consoles are unchanged.' : 'Not connected.');
      notices.showError(opened.error);
      if (source.type === 'url') document.getElementById('console-url')?.focus();
      return 'failed';
    }
    // A link that names a saved profile opens as that profile: its failed tab is reused, and
    // Connect again and Edit profile work there as for a profile opened from the list.
    const tabSource: SessionSource = source.type === 'link' && check.profileId !== undefined ? { type: 'profile', profileId: check.profileId } : source;
    const key = targetKey(tabSource);
    const reused = into && this.tabs.includes(into) ? into : this.tabs.find((t) => t.state === 'disconnected' && targetKey(t.source) === key);
    let tab: ConsoleTab;
    if (reused) {
      tab = reused;
      tab.reuse(tabSource, opened.value);
    } else {
      tab = new ConsoleTab(this, tabSource, opened.value);
      this.tabs.push(tab);
      this.tablist.append(tab.item);
      this.screen.append(tab.panel);
    }
    this.refreshTitles();
    tab.wantsFocus = true;
    this.activate(tab);
    if (this.screen.contains(document.activeElement) || document.activeElement === document.body) tab.panel.focus({ preventScroll: true });
    return 'opened';
  }

  /**
   * The check before any console opens (open, and a tab's Connect again once main has forgotten its
   * session): a saved profile without its token or secret header asks for it here (readyToOpen).
   */
  private async secretsCheck(source: SessionSource): Promise<ReadyToOpen> {
    const check = await readyToOpen(this.api, source, document.body, (text) => this.notices.setStatus(text));
    // The profile list drops its "No token" mark once a secret was remembered.
    if (check.ready && check.asked) this.hooks.profilesChanged?.();
    return check;
  }

  /** Runs a console action for the active tab (toolbar, shortcuts, or an outside menu). */
  runAction(action: ShortcutAction | ToolbarAction | 'connect'): void {
    const tab = this.active;
    const tabN = /^tab-(\d+)$/.exec(action);
    if (tabN) {
      const target = this.tabs[Number(tabN[1]) - 1];
      if (target) this.activate(target);
      return;
    }
    switch (action) {
      case 'connect':
        return this.pasteNewUrl();
      case 'options':
        return this.options.open();
      case 'prev-tab':
      case 'next-tab': {
        if (!tab || this.tabs.length < 2) return;
        const i = this.tabs.indexOf(tab) + (action === 'next-tab' ? 1 : -1);
        const next = this.tabs[(i + this.tabs.length) % this.tabs.length];
        if (next) this.activate(next);
        return;
      }
      case 'toggle-capture':
        if (tab?.view?.hasFocus()) {
          tab.view.rfb.blur();
          // In fullscreen the toolbar comes down with the keyboard on it; otherwise the tab has it.
          if (this.consoleOnly) {
            this.revealToolbar(true);
            this.toolbar.firstButton()?.focus();
          } else {
            tab.tab.focus();
          }
          this.notices.setStatus(`Keyboard released from ${tab.title}. Tap the host key again (or click the console) to give it back.`);
        } else {
          this.focusConsole();
        }
        this.showCapture();
        return;
      case 'fullscreen':
        return this.toggleFullscreen();
    }
    if (!tab) return;
    switch (action) {
      case 'send-ctrl-alt-del':
        void this.sendCtrlAltDel();
        return;
      case 'send-keys':
        if (tab.view?.connected) this.toolbar.sendKeys.open('first');
        return;
      case 'scaling':
        this.toolbar.scaling.open();
        return;
      case 'type-text':
        if (tab.view?.connected && !tab.viewOnly) this.typeText.open();
        return;
      case 'clipboard':
        return this.clipboard.open();
      case 'paste':
        void this.pasteIntoConsole(false, false);
        return;
      case 'screenshot':
        return this.screenshot(tab);
      case 'view-only':
        tab.applyViewOnly(!tab.viewOnly);
        this.notices.setStatus(tab.viewOnly ? `View only: ${tab.title} receives no keys or mouse input.` : `${tab.title} receives keys and mouse input again.`);
        return;
      case 'disconnect':
        return tab.disconnect();
      case 'close-tab':
        return this.close(tab);
    }
  }

  // ---- TabHost -------------------------------------------------------------------------------

  settings(): ConsoleSettings {
    return this.current;
  }

  changed(tab: ConsoleTab): void {
    this.refreshTitles();
    if (tab.state === 'disconnected' && tab.wantsFocus) {
      tab.wantsFocus = false;
      if (tab === this.active) this.earlyKeys.clear();
    }
    if (tab.state === 'connected' && tab.wantsFocus) {
      tab.wantsFocus = false;
      // Only if the user has not gone elsewhere meanwhile (the panel or nothing has the focus).
      const where = document.activeElement;
      if (tab === this.active && (!where || where === document.body || this.screen.contains(where))) {
        const view = tab.view;
        if (view) this.earlyKeys.replay((stroke) => view.sendStrokes([stroke]));
        this.focusConsole();
      }
    }
    if (tab === this.active) this.refresh();
  }

  trustForSession(tab: ConsoleTab, pinSha256: string): void {
    if (tab.source.type !== 'url') return;
    void this.open({ type: 'url', url: tab.source.url, pinSha256 }, tab);
  }

  saveAndTrust(tab: ConsoleTab, pinSha256: string): void {
    const source = tab.source;
    if (source.type !== 'url') return;
    const name = hostNameOf(tab.displayAddress) ?? tab.title;
    void this.api.call('profiles.save', { profile: { name, address: source.url, tls: { pinSha256 }, folder: '', tags: [], tokenIn: 'query', headers: {}, display: {}, notes: '', secrets: {} } }).then((saved) => {
      if (!saved.ok) {
        this.notices.showError(saved.error);
        return;
      }
      this.hooks.profilesChanged?.();
      this.notices.setStatus(`Saved the profile “${saved.value.profile.name}”; it trusts this certificate.`);
      void this.open({ type: 'profile', profileId: saved.value.profile.id }, tab);
    });
  }

  trustForProfile(tab: ConsoleTab, pinSha256: string): void {
    const source = tab.source;
    if (source.type !== 'profile') return;
    void this.api.call('profiles.trustCertificate', { profileId: source.profileId, pinSha256 }).then((r) => {
      if (!r.ok) {
        this.notices.showError(r.error);
        return;
      }
      this.hooks.profilesChanged?.();
      void this.open(source, tab);
    });
  }

  editProfile?: (profileId: string) => void;

  async secretsReady(source: SessionSource): Promise<boolean> {
    return (await this.secretsCheck(source)).ready;
  }

  remoteClipboard(tab: ConsoleTab, text: string): void {
    if (tab !== this.active) return;
    if (!tab.copyClipboard) {
      this.clipboard.remoteChanged(text, undefined);
      return;
    }
    // Only the console in front writes the system clipboard, so a console in a background tab
    // cannot overwrite what the user copied. Every copy is announced: the user must know what they will paste.
    navigator.clipboard.writeText(text).then(
      () => {
        this.clipboard.remoteChanged(text, true);
        this.notices.setStatus(`Copied ${Array.from(text).length} characters from ${tab.title}’s clipboard to this computer’s clipboard.`);
      },
      () => this.clipboard.remoteChanged(text, false),
    );
  }

  /** Shows a tab. The keyboard follows: to the tab itself (arrow keys in the tab list) or to its console. */
  activate(tab: ConsoleTab, focusTab = false): void {
    this.active = tab;
    for (const t of this.tabs) t.setActive(t === tab);
    this.noticeKey = '';
    this.refresh();
    if (focusTab) tab.tab.focus();
    else if (tab.view?.connected && !tab.viewOnly) this.focusConsole();
    this.scrollTabIntoView(tab);
  }

  /** In a narrow window the tab list scrolls sideways: the active tab comes fully into view (the page itself does not move). */
  private scrollTabIntoView(tab: ConsoleTab): void {
    const list = this.tablist.getBoundingClientRect();
    const item = tab.tab.getBoundingClientRect();
    if (item.left < list.left) this.tablist.scrollLeft -= list.left - item.left;
    else if (item.right > list.right) this.tablist.scrollLeft += Math.min(item.right - list.right, item.left - list.left);
  }

  /** Closes every tab whose console failed or was disconnected. */
  closeAllFailed(): void {
    const failed = this.tabs.filter((t) => t.state === 'disconnected');
    for (const tab of failed) this.close(tab);
    this.notices.setStatus(`Closed ${failed.length} failed ${failed.length === 1 ? 'console' : 'consoles'}.`);
    if (this.active) this.active.tab.focus();
    else this.skipToConsole();
  }

  close(tab: ConsoleTab): void {
    const i = this.tabs.indexOf(tab);
    if (i < 0) return;
    const hadFocus = tab.item.contains(document.activeElement) || tab.panel.contains(document.activeElement);
    tab.dispose();
    this.tabs.splice(i, 1);
    this.notices.setStatus(`Closed ${tab.title}.`);
    if (this.active === tab) {
      this.active = undefined;
      const next = this.tabs[Math.min(i, this.tabs.length - 1)];
      if (next) this.activate(next, hadFocus);
      else {
        this.notices.clearError();
        this.refresh();
      }
    } else {
      this.refresh();
    }
    this.refreshTitles();
  }

  pasteNewUrl(): void {
    const input = document.getElementById('console-url');
    if (input instanceof HTMLInputElement) {
      if (document.fullscreenElement) void document.exitFullscreen();
      input.focus();
      input.select();
      this.notices.setStatus('Paste a new console URL and press Connect.');
    }
  }

  // ---- actions -------------------------------------------------------------------------------

  private sendStroke(stroke: KeyStroke): boolean {
    const view = this.active?.view;
    if (!view?.connected) return false;
    view.sendStrokes([stroke]);
    return true;
  }

  private sendStrokes(strokes: readonly KeyStroke[], label: string): boolean {
    const view = this.active?.view;
    if (!view?.connected) return false;
    view.sendStrokes(strokes);
    this.notices.setStatus(`Sent ${label} to ${this.active?.title ?? 'the console'}.`);
    this.focusConsole();
    return true;
  }

  /**
   * Paste: this computer's clipboard to the guest's clipboard, then Ctrl+V pressed in the guest.
   * `fromKeys`: the user is holding Ctrl (its press already went to the guest).
   */
  private async pasteIntoConsole(fromKeys: boolean, shift: boolean): Promise<void> {
    const tab = this.active;
    if (!tab?.view?.connected || tab.viewOnly) return;
    let text: string;
    try {
      text = await navigator.clipboard.readText();
    } catch {
      this.notices.setStatus('This window may not read the clipboard: paste into the Clipboard panel and press “Send to remote machine”.');
      this.clipboard.open();
      return;
    }
    const view = tab.view;
    if (!view?.connected) return;
    if (text) view.rfb.clipboardPasteFrom(text);
    const ctrlHeld = fromKeys && (this.held.has('ControlLeft') || this.held.has('ControlRight'));
    const vKey = { keysym: shift ? 0x56 : 0x76, code: 'KeyV' };
    const strokes: KeyStroke[] = [{ ...vKey, down: true }, { ...vKey, down: false }];
    if (!ctrlHeld) {
      strokes.unshift({ ...keys.controlL, down: true });
      strokes.push({ ...keys.controlL, down: false });
    }
    view.sendStrokes(strokes);
    this.notices.setStatus(text ? `Pasted ${Array.from(text).length} characters into ${tab.title}.` : `The clipboard is empty; pressed Ctrl+V in ${tab.title}.`);
    if (!fromKeys) this.focusConsole();
  }

  private async sendCtrlAltDel(): Promise<void> {
    const tab = this.active;
    if (!tab?.view?.connected || tab.viewOnly) return;
    if (this.current.confirmCtrlAltDel && !(await confirmAction(this.area, 'Send Ctrl+Alt+Del?', `Send Ctrl+Alt+Del to ${tab.title}? On many systems this restarts the machine or opens a security screen.`, 'Send Ctrl+Alt+Del'))) return;
    if (!tab.view?.connected) return;
    tab.view.rfb.sendCtrlAltDel();
    this.notices.setStatus(`Sent Ctrl+Alt+Del to ${tab.title}.`);
    this.focusConsole();
  }

  private sendKeysItems(): MenuItem[] {
    return [
      ...keyPresets.map((p) => ({ label: p.label, run: () => void this.sendStrokes(p.strokes, p.label) })),
      { label: 'Custom combination…', run: () => this.combination.open() },
    ];
  }

  private scalingItems(): MenuItem[] {
    const tab = this.active;
    return scalingModes.map(({ mode, label }) => ({
      label,
      checked: tab?.scaling === mode,
      run: () => {
        if (!tab) return;
        tab.applyScaling(mode);
        this.updateSettings({ scaling: mode });
        this.notices.setStatus(`Scaling: ${label}.`);
      },
    }));
  }

  private powerItems(): MenuItem[] {
    const tab = this.active;
    const item = (label: string, verb: string, act: () => void): MenuItem => ({
      label,
      run: () =>
        void confirmAction(this.area, `${label}?`, `${verb} ${tab?.title ?? 'the machine'}? Unsaved work on it may be lost.`, label).then((yes) => {
          if (yes && tab?.view?.connected) {
            act();
            this.notices.setStatus(`Asked ${tab.title} to ${label.toLowerCase()}.`);
          }
        }),
    });
    return [
      item('Shut down', 'Shut down', () => tab?.view?.rfb.machineShutdown()),
      item('Reboot', 'Reboot', () => tab?.view?.rfb.machineReboot()),
      item('Reset', 'Hard-reset', () => tab?.view?.rfb.machineReset()),
    ];
  }

  private screenshot(tab: ConsoleTab): void {
    const view = tab.view;
    if (!view?.connected) return;
    const name = screenshotFileName(tab.title, new Date());
    view.rfb.toBlob((blob) => {
      if (!blob) {
        this.notices.setStatus('There is no picture to save yet.');
        return;
      }
      // A download in browser mode; the Electron shell turns it into a save dialog.
      const url = URL.createObjectURL(blob);
      const link = el('a', { href: url, download: name, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      this.notices.setStatus(`Screenshot of ${tab.title} saved as ${name}.`);
    }, 'image/png');
  }

  private toggleFullscreen(): void {
    if (document.fullscreenElement) {
      void document.exitFullscreen().catch(() => undefined);
      return;
    }
    if (!this.active && !this.windowFullscreen) return;
    // In the desktop app main does it (the page has no fullscreen permission); a browser tab does it itself.
    void this.api.call('window.fullscreen', {}).then((r) => {
      if (r.ok) {
        this.windowFullscreen = r.value.fullscreen;
        this.refresh();
        return this.focusConsole();
      }
      this.area.requestFullscreen().then(
      () => this.focusConsole(),
        () => this.notices.setStatus('This window may not go fullscreen.'),
      );
    });
  }

  private focusConsole(): void {
    const tab = this.active;
    if (tab?.view?.connected && !tab.viewOnly) tab.view.rfb.focus({ preventScroll: true });
    this.showCapture();
  }

  /** "Skip to console": the console if it can take keys, else its panel or the empty screen. */
  private skipToConsole(): void {
    const tab = this.active;
    if (tab?.view?.connected && !tab.viewOnly) return this.focusConsole();
    (tab?.panel ?? this.screen).focus({ preventScroll: true });
  }

  /** Fullscreen (the page's or the desktop window's): only the console shows. */
  private get consoleOnly(): boolean {
    return document.fullscreenElement === this.area || this.windowFullscreen;
  }

  private revealToolbar(on: boolean): void {
    this.area.classList.toggle('toolbar-revealed', on && this.consoleOnly);
  }

  /** The "keyboard captured" marker and its hint follow where the keyboard is. */
  private showCapture(): void {
    const tab = this.active;
    const captured = tab?.view?.hasFocus() ?? false;
    const host = this.current.hostKey === 'none' ? undefined : hostKeyLabel(this.current.hostKey);
    this.area.classList.toggle('keyboard-captured', captured);
    let state = '';
    let hint = '';
    if (tab?.view?.connected && !tab.viewOnly) {
      state = captured ? 'Keyboard captured' : 'Keyboard not captured';
      if (captured) hint = host ? ` · ${host} releases it` : '';
      else hint = host ? ` · ${host} or a click captures it` : ' · click the console';
    }
    if (this.captureState.textContent === state + hint) return;
    this.captureState.replaceChildren(state, hint ? el('span', { className: 'capture-hint' }, hint) : '');
  }

  private updateSettings(change: Partial<ConsoleSettings>): void {
    this.current = { ...this.current, ...change };
    saveSettings(storage(), this.current);
    if (change.hostKey !== undefined) this.shortcuts.setHostKey(change.hostKey);
    if (change.qualityLevel !== undefined || change.compressionLevel !== undefined) {
      for (const tab of this.tabs) tab.view?.setQuality(this.current.qualityLevel, this.current.compressionLevel);
    }
    this.refresh();
  }

  // ---- keyboard ------------------------------------------------------------------------------

  private onKey(e: KeyboardEvent): void {
    if (e.type !== 'keydown' && e.type !== 'keyup') return;
    if (e.type === 'keydown') this.held.add(e.code);
    else this.held.delete(e.code);
    const consoleFocused = this.active?.view?.hasFocus() ?? false;
    // Ctrl+V (or Ctrl+Shift+V) in the console: this computer's clipboard goes to the guest first,
    // then the keys, so the guest pastes what the user copied here.
    if (e.code === 'KeyV' && (e.type === 'keyup' ? this.pasteKeyDown : consoleFocused && e.ctrlKey && !e.altKey && !e.metaKey && !e.repeat && !this.active?.viewOnly)) {
      e.preventDefault();
      e.stopImmediatePropagation();
      if (e.type === 'keyup') this.pasteKeyDown = false;
      else {
        this.pasteKeyDown = true;
        void this.pasteIntoConsole(true, e.shiftKey);
      }
      return;
    }
    const decision = this.shortcuts.handle(
      { type: e.type, code: e.code, repeat: e.repeat, ctrlKey: e.ctrlKey, altKey: e.altKey, shiftKey: e.shiftKey, metaKey: e.metaKey },
      { consoleFocused, editing: isEditable(document.activeElement) },
    );
    if (decision.swallow) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
    if (decision.action) this.runAction(decision.action);
  }

  private onTablistKey(e: KeyboardEvent): void {
    const tab = this.tabs.find((t) => t.tab === e.target);
    if (!tab) return;
    const i = this.tabs.indexOf(tab);
    let next: ConsoleTab | undefined;
    if (e.key === 'ArrowRight') next = this.tabs[(i + 1) % this.tabs.length];
    else if (e.key === 'ArrowLeft') next = this.tabs[(i - 1 + this.tabs.length) % this.tabs.length];
    else if (e.key === 'Home') next = this.tabs[0];
    else if (e.key === 'End') next = this.tabs[this.tabs.length - 1];
    else if (e.key === 'Delete') {
      e.preventDefault();
      this.close(tab);
      return;
    } else return;
    e.preventDefault();
    if (next) this.activate(next, true);
  }

  // ---- what the page shows -------------------------------------------------------------------

  /** Tabs to the same desktop get "(2)", "(3)"…; a tab keeps its title while its name is unchanged. */
  private refreshTitles(): void {
    const taken: string[] = [];
    const renamed: ConsoleTab[] = [];
    for (const tab of this.tabs) {
      if (tab.titleBase === tab.wantedTitle && !taken.includes(tab.title)) taken.push(tab.title);
      else renamed.push(tab);
    }
    for (const tab of renamed) {
      const title = uniqueTitle(tab.wantedTitle, taken);
      taken.push(title);
      tab.titleBase = tab.wantedTitle;
      tab.setTitle(title);
    }
    if (this.active) document.title = `${this.active.title} — Porthole`;
    else document.title = 'Porthole';
  }

  /** Toolbar, placeholder, status line and alert follow the active tab. */
  private refresh(): void {
    const tab = this.active;
    const hasTabs = this.tabs.length > 0;
    this.tablist.hidden = !hasTabs;
    this.tabStrip.hidden = !hasTabs;
    this.closeFailed.hidden = !this.tabs.some((t) => t.state === 'disconnected');
    const consoleOnly = this.consoleOnly;
    this.area.classList.toggle('console-only', consoleOnly);
    document.body.classList.toggle('console-only', consoleOnly);
    if (!consoleOnly) this.area.classList.remove('toolbar-revealed');
    this.showCapture();
    this.empty.hidden = hasTabs;
    if (hasTabs) this.empty.removeAttribute('aria-label');
    else this.empty.setAttribute('aria-label', 'Console');
    this.area.classList.toggle('has-console', hasTabs);
    this.toolbar.update({
      hasConsole: tab !== undefined,
      connected: tab?.view?.connected ?? false,
      busy: tab !== undefined && (tab.state === 'connecting' || tab.state === 'reconnecting'),
      viewOnly: tab?.viewOnly ?? false,
      fullscreen: consoleOnly,
      power: tab?.power ?? false,
      hostKey: this.current.hostKey,
    });
    if (!tab) return;
    document.title = `${tab.title} — Porthole`;
    // The status line and the alert change on state changes only (not on every countdown tick).
    const key = `${tab.id}:${tab.state}:${tab.error?.code ?? ''}:${tab.session.sessionId}`;
    if (key === this.noticeKey) return;
    this.noticeKey = key;
    if (tab.state === 'connected') {
      this.notices.clearError();
      this.notices.setStatus(`${tab.stateText()} ${tab.warningsText()}`.trim());
    } else if (tab.state === 'disconnected') {
      // The failure is on the console (and in the alert for screen readers): the status line names the console only.
      this.notices.setStatus(tab.error ? `Disconnected from “${tab.title}”.` : tab.stateText());
      // An untrusted certificate of a URL or profile is shown on the console itself, with the ways to trust it.
      const inPlace = tab.error?.code === 'tls-untrusted' && (tab.source.type === 'url' || tab.source.type === 'profile');
      if (tab.error) this.notices.showError(inPlace ? { ...tab.error, hint: 'Its certificate is shown on the console: compare the fingerprint with the one your administrator gives you, then trust it there.' } : tab.error, true);
      else this.notices.clearError();
    } else {
      this.notices.clearError();
      this.notices.setStatus(tab.stateText());
    }
  }
}

/** The host name of a display address, for naming a saved profile. */
function hostNameOf(displayAddress: string): string | undefined {
  const m = /^[a-z+]+:\/\/(\[[^\]]+\]|[^/:?#]+)/i.exec(displayAddress);
  return m?.[1];
}

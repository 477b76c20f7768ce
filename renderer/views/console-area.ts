// The console area: tabs of consoles (each its own session), the toolbar of the active one, its
// dialogs and keyboard shortcuts. Everything the renderer does with a console goes through `open`,
// whoever asks (quick connect, a profile, a deep link); `runAction` is the same set of actions for
// menus outside the page (the Electron Console menu).
//
// Exactly one visible element is labelled "Console": the active tab's screen (or, with no tab,
// the empty placeholder), so `[aria-label="Console"] canvas` is always the console in view.
import type { PortholeApi, SessionSource } from '../../app/contract.js';
import { confirmAction, ClipboardDialog, CombinationDialog, OptionsDialog, TypeTextDialog } from './console/dialogs.js';
import { el, isEditable } from '../ui/dom.js';
import { keyPresets } from './console/key-sequences.js';
import type { KeyStroke } from './console/keysyms.js';
import type { MenuItem } from '../ui/menu.js';
import { loadSettings, saveSettings, scalingModes, screenshotFileName, uniqueTitle, type ConsoleSettings, type SettingsStorage } from './console/settings.js';
import { ShortcutTracker, type ShortcutAction } from './console/shortcuts.js';
import { ConsoleTab, type TabHost } from './console/tab.js';
import { Toolbar, type ToolbarAction } from './console/toolbar.js';
import type { Notices } from './notices.js';
import { bindPasswordPrompts } from './console/password-dialog.js';

function storage(): SettingsStorage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

export class ConsoleArea implements TabHost {
  private readonly tabs: ConsoleTab[] = [];
  private active: ConsoleTab | undefined;
  private readonly area: HTMLElement;
  private readonly tablist: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly toolbar: Toolbar;
  private readonly typeText: TypeTextDialog;
  private readonly clipboard: ClipboardDialog;
  private readonly combination: CombinationDialog;
  private readonly options: OptionsDialog;
  private readonly shortcuts: ShortcutTracker;
  private current: ConsoleSettings;
  private noticeKey = '';

  constructor(
    private readonly screen: HTMLElement,
    readonly api: PortholeApi,
    private readonly notices: Notices,
  ) {
    this.current = loadSettings(storage());
    this.shortcuts = new ShortcutTracker(this.current.hostKey);
    this.area = screen.parentElement ?? screen;
    screen.removeAttribute('aria-label');
    this.tablist = el('div', { role: 'tablist', 'aria-label': 'Consoles', className: 'console-tabs', hidden: true });
    this.tablist.addEventListener('keydown', (e) => this.onTablistKey(e));
    this.toolbar = new Toolbar({
      run: (action) => this.runAction(action),
      sendKeysItems: () => this.sendKeysItems(),
      scalingItems: () => this.scalingItems(),
      powerItems: () => this.powerItems(),
    });
    this.empty = el('div', { className: 'console-empty', role: 'region', 'aria-label': 'Console' }, el('p', {}, 'No console is open. Paste a console URL above and press Connect, or open the Demo. Each console opens in its own tab.'));
    screen.append(this.empty);
    this.area.insertBefore(this.tablist, screen);
    this.area.insertBefore(this.toolbar.element, screen);

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
    // The Electron Console menu. Main toggles the window's own fullscreen itself (a page may not
    // go fullscreen without a gesture of its own), so that one needs nothing here.
    api.on('menu.action', ({ action }) => {
      if (action !== 'fullscreen') this.runAction(action);
    });
    window.addEventListener('keydown', (e) => this.onKey(e), { capture: true });
    window.addEventListener('keyup', (e) => this.onKey(e), { capture: true });
    window.addEventListener('blur', () => this.shortcuts.reset());
    document.addEventListener('fullscreenchange', () => this.refresh());
    this.refresh();
  }

  /** Opens a console in a new tab. */
  async open(source: SessionSource): Promise<void> {
    const { notices } = this;
    notices.clearError();
    notices.setStatus('Connecting…');
    this.noticeKey = '';
    const opened = await this.api.call('session.open', { source });
    if (!opened.ok) {
      notices.setStatus(this.tabs.length ? 'Not connected; the other consoles are unchanged.' : 'Not connected.');
      notices.showError(opened.error);
      return;
    }
    const tab = new ConsoleTab(this, source, opened.value);
    this.tabs.push(tab);
    this.tablist.append(tab.item);
    this.screen.append(tab.panel);
    this.refreshTitles();
    this.activate(tab);
  }

  /** Runs a console action for the active tab (toolbar, shortcuts, or an outside menu). */
  runAction(action: ShortcutAction | ToolbarAction | 'connect'): void {
    const tab = this.active;
    const tabN = /^tab-(\d+)$/.exec(action);
    if (tabN) {
      const target = this.tabs[Number(tabN[1]) - 1];
      if (target) this.activate(target, true);
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
        if (next) this.activate(next, true);
        return;
      }
      case 'toggle-capture':
        if (tab?.view?.hasFocus()) {
          tab.view.rfb.blur();
          tab.tab.focus();
          this.notices.setStatus(`Keyboard released from ${tab.title}. Tap the host key again (or click the console) to give it back.`);
        } else {
          this.focusConsole();
        }
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
    if (tab === this.active) this.refresh();
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

  activate(tab: ConsoleTab, focusTab = false): void {
    this.active = tab;
    for (const t of this.tabs) t.setActive(t === tab);
    this.noticeKey = '';
    this.refresh();
    if (focusTab) tab.tab.focus();
  }

  close(tab: ConsoleTab): void {
    const i = this.tabs.indexOf(tab);
    if (i < 0) return;
    const hadFocus = tab.item.contains(document.activeElement);
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
    if (!this.active) return;
    // In the desktop app main does it (the page has no fullscreen permission); a browser tab does it itself.
    void this.api.call('window.fullscreen', {}).then((r) => {
      if (r.ok) return this.focusConsole();
      this.area.requestFullscreen().then(
      () => this.focusConsole(),
        () => this.notices.setStatus('This window may not go fullscreen.'),
      );
    });
  }

  private focusConsole(): void {
    const tab = this.active;
    if (tab?.view?.connected && !tab.viewOnly) tab.view.rfb.focus({ preventScroll: true });
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
    const consoleFocused = this.active?.view?.hasFocus() ?? false;
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
    this.empty.hidden = hasTabs;
    if (hasTabs) this.empty.removeAttribute('aria-label');
    else this.empty.setAttribute('aria-label', 'Console');
    this.area.classList.toggle('has-console', hasTabs);
    this.toolbar.update({
      hasConsole: tab !== undefined,
      connected: tab?.view?.connected ?? false,
      busy: tab !== undefined && (tab.state === 'connecting' || tab.state === 'reconnecting'),
      viewOnly: tab?.viewOnly ?? false,
      fullscreen: document.fullscreenElement === this.area,
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
      this.notices.setStatus(tab.stateText());
      if (tab.error) this.notices.showError(tab.error);
      else this.notices.clearError();
    } else {
      this.notices.clearError();
      this.notices.setStatus(tab.stateText());
    }
  }
}

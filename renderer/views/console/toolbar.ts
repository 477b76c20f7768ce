// The toolbar of the active console. Accessible names are fixed (acceptance tests and screen
// readers use them): Send Ctrl+Alt+Del, Send keys, Type text, Clipboard, Screenshot, Fullscreen,
// View only, Scaling, Disconnect — plus Power (only when the server offers it) and Options.
// Arrow keys move between the buttons; every button is also in the Tab order. When the console area
// is narrow (style.css) Clipboard, Screenshot, View only and Options fold into a More menu, so the
// toolbar takes fewer rows and the console keeps the height.
import { button, el } from '../../ui/dom.js';
import { MenuButton, type MenuItem } from '../../ui/menu.js';
import { hostKeyLabel, shortcutLetter, type HostKey, type ShortcutAction } from './shortcuts.js';

export type ToolbarAction = 'send-ctrl-alt-del' | 'type-text' | 'paste' | 'clipboard' | 'screenshot' | 'fullscreen' | 'view-only' | 'disconnect' | 'options';

export interface ToolbarState {
  hasConsole: boolean;
  connected: boolean;
  /** Connecting or reconnecting: Disconnect stops it. */
  busy: boolean;
  viewOnly: boolean;
  fullscreen: boolean;
  power: boolean;
  hostKey: HostKey;
}

export interface ToolbarHandlers {
  run(action: ToolbarAction): void;
  sendKeysItems(): MenuItem[];
  scalingItems(): MenuItem[];
  powerItems(): MenuItem[];
}

export class Toolbar {
  readonly element: HTMLElement;
  readonly sendKeys: MenuButton;
  readonly scaling: MenuButton;
  readonly power: MenuButton;
  readonly more: MenuButton;
  private readonly buttons: Record<ToolbarAction, HTMLButtonElement>;

  constructor(handlers: ToolbarHandlers) {
    const b = (label: string, action: ToolbarAction, attrs: Record<string, string> = {}): HTMLButtonElement => button(label, { 'data-action': action, ...attrs }, () => handlers.run(action));
    const sendCad = b('', 'send-ctrl-alt-del');
    // A narrow console area shows "Ctrl+Alt+Del"; the name stays "Send Ctrl+Alt+Del" ("Send " is only visually hidden).
    sendCad.append(el('span', { className: 'label-wide' }, 'Send '), 'Ctrl+Alt+Del');
    this.buttons = {
      'send-ctrl-alt-del': sendCad,
      'type-text': b('Type text', 'type-text', { 'aria-haspopup': 'dialog' }),
      paste: b('Paste', 'paste', { title: 'Paste: sends this computer’s clipboard to the remote machine and presses Ctrl+V there (Ctrl+V in the console does the same)' }),
      clipboard: b('Clipboard', 'clipboard', { 'aria-haspopup': 'dialog', className: 'foldable' }),
      screenshot: b('Screenshot', 'screenshot', { className: 'foldable' }),
      fullscreen: b('Fullscreen', 'fullscreen', { 'aria-pressed': 'false' }),
      'view-only': b('View only', 'view-only', { 'aria-pressed': 'false', className: 'foldable' }),
      options: b('Options', 'options', { 'aria-haspopup': 'dialog', className: 'foldable' }),
      disconnect: b('Disconnect', 'disconnect', { className: 'danger' }),
    };
    this.sendKeys = new MenuButton('Send keys', () => handlers.sendKeysItems(), { 'data-action': 'send-keys' });
    this.scaling = new MenuButton('Scaling', () => handlers.scalingItems(), { 'data-action': 'scaling' });
    this.power = new MenuButton('Power', () => handlers.powerItems(), { 'data-action': 'power' });
    // "More" on screen, as in the top bar; its full name says whose.
    this.more = new MenuButton('More', () => this.foldedItems(handlers), { 'data-action': 'more', 'aria-label': 'More console controls' });
    this.more.wrapper.classList.add('toolbar-more');
    const group = (...children: HTMLElement[]): HTMLElement => el('div', { className: 'toolbar-group', role: 'presentation' }, ...children);
    this.element = el(
      'div',
      { role: 'toolbar', 'aria-label': 'Console controls', className: 'console-toolbar' },
      group(this.buttons['send-ctrl-alt-del'], this.sendKeys.wrapper, this.buttons['type-text'], this.buttons.paste, this.buttons.clipboard),
      group(this.buttons.screenshot, this.buttons.fullscreen, this.buttons['view-only'], this.scaling.wrapper),
      group(this.power.wrapper, this.buttons.options, this.more.wrapper, this.buttons.disconnect),
    );
    this.element.addEventListener('keydown', (e) => this.onKey(e));
    this.power.wrapper.hidden = true;
  }

  /** The first button that can be used (where the keyboard lands when the toolbar is revealed). */
  firstButton(): HTMLButtonElement | undefined {
    return this.usableButtons()[0];
  }

  /** Buttons on screen and enabled: not folded away in a narrow console area, not hidden, not disabled. */
  private usableButtons(): HTMLButtonElement[] {
    return [...this.element.querySelectorAll<HTMLButtonElement>('button:not([role^="menuitem"])')].filter((x) => !x.disabled && x.getClientRects().length > 0);
  }

  /** The More menu: the buttons a narrow console area folds away, in their current state. */
  private foldedItems(handlers: ToolbarHandlers): MenuItem[] {
    const folded: ToolbarAction[] = ['clipboard', 'screenshot', 'view-only', 'options'];
    return folded.map((action) => {
      const btn = this.buttons[action];
      const pressed = btn.getAttribute('aria-pressed');
      return { label: btn.textContent ?? action, disabled: btn.disabled, ...(pressed === null ? {} : { pressed: pressed === 'true' }), run: () => handlers.run(action) };
    });
  }

  /** The toolbar button for an action (for focus after a shortcut). */
  buttonFor(action: ShortcutAction): HTMLButtonElement | undefined {
    if (action === 'send-keys') return this.sendKeys.button;
    if (action === 'scaling') return this.scaling.button;
    return (this.buttons as Partial<Record<string, HTMLButtonElement>>)[action];
  }

  update(s: ToolbarState): void {
    const live = s.hasConsole && s.connected;
    const set = (btn: HTMLButtonElement, enabled: boolean): void => {
      btn.disabled = !enabled;
    };
    set(this.buttons['send-ctrl-alt-del'], live && !s.viewOnly);
    set(this.sendKeys.button, live && !s.viewOnly);
    set(this.buttons['type-text'], live && !s.viewOnly);
    set(this.buttons.paste, live && !s.viewOnly);
    set(this.buttons.clipboard, s.hasConsole);
    set(this.buttons.screenshot, live);
    set(this.buttons.fullscreen, s.hasConsole || s.fullscreen);
    set(this.buttons['view-only'], s.hasConsole);
    set(this.scaling.button, s.hasConsole);
    set(this.buttons.options, true);
    set(this.buttons.disconnect, s.hasConsole && (s.connected || s.busy));
    this.buttons.fullscreen.setAttribute('aria-pressed', String(s.fullscreen));
    this.buttons['view-only'].setAttribute('aria-pressed', String(s.viewOnly));
    this.power.wrapper.hidden = !(live && s.power);
    // Shortcut hints: the host-key chord, and the Ctrl+Alt+Shift chord for when the console does not have the keyboard.
    const host = s.hostKey === 'none' ? undefined : hostKeyLabel(s.hostKey);
    const hint = (btn: HTMLButtonElement, action: ShortcutAction, name: string): void => {
      const letter = shortcutLetter(action);
      if (!letter) return;
      btn.title = host ? `${name} (${host}+${letter}; Ctrl+Alt+Shift+${letter} when the console does not have the keyboard)` : `${name} (Ctrl+Alt+Shift+${letter} when the console does not have the keyboard)`;
      btn.setAttribute('aria-keyshortcuts', `Control+Alt+Shift+${letter}`);
    };
    hint(this.buttons['send-ctrl-alt-del'], 'send-ctrl-alt-del', 'Send Ctrl+Alt+Del');
    hint(this.sendKeys.button, 'send-keys', 'Send keys');
    hint(this.buttons['type-text'], 'type-text', 'Type text');
    hint(this.buttons.clipboard, 'clipboard', 'Clipboard');
    hint(this.buttons.screenshot, 'screenshot', 'Screenshot');
    hint(this.buttons.fullscreen, 'fullscreen', 'Fullscreen');
    hint(this.buttons['view-only'], 'view-only', 'View only');
    hint(this.scaling.button, 'scaling', 'Scaling');
    hint(this.buttons.options, 'options', 'Options');
    hint(this.buttons.disconnect, 'disconnect', 'Disconnect');
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight' && e.key !== 'Home' && e.key !== 'End') return;
    const target = e.target as HTMLElement;
    if (target.getAttribute('role')?.startsWith('menuitem')) return;
    const all = this.usableButtons();
    const i = all.indexOf(target as HTMLButtonElement);
    if (i < 0) return;
    e.preventDefault();
    const next = e.key === 'Home' ? 0 : e.key === 'End' ? all.length - 1 : (i + (e.key === 'ArrowRight' ? 1 : -1) + all.length) % all.length;
    all[next]?.focus();
  }
}

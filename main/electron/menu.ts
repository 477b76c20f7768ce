// The application menu as data. Console actions are sent to the focused window's page as the event
// 'menu.action' { action } (a proposed contract event). Fullscreen too: the page answers it with the
// 'window.fullscreen' call (main toggles the window, since a page cannot enter fullscreen without a
// gesture of its own), so the page knows the new state and shows only the console, as its own button does.
//
// Accelerators: a focused console forwards every key to the remote machine, so a menu shortcut must
// be a chord that guests essentially never use. Two-modifier chords are not safe (Ctrl+Shift+C/V/T
// are terminal copy/paste/new-tab in Linux guests; Ctrl+Alt+F1..F12 switch virtual terminals), so
// every console action uses three modifiers: CmdOrCtrl+Alt+Shift+<mnemonic letter>. On Windows and
// Linux there is no Edit or Window menu and no menu mnemonics, so Ctrl+C/V/W/Q and Alt+<letter> are
// never taken from the console; on macOS the Edit menu keeps Cmd+C/V working in text fields, as users
// expect there.
import type { MenuItemConstructorOptions } from './electron-api.js';

export const MENU_ACTION_EVENT = 'menu.action';

export const menuActions = ['connect', 'disconnect', 'send-ctrl-alt-del', 'type-text', 'screenshot', 'fullscreen', 'view-only'] as const;
export type MenuAction = (typeof menuActions)[number];

export interface ConsoleMenuItem {
  action: MenuAction;
  label: string;
  accelerator: string;
}

/** The Console menu, in order. Separators fall between the groups. */
export const consoleMenuItems: readonly (readonly ConsoleMenuItem[])[] = [
  [
    { action: 'connect', label: 'Connect…', accelerator: 'CmdOrCtrl+Alt+Shift+C' },
    { action: 'disconnect', label: 'Disconnect', accelerator: 'CmdOrCtrl+Alt+Shift+D' },
  ],
  [
    { action: 'send-ctrl-alt-del', label: 'Send Ctrl+Alt+Del', accelerator: 'CmdOrCtrl+Alt+Shift+K' },
    { action: 'type-text', label: 'Type Text…', accelerator: 'CmdOrCtrl+Alt+Shift+T' },
    { action: 'screenshot', label: 'Screenshot', accelerator: 'CmdOrCtrl+Alt+Shift+S' },
  ],
  [
    { action: 'fullscreen', label: 'Fullscreen', accelerator: 'CmdOrCtrl+Alt+Shift+F' },
    // A plain item, not a checkbox: the page can toggle view-only too, and a menu check mark would go stale.
    { action: 'view-only', label: 'Toggle View Only', accelerator: 'CmdOrCtrl+Alt+Shift+V' },
  ],
];

/** Quit on Windows and Linux (macOS keeps its standard Cmd+Q, which guests do not receive as Ctrl). */
export const QUIT_ACCELERATOR = 'CmdOrCtrl+Alt+Shift+Q';

export interface MenuOptions {
  platform: NodeJS.Platform;
  /** Unpackaged runs get a Developer menu (reload, devtools). */
  development: boolean;
  dispatch(action: MenuAction): void;
}

export function buildMenuTemplate(options: MenuOptions): MenuItemConstructorOptions[] {
  const mac = options.platform === 'darwin';
  const consoleSubmenu: MenuItemConstructorOptions[] = [];
  consoleMenuItems.forEach((group, i) => {
    if (i > 0) consoleSubmenu.push({ type: 'separator' });
    for (const item of group) {
      consoleSubmenu.push({
        id: `console.${item.action}`,
        label: item.label,
        accelerator: item.accelerator,
        click: () => options.dispatch(item.action),
      });
    }
  });

  const template: MenuItemConstructorOptions[] = [];
  if (mac) {
    template.push({
      label: 'Porthole',
      submenu: [{ role: 'about' }, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, { role: 'quit' }],
    });
  } else {
    // No mnemonics (&File) and no Ctrl+Q / Ctrl+W: Alt+<letter> and Ctrl+<letter> belong to the guest.
    template.push({ label: 'File', submenu: [{ role: 'quit', accelerator: QUIT_ACCELERATOR }] });
  }
  if (mac) {
    template.push({
      label: 'Edit',
      submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
    });
  }
  template.push({ label: 'Console', submenu: consoleSubmenu });
  if (options.development) {
    template.push({ label: 'Developer', submenu: [{ role: 'reload' }, { role: 'toggleDevTools' }] });
  }
  if (mac) template.push({ role: 'windowMenu' });
  return template;
}

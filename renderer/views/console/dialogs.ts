// The console's dialogs: Type text, Clipboard, a custom key combination, Options, and a generic
// confirmation. Native <dialog> opened with showModal(): keyboard focus stays inside, Escape closes,
// and they show above a fullscreen console (the top layer). No forms: the CSP has form-action 'none'.
import { button, el, field } from '../../ui/dom.js';
import { Modal } from '../../ui/modal.js';
import type { KeyStroke } from './keysyms.js';
import { checkTypeText, parseCombination, TYPE_TEXT_MAX, type TypingStep } from './key-sequences.js';
import { isLayoutId, keyboardLayouts, type LayoutId } from './keyboard-layouts.js';
import type { ConsoleSettings } from './settings.js';
import { hostKeyChoices, type HostKey } from './shortcuts.js';
import { typeSteps, typingSeconds } from './typist.js';

/** A line inside a dialog that screen readers hear when it changes (not role=status: the page has one). */
function noteLine(): HTMLElement {
  return el('p', { className: 'dialog-note', 'aria-live': 'polite' });
}

// ---- Type text ------------------------------------------------------------------------------------

export interface TypeTextDeps {
  /** Sends one key event to the active console; false when there is none connected. */
  send(stroke: KeyStroke): boolean;
  delayMs(): number;
  layout(): LayoutId;
  setLayout(layout: LayoutId): void;
  targetTitle(): string;
  announce(text: string): void;
  /** Called after the dialog closes (to give the keyboard back to the console). */
  closed(): void;
}

export class TypeTextDialog {
  private readonly modal: Modal;
  private readonly text: HTMLTextAreaElement;
  private readonly layout: HTMLSelectElement;
  private readonly counter: HTMLElement;
  private readonly note: HTMLElement;
  private readonly progress: HTMLProgressElement;
  private readonly typeButton: HTMLButtonElement;
  private readonly cancelButton: HTMLButtonElement;
  private readonly confirmBox: HTMLElement;
  private abort: AbortController | undefined;
  private pending: TypingStep[] | undefined;

  constructor(container: HTMLElement, private readonly deps: TypeTextDeps) {
    this.modal = new Modal(container, 'Type text', 'type-text-dialog');
    this.text = el('textarea', { rows: 8, spellcheck: 'false', autocomplete: 'off', maxlength: TYPE_TEXT_MAX * 2 });
    this.counter = el('span', { className: 'counter', 'aria-hidden': 'true' });
    this.note = noteLine();
    this.progress = el('progress', { max: 1, value: 0, hidden: true, 'aria-label': 'Typing progress' });
    this.confirmBox = el('div', { className: 'confirm-box', hidden: true });
    this.typeButton = button('Type', { className: 'primary' }, () => this.start());
    this.cancelButton = button('Cancel', {}, () => this.cancel());
    this.layout = el('select', {}, ...keyboardLayouts.map((l) => el('option', { value: l.id }, l.label)));
    this.layout.addEventListener('change', () => {
      if (isLayoutId(this.layout.value)) deps.setLayout(this.layout.value);
    });
    this.modal.body.append(
      el('p', { className: 'hint' }, 'Types the text as key presses — for consoles without a clipboard (BIOS, installers, rescue shells). New lines press Enter.'),
      field('Keyboard layout of the remote machine', this.layout, 'Pick the layout the remote machine uses, so each character lands on the key that types it there.'),
      field('Text to type', this.text),
      this.counter,
      this.confirmBox,
      this.progress,
      this.note,
    );
    this.modal.footer.append(this.cancelButton, this.typeButton);
    this.text.addEventListener('input', () => {
      this.updateCounter();
      this.note.textContent = '';
    });
    this.text.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        this.start();
      }
    });
    this.modal.dialog.addEventListener('cancel', () => this.abort?.abort());
    this.modal.dialog.addEventListener('close', () => {
      // Closed while typing (Escape): stop; run() then reports and clears the text.
      if (this.abort) this.abort.abort();
      else this.reset(false);
      deps.closed();
    });
  }

  get isOpen(): boolean {
    return this.modal.isOpen;
  }

  open(): void {
    this.reset(false);
    this.layout.value = this.deps.layout();
    this.updateCounter();
    this.modal.show(this.text);
  }

  private updateCounter(): void {
    const n = Array.from(this.text.value).length;
    this.counter.textContent = `${n.toLocaleString('en-US')} / ${TYPE_TEXT_MAX.toLocaleString('en-US')} characters`;
    this.counter.classList.toggle('over', n > TYPE_TEXT_MAX);
  }

  private reset(clearText: boolean): void {
    this.abort = undefined;
    this.pending = undefined;
    if (clearText) this.text.value = '';
    this.text.disabled = false;
    this.layout.disabled = false;
    this.typeButton.disabled = false;
    this.typeButton.hidden = false;
    this.confirmBox.hidden = true;
    this.confirmBox.replaceChildren();
    this.progress.hidden = true;
    this.note.textContent = '';
    this.modal.dialog.dataset.phase = 'edit';
  }

  private start(): void {
    if (this.abort) return;
    this.note.textContent = '';
    const layout = this.deps.layout();
    const check = checkTypeText(this.text.value, undefined, undefined, layout);
    if (!check.ok) {
      this.note.textContent = check.reason;
      return;
    }
    const layoutName = keyboardLayouts.find((l) => l.id === layout)?.label ?? layout;
    const unicode = check.unicodeCount > 0 ? ` ${check.unicodeCount} character(s) have no key on the ${layoutName} layout and are sent as Unicode keysyms, which BIOS and QEMU consoles ignore.` : '';
    if (check.needsConfirmation) {
      this.pending = check.steps;
      this.modal.dialog.dataset.phase = 'confirm';
      const seconds = typingSeconds(check.steps.length, this.deps.delayMs());
      const yes = button('Type anyway', { className: 'primary' }, () => this.run(this.pending ?? []));
      const back = button('Back', {}, () => this.reset(false));
      this.confirmBox.replaceChildren(el('p', {}, `This types ${check.steps.length.toLocaleString('en-US')} characters into ${this.deps.targetTitle()} and takes about ${seconds} s.${unicode} Type it?`), el('div', { className: 'dialog-actions' }, back, yes));
      this.confirmBox.hidden = false;
      this.typeButton.hidden = true;
      yes.focus();
      return;
    }
    if (unicode) this.note.textContent = unicode.trim();
    void this.run(check.steps);
  }

  private async run(steps: TypingStep[]): Promise<void> {
    this.confirmBox.hidden = true;
    this.typeButton.hidden = false;
    this.typeButton.disabled = true;
    this.text.disabled = true;
    this.layout.disabled = true;
    this.progress.hidden = false;
    this.progress.max = steps.length;
    this.progress.value = 0;
    this.modal.dialog.dataset.phase = 'typing';
    this.cancelButton.focus();
    const abort = new AbortController();
    this.abort = abort;
    let lost = false;
    const result = await typeSteps(steps, (stroke) => {
      if (!this.deps.send(stroke) && !lost) {
        lost = true;
        abort.abort();
      }
    }, {
      delayMs: this.deps.delayMs(),
      signal: abort.signal,
      onProgress: (typed, total) => {
        this.progress.value = typed;
        this.note.textContent = `Typing… ${typed} of ${total}`;
      },
    });
    if (this.abort !== abort) return;
    const where = this.deps.targetTitle();
    if (lost) this.deps.announce(`Typing stopped: the console is not connected (${result.typed} of ${result.total} characters typed).`);
    else if (result.cancelled) this.deps.announce(`Typing cancelled after ${result.typed} of ${result.total} characters.`);
    else this.deps.announce(`Typed ${result.total} characters into ${where}.`);
    // The text may be a password: it does not stay in the page once typed.
    this.reset(true);
    this.modal.close();
  }

  private cancel(): void {
    if (this.abort) this.abort.abort();
    else this.modal.close();
  }
}

// ---- Clipboard ------------------------------------------------------------------------------------

export interface ClipboardDeps {
  /** Sends text to the active console's clipboard; false when there is none connected. */
  send(text: string): boolean;
  remoteText(): string;
  /** The active console's choice (its profile's, or the app option). */
  copyAutomatically(): boolean;
  /** Changes it for the active console only. */
  setCopyAutomatically(on: boolean): void;
  announce(text: string): void;
  closed(): void;
}

export class ClipboardDialog {
  private readonly modal: Modal;
  private readonly remote: HTMLTextAreaElement;
  private readonly local: HTMLTextAreaElement;
  private readonly auto: HTMLInputElement;
  private readonly note: HTMLElement;

  constructor(container: HTMLElement, private readonly deps: ClipboardDeps) {
    this.modal = new Modal(container, 'Clipboard', 'clipboard-dialog');
    this.remote = el('textarea', { rows: 5, readonly: true, spellcheck: 'false' });
    this.local = el('textarea', { rows: 5, spellcheck: 'false' });
    this.auto = el('input', { type: 'checkbox' });
    this.note = noteLine();
    const copy = button('Copy to this computer', {}, () => void this.copyOut());
    const sendButton = button('Send to remote machine', { className: 'primary' }, () => this.sendLocal());
    const paste = button('Paste from this computer', {}, () => void this.pasteIn());
    this.modal.body.append(
      el('section', { 'aria-label': 'From the remote machine' }, field('Remote clipboard', this.remote, 'The last text the remote machine copied.'), el('div', { className: 'row' }, copy), field('Copy this console’s clipboard to this computer automatically', this.auto, 'For this console only; a profile can make it its default.')),
      el('section', { 'aria-label': 'To the remote machine' }, field('Text to send', this.local, 'Sent to the remote machine’s clipboard; paste it there as usual. For consoles without a clipboard use Type text.'), el('div', { className: 'row' }, paste, sendButton)),
      this.note,
    );
    this.modal.footer.append(button('Close', {}, () => this.modal.close()));
    this.auto.addEventListener('change', () => deps.setCopyAutomatically(this.auto.checked));
    this.modal.dialog.addEventListener('close', () => deps.closed());
  }

  get isOpen(): boolean {
    return this.modal.isOpen;
  }

  open(): void {
    this.remote.value = this.deps.remoteText();
    this.auto.checked = this.deps.copyAutomatically();
    this.note.textContent = '';
    // A panel beside the console, not a modal: the console stays usable while it is open.
    this.modal.showBeside(this.local);
  }

  close(): void {
    this.modal.close();
  }

  /** Text arrived from the remote machine. */
  remoteChanged(text: string, copiedToSystem: boolean | undefined): void {
    this.remote.value = text;
    if (this.isOpen) this.note.textContent = copiedToSystem === false ? 'New text from the remote machine (not copied to this computer: clipboard access was refused).' : 'New text from the remote machine.';
  }

  private async copyOut(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.remote.value);
      this.note.textContent = 'Copied to this computer’s clipboard.';
    } catch {
      this.remote.select();
      this.note.textContent = 'This window may not write the clipboard; the text is selected — press Ctrl+C.';
    }
  }

  private sendLocal(): void {
    const text = this.local.value;
    if (!text) {
      this.note.textContent = 'There is no text to send.';
      this.local.focus();
      return;
    }
    if (!this.deps.send(text)) {
      this.note.textContent = 'No console is connected.';
      return;
    }
    this.note.textContent = `Sent ${Array.from(text).length} characters to the remote clipboard.`;
    this.deps.announce('Text sent to the remote clipboard.');
  }

  private async pasteIn(): Promise<void> {
    try {
      this.local.value = await navigator.clipboard.readText();
    } catch {
      this.note.textContent = 'This window may not read the clipboard; paste into the field with Ctrl+V instead.';
      this.local.focus();
      return;
    }
    this.sendLocal();
  }
}

// ---- A custom key combination ---------------------------------------------------------------------

export class CombinationDialog {
  private readonly modal: Modal;
  private readonly input: HTMLInputElement;
  private readonly note: HTMLElement;

  constructor(container: HTMLElement, private readonly send: (strokes: KeyStroke[], label: string) => boolean, closed: () => void) {
    this.modal = new Modal(container, 'Send a key combination', 'combination-dialog');
    this.input = el('input', { type: 'text', spellcheck: 'false', autocomplete: 'off', placeholder: 'ctrl+alt+shift+t' });
    this.note = noteLine();
    this.modal.body.append(field('Key combination', this.input, 'Keys joined with +, pressed in order and released in reverse: ctrl, alt, altgr, shift, win, f1…f24, del, tab, enter, esc, sysrq, letters, digits, or a keysym like 0xffe3.'), this.note);
    this.modal.footer.append(button('Cancel', {}, () => this.modal.close()), button('Send', { className: 'primary' }, () => this.submit()));
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        this.submit();
      }
    });
    this.modal.dialog.addEventListener('close', closed);
  }

  open(): void {
    this.note.textContent = '';
    this.modal.show(this.input);
    this.input.select();
  }

  private submit(): void {
    const parsed = parseCombination(this.input.value);
    if (!parsed.ok) {
      this.note.textContent = parsed.reason;
      this.input.focus();
      return;
    }
    if (!this.send(parsed.strokes, parsed.label)) {
      this.note.textContent = 'No console is connected.';
      return;
    }
    this.modal.close();
  }
}

// ---- Options --------------------------------------------------------------------------------------

export class OptionsDialog {
  private readonly modal: Modal;
  private readonly hostKey: HTMLSelectElement;
  private readonly confirmCad: HTMLInputElement;
  private readonly copyClipboard: HTMLInputElement;
  private readonly delay: HTMLInputElement;
  private readonly quality: HTMLInputElement;
  private readonly compression: HTMLInputElement;

  constructor(container: HTMLElement, private readonly get: () => ConsoleSettings, set: (change: Partial<ConsoleSettings>) => void, closed: () => void) {
    this.modal = new Modal(container, 'Console options', 'options-dialog');
    this.hostKey = el('select', {}, ...hostKeyChoices.map((c) => el('option', { value: c.code }, c.label)));
    this.confirmCad = el('input', { type: 'checkbox' });
    this.copyClipboard = el('input', { type: 'checkbox' });
    this.delay = el('input', { type: 'number', min: 1, max: 1000, step: 1 });
    this.quality = el('input', { type: 'range', min: 0, max: 9, step: 1 });
    this.compression = el('input', { type: 'range', min: 0, max: 9, step: 1 });
    this.modal.body.append(
      field('Host key', this.hostKey, 'Tap it to release the keyboard from the console (or give it back); hold it with a letter for a shortcut: K Ctrl+Alt+Del, E Send keys, T Type text, B Clipboard, S Screenshot, F Fullscreen, V View only, M Scaling, D Disconnect, O Options, W Close tab, 1–9 and ←/→ switch tabs. The host key itself never reaches the remote machine.'),
      field('Ask before sending Ctrl+Alt+Del', this.confirmCad),
      field('Copy the remote clipboard to this computer automatically', this.copyClipboard, 'For consoles whose profile does not choose. Off by default: a remote machine could put a command on your clipboard for you to paste.'),
      field('Typing delay (ms per key)', this.delay, 'Type text waits this long after each character. Slow consoles (BIOS, serial) may need 20–50 ms.'),
      field('Picture quality (0–9)', this.quality),
      field('Compression (0–9)', this.compression),
    );
    this.modal.footer.append(button('Close', { className: 'primary' }, () => this.modal.close()));
    this.hostKey.addEventListener('change', () => set({ hostKey: this.hostKey.value as HostKey }));
    this.confirmCad.addEventListener('change', () => set({ confirmCtrlAltDel: this.confirmCad.checked }));
    this.copyClipboard.addEventListener('change', () => set({ autoCopyClipboard: this.copyClipboard.checked }));
    this.delay.addEventListener('change', () => {
      const n = Math.round(Number(this.delay.value));
      if (Number.isFinite(n) && n >= 1 && n <= 1000) set({ typeDelayMs: n });
    });
    this.quality.addEventListener('change', () => set({ qualityLevel: Number(this.quality.value) }));
    this.compression.addEventListener('change', () => set({ compressionLevel: Number(this.compression.value) }));
    this.modal.dialog.addEventListener('close', closed);
  }

  open(): void {
    const s = this.get();
    this.hostKey.value = s.hostKey;
    this.confirmCad.checked = s.confirmCtrlAltDel;
    this.copyClipboard.checked = s.autoCopyClipboard;
    this.delay.value = String(s.typeDelayMs);
    this.quality.value = String(s.qualityLevel);
    this.compression.value = String(s.compressionLevel);
    this.modal.show(this.hostKey);
  }
}

// ---- Confirmation ---------------------------------------------------------------------------------

export function confirmAction(container: HTMLElement, title: string, message: string, confirmLabel: string): Promise<boolean> {
  return new Promise((resolve) => {
    const modal = new Modal(container, title, 'confirm-dialog');
    let answer = false;
    const yes = button(confirmLabel, { className: 'primary' }, () => {
      answer = true;
      modal.close();
    });
    modal.body.append(el('p', {}, message));
    modal.footer.append(button('Cancel', {}, () => modal.close()), yes);
    modal.dialog.addEventListener('close', () => {
      modal.dialog.remove();
      resolve(answer);
    });
    modal.show(yes);
  });
}

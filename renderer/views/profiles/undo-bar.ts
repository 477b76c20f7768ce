// "Deleted “X”. [Undo]": one line under the profile actions after a delete or an import, announced
// politely, with an Undo button for as long as main keeps the change undoable (a bit less, to be safe).
import { button, el } from '../../ui/dom.js';

const SHOWN_MS = 50_000;

export class UndoBar {
  readonly element: HTMLElement;
  private readonly text: HTMLElement;
  private readonly undo: HTMLButtonElement;
  private timer: number | undefined;
  private action: (() => Promise<void>) | undefined;

  constructor() {
    this.text = el('span', { className: 'undo-text' });
    this.undo = button('Undo', { className: 'small' }, () => void this.run());
    this.element = el('div', { className: 'undo-bar', 'aria-live': 'polite', hidden: true }, this.text, ' ', this.undo);
  }

  /** Shows what happened; `undo` runs when the user presses Undo (at most once). */
  show(message: string, undo: (() => Promise<void>) | undefined): void {
    window.clearTimeout(this.timer);
    this.text.textContent = message;
    this.action = undo;
    this.undo.hidden = undo === undefined;
    this.element.hidden = false;
    this.timer = window.setTimeout(() => this.hide(), SHOWN_MS);
  }

  hide(): void {
    window.clearTimeout(this.timer);
    this.action = undefined;
    this.element.hidden = true;
  }

  private async run(): Promise<void> {
    const action = this.action;
    this.hide();
    await action?.();
  }
}

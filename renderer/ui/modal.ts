// The one dialog pattern of the UI: a native <dialog> opened with showModal(), titled by its
// heading (aria-labelledby), with a body and a row of actions. Keyboard focus stays inside, Escape
// closes, and it shows above a fullscreen console (the top layer). No forms: the CSP has
// form-action 'none'. Every dialog in the renderer is built on this class. A dialog may instead
// open as a panel beside the page (showBeside), for tools used together with the console.
import { el, uid } from './dom.js';

export class Modal {
  readonly dialog: HTMLDialogElement;
  readonly body: HTMLElement;
  readonly footer: HTMLElement;

  constructor(container: HTMLElement, title: string, className = '') {
    const headingId = uid('dialog-title');
    this.body = el('div', { className: 'dialog-body' });
    this.footer = el('div', { className: 'dialog-actions' });
    this.dialog = el('dialog', { className: `console-dialog ${className}`.trim(), 'aria-labelledby': headingId }, el('h2', { id: headingId }, title), this.body, this.footer);
    container.append(this.dialog);
    this.dialog.addEventListener('keydown', (e) => {
      // A modal dialog closes on Escape by itself; a panel opened with showBeside does not.
      if (e.key === 'Escape' && this.dialog.open && !this.dialog.matches(':modal')) {
        e.preventDefault();
        this.close();
      }
    });
    this.dialog.addEventListener('close', () => this.dialog.classList.remove('beside'));
  }

  get isOpen(): boolean {
    return this.dialog.open;
  }

  show(focus?: HTMLElement): void {
    if (!this.dialog.open) this.dialog.showModal();
    focus?.focus();
  }

  /**
   * Opens it as a panel beside the page instead: the rest stays usable (the console keeps taking
   * keys and clicks). Escape inside it still closes it.
   */
  showBeside(focus?: HTMLElement): void {
    if (!this.dialog.open) {
      this.dialog.classList.add('beside');
      this.dialog.show();
    }
    focus?.focus();
  }

  close(): void {
    if (this.dialog.open) this.dialog.close();
  }
}

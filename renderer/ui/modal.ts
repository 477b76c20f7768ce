// The one dialog pattern of the UI: a native <dialog> opened with showModal(), titled by its
// heading (aria-labelledby), with a body and a row of actions. Keyboard focus stays inside, Escape
// closes, and it shows above a fullscreen console (the top layer). No forms: the CSP has
// form-action 'none'. Every dialog in the renderer is built on this class.
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
  }

  get isOpen(): boolean {
    return this.dialog.open;
  }

  show(focus?: HTMLElement): void {
    if (!this.dialog.open) this.dialog.showModal();
    focus?.focus();
  }

  close(): void {
    if (this.dialog.open) this.dialog.close();
  }
}

// The two places the user is told things: a polite status line and an alert for failures.
import type { PortholeErrorShape } from '../../app/errors.js';

export class Notices {
  constructor(
    private readonly status: HTMLElement,
    private readonly alert: HTMLElement,
  ) {}

  setStatus(text: string): void {
    this.status.textContent = text;
  }

  /** `onConsole`: the console's own banner shows the same failure with its actions; the alert is then for screen readers only. */
  showError(error: PortholeErrorShape, onConsole = false): void {
    this.alert.replaceChildren();
    this.alert.toggleAttribute('data-on-console', onConsole);
    const message = document.createElement('strong');
    message.textContent = error.message;
    const hint = document.createElement('p');
    hint.textContent = error.hint;
    this.alert.append(message, hint);
    if (error.detail) {
      const detail = document.createElement('p');
      detail.className = 'detail';
      detail.textContent = error.detail;
      this.alert.append(detail);
    }
    this.alert.dataset.code = error.code;
    this.alert.hidden = false;
  }

  clearError(): void {
    this.alert.hidden = true;
    this.alert.replaceChildren();
    delete this.alert.dataset.code;
    this.alert.removeAttribute('data-on-console');
  }
}

// The password dialog for a console whose VNC server asks for credentials main does not have
// (main/rfb/security). What the user types goes straight back to main through the contract and
// the fields are cleared: the page keeps no password, and a saved one never comes here at all.
// After a wrong password main asks again, with the server's reason, and this dialog says why.
// Before the user types it says how the password will travel (in clear over a VeNCrypt Plain
// server without TLS), and when the session gives up waiting it says so instead of vanishing.
import { CredentialsRequest, type PortholeApi } from '../../../app/contract.js';
import type { PortholeErrorShape } from '../../../app/errors.js';
import { protectionWarning } from '../../../app/password-protection.js';
import { button, el, field, uid } from '../../ui/dom.js';
import { Modal } from '../../ui/modal.js';

export interface PasswordPromptHost {
  /** The title of the console asking, or undefined when this window has no such console. */
  consoleTitle(sessionId: string): string | undefined;
  /** Brings that console's tab to the front. */
  reveal(sessionId: string): void;
  /** The dialog closed (give the keyboard back to the console). */
  closed(): void;
}

function minutes(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 120 ? `${Math.round(s / 60)} minutes` : `${s} seconds`;
}

class PasswordDialog {
  private readonly modal: Modal;
  private readonly password: HTMLInputElement;
  private readonly username: HTMLInputElement | undefined;
  private readonly remember: HTMLInputElement | undefined;
  private readonly note: HTMLElement;
  private settled = false;
  /** The session gave up waiting; the dialog stays to say so until the user closes it. */
  expired = false;

  constructor(
    container: HTMLElement,
    private readonly api: PortholeApi,
    readonly request: CredentialsRequest,
    title: string,
    private readonly onClosed: () => void,
    /** The user name typed at this session's last prompt (a wrong password asks again): kept, not retyped. */
    private readonly typedUsername: Map<string, string>,
  ) {
    this.modal = new Modal(container, `${request.username ? 'User name and password' : 'Password'} for ${title}`, 'password-dialog');
    this.password = el('input', { type: 'password', autocomplete: 'current-password', spellcheck: 'false', maxlength: 1024 });
    if (request.username) {
      // The user name the address the user typed carried (main never sends a saved one).
      this.username = el('input', { type: 'text', autocomplete: 'username', spellcheck: 'false', maxlength: 1024 });
      this.username.value = typedUsername.get(request.sessionId) ?? request.usernameFromAddress ?? '';
    }
    if (request.canRemember) this.remember = el('input', { type: 'checkbox' });
    this.note = el('p', { className: 'dialog-note', 'aria-live': 'polite' });
    if (request.failure) {
      const said = request.failure.detail ? ` (${request.failure.detail})` : '';
      this.modal.body.append(el('p', { className: 'dialog-alert', role: 'alert' }, `${request.failure.message}${said} Try again.`));
    }
    this.modal.body.append(el('p', { className: 'hint' }, `The VNC server of ${title} asks for ${request.username ? 'a user name and password' : 'a password'}. Porthole answers it itself; the page does not keep it.`));
    // How the password will travel, before anything is typed; read with the Password field too.
    const warning = protectionWarning(request.protection);
    const warningId = uid('protection');
    if (warning) this.modal.body.append(el('p', { id: warningId, className: request.protection === 'password-in-clear' ? 'dialog-alert' : 'hint' }, warning));
    if (this.username) this.modal.body.append(field('Username', this.username));
    this.modal.body.append(field('Password', this.password, `Porthole stops waiting after ${minutes(request.timeoutMs)} without an answer; the server may give up sooner.`));
    if (warning) this.password.setAttribute('aria-describedby', `${warningId} ${this.password.getAttribute('aria-describedby') ?? ''}`.trim());
    if (this.remember) this.modal.body.append(field('Remember in the keychain', this.remember));
    this.modal.body.append(this.note);
    this.modal.footer.append(
      button('Cancel', {}, () => this.cancel()),
      button('Connect', { className: 'primary' }, () => void this.submit()),
    );
    for (const input of [this.username, this.password]) {
      input?.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          void this.submit();
        }
      });
    }
    this.modal.dialog.addEventListener('close', () => {
      // Escape, or closed from outside: an unanswered prompt is a cancel.
      if (!this.settled) this.cancel();
      this.modal.dialog.remove();
      this.onClosed();
    });
    this.modal.show(this.username && !this.username.value ? this.username : this.password);
  }

  /** The session gave up waiting for an answer (main's timeout, or the server's): say so, keep nothing. */
  expire(error: PortholeErrorShape): void {
    if (this.settled) return this.dismiss();
    this.settled = true;
    this.expired = true;
    this.clear();
    for (const input of [this.username, this.password, this.remember]) if (input) input.disabled = true;
    // The detail says who gave up: Porthole after timeoutMs, or the server (its own timeout).
    const why = error.detail ? `${error.detail}.` : error.message;
    const alert = el('p', { className: 'dialog-alert', role: 'alert' }, `Timed out: ${why} Use Reconnect on the console’s tab to try again.`);
    this.modal.body.prepend(alert);
    const close = button('Close', { className: 'primary' }, () => this.modal.close());
    this.modal.footer.replaceChildren(close);
    close.focus();
  }

  /** The session ended (timeout, server gave up, tab closed): close without answering. */
  dismiss(): void {
    this.settled = true;
    this.clear();
    this.modal.close();
  }

  private async submit(): Promise<void> {
    if (this.settled) return;
    const password = this.password.value;
    const username = this.username?.value.trim();
    if (this.username && !username) {
      this.note.textContent = 'Enter the user name.';
      this.username.focus();
      return;
    }
    if (!password) {
      this.note.textContent = 'Enter the password.';
      this.password.focus();
      return;
    }
    this.settled = true;
    this.clear();
    if (username) this.typedUsername.set(this.request.sessionId, username);
    const outcome = await this.api.call('session.answerCredentials', {
      sessionId: this.request.sessionId,
      password,
      ...(username ? { username } : {}),
      remember: this.remember?.checked ?? false,
    });
    if (!outcome.ok) this.note.textContent = outcome.error.message;
    this.modal.close();
  }

  private cancel(): void {
    if (!this.settled) {
      this.settled = true;
      void this.api.call('session.cancelCredentials', { sessionId: this.request.sessionId });
    }
    this.clear();
    this.modal.close();
  }

  private clear(): void {
    this.password.value = '';
  }

  /** Close now (a newer prompt replaces this one). */
  close(): void {
    this.modal.close();
  }
}

/** Shows a password dialog for every session.credentials event of a console in this window. */
export function bindPasswordPrompts(container: HTMLElement, api: PortholeApi, host: PasswordPromptHost): void {
  const open = new Map<string, PasswordDialog>();
  const typedUsername = new Map<string, string>();
  api.on('session.credentials', (payload) => {
    // Checked like any input: a malformed request is refused, never half shown.
    const parsed = CredentialsRequest.safeParse(payload);
    if (!parsed.success) {
      const sessionId = (payload as { sessionId?: unknown } | undefined)?.sessionId;
      if (typeof sessionId === 'string' && sessionId) void api.call('session.cancelCredentials', { sessionId });
      return;
    }
    const request = parsed.data;
    // A dialog left open only to say it timed out gives way to a new question.
    for (const dialog of [...open.values()]) if (dialog.expired) dialog.close();
    const title = host.consoleTitle(request.sessionId);
    if (title === undefined) {
      void api.call('session.cancelCredentials', { sessionId: request.sessionId });
      return;
    }
    open.get(request.sessionId)?.dismiss();
    host.reveal(request.sessionId);
    const dialog = new PasswordDialog(
      container,
      api,
      request,
      title,
      () => {
        if (open.get(request.sessionId) === dialog) open.delete(request.sessionId);
        host.closed();
      },
      typedUsername,
    );
    open.set(request.sessionId, dialog);
  });
  api.on('session.state', (event) => {
    if (event.state !== 'closed' && event.state !== 'failed') return;
    typedUsername.delete(event.sessionId);
    const dialog = open.get(event.sessionId);
    if (event.error?.code === 'vnc-auth-timeout') dialog?.expire(event.error);
    else dialog?.dismiss();
  });
}

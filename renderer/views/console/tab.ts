// One console tab: its tab button, its panel (the screen, a state banner), and the life of its
// connection — connecting, connected, reconnecting with backoff after an unexpected drop,
// disconnected with the reason. A reconnect asks main for a new session to the same target
// (session.reconnect: a fresh single-use ticket); main refuses after a rejected token, and so does
// the schedule here.
import type { OpenedSession, PortholeApi, SessionSource, SessionStateEvent } from '../../../app/contract.js';
import type { CertificateInfo } from '../../../app/diagnostics.js';
import type { PortholeErrorShape } from '../../../app/errors.js';
import { CertificatePanel } from './certificate-panel.js';
import { quoteServerText } from '../../../app/server-text.js';
import { ConsoleView } from '../console-view.js';
import { button, el, uid } from '../../ui/dom.js';
import { ReconnectSchedule, type ReconnectDecision } from './reconnect.js';
import type { ConsoleSettings, ScalingMode } from './settings.js';

export type TabState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

export interface TabHost {
  readonly api: PortholeApi;
  settings(): ConsoleSettings;
  /** State, title or capabilities changed. */
  changed(tab: ConsoleTab): void;
  remoteClipboard(tab: ConsoleTab, text: string): void;
  activate(tab: ConsoleTab): void;
  close(tab: ConsoleTab): void;
  /** Focus the Console URL field so the user can paste a fresh URL. */
  pasteNewUrl(): void;
  /** Open this tab's URL again with the certificate pinned for this session only. */
  trustForSession(tab: ConsoleTab, pinSha256: string): void;
  /** Save this tab's URL as a profile that trusts the certificate, and open that profile here. */
  saveAndTrust(tab: ConsoleTab, pinSha256: string): void;
  /** Pin the certificate in this tab's profile and open it again. */
  trustForProfile(tab: ConsoleTab, pinSha256: string): void;
  /** Open the profile editor (when the page has one). */
  editProfile?(profileId: string): void;
  /** Before opening the source afresh: a profile lacking its token asks for it; false when the user cancelled. */
  secretsReady(source: SessionSource): Promise<boolean>;
}

/** "host:port" of a display address such as wss://nova.example:6080/… (undefined for the Demo). */
export function hostPort(displayAddress: string): string | undefined {
  const m = /^[a-z+]+:\/\/(\[[^\]]+\]|[^/:?#]+):(\d+)/i.exec(displayAddress);
  return m ? `${m[1]}:${m[2]}` : undefined;
}

/** Tabs for the same target are one tab: a profile, a console URL (whatever pin), a cloud server, or the Demo. */
export function targetKey(source: SessionSource): string {
  switch (source.type) {
    case 'profile':
      return `profile:${source.profileId}`;
    case 'url':
      return `url:${source.url}`;
    case 'cloud':
      return `cloud:${source.accountId}:${source.serverId}`;
    case 'link':
      return `link:${source.requestId}`;
    case 'demo':
      return 'demo';
  }
}

const warningText: Record<string, string> = {
  'unencrypted-upstream': 'Unencrypted connection: the console traffic to this server is not protected by TLS.',
  'tls-verification-off': 'Certificate checks are OFF for this profile.',
  'secret-not-saved': 'A secret could not be saved in the keychain and is kept for this session only.',
};

export class ConsoleTab {
  readonly id = uid('console');
  /** The tab itself (role=tab); the only thing the tab list holds for this console. */
  readonly item: HTMLElement;
  readonly tab: HTMLButtonElement;
  readonly panel: HTMLElement;
  /** noVNC's target; labelled "Console" while this is the active tab. */
  readonly viewport: HTMLElement;
  private readonly tabLabel: HTMLElement;
  private readonly tabAddress: HTMLElement;
  private readonly closeGlyph: HTMLElement;
  private readonly tabState: HTMLElement;
  private readonly banner: HTMLElement;
  private readonly frame: HTMLImageElement;

  state: TabState = 'connecting';
  error: PortholeErrorShape | undefined;
  title: string;
  /** The wanted title the current title was made from (see ConsoleArea.refreshTitles). */
  titleBase: string | undefined;
  scaling: ScalingMode;
  viewOnly = false;
  power = false;
  remoteClipboardText = '';
  /** Whether this console's clipboard is copied to this computer by itself: the profile's choice, else the app's option (off by default). */
  copyClipboard: boolean;
  view: ConsoleView | undefined;
  /** Put the keyboard in the console once it connects (it was just opened or reopened on request). */
  wantsFocus = false;
  private certificate: CertificateInfo | 'loading' | 'unavailable' | undefined;

  private lastDesktopName = '';
  private readonly schedule = new ReconnectSchedule();
  private stopReason: ReconnectDecision | undefined;
  private attemptInFlight = false;
  private reconnectAt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private closed = false;

  constructor(
    private readonly host: TabHost,
    public source: SessionSource,
    public session: OpenedSession,
  ) {
    this.title = session.title;
    // A profile's display choices win over the app-wide settings for its console.
    this.scaling = session.display?.scaling ?? host.settings().scaling;
    this.viewOnly = session.display?.viewOnly ?? false;
    this.copyClipboard = session.display?.copyClipboard ?? host.settings().autoCopyClipboard;
    const panelId = `${this.id}-panel`;
    const tabId = `${this.id}-tab`;
    const stateId = `${this.id}-state`;
    this.tabLabel = el('span', { className: 'tab-title' }, this.title);
    this.tabAddress = el('span', { className: 'tab-address' });
    // The tab list holds tabs only (no buttons inside it): the close mark is for the mouse, and
    // keyboard users close with Delete on the tab, the host key + W, or the banner's Close tab.
    this.closeGlyph = el('span', { className: 'tab-close', 'aria-hidden': 'true', title: `Close ${this.title} (ends its session)` }, '×');
    this.closeGlyph.addEventListener('click', (e) => {
      e.stopPropagation();
      host.close(this);
    });
    this.tab = el('button', { type: 'button', role: 'tab', id: tabId, 'aria-controls': panelId, 'aria-selected': 'false', tabindex: '-1', 'aria-describedby': stateId, 'aria-keyshortcuts': 'Delete', className: 'tab-item' }, el('span', { className: 'tab-dot', 'aria-hidden': 'true' }), el('span', { className: 'tab-name' }, this.tabLabel, this.tabAddress), this.closeGlyph);
    this.item = this.tab;
    this.tabState = el('span', { id: stateId, hidden: true });
    this.tab.addEventListener('click', () => host.activate(this));
    this.tab.addEventListener('auxclick', (e) => {
      if (e.button === 1) host.close(this);
    });
    this.viewport = el('div', { className: 'console-viewport', role: 'application', 'aria-roledescription': 'remote console' });
    this.frame = el('img', { className: 'last-frame', alt: '', hidden: true });
    this.banner = el('div', { className: 'console-banner', hidden: true });
    this.panel = el('div', { role: 'tabpanel', id: panelId, 'aria-labelledby': tabId, className: 'console-panel', hidden: true, tabindex: '-1' }, this.frame, this.viewport, this.banner, this.tabState);
    this.showAddress();
    this.startView();
  }

  // ---- state for the rest of the UI ---------------------------------------------------------

  get displayAddress(): string {
    return this.session.displayAddress;
  }

  /** The title this tab would like (before duplicates get "(2)"). */
  get wantedTitle(): string {
    if (this.source.type === 'profile') return this.session.title;
    return this.view?.desktopName || this.lastDesktopName || this.session.title;
  }

  setTitle(title: string): void {
    if (title === this.title) return;
    this.title = title;
    this.tabLabel.textContent = title;
    this.closeGlyph.title = `Close ${title} (ends its session)`;
    this.showAddress();
  }

  /** The tab names its host:port next to the title (unless the title already is it). */
  private showAddress(): void {
    const where = hostPort(this.session.displayAddress);
    // A title that is just the host name becomes host:port on one line ("127.0.0.1" → "127.0.0.1:5901").
    const bare = where !== undefined && where.startsWith(`${this.title}:`);
    this.tabLabel.textContent = bare ? where : this.title;
    this.tabAddress.textContent = where && !bare && !this.title.includes(where) ? where : '';
  }

  setActive(active: boolean): void {
    this.tab.setAttribute('aria-selected', String(active));
    this.tab.tabIndex = active ? 0 : -1;
    this.panel.hidden = !active;
    if (active) this.viewport.setAttribute('aria-label', 'Console');
    else this.viewport.removeAttribute('aria-label');
    this.item.classList.toggle('active', active);
  }

  /** Seconds until the next automatic try (while reconnecting and waiting). */
  get secondsToReconnect(): number | undefined {
    if (this.state !== 'reconnecting' || this.busy) return undefined;
    return Math.max(0, Math.ceil((this.reconnectAt - Date.now()) / 1000));
  }

  /** One line saying where the console is at, for the tab, the banner and the status line. */
  stateText(): string {
    switch (this.state) {
      case 'connecting':
        return `Connecting to ${this.session.displayAddress}…`;
      case 'connected':
        // The desktop name is the server's words: quoted.
        return `Connected to ${this.view?.desktopName ? quoteServerText(this.view.desktopName) : this.title} (${this.session.displayAddress}).`;
      case 'reconnecting': {
        const lost = this.error ? `Connection lost (${this.error.message.replace(/\.$/, '')}). ` : 'Connection lost. ';
        const tries = `try ${this.schedule.attempt} of ${this.schedule.max}`;
        const wait = this.secondsToReconnect;
        return wait === undefined ? `${lost}Reconnecting (${tries})…` : `${lost}Reconnecting in ${wait} s (${tries}).`;
      }
      case 'disconnected':
        if (this.stopReason?.retry === false && this.stopReason.why === 'gave-up') return `Disconnected: gave up after ${this.schedule.max} tries. ${this.error?.message ?? ''}`.trim();
        return this.error ? `Disconnected: ${this.error.message}` : 'Disconnected.';
    }
  }

  warningsText(): string {
    return [...this.session.warnings.map((w) => warningText[w] ?? w), ...(this.session.notices ?? []).map((n) => `Note: ${n}.`)].join(' ');
  }

  get tokenRejected(): boolean {
    return this.state === 'disconnected' && this.error?.code === 'token-rejected-or-expired';
  }

  // ---- actions ------------------------------------------------------------------------------

  onSessionState(event: SessionStateEvent): void {
    this.view?.onSessionState(event);
  }

  /** Disconnect on purpose: stops any reconnecting; the tab stays, with a Reconnect button. */
  disconnect(): void {
    this.clearTimers();
    if (this.view) {
      this.view.disconnect();
    } else if (this.state === 'reconnecting') {
      this.stopReason = { retry: false, why: 'user' };
      this.error = undefined;
      this.setState('disconnected');
    }
  }

  /** Reconnect now (the banner's button): a fresh count of tries. */
  reconnectNow(): void {
    if (this.busy || this.closed) return;
    this.schedule.reset();
    this.wantsFocus = true;
    void this.attemptReconnect(true);
  }

  /** A failed or closed tab opened again for the same target: a new session in this tab. */
  reuse(source: SessionSource, session: OpenedSession): void {
    if (this.closed) return;
    this.clearTimers();
    this.view?.disconnect();
    this.view = undefined;
    this.source = source;
    this.session = session;
    this.schedule.reset();
    this.error = undefined;
    this.stopReason = undefined;
    this.certificate = undefined;
    this.titleBase = undefined;
    this.showAddress();
    this.startView();
  }

  /** Closing the tab: end the session in main and forget everything. */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearTimers();
    const sessionId = this.session.sessionId;
    this.view?.disconnect();
    this.view = undefined;
    void this.host.api.call('session.close', { sessionId });
    this.item.remove();
    this.panel.remove();
  }

  applyScaling(mode: ScalingMode): void {
    this.scaling = mode;
    this.view?.setScaling(mode);
    this.host.changed(this);
  }

  applyViewOnly(on: boolean): void {
    this.viewOnly = on;
    this.view?.setViewOnly(on);
    this.host.changed(this);
  }

  // ---- connection life ----------------------------------------------------------------------

  private startView(): void {
    const settings = this.host.settings();
    const view: ConsoleView = new ConsoleView(this.session, this.viewport, {
      connected: () => {
        if (this.view !== view) return;
        this.schedule.connected(Date.now());
        this.error = undefined;
        this.stopReason = undefined;
        this.frame.hidden = true;
        this.frame.removeAttribute('src');
        this.setState('connected');
      },
      desktopName: (name) => {
        this.lastDesktopName = name;
        this.host.changed(this);
      },
      ended: (error, userInitiated) => {
        if (this.view !== view) return;
        this.onEnded(view, error, userInitiated);
      },
      clipboard: (text) => {
        this.remoteClipboardText = text;
        this.host.remoteClipboard(this, text);
      },
      capabilities: ({ power }) => {
        this.power = power;
        this.host.changed(this);
      },
    }, {
      scaling: this.scaling,
      viewOnly: this.viewOnly,
      qualityLevel: this.session.display?.quality ?? settings.qualityLevel,
      compressionLevel: this.session.display?.compression ?? settings.compressionLevel,
      shared: this.session.display?.shared ?? true,
    });
    this.view = view;
    this.panel.dataset.sessionId = this.session.sessionId;
    if (this.state !== 'reconnecting') this.setState('connecting');
    else this.render();
  }

  private onEnded(view: ConsoleView, error: PortholeErrorShape | undefined, userInitiated: boolean): void {
    this.view = undefined;
    this.power = false;
    if (this.closed) return;
    const frame = view.lastFrame();
    if (frame) {
      this.frame.src = frame;
      this.frame.hidden = false;
    }
    const decision = this.schedule.ended(Date.now(), error?.code, userInitiated);
    this.error = error;
    if (decision.retry) {
      this.stopReason = undefined;
      this.waitThenReconnect(decision.delayMs);
      this.setState('reconnecting');
    } else {
      this.stopReason = decision;
      this.setState('disconnected');
    }
  }

  private waitThenReconnect(delayMs: number): void {
    this.clearTimers();
    this.reconnectAt = Date.now() + delayMs;
    this.timer = setTimeout(() => void this.attemptReconnect(false), delayMs);
    // The countdown in the banner and the tab, once a second.
    this.ticker = setInterval(() => this.render(), 1000);
  }

  private async attemptReconnect(manual: boolean): Promise<void> {
    this.clearTimers();
    const failedWith = this.error;
    this.attemptInFlight = true;
    if (this.state !== 'reconnecting') {
      this.error = undefined;
      this.setState(manual ? 'connecting' : 'reconnecting');
    } else {
      this.render();
    }
    let outcome = await this.host.api.call('session.reconnect', { sessionId: this.session.sessionId });
    // main forgets ended sessions after a while (and never keeps ones whose token was refused):
    // a manual reconnect then opens the source afresh (a profile gets fresh secrets, asked for
    // here when it has none, as when it is opened from the list).
    if (!outcome.ok && manual && outcome.error.code === 'session-not-found') {
      if (!(await this.host.secretsReady(this.source))) return this.stayDisconnected(failedWith);
      outcome = await this.host.api.call('session.open', { source: this.source });
    }
    this.attemptInFlight = false;
    if (this.closed) {
      if (outcome.ok) void this.host.api.call('session.close', { sessionId: outcome.value.sessionId });
      return;
    }
    if (!outcome.ok) {
      const decision = this.schedule.ended(Date.now(), outcome.error.code, false);
      this.error = outcome.error;
      if (decision.retry) {
        this.waitThenReconnect(decision.delayMs);
        this.setState('reconnecting');
      } else {
        this.stopReason = decision;
        this.setState('disconnected');
      }
      return;
    }
    this.session = outcome.value;
    this.startView();
  }

  /** The user cancelled the secret prompt of Connect again: the tab stays as it was, with its reason and actions. */
  private stayDisconnected(error: PortholeErrorShape | undefined): void {
    this.attemptInFlight = false;
    if (this.closed) return;
    this.error = error;
    this.stopReason = { retry: false, why: 'user' };
    this.setState('disconnected');
  }

  private clearTimers(): void {
    clearTimeout(this.timer);
    clearInterval(this.ticker);
    this.timer = undefined;
    this.ticker = undefined;
  }

  private setState(state: TabState): void {
    this.state = state;
    this.render();
    this.host.changed(this);
  }

  /** Redraws the tab's state marker and the banner over the screen. */
  render(): void {
    const text = this.stateText();
    this.tab.dataset.state = this.state;
    this.panel.dataset.state = this.state;
    this.tabState.textContent = text;
    this.item.title = text;
    if (this.state === 'connected') {
      this.banner.hidden = true;
      this.banner.replaceChildren();
      return;
    }
    const hintText = this.state === 'disconnected' && this.error ? this.error.hint : '';
    const textEl = this.banner.querySelector('.banner-text');
    // Same state, only the countdown moved: change the text, keep the buttons (and focus on them).
    if (textEl && this.banner.dataset.kind === this.bannerKind()) {
      textEl.textContent = text;
      return;
    }
    this.banner.dataset.kind = this.bannerKind();
    const actions: HTMLButtonElement[] = [];
    if (this.state === 'reconnecting') {
      if (!this.busy) actions.push(button('Reconnect now', {}, () => void this.attemptReconnect(false)));
      actions.push(button('Stop reconnecting', {}, () => this.disconnect()));
    } else if (this.state === 'disconnected') {
      actions.push(...this.helpfulActions());
      actions.push(button('Close tab', {}, () => this.host.close(this)));
    }
    this.banner.replaceChildren(el('p', { className: 'banner-text' }, text));
    const certificate = this.certificatePart();
    if (certificate) this.banner.append(certificate);
    else if (hintText) this.banner.append(el('p', { className: 'banner-hint' }, hintText));
    if (this.state === 'disconnected' && this.error?.detail) this.banner.append(el('p', { className: 'banner-detail' }, this.error.detail));
    if (actions.length) this.banner.append(el('div', { className: 'banner-actions' }, ...actions));
    this.banner.hidden = false;
  }

  private bannerKind(): string {
    const cert = typeof this.certificate === 'object' ? this.certificate.spkiSha256 : (this.certificate ?? '');
    return `${this.state}:${this.busy}:${this.error?.code ?? ''}:${cert}`;
  }

  /** The one action that can help after a failure (besides closing the tab). */
  private helpfulActions(): HTMLButtonElement[] {
    const code = this.error?.code;
    const source = this.source;
    const primary = { className: 'primary' };
    if (code === 'tls-untrusted') {
      // The certificate panel carries the trust buttons once the certificate is known.
      if (typeof this.certificate === 'object') return [];
      return [button('Reconnect', {}, () => this.reconnectNow())];
    }
    if (this.tokenRejected && source.type === 'url') return [button('Paste a new console URL', primary, () => this.host.pasteNewUrl())];
    const editable = source.type === 'profile' && this.host.editProfile;
    if (editable && (this.tokenRejected || code === 'vnc-auth-failed' || code === 'tls-pin-mismatch' || code === 'tls-hostname-mismatch')) {
      return [button('Edit profile', primary, () => this.host.editProfile?.(source.profileId)), button('Connect again', {}, () => this.reconnectNow())];
    }
    if (this.tokenRejected) return [button('Connect again', primary, () => this.reconnectNow())];
    return [button('Reconnect', primary, () => this.reconnectNow())];
  }

  /** For an untrusted certificate: fetch it once and show it with the ways to trust it. */
  private certificatePart(): HTMLElement | undefined {
    // Only a URL or a profile can be trusted from here (a cloud's console URL is minted afresh each time).
    if (this.state !== 'disconnected' || this.error?.code !== 'tls-untrusted' || (this.source.type !== 'url' && this.source.type !== 'profile')) return undefined;
    if (this.certificate === undefined) {
      this.certificate = 'loading';
      const asked = this.source.type === 'url' ? { type: 'url' as const, url: this.source.url } : this.source;
      void this.host.api.call('diagnostics.certificate', { source: asked }).then((r) => {
        if (this.closed || this.error?.code !== 'tls-untrusted') return;
        this.certificate = r.ok ? r.value : 'unavailable';
        this.render();
      });
    }
    if (this.certificate === 'loading') return el('p', { className: 'banner-hint' }, 'Fetching the server’s certificate…');
    if (this.certificate === 'unavailable') return el('p', { className: 'banner-hint' }, this.error.hint);
    const cert = this.certificate;
    const panel = new CertificatePanel(cert);
    if (this.source.type === 'url') {
      panel.addAction(button('Trust for this console', { className: 'primary' }, () => this.host.trustForSession(this, cert.spkiSha256)));
      panel.addAction(button('Save as profile and trust', {}, () => this.host.saveAndTrust(this, cert.spkiSha256)));
    } else if (this.source.type === 'profile') {
      panel.addAction(button('Trust for this profile', { className: 'primary' }, () => this.host.trustForProfile(this, cert.spkiSha256)));
    }
    return panel.element;
  }

  /** A try is under way (asking main, or the new connection is handshaking). */
  private get busy(): boolean {
    return this.attemptInFlight || this.view !== undefined;
  }
}

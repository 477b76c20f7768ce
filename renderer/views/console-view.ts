// One connection of one console: noVNC drawing into the tab's console element, connected to the
// loopback proxy with the session's single-use URL. A reconnect is a new ConsoleView (new session,
// new ticket) in the same element. Failures reported by main (session.state) win over noVNC's own
// guess, because main knows why the upstream went away.
import RFB from '@novnc/novnc';
import type { OpenedSession, SessionStateEvent } from '../../app/contract.js';
import { makeError, type PortholeErrorShape } from '../../app/errors.js';
import { cleanServerText, quoteServerText } from '../../app/server-text.js';
import type { KeyStroke } from './console/keysyms.js';
import type { ScalingMode } from './console/settings.js';

export interface ConsoleCallbacks {
  connected(desktopName: string): void;
  /** The connection is over. `userInitiated`: Porthole closed it (Disconnect, closing the tab). */
  ended(error: PortholeErrorShape | undefined, userInitiated: boolean): void;
  desktopName?(name: string): void;
  /** Text the remote machine put on its clipboard. */
  clipboard?(text: string): void;
  capabilities?(caps: { power: boolean }): void;
}

export interface ConsoleViewOptions {
  scaling: ScalingMode;
  viewOnly: boolean;
  qualityLevel: number;
  compressionLevel: number;
  /** Share the desktop with other viewers (false asks the server to disconnect them). */
  shared: boolean;
}

/** How long to wait for main's session.state after noVNC reports a close, when it has not come yet. */
const MAIN_STATE_GRACE_MS = 400;
/** Behind the canvas once connected: the page's console colour (renderer/style.css), never see-through. */
const CONNECTED_BACKGROUND = 'var(--screen)';

export class ConsoleView {
  readonly rfb: RFB;
  private mainError: PortholeErrorShape | undefined;
  private ended = false;
  private userInitiated = false;
  private isConnected = false;
  private wasConnected = false;
  private name = '';

  constructor(
    readonly session: OpenedSession,
    private readonly target: HTMLElement,
    private readonly callbacks: ConsoleCallbacks,
    options: ConsoleViewOptions,
  ) {
    this.rfb = new RFB(target, session.wsUrl, { wsProtocols: ['binary'], shared: options.shared });
    // See-through while connecting, so the dimmed last frame behind shows; opaque once connected.
    this.rfb.background = 'transparent';
    // The console is a stop in the Tab order (noVNC makes its canvas focusable by script only).
    target.querySelector('canvas')?.setAttribute('tabindex', '0');
    this.setScaling(options.scaling);
    this.rfb.viewOnly = options.viewOnly;
    this.rfb.qualityLevel = options.qualityLevel;
    this.rfb.compressionLevel = options.compressionLevel;
    this.rfb.addEventListener('desktopname', (e) => {
      // The desktop name is the server's text: no control characters, at most ~200 characters.
      this.name = cleanServerText((e as CustomEvent<{ name: string }>).detail.name);
      callbacks.desktopName?.(this.name);
    });
    this.rfb.addEventListener('connect', () => {
      // The screen's own colour, opaque: under a see-through console the compositor would draw and
      // blend everything beneath the canvas on every update (npm run bench, canvas updates/s).
      this.rfb.background = CONNECTED_BACKGROUND;
      this.isConnected = true;
      this.wasConnected = true;
      target.dataset.state = 'connected';
      callbacks.connected(this.name);
    });
    this.rfb.addEventListener('clipboard', (e) => callbacks.clipboard?.((e as CustomEvent<{ text: string }>).detail.text));
    this.rfb.addEventListener('capabilities', () => callbacks.capabilities?.({ power: this.rfb.capabilities.power }));
    this.rfb.addEventListener('disconnect', (e) => {
      this.isConnected = false;
      const clean = (e as CustomEvent<{ clean: boolean }>).detail.clean;
      const decide = (): void => this.finish(this.mainError ?? (clean || this.userInitiated ? undefined : makeError('remote-closed')));
      // main's session.state usually arrives first; give it a moment if it has not.
      if (this.mainError || this.userInitiated) decide();
      else setTimeout(decide, MAIN_STATE_GRACE_MS);
    });
    this.rfb.addEventListener('securityfailure', (e) => {
      const reason = (e as CustomEvent<{ reason?: string }>).detail.reason;
      this.mainError ??= makeError('remote-closed', reason ? `authentication failed: the server said ${quoteServerText(reason)}` : 'authentication failed');
    });
    target.dataset.state = 'connecting';
  }

  get connected(): boolean {
    return this.isConnected;
  }

  get desktopName(): string {
    return this.name;
  }

  onSessionState(event: SessionStateEvent): void {
    if (event.sessionId !== this.session.sessionId) return;
    if (event.error) this.mainError = event.error;
  }

  /** Ends the connection on purpose (no automatic reconnect follows). */
  disconnect(): void {
    this.userInitiated = true;
    if (this.ended) return;
    try {
      this.rfb.disconnect();
    } catch {
      this.finish(undefined);
    }
  }

  setScaling(mode: ScalingMode): void {
    this.rfb.scaleViewport = mode === 'fit';
    this.rfb.resizeSession = mode === 'remote';
    this.rfb.clipViewport = false;
  }

  setViewOnly(on: boolean): void {
    this.rfb.viewOnly = on;
  }

  setQuality(quality: number, compression: number): void {
    this.rfb.qualityLevel = quality;
    this.rfb.compressionLevel = compression;
  }

  sendStrokes(strokes: readonly KeyStroke[]): void {
    for (const s of strokes) this.rfb.sendKey(s.keysym, s.code, s.down);
  }

  /** The noVNC canvas has the keyboard. */
  hasFocus(): boolean {
    const active = document.activeElement;
    return active instanceof HTMLCanvasElement && this.target.contains(active);
  }

  /** The last frame as a data: URL (for the dimmed picture behind "reconnecting"), if there is one. */
  lastFrame(): string | undefined {
    if (!this.wasConnected) return undefined;
    try {
      // noVNC has already taken its canvas out of the page by the time it reports the disconnect;
      // the canvas itself still holds the picture.
      const url = this.rfb.toDataURL('image/png');
      if (url.length > 'data:,'.length) return url;
    } catch {
      // No frame yet.
    }
    return undefined;
  }

  private finish(error: PortholeErrorShape | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.target.dataset.state = error ? 'failed' : 'closed';
    this.callbacks.ended(error, this.userInitiated);
  }
}

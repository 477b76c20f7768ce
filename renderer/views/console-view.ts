// One console: noVNC drawing into the element labelled "Console", connected to the loopback
// proxy with the session's single-use URL. Failures reported by main (session.state) win over
// noVNC's own guess, because main knows why the upstream went away.
import RFB from '@novnc/novnc';
import type { OpenedSession, SessionStateEvent } from '../../app/contract.js';
import { makeError, type PortholeErrorShape } from '../../app/errors.js';

export interface ConsoleCallbacks {
  connected(desktopName: string): void;
  ended(error: PortholeErrorShape | undefined): void;
}

export class ConsoleView {
  private readonly rfb: RFB;
  private mainError: PortholeErrorShape | undefined;
  private ended = false;
  private desktopName = '';

  constructor(
    readonly session: OpenedSession,
    private readonly screen: HTMLElement,
    private readonly callbacks: ConsoleCallbacks,
  ) {
    this.rfb = new RFB(screen, session.wsUrl, { wsProtocols: ['binary'], shared: true });
    this.rfb.scaleViewport = true;
    this.rfb.background = 'transparent';
    this.rfb.addEventListener('desktopname', (e) => {
      this.desktopName = (e as CustomEvent<{ name: string }>).detail.name;
    });
    this.rfb.addEventListener('connect', () => {
      screen.dataset.state = 'connected';
      callbacks.connected(this.desktopName);
    });
    this.rfb.addEventListener('disconnect', (e) => {
      const clean = (e as CustomEvent<{ clean: boolean }>).detail.clean;
      // main's session.state usually arrives first; give it a moment if it has not.
      setTimeout(() => this.finish(this.mainError ?? (clean ? undefined : makeError('remote-closed'))), this.mainError ? 0 : 250);
    });
    this.rfb.addEventListener('securityfailure', (e) => {
      const reason = (e as CustomEvent<{ reason?: string }>).detail.reason;
      this.mainError ??= makeError('remote-closed', reason ? `authentication failed: ${reason}` : 'authentication failed');
    });
    screen.dataset.state = 'connecting';
  }

  onSessionState(event: SessionStateEvent): void {
    if (event.sessionId !== this.session.sessionId) return;
    if (event.error) this.mainError = event.error;
  }

  disconnect(): void {
    this.rfb.disconnect();
  }

  private finish(error: PortholeErrorShape | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.screen.dataset.state = error ? 'failed' : 'closed';
    this.callbacks.ended(error);
  }
}

// The contract over a WebSocket, for browser mode: requests {id, call, args} in, results and
// events out. Each socket is one caller; its sessions close when it goes away.
import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';
import { WireRequest, type WireMessage } from '../../app/contract.js';
import { makeError } from '../../app/errors.js';
import type { PortholeCore } from '../core-types.js';

export function serveApiSocket(ws: WebSocket, core: PortholeCore): void {
  const caller = { id: `browser-${randomUUID()}` };
  const send = (message: WireMessage): void => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
  };
  const unsubscribe = core.subscribe(caller, (event, payload) => send({ kind: 'event', event, payload }));

  ws.on('message', (data, isBinary) => {
    let parsed: ReturnType<typeof WireRequest.safeParse>;
    try {
      parsed = WireRequest.safeParse(isBinary ? undefined : JSON.parse(data.toString()));
    } catch {
      parsed = WireRequest.safeParse(undefined);
    }
    if (!parsed.success) {
      ws.close(1008, 'bad-request');
      return;
    }
    const { id, call, args } = parsed.data;
    core.handle(call, args, caller).then(
      (outcome) => send({ kind: 'result', id, outcome }),
      () => send({ kind: 'result', id, outcome: { ok: false, error: makeError('internal') } }),
    );
  });
  ws.on('close', () => {
    unsubscribe();
    core.releaseCaller(caller);
  });
  ws.on('error', () => ws.terminate());
}

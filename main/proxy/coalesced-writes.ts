// Writes towards a console server, gathered per event-loop turn: noVNC answers each of the server's
// fences (TigerVNC sends two per screen update) and asks for the next update in messages of ten
// bytes that reach the proxy together; corking until the turn ends sends them in one writev (and,
// over VeNCrypt, one TLS record) instead of a syscall each. Nothing waits longer than the turn.
import type { Writable } from 'node:stream';

export function coalescedWriter(stream: Writable): (chunk: Buffer) => boolean {
  let corked = false;
  // Runs on its own tick, outside the session's guarded callbacks: a throw ends this stream (its
  // owner hears 'close'), never the process.
  const uncork = (): void => {
    corked = false;
    try {
      stream.uncork();
    } catch (err) {
      stream.destroy(err instanceof Error ? err : new Error(String(err)));
    }
  };
  return (chunk) => {
    if (!corked) {
      corked = true;
      stream.cork();
      process.nextTick(uncork);
    }
    return stream.write(chunk);
  };
}

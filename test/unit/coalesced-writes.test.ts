import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { coalescedWriter } from '../../main/proxy/coalesced-writes.js';

/** A stream that records each batch it is asked to write (one entry per syscall a socket would make). */
function recordingStream(highWaterMark = 1024): { stream: Writable; batches: string[][] } {
  const batches: string[][] = [];
  const stream = new Writable({
    highWaterMark,
    write(chunk: Buffer, _enc, cb) {
      batches.push([chunk.toString()]);
      cb();
    },
    writev(chunks, cb) {
      batches.push(chunks.map((c) => (c.chunk as Buffer).toString()));
      cb();
    },
  });
  return { stream, batches };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('coalescedWriter', () => {
  it('sends what is written in one event-loop turn as one batch, in order, and the next turn as another', async () => {
    const { stream, batches } = recordingStream();
    const write = coalescedWriter(stream);
    write(Buffer.from('fence-1'));
    write(Buffer.from('fence-2'));
    write(Buffer.from('update-request'));
    expect(batches).toEqual([]); // nothing leaves before the turn ends
    await turn();
    expect(batches).toEqual([['fence-1', 'fence-2', 'update-request']]);
    write(Buffer.from('key'));
    await turn();
    expect(batches).toEqual([['fence-1', 'fence-2', 'update-request'], ['key']]);
  });

  it('still reports backpressure, so the relay pauses the renderer', async () => {
    const { stream } = recordingStream(16);
    const write = coalescedWriter(stream);
    expect(write(Buffer.alloc(8))).toBe(true);
    expect(write(Buffer.alloc(16))).toBe(false);
    await turn();
    expect(stream.writableLength).toBe(0);
  });

  it('a throw while the batch is written ends that stream with the error, not the process', async () => {
    const stream = new Writable({
      write(_chunk, _enc, cb) {
        cb();
      },
      writev() {
        throw new Error('broken socket');
      },
    });
    const errors: string[] = [];
    stream.on('error', (err) => errors.push(err.message));
    const write = coalescedWriter(stream);
    write(Buffer.from('a'));
    write(Buffer.from('b'));
    await turn();
    expect(stream.destroyed).toBe(true);
    expect(errors).toEqual(['broken socket']);
  });
});

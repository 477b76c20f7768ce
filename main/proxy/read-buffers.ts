// Where upstream TCP/TLS reads land, so that bulk transfers allocate nothing per read.
//
// Node's default gives every socket read a fresh 64 KiB buffer that only the GC frees. Instead:
// - small reads (an idle or interactive console) land in one scratch buffer shared by every
//   connection and are copied out: a read and its callback run back to back, so sharing is safe,
//   and an idle session holds no read memory of its own;
// - after a read fills the scratch buffer, the connection streams into 1 MiB slabs; reads that
//   arrive in the same event-loop turn are contiguous in the slab and leave as ONE chunk (TLS
//   delivers at most 16 KiB per read), handed over as a view, not a copy;
// - a slab is reused only when every chunk cut from it has been released (written to the
//   renderer's socket), so a view never sees its bytes overwritten.

const SCRATCH_BYTES = 16 * 1024;
/** A read shorter than a full TLS record means the stream has paused. */
const SHORT_READ_BYTES = 16 * 1024;
const SLAB_BYTES = 1024 * 1024;
/** Below this much free space a slab is retired and the next read takes a fresh one. */
const MIN_READ_BYTES = 64 * 1024;
/** Largest single read, and the size at which a gathered chunk is handed over: a chunk is at most 2× this. */
const MAX_READ_BYTES = 256 * 1024;
export const MAX_CHUNK_BYTES = 2 * MAX_READ_BYTES;
/** Free slabs kept for reuse across all connections (16 MiB). */
const MAX_FREE_SLABS = 16;

const scratch = Buffer.allocUnsafe(SCRATCH_BYTES);

interface Slab {
  buf: Buffer;
  fill: number;
  refs: number;
  retired: boolean;
}

const freeSlabs: Slab[] = [];

function takeSlab(): Slab {
  const slab = freeSlabs.pop();
  if (slab) {
    slab.fill = 0;
    slab.retired = false;
    return slab;
  }
  return { buf: Buffer.allocUnsafe(SLAB_BYTES), fill: 0, refs: 0, retired: false };
}

function recycle(slab: Slab): void {
  if (slab.retired && slab.refs === 0 && freeSlabs.length < MAX_FREE_SLABS) freeSlabs.push(slab);
}

export class ReadBuffers {
  private slab: Slab | undefined;
  /** The chunk being gathered in this event-loop turn: slab[start, end). */
  private pendingStart = -1;
  private flushScheduled = false;
  /** Slabs of chunks handed out and not yet released, oldest first (undefined for copied chunks). */
  private readonly inFlight: Array<Slab | undefined> = [];

  constructor(private readonly deliver: (chunk: Buffer) => void) {}

  /** For `onread.buffer`: where the next read lands. */
  readonly nextBuffer = (): Buffer => {
    const slab = this.slab;
    if (!slab) return scratch;
    // Keep frames (and so the overshoot past the backpressure mark) bounded.
    if (this.pendingStart >= 0 && slab.fill - this.pendingStart >= MAX_READ_BYTES) this.flush();
    if (SLAB_BYTES - slab.fill >= MIN_READ_BYTES) return slab.buf.subarray(slab.fill, Math.min(SLAB_BYTES, slab.fill + MAX_READ_BYTES));
    // Still streaming, but this slab is nearly full: hand over what it holds and start another.
    this.flush();
    this.retire();
    this.slab = takeSlab();
    return this.slab.buf.subarray(0, MAX_READ_BYTES);
  };

  /** For `onread.callback`: `n` bytes landed in `buf` (the buffer nextBuffer returned). */
  readonly onRead = (n: number, buf: Uint8Array): boolean => {
    if (buf === scratch) {
      // A full scratch read means a stream is flowing: switch to slabs for the next read.
      if (n === SCRATCH_BYTES) this.slab = takeSlab();
      this.inFlight.push(undefined);
      this.deliver(Buffer.from(scratch.subarray(0, n)));
      return true;
    }
    const slab = this.slab!;
    if (this.pendingStart < 0) this.pendingStart = slab.fill;
    slab.fill += n;
    // A short read means the stream paused: hand the chunk over now and go back to the scratch buffer.
    if (n < SHORT_READ_BYTES) {
      this.flush();
      this.retire();
      return true;
    }
    // Still flowing: gather what else arrives this turn into the same chunk (no extra loop turn otherwise).
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushSoon);
    }
    return true; // keep reading; backpressure pauses the socket explicitly
  };

  /** Bytes that arrived in a buffer of their own (a stream's 'data'): copied in as reads would land. */
  copyIn(chunk: Buffer): void {
    for (let at = 0; at < chunk.length; ) {
      const buf = this.nextBuffer();
      const n = Math.min(buf.length, chunk.length - at);
      chunk.copy(buf, 0, at, at + n);
      this.onRead(n, buf);
      at += n;
    }
  }

  /** The oldest handed-out chunk has been written; its memory may be reused. */
  release(): void {
    const slab = this.inFlight.shift();
    if (slab) {
      slab.refs--;
      recycle(slab);
    }
  }

  /** Hands over whatever was gathered; call before reporting the end of the stream. */
  flush(): void {
    const slab = this.slab;
    if (!slab || this.pendingStart < 0) return;
    const chunk = slab.buf.subarray(this.pendingStart, slab.fill);
    this.pendingStart = -1;
    slab.refs++;
    this.inFlight.push(slab);
    this.deliver(chunk);
  }

  private readonly flushSoon = (): void => {
    this.flushScheduled = false;
    this.flush();
  };

  private retire(): void {
    const slab = this.slab;
    if (!slab) return;
    this.slab = undefined;
    slab.retired = true;
    recycle(slab);
  }
}

// A growable FIFO of bytes for parsing a TCP stream message by message: chunks are appended as
// they arrive, parsers peek at fixed offsets and consume whole messages once enough is buffered.
// One backing buffer is reused (compacted, or doubled when full) so steady traffic allocates nothing.

export class ByteQueue {
  private buf: Buffer;
  private start = 0;
  private end = 0;

  constructor(initialCapacity = 4096) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialCapacity));
  }

  /** Number of buffered, unconsumed bytes. */
  get length(): number {
    return this.end - this.start;
  }

  push(chunk: Uint8Array): void {
    const n = chunk.length;
    if (n === 0) return;
    if (this.end + n > this.buf.length) {
      const used = this.length;
      if (used + n <= this.buf.length && this.start > 0) {
        this.buf.copy(this.buf, 0, this.start, this.end);
      } else {
        let cap = this.buf.length * 2;
        while (cap < used + n) cap *= 2;
        const next = Buffer.allocUnsafe(cap);
        this.buf.copy(next, 0, this.start, this.end);
        this.buf = next;
      }
      this.start = 0;
      this.end = used;
    }
    this.buf.set(chunk, this.end);
    this.end += n;
  }

  /** Byte at `offset` from the front; the caller must have checked `length`. */
  u8(offset: number): number {
    return this.buf[this.start + offset] ?? 0;
  }

  u16(offset: number): number {
    return this.buf.readUInt16BE(this.start + offset);
  }

  u32(offset: number): number {
    return this.buf.readUInt32BE(this.start + offset);
  }

  s32(offset: number): number {
    return this.buf.readInt32BE(this.start + offset);
  }

  /**
   * A view of the first `n` bytes. It is only valid until the next `push` or `clear`: copy it
   * if it must live longer.
   */
  view(n: number): Buffer {
    return this.buf.subarray(this.start, this.start + n);
  }

  /** Drops up to `n` bytes from the front and returns how many were dropped. */
  skip(n: number): number {
    const k = Math.min(n, this.length);
    this.start += k;
    if (this.start === this.end) {
      this.start = 0;
      this.end = 0;
    }
    return k;
  }

  clear(): void {
    this.start = 0;
    this.end = 0;
  }
}

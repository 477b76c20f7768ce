// Node's `onread` (reads landing in buffers the caller provides, see read-buffers.ts) for a TLS
// socket started over an already-connected socket, as VeNCrypt does mid-stream. Node accepts
// `onread` only when tls.connect makes its own socket (_tls_wrap.js passes
// `onread: !socket ? options.onread : null`), so such a socket would get a fresh buffer per 16 KiB
// TLS record, plus a copy into our slabs: in the bench that cost VeNCrypt sessions about twice the
// CPU per byte of a TLS upstream.
//
// This does, after the fact, what net.Socket does for `onread`: it fills the same three slots
// (found by their symbol descriptions) and hands the first buffer to the handle. They are Node
// internals: if any is missing (another Node or Electron), it changes nothing and returns false,
// and the caller keeps reading 'data' events; only speed is lost. A unit test fails when this
// Node no longer takes the fast path, so that loss does not go unnoticed.
import type net from 'node:net';
import type { ReadBuffers } from './read-buffers.js';

interface UserBufferHandle {
  useUserBuffer(buffer: Uint8Array): void;
}

function ownSymbol(socket: net.Socket, description: string): symbol | undefined {
  return Object.getOwnPropertySymbols(socket).find((s) => s.description === description);
}

/**
 * From now on the socket's reads land in `reads` (its onRead gets them), as if it had been created
 * with `onread`. Call with no data listener attached and nothing left in the socket's own buffer.
 * Returns false (having changed nothing) where this runtime does not allow it.
 */
export function readIntoBuffers(socket: net.Socket, reads: ReadBuffers): boolean {
  const kBuffer = ownSymbol(socket, 'kBuffer');
  const kBufferCb = ownSymbol(socket, 'kBufferCb');
  const kBufferGen = ownSymbol(socket, 'kBufferGen');
  const handle = (socket as unknown as { _handle?: Partial<UserBufferHandle> | null })._handle;
  if (!kBuffer || !kBufferCb || !kBufferGen || typeof handle?.useUserBuffer !== 'function') return false;
  if (socket.readableLength > 0) return false;
  const slots = socket as unknown as Record<symbol, unknown>;
  const first = reads.nextBuffer();
  slots[kBufferGen] = reads.nextBuffer;
  slots[kBufferCb] = reads.onRead;
  slots[kBuffer] = first;
  handle.useUserBuffer(first);
  return true;
}

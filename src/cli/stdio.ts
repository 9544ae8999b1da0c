// Moving bytes between a Conn and the process's stdin/stdout, netcat style: stdin goes to the
// conn and its EOF half-closes the conn (closeWrite); the conn goes to stdout until the peer's
// EOF. The exchange ends when the peer's side has ended (pending stdin is then dropped).

import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type { Conn } from '../net/index.js';
import { hasChunkReader } from '../net/conn.js';

/** Writes `chunk` to `out`, waiting for 'drain' when its buffer is full. */
export async function writeOut(out: Writable, chunk: Uint8Array | string): Promise<void> {
  if (out.destroyed) throw Object.assign(new Error('write to a closed output'), { code: 'EPIPE' });
  if (!out.write(chunk)) await once(out, 'drain');
}

/** The next chunk from `c` (a fresh buffer the caller owns), or null at EOF. */
export async function readSome(c: Conn): Promise<Uint8Array | null> {
  if (hasChunkReader(c)) return c.readChunk();
  const b = new Uint8Array(64 * 1024);
  const n = await c.read(b);
  return n === null ? null : b.subarray(0, n);
}

/** Where pipeConn reads and writes. */
export interface Stdio {
  stdin: Readable;
  stdout: Writable;
}

/** Options for pipeConn. */
export interface PipeOptions {
  /** Datagram conn: each stdin chunk is one datagram; no half-close. */
  packet?: boolean;
  /** For packet conns: after stdin's EOF, stop once no datagram arrived for this long (ms). */
  linger?: number;
  /** Called once stdin reached EOF (after the half-close). */
  onStdinEOF?: () => void;
}

/** Copies stdin → conn (half-closing at EOF) and conn → stdout until the peer's EOF. */
export async function pipeConn(conn: Conn, io: Stdio, opts: PipeOptions = {}): Promise<void> {
  let downDone = false;
  let upFailure: unknown = null;
  let stdinEnded = false;
  const linger = opts.linger ?? 1000;
  const up = (async () => {
    try {
      for await (const chunk of io.stdin as AsyncIterable<Buffer | string>) {
        await conn.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      }
      stdinEnded = true;
      if (!opts.packet) await conn.closeWrite();
      else conn.setReadDeadline(new Date(Date.now() + linger));
      opts.onStdinEOF?.();
    } catch (e) {
      if (!downDone) upFailure = e;
    }
  })();
  try {
    for (;;) {
      if (upFailure !== null) throw upFailure;
      let chunk: Uint8Array | null;
      try {
        chunk = await readSome(conn);
      } catch (e) {
        if (opts.packet && stdinEnded && (e as { timeout?: unknown }).timeout === true) break;
        throw upFailure ?? e;
      }
      if (chunk === null) break;
      await writeOut(io.stdout, chunk);
      if (opts.packet && stdinEnded) conn.setReadDeadline(new Date(Date.now() + linger));
    }
  } finally {
    downDone = true;
    if (!stdinEnded) io.stdin.destroy();
    conn.close();
    await up;
  }
}

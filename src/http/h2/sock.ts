// Handing a gonet Conn to node:http2. nghttp2 runs fastest on a socket with a native stream
// handle (it then reads the TLS plaintext without a hop through JS), so a SocketConn — a TCP
// conn, or a TLS conn over any Conn — gives up its Node socket, with whatever it had queued put
// back in front. Any other Conn (in-memory pipes, wrapped tunnels) is driven through a Duplex.

import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { hasChunkReader, type Conn } from '../../net/conn.js';
import { SocketConn } from '../../net/sockconn.js';

/** A Duplex over any Conn (used when the Conn has no Node socket to give away). */
export class ConnStream extends Duplex {
  private pulling = false;
  private readonly buf: Uint8Array | null;

  constructor(private readonly conn: Conn) {
    super({ allowHalfOpen: true });
    this.buf = hasChunkReader(conn) ? null : new Uint8Array(64 * 1024);
  }

  private async next(): Promise<Uint8Array | null> {
    if (this.buf === null) return (this.conn as Conn & { readChunk(): Promise<Uint8Array | null> }).readChunk();
    const n = await this.conn.read(this.buf);
    return n === null ? null : Buffer.from(this.buf.subarray(0, n));
  }

  override _read(): void {
    if (this.pulling) return;
    this.pulling = true;
    void (async () => {
      try {
        for (;;) {
          const c = await this.next();
          if (c === null) {
            this.push(null);
            return;
          }
          if (!this.push(c)) return;
        }
      } catch (e) {
        this.destroy(e as Error);
      } finally {
        this.pulling = false;
      }
    })();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.conn.write(chunk).then(() => cb(), cb);
  }

  override _writev(chunks: { chunk: Buffer }[], cb: (e?: Error | null) => void): void {
    this.conn.write(Buffer.concat(chunks.map((c) => c.chunk))).then(() => cb(), cb);
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.conn.closeWrite().then(() => cb(), () => cb());
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.conn.close();
    cb(err);
  }
}

/**
 * The stream node:http2 should run on for `conn`. A SocketConn's own socket is taken over (the
 * Conn must not be read or written afterwards; closing it still closes the socket); bytes it had
 * queued are put back in front so the session sees them first. The session must be created on
 * the returned stream in the same tick.
 */
export async function h2Stream(conn: Conn): Promise<Duplex> {
  if (!(conn instanceof SocketConn)) return new ConnStream(conn);
  const s: Socket = conn.socket;
  // Stop the conn's own reader: paused, data stays in the socket's buffer; the session's
  // native reader takes over from there.
  s.pause();
  s.removeAllListeners('data');
  const queued: Uint8Array[] = [];
  while (conn.buffered > 0) {
    const c = await conn.readChunk();
    if (c === null) break;
    queued.push(c);
  }
  s.pause();
  for (let i = queued.length - 1; i >= 0; i--) s.unshift(Buffer.from(queued[i]!.buffer, queued[i]!.byteOffset, queued[i]!.byteLength));
  // A server-side TLSSocket made without a tls.Server never leaves `secureConnecting`; the
  // handshake is done (tls.ts resolved), and http2 would otherwise wait for it forever.
  const t = s as Socket & { secureConnecting?: boolean };
  if (t.secureConnecting === true) t.secureConnecting = false;
  // Once the session took the buffered bytes (on its first tick), let the socket flow again:
  // data goes to nghttp2 natively, but the end of the stream is still reported through the JS
  // side, and a paused socket would never emit 'end' (the session would miss the peer leaving).
  setImmediate(() => {
    if (!s.destroyed) s.resume();
  });
  return s;
}

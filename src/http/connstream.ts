// A Node Duplex stream over a gonet Conn: the bridge to Node modules that speak streams.

import { Duplex } from 'node:stream';
import { hasChunkReader, type Conn } from '../net/conn.js';

/**
 * A Duplex over a Conn, for Node modules that want a stream (node:tls for its ciphertext,
 * node:http2 when the Conn has no socket to give away). `prefix` is read first: bytes a layer
 * above already took off the Conn (say, right behind a CONNECT reply).
 */
export class ConnStream extends Duplex {
  private pulling = false;
  private readonly buf: Uint8Array | null;

  constructor(private readonly conn: Conn, private prefix: Uint8Array | null = null) {
    super({ allowHalfOpen: true });
    this.buf = hasChunkReader(conn) ? null : new Uint8Array(64 * 1024);
  }

  private async next(): Promise<Uint8Array | null> {
    const p = this.prefix;
    if (p !== null) {
      this.prefix = null;
      return p;
    }
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

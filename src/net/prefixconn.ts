// A Conn that first returns bytes already taken off another conn (read ahead by a parser: the
// rest of a hijacked request, the bytes behind a proxy's CONNECT reply), then reads the conn.

import { ConnBase, hasChunkReader, type Conn } from './conn.js';
import type { Addr } from './errors.js';

/** Reads `prefix` first, then `inner`; everything else goes straight to `inner`. */
export class PrefixedConn extends ConnBase implements Conn {
  private prefix: Uint8Array | null;

  constructor(readonly inner: Conn, prefix: Uint8Array | null) {
    super();
    this.prefix = prefix !== null && prefix.length > 0 ? prefix : null;
  }

  read(p: Uint8Array): Promise<number | null> {
    const pre = this.prefix;
    if (pre === null) return this.inner.read(p);
    if (p.length === 0) return Promise.resolve(0);
    const n = Math.min(p.length, pre.length);
    p.set(pre.subarray(0, n));
    this.prefix = n === pre.length ? null : pre.subarray(n);
    return Promise.resolve(n);
  }

  override readChunk(): Promise<Uint8Array | null> {
    const pre = this.prefix;
    if (pre !== null) {
      this.prefix = null;
      return Promise.resolve(pre);
    }
    return hasChunkReader(this.inner) ? this.inner.readChunk() : super.readChunk();
  }

  write(p: Uint8Array): Promise<number> {
    return this.inner.write(p);
  }
  close(): void {
    this.inner.close();
  }
  closeWrite(): Promise<void> {
    return this.inner.closeWrite();
  }
  get localAddr(): Addr {
    return this.inner.localAddr;
  }
  get remoteAddr(): Addr {
    return this.inner.remoteAddr as Addr;
  }
  override setDeadline(t: Date | null): void {
    this.inner.setDeadline(t);
  }
  setReadDeadline(t: Date | null): void {
    this.inner.setReadDeadline(t);
  }
  setWriteDeadline(t: Date | null): void {
    this.inner.setWriteDeadline(t);
  }
}

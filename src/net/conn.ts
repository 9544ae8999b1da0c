// The Conn contract every stream transport satisfies (TCP, unix, pipes, TLS, proxy tunnels),
// and a base class that derives web streams, async iteration and disposal from read/write/close.

import type { Addr } from './errors.js';

/**
 * A full-duplex byte stream, Go's net.Conn in the promise shape Deno uses:
 * `read` resolves with the byte count or `null` at EOF; `write` resolves once all of `p` is
 * accepted (the caller may then reuse `p`) or rejects. Deadlines are absolute and apply to
 * pending and future calls; an expired one fails calls with a timeout OpError
 * (`err.timeout === true`) until it is moved or cleared.
 */
export interface Conn extends AsyncIterable<Uint8Array>, AsyncDisposable {
  /** Reads up to `p.length` bytes into `p`; `null` at end of stream. */
  read(p: Uint8Array): Promise<number | null>;
  /** Writes all of `p`; resolves with `p.length`. */
  write(p: Uint8Array): Promise<number>;
  /** Closes both directions now. Idempotent; pending and later calls fail with ErrClosed. */
  close(): void;
  /** Shuts down the write side once queued bytes are sent; the peer reads EOF, reads go on. */
  closeWrite(): Promise<void>;
  readonly localAddr: Addr;
  readonly remoteAddr: Addr;
  setDeadline(t: Date | null): void;
  setReadDeadline(t: Date | null): void;
  setWriteDeadline(t: Date | null): void;
  /** The read side as a web stream (reading through it and through `read` at once interleaves). */
  readonly readable: ReadableStream<Uint8Array>;
  /** The write side as a web stream; closing it half-closes the conn. */
  readonly writable: WritableStream<Uint8Array>;
}

/**
 * Internal fast path: conns that hold whole chunks hand them over without the copy `read(p)`
 * implies. The returned chunk belongs to the caller. Layers above (HTTP, TLS) use it when present.
 */
export interface ChunkReader {
  readChunk(): Promise<Uint8Array | null>;
}

/** Reports whether `c` offers the chunk fast path. */
export function hasChunkReader(c: object): c is ChunkReader {
  return typeof (c as Partial<ChunkReader>).readChunk === 'function';
}

const STREAM_CHUNK = 64 * 1024;

/**
 * Shared Conn plumbing: subclasses provide read/write/close/closeWrite and the addresses.
 * `remoteAddr` may be null only for unconnected packet conns (Go's nil RemoteAddr).
 */
export abstract class ConnBase implements AsyncIterable<Uint8Array>, AsyncDisposable {
  abstract read(p: Uint8Array): Promise<number | null>;
  abstract write(p: Uint8Array): Promise<number>;
  abstract close(): void;
  abstract closeWrite(): Promise<void>;
  abstract readonly localAddr: Addr;
  abstract readonly remoteAddr: Addr | null;
  abstract setReadDeadline(t: Date | null): void;
  abstract setWriteDeadline(t: Date | null): void;

  private _readable: ReadableStream<Uint8Array> | undefined;
  private _writable: WritableStream<Uint8Array> | undefined;

  setDeadline(t: Date | null): void {
    this.setReadDeadline(t);
    this.setWriteDeadline(t);
  }

  /** Next chunk of whatever size is at hand; subclasses with a queue override this. */
  async readChunk(): Promise<Uint8Array | null> {
    const buf = new Uint8Array(STREAM_CHUNK);
    const n = await this.read(buf);
    return n === null ? null : buf.subarray(0, n);
  }

  get readable(): ReadableStream<Uint8Array> {
    this._readable ??= new ReadableStream<Uint8Array>({
      pull: async (ctl) => {
        const chunk = await this.readChunk();
        if (chunk === null) ctl.close();
        else ctl.enqueue(chunk);
      },
      cancel: () => this.close(),
    }, { highWaterMark: 0 });
    return this._readable;
  }

  get writable(): WritableStream<Uint8Array> {
    this._writable ??= new WritableStream<Uint8Array>({
      write: async (chunk) => {
        await this.write(chunk);
      },
      close: () => this.closeWrite(),
      abort: () => this.close(),
    });
    return this._writable;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    while (true) {
      const chunk = await this.readChunk();
      if (chunk === null) return;
      yield chunk;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}

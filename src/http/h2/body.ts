// Message bodies over HTTP/2 streams: an incoming body read from a stream's DATA frames (with
// backpressure: the stream pauses, so nghttp2 stops granting flow-control window, once a bound
// is queued), and the pump that sends an outgoing Body as DATA frames.

import type { Http2Stream } from 'node:http2';
import type { Header } from '../header.js';
import { Body } from '../wire/body.js';
import { fillTrailer, rawFromObject } from './common.js';

/** Bytes an incoming body queues before its stream is paused. */
const QUEUE_LIMIT = 256 * 1024;

/**
 * The readable side of an HTTP/2 stream as a Body. Trailers land in `trailer` before the end is
 * reported. `failure()` says why a stream that closed early did so (a reset, a lost conn).
 */
export class H2Body extends Body {
  private q: Buffer[] = [];
  private queued = 0;
  private paused = false;
  private ended = false;
  private failErr: unknown = null;
  private waker: (() => void) | null = null;

  constructor(
    private readonly s: Http2Stream,
    contentLength: number,
    trailer: Header,
    private readonly failure: () => Error,
    private readonly onClosed: (() => void) | null = null,
  ) {
    super(contentLength, trailer);
    s.on('data', (c: Buffer) => {
      this.q.push(c);
      this.queued += c.length;
      if (this.queued >= QUEUE_LIMIT && !this.paused) {
        this.paused = true;
        s.pause();
      }
      this.poke();
    });
    s.on('trailers', (h: Record<string, string | string[]>, _flags: number, raw?: string[]) => {
      fillTrailer(this.trailer, raw ?? rawFromObject(h));
    });
    // node:http2 ends the readable side of a reset stream too; 'aborted' (or a reset code at the
    // end) tells that apart from END_STREAM.
    s.on('aborted', () => {
      if (this.failErr === null && !this.ended) this.failErr = this.failure();
      this.poke();
    });
    s.on('end', () => {
      if (this.failErr === null && ((s as { aborted?: boolean }).aborted === true || (s.rstCode ?? 0) !== 0)) this.failErr = this.failure();
      if (this.failErr === null) this.ended = true;
      this.poke();
    });
    s.on('close', () => {
      if (!this.ended && this.failErr === null) this.failErr = this.failure();
      this.poke();
    });
  }

  private poke(): void {
    const w = this.waker;
    if (w !== null) {
      this.waker = null;
      w();
    }
  }

  /** Fails pending and later reads with `e` (a read timeout, a handler-side abort). */
  fail(e: unknown): void {
    if (this.failErr === null && !this.ended) this.failErr = e;
    this.poke();
  }

  protected async pull(max: number): Promise<Uint8Array | null> {
    for (;;) {
      if (this.q.length > 0) {
        const c = this.q[0]!;
        let out: Buffer;
        if (c.length <= max) {
          this.q.shift();
          out = c;
        } else {
          this.q[0] = c.subarray(max);
          out = c.subarray(0, max);
        }
        this.queued -= out.length;
        if (this.paused && this.queued <= QUEUE_LIMIT >> 1) {
          this.paused = false;
          this.s.resume();
        }
        return out;
      }
      if (this.failErr !== null) throw this.failErr;
      if (this.ended) return null;
      await new Promise<void>((r) => {
        this.waker = r;
      });
    }
  }

  /** Stops reading; an unfinished stream is reset with CANCEL by `onClosed`. */
  override close(): void {
    const open = !this.eof && !this.closed;
    super.close();
    this.q = [];
    if (this.paused) {
      this.paused = false;
      this.s.resume();
    }
    if (open) this.onClosed?.();
  }
}

/** Resolves once `s` can take more data (or closed: the caller checks). */
function drained(s: Http2Stream): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      s.off('drain', done);
      s.off('close', done);
      resolve();
    };
    s.on('drain', done);
    s.on('close', done);
  });
}

/** Thrown by sendBody when the stream closed under it. */
export class StreamClosedError extends Error {
  override name = 'StreamClosedError';
  constructor() {
    super('http2: stream closed');
  }
}

/**
 * Writes `body` to `s` as DATA frames, honouring backpressure, then ends the stream (its
 * trailers, if any, go out on `wantTrailers`). Rejects with the body's read error or
 * StreamClosedError; the caller resets the stream.
 */
export async function sendBody(s: Http2Stream, body: Body): Promise<void> {
  for (;;) {
    const c = await body.readChunk();
    if (c === null) break;
    if (s.destroyed || s.closed) throw new StreamClosedError();
    if (c.length === 0) continue;
    if (!s.write(c)) {
      await drained(s);
      if (s.destroyed || s.closed) throw new StreamClosedError();
    }
  }
  if (s.destroyed || s.closed) throw new StreamClosedError();
  s.end();
}

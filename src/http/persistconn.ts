// One HTTP/1.1 client connection (Go's persistConn): writes a request, reads the response
// (1xx included), hands the body out wrapped so the conn goes back to the pool exactly when the
// body is read to its end, and — while idle — keeps one read pending so a server closing the
// conn is noticed at once. That pending read is also the first read of the next response, so
// the watch costs nothing on the hot path.

import type { Conn } from '../net/index.js';
import { ErrClosed, errorIs } from '../net/index.js';
import { Body, EmptyBody, StreamBody } from './wire/body.js';
import { BufReader } from './wire/bufreader.js';
import type { ByteSink } from './wire/write.js';
import { nextResponse, type Response } from './response.js';
import type { Request } from './request.js';
import type { PoolConn } from './pool.js';
import { fire, type ClientTrace, type TLSState } from './trace.js';
import { hasToken } from './header.js';

declare module './response.js' {
  interface Response {
    /** TLS state of the conn that carried the response (null for plain HTTP). */
    tls?: TLSState | null;
  }
}

/** Errors of the Transport: `code` names the rule, `phase` where a request stood. */
export class TransportError extends Error {
  override name = 'TransportError';
  readonly code: string;
  readonly timeout: boolean;
  readonly temporary: boolean;
  constructor(code: string, message: string, opts: { cause?: unknown; timeout?: boolean } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.timeout = opts.timeout ?? false;
    this.temporary = this.timeout;
  }
}

/** The request's signal fired (or Client.timeout ran out) during `phase`. */
export class RequestCanceledError extends TransportError {
  override name = 'RequestCanceledError';
  /** `waiting for connection`, `dialing`, `TLS handshake`, `writing request`, `awaiting response headers`, `reading body`. */
  readonly phase: string;
  constructor(phase: string, reason: unknown, timeout: boolean) {
    super(timeout ? 'ERR_HTTP_TIMEOUT' : 'ERR_HTTP_CANCELED',
      `net/http: request ${timeout ? 'timed out' : 'canceled'} while ${phase}`, { cause: reason, timeout });
    this.phase = phase;
  }
}

/** Builds the cancellation error for `signal` in `phase`. */
export function canceledError(phase: string, signal: AbortSignal): RequestCanceledError {
  const r: unknown = signal.reason;
  const timeout = typeof r === 'object' && r !== null && ((r as { timeout?: unknown }).timeout === true || (r as Error).name === 'TimeoutError');
  return new RequestCanceledError(phase, r, timeout);
}

/** Internal: a failed attempt, with what the retry rules need to know. */
export class AttemptError extends Error {
  constructor(
    readonly err: unknown,
    /** Not one byte of the request was accepted by the conn. */
    readonly nothingWritten: boolean,
    /** The failure happened before any response byte, reading (EOF / reset / closed). */
    readonly beforeResponse: boolean,
    /** Never retry (cancelled, timed out, bad request...). */
    readonly fatal: boolean,
  ) {
    super('attempt failed');
  }
}

const SKIP_BODY = new Error('http: request body skipped (server answered before 100 Continue)');

/** Per-request settings the Transport passes down. */
export interface ExchangeOptions {
  signal: AbortSignal | undefined;
  trace: ClientTrace | undefined;
  /** Absolute-form request-target (forward proxy). */
  proxy: boolean;
  expectContinueTimeout: number;
  responseHeaderTimeout: number;
  maxHeaderBytes: number;
  writeBufferSize: number;
  /** Keep-alives disabled: never reuse. */
  noReuse: boolean;
  /** The exchange is over; `reusable` says whether the conn may serve another request. */
  done(pc: PersistConn, reusable: boolean): void;
  /** The conn left HTTP (101 Switching Protocols): forget it without closing it. */
  detach(pc: PersistConn): void;
}

/** Buffers small body writes (Go's bufio.Writer on the conn); the head goes out at once. */
class ConnSink implements ByteSink {
  written = 0;
  private first = true;
  private buf: Buffer | null = null;
  private len = 0;
  constructor(
    private readonly conn: Conn,
    private readonly size: number,
    private readonly onHead: () => void,
    private gate: Promise<boolean> | null,
  ) {}

  async write(p: Uint8Array): Promise<number> {
    const n = p.length;
    if (this.first) {
      this.first = false;
      await this.conn.write(p);
      this.written += n;
      this.onHead();
      return n;
    }
    if (this.gate !== null) {
      const send = await this.gate;
      this.gate = null;
      if (!send) throw SKIP_BODY;
    }
    if (this.len + n > this.size) await this.flush();
    if (n >= this.size) {
      await this.conn.write(p);
      this.written += n;
      return n;
    }
    this.buf ??= Buffer.allocUnsafe(this.size);
    this.buf.set(p, this.len);
    this.len += n;
    if (this.len === this.size) await this.flush();
    return n;
  }

  /** Bytes gathered and not yet written. */
  get pending(): boolean {
    return this.len > 0;
  }

  async flush(): Promise<void> {
    if (this.len === 0) return;
    const b = this.buf!.subarray(0, this.len);
    this.len = 0;
    await this.conn.write(b);
    this.written += b.length;
  }
}

/** Walks a conn and the conns under it (TLS over TCP) to (un)ref their Node sockets. */
function setRef(c: unknown, on: boolean): void {
  for (let x = c as { socket?: { ref(): void; unref(): void }; inner?: unknown } | undefined, i = 0; x !== undefined && i < 4; i++) {
    const s = x.socket;
    if (s !== undefined && typeof s.unref === 'function') {
      if (on) s.ref();
      else s.unref();
    }
    x = x.inner as typeof x;
  }
}

/**
 * A response body that reports to its conn: at the clean end the conn may be reused; closed
 * early or failed, the conn is closed (never drained, as Go).
 */
class TransportBody extends Body {
  private ended = false;
  constructor(
    private readonly inner: Body,
    private readonly end: (clean: boolean) => void,
    private readonly mapErr: (e: unknown) => unknown,
  ) {
    super(inner.contentLength, inner.trailer);
  }
  protected async pull(max: number): Promise<Uint8Array | null> {
    try {
      return await this.inner.readChunk(max);
    } catch (e) {
      this.finish(false);
      throw this.mapErr(e);
    }
  }
  protected override finished(): void {
    this.finish(this.inner.eof);
  }
  private finish(clean: boolean): void {
    if (this.ended) return;
    this.ended = true;
    this.end(clean);
  }
  override close(): void {
    const early = !this.eof;
    super.close();
    if (early) {
      this.inner.close();
      this.finish(false);
    }
  }
}

let connSeq = 0;

/** An HTTP/1.1 client conn in a pool. */
export class PersistConn implements PoolConn {
  readonly id = ++connSeq;
  idleSince = 0;
  /** Requests completed on this conn. */
  requests = 0;
  readonly br: BufReader;
  /** Called when an idle conn is found dead (the Transport drops it from the pool). */
  onIdleClosed: ((pc: PersistConn) => void) | null = null;
  private closed = false;
  private closeErr: Error | null = null;
  private idle = false;
  private pendingFill: Promise<boolean> | null = null;
  private fillErr: unknown = null;

  constructor(
    readonly conn: Conn,
    readonly key: string,
    readonly gen: number,
    readonly tls: TLSState | null,
    readBufferSize: number,
  ) {
    this.br = new BufReader(conn, { readSize: readBufferSize });
  }

  get broken(): boolean {
    return this.closed;
  }

  close(reason: Error | null): void {
    if (this.closed) return;
    this.closed = true;
    this.closeErr = reason;
    this.conn.close();
  }

  onIdle(): void {
    this.idle = true;
    setRef(this.conn, false);
    if (this.br.buffered > 0) {
      // Bytes nobody asked for: the conn's framing can no longer be trusted.
      this.close(null);
      this.onIdleClosed?.(this);
      return;
    }
    if (this.pendingFill !== null) return;
    const p = this.br.fill().catch((e: unknown) => {
      this.fillErr = e;
      return false;
    });
    this.pendingFill = p;
    void p.then(() => {
      // Anything (bytes, EOF, reset) on an idle conn ends it; a 408 is dropped silently too.
      if (this.idle && this.pendingFill === p) {
        this.close(null);
        this.onIdleClosed?.(this);
      }
    });
  }

  onActive(): void {
    this.idle = false;
    setRef(this.conn, true);
  }

  /**
   * Sends `req` and reads the final response. Failures before the response is returned throw
   * AttemptError; later ones surface from the body.
   */
  async exchange(req: Request, o: ExchangeOptions): Promise<Response> {
    const { signal, trace } = o;
    let phase = 'writing request';
    let abortErr: Error | null = null;
    let headerTimer: NodeJS.Timeout | undefined;
    let timeoutErr: Error | null = null;
    const onAbort = (): void => {
      abortErr = canceledError(phase, signal!);
      this.close(abortErr);
    };
    if (signal !== undefined) {
      if (signal.aborted) throw new AttemptError(canceledError(phase, signal), true, false, true);
      signal.addEventListener('abort', onAbort, { once: true });
    }

    // Expect: 100-continue holds the body until the server answers or the timer runs out.
    let gate: Promise<boolean> | null = null;
    let openGate: (send: boolean) => void = () => {};
    let gateTimer: NodeJS.Timeout | undefined;
    if (o.expectContinueTimeout > 0 && req.contentLength !== 0 && !(req.body instanceof EmptyBody) && expectsContinue(req)) {
      gate = new Promise<boolean>((r) => {
        openGate = (send) => {
          clearTimeout(gateTimer);
          r(send);
        };
      });
      // A body in memory would otherwise go out in the head's write.
      req.body = new StreamBody(req.body, req.contentLength);
    }
    const onHead = (): void => {
      fire(trace, 'wroteHeaders');
      if (gate !== null) {
        fire(trace, 'wait100Continue');
        gateTimer = setTimeout(() => openGate(true), o.expectContinueTimeout);
      }
    };
    const sink = new ConnSink(this.conn, o.writeBufferSize, onHead, gate);
    let writeDone = false;
    let writeErr: unknown = null;
    let skipped = false;
    const writeP = (async () => {
      try {
        await req.write(sink, { proxy: o.proxy });
        if (sink.pending) await sink.flush();
        writeDone = true;
        fire(trace, 'wroteRequest', { err: null });
        phase = 'awaiting response headers';
        if (o.responseHeaderTimeout > 0 && !this.closed) {
          headerTimer = setTimeout(() => {
            timeoutErr = new TransportError('ERR_HTTP_HEADER_TIMEOUT', 'net/http: timeout awaiting response headers', { timeout: true });
            this.close(timeoutErr);
          }, o.responseHeaderTimeout);
        }
      } catch (e) {
        if (e === SKIP_BODY) {
          skipped = true;
          req.body.close();
          return;
        }
        writeErr = e;
        fire(trace, 'wroteRequest', { err: e as Error });
        // The reader must not wait for a reply to a request that never fully went out.
        this.close(e as Error);
      }
    })();

    const br = this.br;
    let gotByte = false;
    let res: Response | null;
    try {
      let n1xx = 0;
      for (;;) {
        if (br.buffered === 0) {
          let ok: boolean;
          if (this.pendingFill !== null) {
            ok = await this.pendingFill;
            this.pendingFill = null;
            if (!ok && this.fillErr !== null) {
              const e = this.fillErr;
              this.fillErr = null;
              throw e;
            }
          } else {
            ok = await br.fill();
          }
          if (!ok) throw new TransportError('ERR_HTTP_EOF_BEFORE_RESPONSE', 'net/http: server closed the connection before sending a response');
        }
        if (!gotByte) {
          gotByte = true;
          fire(trace, 'gotFirstResponseByte');
        }
        res = await nextResponse(br, { method: req.method, maxHeaderBytes: o.maxHeaderBytes });
        if (res === null) throw new TransportError('ERR_HTTP_EOF_BEFORE_RESPONSE', 'net/http: server closed the connection before sending a response');
        const code = res.statusCode;
        if (code >= 100 && code < 200 && code !== 101) {
          if (++n1xx > 5) throw new TransportError('ERR_HTTP_TOO_MANY_1XX', 'net/http: too many 1xx informational responses');
          if (code === 100) {
            fire(trace, 'got100Continue');
            openGate(true);
          }
          // A throwing got1xxResponse hook aborts the request, as in Go.
          trace?.got1xxResponse?.(code, res.header);
          continue;
        }
        break;
      }
    } catch (e) {
      clearTimeout(headerTimer);
      clearTimeout(gateTimer);
      openGate(false);
      signal?.removeEventListener('abort', onAbort);
      this.close(e as Error);
      if (abortErr !== null) throw new AttemptError(abortErr, false, false, true);
      if (timeoutErr !== null) throw new AttemptError(timeoutErr, false, false, true);
      await writeP;
      if (writeErr !== null && !isConnError(writeErr)) throw new AttemptError(writeErr, false, false, true);
      const err = writeErr ?? e;
      const beforeResponse = !gotByte && isConnError(e);
      throw new AttemptError(err, sink.written === 0, beforeResponse, !isConnError(err) && !(e instanceof TransportError && e.code === 'ERR_HTTP_EOF_BEFORE_RESPONSE'));
    }
    clearTimeout(headerTimer);
    // A final answer before 100 Continue: unless either side closes the conn, the body is sent
    // anyway so the conn stays in step and can be reused (Go ≥ 1.22.5); otherwise it is skipped.
    openGate(!res.close && !req.close);
    phase = 'reading body';
    res.tls = this.tls;
    res.request = req;
    const reusable = (): boolean =>
      !o.noReuse && !res!.close && !req.close && writeDone && !skipped && writeErr === null && !this.closed;
    let finished = false;
    const end = (clean: boolean): void => {
      if (finished) return;
      finished = true;
      signal?.removeEventListener('abort', onAbort);
      if (clean) this.requests++;
      if (clean && !writeDone && writeErr === null && !skipped) {
        // The server answered before we finished sending: reuse only once the write is done.
        void writeP.then(() => o.done(this, reusable()));
        return;
      }
      o.done(this, clean && reusable());
    };
    if (res.statusCode === 101) {
      // A protocol switch: the conn leaves the pool and belongs to the caller (upgradedConn).
      signal?.removeEventListener('abort', onAbort);
      finished = true;
      o.detach(this);
      upgrades.set(res, { conn: this.conn, buffered: Buffer.from(br.takeBuffered()) });
      return res;
    }
    if (res.body instanceof EmptyBody) {
      end(true);
      return res;
    }
    const mapErr = (e: unknown): unknown => {
      if (abortErr !== null) return canceledError('reading body', signal!);
      return e;
    };
    res.body = new TransportBody(res.body, end, mapErr);
    return res;
  }
}

const upgrades = new WeakMap<Response, { conn: Conn; buffered: Uint8Array }>();

/**
 * After a `101 Switching Protocols` reply, the conn that carried it — now the caller's, outside
 * the pool — and the bytes the server already sent past the reply head (read them first).
 * null for any other response.
 */
export function upgradedConn(res: Response): { conn: Conn; buffered: Uint8Array } | null {
  return upgrades.get(res) ?? null;
}

/** Errors that mean the conn itself failed (closed, reset, EOF), not the message. */
function isConnError(e: unknown): boolean {
  if (e instanceof TransportError) return e.code === 'ERR_HTTP_EOF_BEFORE_RESPONSE';
  if (errorIs(e, ErrClosed)) return true;
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED' || code === 'ERR_HTTP_UNEXPECTED_EOF' ||
    (e as { op?: unknown } | null)?.op === 'read' || (e as { op?: unknown } | null)?.op === 'write';
}

function expectsContinue(req: Request): boolean {
  const v = req.header.raw('Expect');
  return v !== undefined && hasToken(v, '100-continue');
}

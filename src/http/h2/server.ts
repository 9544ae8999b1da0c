// The HTTP/2 server side: a conn that negotiated `h2` (or speaks h2c) becomes a node:http2
// session; each stream becomes a Request (from its pseudo-headers) and an H2ResponseWriter for
// the same Handler / ServeMux that HTTP/1.1 uses. Shutdown sends GOAWAY and lets open streams
// finish; timeouts follow Go's HTTP/2 server (read and write timeouts per stream, an idle
// timeout per session).

import { createServer as h2createServer, constants, type Http2Server, type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { Conn } from '../../net/conn.js';
import { Header } from '../header.js';
import { Request } from '../request.js';
import { checkWriteHeaderCode, serveWith, type Handler, type ResponseWriter } from '../handler.js';
import { Body, EmptyBody, bodyAllowedForStatus } from '../wire/body.js';
import { detectContentType } from '../sniff.js';
import { ErrBodyNotAllowed } from '../server/response_writer.js';
import { ClientGoneError, ErrAbortHandler, HandlerDoneError, type ConnState } from '../server/conn.js';
import { H2Body } from './body.js';
import {
  NO_ERROR, contentLengthOf, declaredTrailerKeys, headerFromRaw, outgoingHeaders, rawFromObject, streamError,
} from './common.js';
import { h2Stream } from './sock.js';

/** What a session needs from the server it belongs to (gonet's Server provides it). */
export interface H2ServerHost {
  readonly handler: Handler;
  /** Per stream: request body reads fail after this many ms (0: none). */
  readonly readTimeout: number;
  /** Per stream: the stream is reset if the reply is not done after this many ms (0: none). */
  readonly writeTimeout: number;
  /** A session with no streams for this long gets GOAWAY and is closed (0: falls back to readTimeout). */
  readonly idleTimeout: number;
  /** Bound on a request's header list (SETTINGS_MAX_HEADER_LIST_SIZE). */
  readonly headerLimit: number;
  log(msg: string): void;
}

/** HTTP/2 knobs of a server. */
export interface H2ServerOptions {
  /** SETTINGS_MAX_CONCURRENT_STREAMS; default 250 (Go). */
  maxConcurrentStreams?: number;
  /** Flow-control window per stream we receive on; default 1 MiB (Go). */
  initialWindowSize?: number;
  /** Flow-control window of a session we receive on; default 1 MiB (Go). */
  connWindowSize?: number;
  /** Most header fields in one request; default 1000. */
  maxHeaderListPairs?: number;
}

/** Told of a session's state changes (Go's ConnState: new, active, idle, closed). */
export type H2StateHook = (c: H2ServerConn, s: ConnState) => void;

/** A write to a stream the client reset, or that was closed. */
export class StreamGoneError extends ClientGoneError {
  override name = 'StreamGoneError';
}

const HANDLER_DONE = new HandlerDoneError();
/** Bytes a reply buffers before its headers go out (a small reply then gets a Content-Length). */
const REPLY_BUFFER = 16 * 1024;

/** One server-side HTTP/2 session. Looks like an HTTP/1 ServerConn to the Server's bookkeeping. */
export class H2ServerConn {
  state: ConnState = 'new';
  since = Date.now();
  /** Streams being served. */
  streams = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly remote: string;

  constructor(readonly conn: Conn, readonly session: ServerHttp2Session, private readonly host: H2ServerHost, private readonly hook: H2StateHook | undefined) {
    let remote = '';
    try {
      remote = conn.remoteAddr.toString();
    } catch {
      // no address
    }
    this.remote = remote;
    this.setState('new');
    session.on('stream', (st: ServerHttp2Stream, h: IncomingHttpHeaders, flags: number, raw?: string[]) => {
      this.onStream(st, h, flags, raw ?? rawFromObject(h));
    });
    session.on('error', () => {
      // a broken session closes; streams see it through their own events
    });
    session.on('close', () => {
      this.clearIdle();
      conn.close();
      this.setState('closed');
    });
    this.armIdle();
  }

  private setState(s: ConnState): void {
    if (this.state === s && s !== 'new') return;
    if (this.state === 'closed') return;
    this.state = s;
    this.since = Date.now();
    this.hook?.(this, s);
  }

  private idleMs(): number {
    return this.host.idleTimeout > 0 ? this.host.idleTimeout : this.host.readTimeout;
  }

  private armIdle(): void {
    const ms = this.idleMs();
    if (ms > 0 && this.idleTimer === null) {
      this.idleTimer = setTimeout(() => {
        this.idleTimer = null;
        if (this.streams === 0) this.shutdown();
      }, ms);
    }
  }

  private clearIdle(): void {
    if (this.idleTimer !== null) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
  }

  /** GOAWAY, then close once open streams are done. */
  shutdown(): void {
    if (this.session.closed || this.session.destroyed) return;
    this.session.close();
  }

  /** The Server's close: idle sessions go away gracefully, busy ones are torn down. */
  close(): void {
    if (this.streams === 0) {
      this.shutdown();
      // A peer that never acknowledges still loses the conn soon.
      setTimeout(() => this.destroy(), 1000).unref();
    } else {
      this.destroy();
    }
  }

  destroy(): void {
    if (!this.session.destroyed) this.session.destroy();
    this.conn.close();
  }

  private onStream(st: ServerHttp2Stream, h: IncomingHttpHeaders, flags: number, raw: string[]): void {
    this.streams++;
    this.clearIdle();
    this.setState('active');
    st.on('error', () => {
      // resets and lost conns reach the handler through req.signal and body reads
    });
    const done = (): void => {
      this.streams--;
      if (this.streams === 0) {
        this.setState('idle');
        this.armIdle();
      }
    };
    void this.serveStream(st, h, flags, raw).then(done, (e: unknown) => {
      this.host.log(`http2: error serving ${this.remote}: ${(e as Error)?.message ?? String(e)}`);
      resetStream(st);
      done();
    });
  }

  private async serveStream(st: ServerHttp2Stream, h: IncomingHttpHeaders, flags: number, raw: string[]): Promise<void> {
    const method = String(h[':method'] ?? '');
    const header = headerFromRaw(raw, true);
    const authority = h[':authority'];
    const host = typeof authority === 'string' && authority !== '' ? authority : header.get('Host');
    header.del('Host');
    let requestURI: string;
    let targetForm: Request['targetForm'];
    if (method === 'CONNECT') {
      requestURI = host;
      targetForm = 'authority';
    } else {
      requestURI = String(h[':path'] ?? '/');
      targetForm = requestURI === '*' ? 'asterisk' : 'origin';
    }
    const ended = (flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0 || st.readableEnded;
    const clen = ended ? 0 : contentLengthOf(header);
    const trailer = declaredTrailerKeys(header);
    const ac = new AbortController();
    const body: Body = ended || clen === 0
      ? new EmptyBody(0, trailer)
      : new H2Body(st, clen, trailer, () => new ClientGoneError(streamError(st.id ?? 0, st.rstCode ?? NO_ERROR, true)));
    if (!(body instanceof EmptyBody) && header.get('Expect').toLowerCase() === '100-continue') {
      body.onFirstRead = () => {
        if (!st.headersSent && !st.closed) st.additionalHeaders({ ':status': 100 });
      };
    }
    const req = Object.create(Request.prototype) as Request;
    const r = req as unknown as Record<string, unknown>;
    r.method = method;
    r.requestURI = requestURI;
    r.proto = 'HTTP/2.0';
    r.protoMajor = 2;
    r.protoMinor = 0;
    r.header = header;
    r.body = body;
    r.contentLength = ended ? 0 : clen;
    r.transferEncoding = [];
    r.close = false;
    r.host = host;
    r.trailer = trailer;
    r.remoteAddr = this.remote;
    r.signal = ac.signal;
    r.getBody = null;
    r.pattern = '';
    r.targetForm = targetForm;
    r._url = null;
    r.pathValues = null;

    const w = new H2ResponseWriter(st, req, this.host);
    let finished = false;
    st.on('close', () => {
      if (!finished) ac.abort(new ClientGoneError(streamError(st.id ?? 0, st.rstCode ?? NO_ERROR, true)));
    });
    let rt: NodeJS.Timeout | undefined;
    let wt: NodeJS.Timeout | undefined;
    if (this.host.readTimeout > 0 && body instanceof H2Body) {
      rt = setTimeout(() => body.fail(new StreamGoneError(new Error('http2: read timeout'))), this.host.readTimeout);
    }
    if (this.host.writeTimeout > 0) {
      wt = setTimeout(() => {
        w.timedOut = true;
        resetStream(st);
      }, this.host.writeTimeout);
    }
    try {
      try {
        const p = serveWith(this.host.handler, w, req);
        if (p !== undefined && typeof (p as Promise<void>).then === 'function') await p;
      } catch (e) {
        if (!(e instanceof ErrAbortHandler) && !(e instanceof ClientGoneError && st.closed)) {
          this.host.log(`http: panic serving ${this.remote}: ${(e as Error)?.stack ?? String(e)}`);
        }
        w.failed(e instanceof ErrAbortHandler);
        return;
      } finally {
        finished = true;
        ac.abort(HANDLER_DONE);
      }
      // The reply is complete but the client is still sending: stop it once the reply is out
      // (Go: RST_STREAM NO_ERROR).
      if (!ended && !body.eof && !(body instanceof EmptyBody)) {
        w.onSent = () => {
          if (!st.closed) st.close(NO_ERROR);
        };
      }
      await w.finish();
      if (!body.eof) body.close();
    } finally {
      clearTimeout(rt);
      clearTimeout(wt);
    }
  }
}

/**
 * Resets `st` with INTERNAL_ERROR at once. (close(code) would end the stream cleanly first when
 * its writable side is open, and the client would take a truncated reply for a whole one.)
 */
function resetStream(st: ServerHttp2Stream): void {
  if (!st.destroyed) st.destroy(new Error('http2: stream reset by the server'));
}

/** Resolves once `st` can take more data, or closed. */
function drained(st: ServerHttp2Stream): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      st.off('drain', done);
      st.off('close', done);
      resolve();
    };
    st.on('drain', done);
    st.on('close', done);
  });
}

/**
 * Go's http2 responseWriter: `header()`, `writeHeader`, `write`, `flush`, and trailers (keys
 * named in a `Trailer` field before the headers went out, values set in `header()` by the time
 * the handler returns; `Trailer:`-prefixed keys too while nothing was sent). Small replies are
 * buffered so they go out with a Content-Length; Content-Type is sniffed when unset.
 */
export class H2ResponseWriter implements ResponseWriter {
  /** The status sent (0 until writeHeader). */
  status = 0;
  /** The write timeout fired: the stream was reset. */
  timedOut = false;
  private readonly h = new Header();
  private snap: Header | null = null;
  private headSent = false;
  private buf: Uint8Array[] = [];
  private buffered = 0;
  private bodyAllowed = true;
  private trailerKeys: string[] = [];
  private ended = false;
  /** Runs once the whole reply (trailers included) was handed to the session. */
  onSent: (() => void) | null = null;

  constructor(private readonly st: ServerHttp2Stream, private readonly req: Request, private readonly host: H2ServerHost) {}

  header(): Header {
    return this.h;
  }

  writeHeader(code: number): void {
    checkWriteHeaderCode(code);
    if (this.status !== 0) {
      this.host.log(`http: superfluous response.WriteHeader call (status ${this.status} already written, ${code} ignored)`);
      return;
    }
    if (code >= 100 && code <= 199) {
      if (code !== 101 && !this.st.closed && !this.st.headersSent) {
        this.st.additionalHeaders(outgoingHeaders(this.h, { ':status': code }, SKIP_RESP));
      }
      return;
    }
    this.status = code;
    this.bodyAllowed = bodyAllowedForStatus(code);
    this.snap = this.h.clone();
  }

  private gone(): Error {
    if (this.timedOut) return new StreamGoneError(new Error('http2: write timeout'));
    return new StreamGoneError(streamError(this.st.id ?? 0, this.st.rstCode ?? NO_ERROR, true));
  }

  write(chunk: Uint8Array | string): Promise<void> | void {
    if (this.status === 0) this.writeHeader(200);
    if (!this.bodyAllowed) throw new ErrBodyNotAllowed();
    if (this.ended || this.st.closed || this.st.destroyed) throw this.gone();
    const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (b.length === 0) return undefined;
    if (this.req.method === 'HEAD') {
      if (!this.headSent) this.buffered += b.length;
      return undefined;
    }
    if (!this.headSent) {
      this.buf.push(b);
      this.buffered += b.length;
      if (this.buffered <= REPLY_BUFFER) return undefined;
      this.sendHead(false);
      return this.writeData(this.takeBuffered());
    }
    return this.writeData(b);
  }

  private takeBuffered(): Uint8Array {
    const b = this.buf.length === 1 ? this.buf[0]! : Buffer.concat(this.buf, this.buffered);
    this.buf = [];
    this.buffered = 0;
    return b;
  }

  private writeData(b: Uint8Array): Promise<void> | void {
    if (this.st.write(b)) return undefined;
    return drained(this.st).then(() => {
      if (this.st.destroyed) throw this.gone();
    });
  }

  /** Sends the headers now, and any buffered body. */
  flush(): Promise<void> | void {
    if (this.status === 0) this.writeHeader(200);
    if (this.ended || this.st.closed || this.st.destroyed) throw this.gone();
    if (!this.headSent) {
      const pending = this.buffered > 0 && this.req.method !== 'HEAD' ? this.takeBuffered() : null;
      this.sendHead(false);
      if (pending !== null) return this.writeData(pending);
    }
    return undefined;
  }

  /**
   * Builds and sends the HEADERS frame; `end` when nothing follows, `complete` when the whole
   * body is buffered (its length becomes the Content-Length).
   */
  private sendHead(end: boolean, complete = end): void {
    this.headSent = true;
    const h = this.snap ?? this.h;
    const out: OutgoingHttpHeaders = { ':status': this.status };
    outgoingHeaders(h, out, SKIP_RESP);
    if (this.bodyAllowed && !h.has('Content-Type') && h.get('Content-Encoding') === '' && this.buf.length > 0) {
      out['content-type'] = detectContentType(this.buf[0]!.length >= 512 || this.buf.length === 1 ? this.buf[0]! : Buffer.concat(this.buf));
    }
    const cl = h.get('Content-Length');
    if (cl !== '' && /^[0-9]+$/.test(cl)) out['content-length'] = cl;
    else if (complete && this.bodyAllowed) out['content-length'] = String(this.buffered);
    const keys: string[] = [];
    for (const v of h.values('Trailer')) for (const k of v.split(',')) if (k.trim() !== '') keys.push(k.trim());
    for (const k of this.h.keys()) if (k.startsWith('Trailer:')) keys.push(k.slice(8));
    this.trailerKeys = keys;
    const wantTrailers = keys.length > 0;
    if (wantTrailers) {
      out.trailer = keys.join(', ');
      this.st.once('wantTrailers', () => this.sendTrailers());
    }
    this.st.respond(out, { endStream: end && !wantTrailers, waitForTrailers: wantTrailers });
    if (end && wantTrailers) this.st.end();
  }

  private sendTrailers(): void {
    const t: OutgoingHttpHeaders = {};
    for (const k of this.trailerKeys) {
      const vs = this.h.values(k).length > 0 ? this.h.values(k) : this.h.values('Trailer:' + k);
      if (vs.length > 0) t[k.toLowerCase()] = vs.length === 1 ? vs[0] : [...vs];
    }
    try {
      this.st.sendTrailers(t);
    } catch {
      // stream gone
    }
    this.sent();
  }

  private sent(): void {
    const f = this.onSent;
    this.onSent = null;
    f?.();
  }

  /** The reply is fully written: tell onSent (after the trailers, when there are some). */
  private ending(): void {
    if (this.onSent === null || this.trailerKeys.length > 0) return;
    if (this.st.writableFinished) this.sent();
    else this.st.once('finish', () => this.sent());
  }

  /** The handler returned: send what is left and end the stream. */
  async finish(): Promise<void> {
    if (this.ended) return;
    if (this.status === 0) this.writeHeader(200);
    if (this.st.closed || this.st.destroyed) {
      this.ended = true;
      return;
    }
    if (!this.headSent) {
      const data = this.buffered > 0 && this.req.method !== 'HEAD' ? this.takeBuffered() : null;
      if (data === null) {
        if (this.req.method === 'HEAD' && this.buffered > 0 && !this.h.has('Content-Length')) {
          this.snap!.set('Content-Length', String(this.buffered));
        }
        this.buffered = 0;
        this.sendHead(true);
        this.ended = true;
        this.ending();
        return;
      }
      this.buf = [data];
      this.buffered = data.length;
      this.sendHead(false, true);
      this.ended = true;
      this.st.end(this.takeBuffered());
      this.ending();
      return;
    }
    this.ended = true;
    if (!this.st.writableEnded) this.st.end();
    this.ending();
  }

  /** The handler threw: a 500 if nothing went out, else a reset (the client sees truncation). */
  failed(abort: boolean): void {
    this.ended = true;
    if (this.st.closed || this.st.destroyed) return;
    if (this.headSent || abort) {
      resetStream(this.st);
      return;
    }
    this.headSent = true;
    const msg = Buffer.from('500 Internal Server Error', 'utf8');
    this.st.respond({ ':status': 500, 'content-type': 'text/plain; charset=utf-8', 'content-length': String(msg.length) });
    this.st.end(msg);
  }
}

/** Response fields never sent as regular HTTP/2 fields. */
const SKIP_RESP: ReadonlySet<string> = new Set(['content-length', 'trailer']);

/**
 * Serves HTTP/2 sessions for one Server: `serveConn` takes a conn that negotiated `h2` (or an
 * h2c conn) and runs it until it closes; `shutdown` sends every session GOAWAY.
 */
export class H2Server {
  private readonly sessions = new Set<H2ServerConn>();
  private readonly core: Http2Server;
  private closing = false;

  constructor(private readonly host: H2ServerHost, private readonly opts: H2ServerOptions = {}, private readonly hook?: H2StateHook) {
    // Used only as a session factory: conns are handed in with emit('connection').
    this.core = h2createServer({
      settings: {
        maxConcurrentStreams: opts.maxConcurrentStreams ?? 250,
        initialWindowSize: opts.initialWindowSize ?? 1 << 20,
        maxHeaderListSize: host.headerLimit,
        enablePush: false,
      },
      maxHeaderListPairs: opts.maxHeaderListPairs ?? 1000,
      maxSessionMemory: 64,
    });
  }

  /** Sessions being served. */
  get size(): number {
    return this.sessions.size;
  }

  /** Runs HTTP/2 on `conn`; resolves with the session once it is set up. */
  async serveConn(conn: Conn): Promise<H2ServerConn> {
    const sock = await h2Stream(conn);
    let session: ServerHttp2Session | null = null;
    const grab = (s: ServerHttp2Session): void => {
      session = s;
    };
    this.core.once('session', grab);
    this.core.emit('connection', sock);
    this.core.off('session', grab);
    if (session === null) {
      conn.close();
      throw new Error('http2: session was not created');
    }
    const s: ServerHttp2Session = session;
    // The client's EOF means it is gone (HTTP/2 never half-closes).
    sock.once('end', () => {
      if (!s.destroyed) s.destroy();
    });
    const cw = this.opts.connWindowSize ?? 1 << 20;
    if (cw > 65535) {
      try {
        s.setLocalWindowSize(cw);
      } catch {
        // not yet connected on old runtimes: keep the default window
      }
    }
    const c = new H2ServerConn(conn, s, this.host, (sc, st) => {
      if (st === 'closed') this.sessions.delete(sc);
      this.hook?.(sc, st);
    });
    this.sessions.add(c);
    if (this.closing) c.shutdown();
    return c;
  }

  /** GOAWAY to every session; each closes once its streams are done. */
  shutdown(): void {
    this.closing = true;
    for (const c of this.sessions) c.shutdown();
  }

  /** Tears every session down now. */
  close(): void {
    this.closing = true;
    for (const c of [...this.sessions]) c.destroy();
  }
}

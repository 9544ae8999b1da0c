// The HTTP/2 client: one H2ClientConn per HTTP/2 session (node:http2's nghttp2 over a gonet
// Conn — a TLS conn that negotiated `h2`, or a plain conn for h2c with prior knowledge), turning
// Requests into streams and streams into Responses with the same Body API as HTTP/1.1.
//
// Go's rules kept here: a session takes requests up to the peer's SETTINGS_MAX_CONCURRENT_STREAMS
// (100 until the first SETTINGS, at most 1000); a GOAWAY stops new streams on it; streams the
// server never processed (refused, or above GOAWAY's last stream id) may be retried elsewhere;
// closing a body early resets its stream with CANCEL; pushes are refused (push is disabled in
// our SETTINGS, and a pushed stream that comes anyway is reset with REFUSED_STREAM).

import { connect as h2connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders, type Settings } from 'node:http2';
import type { Conn } from '../../net/index.js';
import type { Request } from '../request.js';
import { Response } from '../response.js';
import { Body, EmptyBody, bodyAllowedForStatus } from '../wire/body.js';
import { TransportError, canceledError } from '../persistconn.js';
import { fire, type ClientTrace } from '../trace.js';
import { H2Body, StreamClosedError, sendBody } from './body.js';
import {
  HTTP2Error, NO_ERROR, REFUSED_STREAM, contentLengthOf, declaredTrailerKeys, errCodeName, headerFromRaw,
  outgoingHeaders, rawFromObject, streamError,
} from './common.js';
import { h2Stream } from './sock.js';

/** Go's client: streams allowed before the server's SETTINGS arrive. */
const INITIAL_MAX_STREAMS = 100;
/** Go's client: the cap when the server sets no limit. */
const DEFAULT_MAX_STREAMS = 1000;
/** User-Agent sent when the request sets none (Go's HTTP/2 default). */
export const H2_USER_AGENT = 'Go-http-client/2.0';

/** Settings of a client session. */
export interface H2ClientOptions {
  /** Close a session with no streams after this many ms (0: never). Default 0. */
  idleTimeout?: number;
  /** Bound on waiting for response headers, ms (0: none). */
  responseHeaderTimeout?: number;
  /** Upper bound on streams per session, whatever the server allows. Default 1000. */
  maxConcurrentStreams?: number;
  /** Flow-control window per stream we receive on, bytes. Default 4 MiB (Go). */
  initialWindowSize?: number;
  /** Flow-control window of the whole session we receive on, bytes. Default 16 MiB. */
  connWindowSize?: number;
  /** Bound on a response's header list (SETTINGS_MAX_HEADER_LIST_SIZE). Default 10 MiB. */
  maxHeaderListSize?: number;
  /** Bound on the first SETTINGS from the server, ms. Default 10 000. */
  settingsTimeout?: number;
}

/** Per-request options. */
export interface H2RoundTripOptions {
  signal?: AbortSignal;
  trace?: ClientTrace;
}

/** Internal: an attempt failed in a way another session may retry. */
export class H2RetryError extends Error {
  constructor(
    readonly err: Error,
    /** The server never processed the stream (refused, above GOAWAY's last id, never sent). */
    readonly unprocessed: boolean,
  ) {
    super(err.message, { cause: err });
  }
}

interface GoAway {
  code: number;
  lastStreamID: number;
  debug: string;
}

function goAwayError(g: GoAway): HTTP2Error {
  return new HTTP2Error('ERR_HTTP2_GOAWAY',
    `http2: server sent GOAWAY and closed the connection; LastStreamID=${g.lastStreamID}, ErrCode=${errCodeName(g.code)}, debug=${JSON.stringify(g.debug)}`,
    { errCode: errCodeName(g.code) });
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** Safe to send again after a failure the server may have seen (Go's rules). */
export function isReplayable(req: Request): boolean {
  return IDEMPOTENT.has(req.method) || req.header.has('Idempotency-Key') || req.header.has('X-Idempotency-Key');
}

/** One HTTP/2 session over one Conn. */
export class H2ClientConn {
  /** Streams in flight (or reserved for a request about to start). */
  active = 0;
  /** Requests this session carried (finished or not). */
  requests = 0;
  /** What the server allows at once (after our own cap). */
  maxStreams = INITIAL_MAX_STREAMS;
  /** A GOAWAY arrived: no new streams. */
  goAway: GoAway | null = null;
  closed = false;
  /** When the session last had no streams (ms since the epoch). */
  idleSince = Date.now();
  /** Told when capacity or state changed (a stream ended, SETTINGS, GOAWAY, close). */
  onChange: ((c: H2ClientConn) => void) | null = null;
  private sessionErr: Error | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly cap: number;

  private constructor(readonly conn: Conn, readonly session: ClientHttp2Session, private readonly opts: H2ClientOptions) {
    this.cap = opts.maxConcurrentStreams !== undefined && opts.maxConcurrentStreams > 0 ? opts.maxConcurrentStreams : DEFAULT_MAX_STREAMS;
    session.on('remoteSettings', (s: Settings) => {
      const peer = s.maxConcurrentStreams ?? 0xffffffff;
      this.maxStreams = Math.min(peer, this.cap);
      this.changed();
    });
    session.on('goaway', (code: number, lastStreamID: number, data?: Buffer) => {
      this.goAway = { code, lastStreamID, debug: data === undefined ? '' : data.toString('utf8') };
      this.changed();
      if (this.active === 0) session.close();
    });
    session.on('error', (e: Error) => {
      this.sessionErr ??= e;
    });
    session.on('close', () => {
      this.closed = true;
      this.clearIdle();
      conn.close();
      this.changed();
    });
    // Push is off in our SETTINGS; a server that pushes anyway gets each stream refused.
    session.on('stream', (pushed: ClientHttp2Stream) => {
      pushed.on('error', () => {});
      pushed.close(REFUSED_STREAM);
    });
    this.armIdle();
  }

  /**
   * Starts HTTP/2 on `conn` (already past TLS with `h2` negotiated, or plain for h2c) and
   * resolves once the server's first SETTINGS arrived. `authority` is `host:port`, `scheme`
   * `https:` or `http:`. On failure the conn is closed.
   */
  static async open(conn: Conn, authority: string, scheme: 'http:' | 'https:', opts: H2ClientOptions = {}, signal?: AbortSignal): Promise<H2ClientConn> {
    const sock = await h2Stream(conn);
    const session = h2connect(`${scheme}//${authority}`, {
      createConnection: () => sock,
      settings: {
        enablePush: false,
        initialWindowSize: opts.initialWindowSize ?? 4 << 20,
        maxHeaderListSize: opts.maxHeaderListSize ?? 10 << 20,
      },
      maxHeaderListPairs: 2000,
      maxSessionMemory: 64,
      maxOutstandingPings: 10,
    });
    // HTTP/2 never half-closes: the peer's EOF means it is gone (node:http2 would wait for a
    // 'close' that a TLS socket over a JS stream may never emit).
    sock.once('end', () => {
      if (!session.destroyed) session.destroy();
    });
    const cc = new H2ClientConn(conn, session, opts);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => fail(new HTTP2Error('ERR_HTTP2_TIMEOUT', 'http2: timeout waiting for the server\'s SETTINGS', { timeout: true })),
          opts.settingsTimeout ?? 10_000);
        const cleanup = (): void => {
          clearTimeout(timer);
          session.off('remoteSettings', ok);
          session.off('close', onClose);
          session.off('error', onErr);
          signal?.removeEventListener('abort', onAbort);
        };
        const ok = (): void => {
          cleanup();
          resolve();
        };
        const fail = (e: Error): void => {
          cleanup();
          reject(e);
        };
        const onErr = (e: Error): void => fail(new HTTP2Error('ERR_HTTP2_SESSION', `http2: session setup failed: ${e.message}`, { cause: e }));
        const onClose = (): void => fail(new HTTP2Error('ERR_HTTP2_CONN_LOST', 'http2: connection closed before the server\'s SETTINGS'));
        const onAbort = (): void => fail(signal!.reason as Error);
        session.once('remoteSettings', ok);
        session.once('close', onClose);
        session.once('error', onErr);
        if (signal?.aborted) onAbort();
        else signal?.addEventListener('abort', onAbort, { once: true });
      });
    } catch (e) {
      session.destroy();
      conn.close();
      throw e;
    }
    const cw = opts.connWindowSize ?? 16 << 20;
    if (cw > 65535) {
      try {
        session.setLocalWindowSize(cw);
      } catch {
        // older runtimes: keep the default window
      }
    }
    return cc;
  }

  private changed(): void {
    this.onChange?.(this);
  }

  private armIdle(): void {
    this.idleSince = Date.now();
    const ms = this.opts.idleTimeout ?? 0;
    if (ms > 0 && this.idleTimer === null) {
      this.idleTimer = setTimeout(() => {
        this.idleTimer = null;
        if (this.active === 0) this.close();
      }, ms);
      this.idleTimer.unref();
    }
  }

  private clearIdle(): void {
    if (this.idleTimer !== null) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
  }

  /** Can carry one more request now. */
  get available(): boolean {
    return !this.closed && this.goAway === null && !this.session.closed && !this.session.destroyed && this.active < this.maxStreams;
  }

  /** Takes a stream slot (call before roundTrip; released when the stream closes). */
  reserve(): void {
    this.active++;
    this.clearIdle();
  }

  private release(): void {
    this.active--;
    if (this.active === 0) {
      if (this.goAway !== null) this.session.close();
      else this.armIdle();
    }
    this.changed();
  }

  /** Graceful close: no new streams, open ones finish. */
  close(): void {
    if (this.session.closed || this.session.destroyed) return;
    this.session.close();
  }

  /** Closes now; open streams fail with a connection-lost error. */
  destroy(): void {
    this.session.destroy();
    this.conn.close();
  }

  /** The error for a stream that ended with no (complete) response. */
  private streamFailure(s: ClientHttp2Stream, localErr: Error | null): Error {
    if (localErr !== null) return localErr;
    const id = s.id;
    const code = s.rstCode ?? NO_ERROR;
    const g = this.goAway;
    if (g !== null && (id === undefined || id > g.lastStreamID)) return new H2RetryError(goAwayError(g), true);
    if (code === REFUSED_STREAM) return new H2RetryError(streamError(id ?? 0, code, true), true);
    if (id === undefined) return new H2RetryError(new HTTP2Error('ERR_HTTP2_CONN_LOST', 'http2: client connection lost before the request was sent'), true);
    // The whole conn went away with the stream in it: retried only when replayable.
    if (g !== null) return new H2RetryError(goAwayError(g), false);
    if (this.session.destroyed || this.session.closed || this.closed) {
      const e = this.sessionErr;
      return new H2RetryError(new HTTP2Error('ERR_HTTP2_CONN_LOST', `http2: client connection lost${e ? ': ' + e.message : ''}`, { cause: e ?? undefined }), false);
    }
    if (code !== NO_ERROR) return streamError(id, code, true);
    return new HTTP2Error('ERR_HTTP2_STREAM', `http2: server closed stream ${id} without a complete response`, { streamID: id });
  }

  /**
   * Sends `req` on a new stream (a slot must have been reserved) and resolves with the response
   * once its headers arrived. A failure another session may retry rejects with H2RetryError.
   */
  roundTrip(req: Request, opts: H2RoundTripOptions = {}): Promise<Response> {
    this.requests++;
    const signal = opts.signal;
    const trace = opts.trace;
    const u = req.url;
    const method = req.method;
    const authority = req.host !== '' ? req.host : u.host;
    let headers: OutgoingHttpHeaders;
    if (method === 'CONNECT') headers = { ':method': method, ':authority': authority };
    else headers = { ':method': method, ':scheme': u.protocol.slice(0, -1), ':authority': authority, ':path': (u.pathname || '/') + u.search };
    outgoingHeaders(req.header, headers, SKIP_REQ);
    const ua = req.header.raw('User-Agent');
    if (ua === undefined) headers['user-agent'] = H2_USER_AGENT;
    else if (ua.length > 0 && ua[0] !== '') headers['user-agent'] = ua[0];
    const body = req.body;
    const cl = req.contentLength;
    const hasBody = !(body instanceof EmptyBody) && cl !== 0;
    if (cl > 0 || (cl === 0 && (method === 'POST' || method === 'PUT' || method === 'PATCH'))) headers['content-length'] = String(cl);
    const hasTrailers = hasBody && req.trailer.size > 0;
    if (hasTrailers) headers.trailer = req.trailer.sortedKeys().join(', ');

    return new Promise<Response>((resolve, reject) => {
      let s: ClientHttp2Stream;
      // Aborting this resets the stream with CANCEL at once (close() would first end an upload
      // cleanly, and the server would take a truncated body for a whole one).
      const rst = new AbortController();
      try {
        if (signal?.aborted) throw canceledError('waiting for connection', signal);
        s = this.session.request(headers, { endStream: !hasBody, waitForTrailers: hasTrailers, signal: rst.signal });
      } catch (e) {
        this.release();
        const code = (e as { code?: string }).code ?? '';
        if (code === 'ERR_HTTP2_INVALID_SESSION' || code === 'ERR_HTTP2_GOAWAY_SESSION' || code === 'ERR_HTTP2_OUT_OF_STREAMS') {
          reject(new H2RetryError(new HTTP2Error('ERR_HTTP2_CONN_LOST', `http2: session no longer usable: ${(e as Error).message}`, { cause: e }), true));
        } else reject(e);
        return;
      }
      fire(trace, 'wroteHeaders');
      let responded = false;
      let localErr: Error | null = null;
      let h2body: H2Body | null = null;
      let timer: NodeJS.Timeout | undefined;
      const reset = (e: Error | null): void => {
        if (e !== null) localErr ??= e;
        if (!s.closed && !s.destroyed) rst.abort();
      };
      const onAbort = (): void => {
        const e = canceledError(responded ? 'reading body' : 'awaiting response headers', signal!);
        if (h2body !== null) h2body.fail(e);
        reset(e);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const rht = this.opts.responseHeaderTimeout ?? 0;
      const startTimer = (): void => {
        if (rht > 0) {
          timer = setTimeout(() => reset(new HTTP2Error('ERR_HTTP2_TIMEOUT', 'net/http: timeout awaiting response headers', { streamID: s.id, timeout: true })), rht);
        }
      };
      s.on('error', () => {
        // reported through 'close' (rstCode, session state) or the local error
      });
      s.on('close', () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.release();
        if (!responded) {
          responded = true;
          reject(this.streamFailure(s, localErr));
        }
      });
      s.on('wantTrailers', () => {
        s.sendTrailers(outgoingHeaders(req.trailer, {}));
      });
      s.on('headers', (h: IncomingHttpHeaders, _flags: number, raw?: string[]) => {
        const code = Number(h[':status']);
        if (code >= 100 && code < 200) {
          if (code === 100) fire(trace, 'got100Continue');
          else if (trace?.got1xxResponse !== undefined) {
            try {
              trace.got1xxResponse(code, headerFromRaw(raw ?? rawFromObject(h), false));
            } catch (e) {
              reset(e as Error);
            }
          }
        }
      });
      s.on('response', (h: IncomingHttpHeaders, flags: number, raw?: string[]) => {
        if (responded) return;
        responded = true;
        clearTimeout(timer);
        fire(trace, 'gotFirstResponseByte');
        const status = Number(h[':status']);
        const header = headerFromRaw(raw ?? rawFromObject(h), false);
        const res = new Response({ statusCode: status, proto: 'HTTP/2.0' });
        res.protoMajor = 2;
        res.protoMinor = 0;
        res.header = header;
        res.transferEncoding = [];
        const declared = declaredTrailerKeys(header);
        res.trailer = declared;
        const clen = contentLengthOf(header);
        const ended = (flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0;
        if (method === 'HEAD' || !bodyAllowedForStatus(status) || ended) {
          res.body = new EmptyBody(method === 'HEAD' ? clen : 0, declared);
          res.contentLength = method === 'HEAD' ? clen : 0;
          // The stream may still be open (trailers, a late RST); it is not ours to read.
        } else {
          h2body = new H2Body(s, clen, declared, () => this.streamFailure(s, localErr), () => reset(null));
          res.body = h2body;
          res.contentLength = clen;
        }
        res.request = req;
        resolve(res);
      });

      if (!hasBody) {
        fire(trace, 'wroteRequest', { err: null });
        startTimer();
        return;
      }
      sendBody(s, body).then(() => {
        fire(trace, 'wroteRequest', { err: null });
        startTimer();
      }, (e: unknown) => {
        if (e instanceof StreamClosedError) {
          // The server ended the stream first (it answered early, or reset it): 'close' reports.
          fire(trace, 'wroteRequest', { err: e });
          return;
        }
        fire(trace, 'wroteRequest', { err: e as Error });
        if (!responded) reset(e as Error);
      });
    });
  }
}

/** Request fields that never go out as regular HTTP/2 fields. */
const SKIP_REQ: ReadonlySet<string> = new Set(['content-length', 'user-agent', 'trailer']);

/** What a pool dial produced: an HTTP/2-ready conn, or a conn that chose HTTP/1.1. */
export interface H2DialResult {
  conn: Conn;
  /** The conn speaks HTTP/2 (ALPN `h2`, or h2c by prior knowledge). */
  h2: boolean;
}

/** The dial a pool uses for a key. */
export type H2Dial = (signal: AbortSignal, phase: (p: string) => void) => Promise<H2DialResult>;

/** Options for H2Pool. */
export interface H2PoolOptions extends H2ClientOptions {
  /** Attempts per request across sessions for retryable failures. Default 6 (Go). */
  maxAttempts?: number;
}

/** What H2Pool.roundTrip yields: a response, or the word that this key speaks HTTP/1.1. */
export type H2Outcome =
  | { res: Response; conn: H2ClientConn }
  | { res: null; /** A fresh HTTP/1.1 conn the probe dial made (null: dial one yourself). */ h1: Conn | null };

interface HostEntry {
  sessions: H2ClientConn[];
  /** The dial in flight for this key, if any (shared by every request that needs a session). */
  dialing: Promise<H2ClientConn | Conn> | null;
  /** What the dial in flight is doing (named by a cancellation), and who still waits for it. */
  phase: string;
  dialWaiters: number;
  dialAbort: AbortController | null;
  /** A dial for this key came back HTTP/1.1. */
  h1: boolean;
  waiters: (() => void)[];
}

function rewind(req: Request): Body | null {
  if (req.body instanceof EmptyBody) return req.body;
  if (req.getBody !== null) return req.getBody();
  return req.body.bodyUsed ? null : req.body;
}

/**
 * HTTP/2 sessions per pool key. A request takes a stream on a session with room; when every
 * session is full (or none exists) one dial runs for the key and every waiting request shares
 * its result. Keys whose dial chose HTTP/1.1 are remembered and left to the HTTP/1 pool.
 */
export class H2Pool {
  private readonly hosts = new Map<string, HostEntry>();
  private readonly maxAttempts: number;

  constructor(private readonly opts: H2PoolOptions = {}) {
    this.maxAttempts = opts.maxAttempts ?? 6;
  }

  private entry(key: string): HostEntry {
    let e = this.hosts.get(key);
    if (e === undefined) {
      e = { sessions: [], dialing: null, h1: false, waiters: [], phase: 'waiting for connection', dialWaiters: 0, dialAbort: null };
      this.hosts.set(key, e);
    }
    return e;
  }

  /** This key is known to answer HTTP/1.1 only. */
  isH1(key: string): boolean {
    return this.hosts.get(key)?.h1 === true;
  }

  /** A session for `key` with room for one more stream, reserved; null when none. */
  private pick(e: HostEntry): H2ClientConn | null {
    let best: H2ClientConn | null = null;
    for (const c of e.sessions) {
      if (!c.available) continue;
      // Fill the busiest session first so idle ones can time out.
      if (best === null || c.active > best.active) best = c;
    }
    return best;
  }

  /** Adopts a conn that negotiated h2 (or speaks h2c) as a session for `key`. */
  async add(key: string, conn: Conn, authority: string, scheme: 'http:' | 'https:', signal?: AbortSignal): Promise<H2ClientConn> {
    const cc = await H2ClientConn.open(conn, authority, scheme, this.opts, signal);
    this.track(key, cc);
    return cc;
  }

  private track(key: string, cc: H2ClientConn): void {
    const e = this.entry(key);
    e.sessions.push(cc);
    cc.onChange = (c) => {
      if (c.closed) {
        const i = e.sessions.indexOf(c);
        if (i >= 0) e.sessions.splice(i, 1);
        if (e.sessions.length === 0 && e.dialing === null && !e.h1 && e.waiters.length === 0) this.hosts.delete(key);
      }
    };
  }

  /**
   * Sends `req` over a session for `key`, dialing with `dial` when no session has room. For a
   * key that answered HTTP/1.1, resolves `{ res: null, h1 }` at once (h1: the fresh conn the
   * probe made, for the caller's HTTP/1 pool). Retryable failures are retried on other sessions.
   */
  async roundTrip(key: string, req: Request, authority: string, scheme: 'http:' | 'https:', dial: H2Dial, opts: H2RoundTripOptions = {}): Promise<H2Outcome> {
    const signal = opts.signal;
    for (let attempt = 1; ; attempt++) {
      const e = this.entry(key);
      let cc = this.pick(e);
      if (cc === null) {
        if (e.h1) return { res: null, h1: null };
        const got = await this.awaitSession(key, e, authority, scheme, dial, signal);
        if (got === null) continue;
        if (!(got instanceof H2ClientConn)) return { res: null, h1: got };
        if (!got.available) {
          // Full already (others took its slots): look again. Refusing streams from the start
          // (GOAWAY at once, or a limit of 0) counts as a failed attempt.
          if (got.goAway === null && !got.closed && got.maxStreams > 0) {
            attempt--;
            continue;
          }
          if (attempt >= this.maxAttempts) {
            throw new HTTP2Error('ERR_HTTP2_NO_SESSION',
              `http2: no usable connection to ${authority} after ${attempt} attempts: the server refuses new streams${got.goAway ? ' (GOAWAY ' + errCodeName(got.goAway.code) + ')' : ''}`);
          }
          continue;
        }
        cc = got;
      }
      cc.reserve();
      const idle = cc.active === 1 && cc.requests > 0 ? Date.now() - cc.idleSince : 0;
      fire(opts.trace, 'gotConn', { conn: cc.conn, reused: cc.requests > 0, wasIdle: idle > 0, idleTime: idle });
      try {
        const res = await cc.roundTrip(req, opts);
        return { res, conn: cc };
      } catch (err) {
        if (!(err instanceof H2RetryError)) throw err;
        const may = err.unprocessed || isReplayable(req);
        if (!may || attempt >= this.maxAttempts) throw err.err;
        const b = rewind(req);
        if (b === null) {
          throw new TransportError('ERR_HTTP_CANNOT_REWIND', 'net/http: cannot rewind body after connection loss', { cause: err.err });
        }
        req.body = b;
        // Go backs off between retries of refused streams; a short pause lets a GOAWAY land.
        if (attempt > 1) await new Promise((r) => setTimeout(r, Math.min(1000, 2 ** attempt * 5)));
      }
    }
  }

  /**
   * Waits for the key's dial (starting one when none runs). Resolves with the new session, a
   * conn that chose HTTP/1.1 (handed to exactly one caller), or null: look again.
   */
  private async awaitSession(key: string, e: HostEntry, authority: string, scheme: 'http:' | 'https:', dial: H2Dial, signal?: AbortSignal): Promise<H2ClientConn | Conn | null> {
    let mine = false;
    if (e.dialing === null) {
      mine = true;
      const ac = new AbortController();
      e.dialAbort = ac;
      e.phase = 'dialing';
      e.dialing = (async () => {
        const r = await dial(ac.signal, (ph) => {
          e.phase = ph;
        });
        if (!r.h2) {
          e.h1 = true;
          return r.conn;
        }
        const cc = await H2ClientConn.open(r.conn, authority, scheme, this.opts);
        this.track(key, cc);
        return cc;
      })();
      const clear = (): void => {
        e.dialing = null;
        e.dialAbort = null;
        e.dialWaiters = 0;
        e.phase = 'waiting for connection';
      };
      e.dialing.then(clear, clear);
    }
    const p = e.dialing;
    let got: H2ClientConn | Conn;
    e.dialWaiters++;
    try {
      got = signal === undefined ? await p : await raceSignal(p, signal, () => e.phase);
    } catch (err) {
      // The last request waiting for this dial gave up: stop it (its conn is closed).
      if (e.dialing === p && --e.dialWaiters === 0) e.dialAbort?.abort(err);
      // Gave up waiting: an HTTP/1.1 conn nobody will take is closed.
      if (mine) p.then((v) => (v instanceof H2ClientConn ? undefined : v.close()), () => undefined);
      throw err;
    }
    if (got instanceof H2ClientConn) return got;
    // An HTTP/1.1 conn goes to the caller that started the dial; the rest dial their own.
    return mine ? got : null;
  }

  /** Closes sessions that carry no stream (Go's CloseIdleConnections). */
  closeIdle(): void {
    for (const e of this.hosts.values()) {
      for (const c of [...e.sessions]) if (c.active === 0) c.close();
    }
  }

  /** Closes every session now. */
  closeAll(): void {
    for (const e of this.hosts.values()) for (const c of [...e.sessions]) c.destroy();
    this.hosts.clear();
  }

  /** Sessions and streams per key. */
  stats(): Record<string, { sessions: number; streams: number }> {
    const out: Record<string, { sessions: number; streams: number }> = {};
    for (const [k, e] of this.hosts) {
      out[k] = { sessions: e.sessions.length, streams: e.sessions.reduce((n, c) => n + c.active, 0) };
    }
    return out;
  }
}

function raceSignal<T>(p: Promise<T>, signal: AbortSignal, phase: () => string): Promise<T> {
  if (signal.aborted) return Promise.reject(canceledError(phase(), signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(canceledError(phase(), signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then((v) => {
      signal.removeEventListener('abort', onAbort);
      resolve(v);
    }, (e: unknown) => {
      signal.removeEventListener('abort', onAbort);
      reject(e);
    });
  });
}

// Go's http.Transport: a RoundTripper that keeps a pool of HTTP/1.1 conns per (proxy, scheme,
// host:port), dials through a net Dialer (or any `dial` function returning a Conn), runs TLS
// over that Conn, retries a request that failed on a reused conn before any reply when it is
// safe, decodes gzip / brotli replies it asked for, and reports each step to a ClientTrace.

import { Dialer, IPAddr, type Conn } from '../net/index.js';
import type { HostResolver } from '../net/index.js';
import { Header, validHeaderName, type HeaderInit } from './header.js';
import { Request } from './request.js';
import type { Response } from './response.js';
import { Body, EmptyBody } from './wire/body.js';
import { DEFAULT_MAX_RESPONSE_HEADER_BYTES } from './wire/bufreader.js';
import { proxyFromEnvironment } from './proxy.js';
import { proxyDialer, type GetProxyConnectHeader, type OnProxyConnectResponse } from './proxydial.js';
import { Pool, type Acquired, type DialHandle, type HostStats } from './pool.js';
import {
  AttemptError, PersistConn, TransportError, canceledError, type ExchangeOptions,
} from './persistconn.js';
import { tlsClient, tlsState, type TLSClientOptions } from './tlsclient.js';
import { contextClientTrace, fire, type ClientTrace, type TLSState } from './trace.js';
import { decodedBody } from './transport/decode.js';
import { H2Transport, type H2TransportOptions } from './h2/transport.js';

export { TransportError, RequestCanceledError, upgradedConn } from './persistconn.js';

/** Go's DialContext: any function that yields a Conn. */
export type DialFunc = (network: string, address: string, opts: { signal?: AbortSignal }) => Promise<Conn>;

/** Picks the proxy for a request (null: direct). Throwing aborts the request. */
export type ProxySelector = (req: Request) => URL | null;

/** What a proxy dialer is told: where the request really goes. */
export interface ProxyTarget {
  scheme: 'http:' | 'https:';
  /** `host:port` of the origin. */
  address: string;
  host: string;
}

/**
 * The proxy hop: given the proxy URL and the target, return a Conn that leads to the target (a
 * CONNECT tunnel, a SOCKS session...), or for an http target through an http(s) proxy the conn
 * to the proxy itself (requests then go in absolute form). TLS to an https target then runs
 * over it. Default: proxyDialer() from proxydial.ts with the Transport's settings.
 */
export type ProxyDialFunc = (proxy: URL, target: ProxyTarget, opts: { signal: AbortSignal; dial: DialFunc; trace?: ClientTrace }) => Promise<Conn>;

/** Transport settings, Go's field names in camelCase; times in milliseconds (0 = none). */
export interface TransportOptions {
  /** Default: none. `defaultTransport` uses proxyFromEnvironment. */
  proxy?: ProxySelector | null;
  /** Replaces the built-in proxy hop (http/https forwarding and CONNECT, socks5, socks5h). */
  proxyDial?: ProxyDialFunc;
  /** Extra headers for every CONNECT (Go's ProxyConnectHeader). */
  proxyConnectHeader?: HeaderInit;
  /** Per-tunnel CONNECT headers, replacing proxyConnectHeader (Go's GetProxyConnectHeader). */
  getProxyConnectHeader?: GetProxyConnectHeader;
  /** Sees every CONNECT reply before the status check; throwing aborts (Go's OnProxyConnectResponse). */
  onProxyConnectResponse?: OnProxyConnectResponse;
  /** Bound on the CONNECT exchange / SOCKS dial, ms; default 60 000 (Go's 1 minute). */
  proxyConnectTimeout?: number;
  /** Go's DialContext. Default: a Dialer with `dialer` options (timeout 30 s, keep-alive 30 s). */
  dial?: DialFunc;
  /** Go's DialTLSContext: used for https targets (no proxy) instead of dial + TLS. */
  dialTLS?: DialFunc;
  /** Client TLS settings. */
  tls?: TLSClientOptions;
  /** Default 10 s (0 = no bound). */
  tlsHandshakeTimeout?: number;
  disableKeepAlives?: boolean;
  disableCompression?: boolean;
  /** Idle conns across all hosts; default 100 (0 = unlimited). */
  maxIdleConns?: number;
  /**
   * Idle conns per host. Default: no per-host cap beyond maxIdleConns (Go's default of 2 makes
   * every burst above 2 in flight close and re-dial its conns, golang/go#13801). Negative:
   * never keep idle conns.
   */
  maxIdleConnsPerHost?: number;
  /** Dialing + active + idle conns per host; at the limit requests queue (FIFO). 0 = unlimited. */
  maxConnsPerHost?: number;
  /** Default 90 s. */
  idleConnTimeout?: number;
  responseHeaderTimeout?: number;
  /** Default 1 s. */
  expectContinueTimeout?: number;
  /** Default 10 MiB. */
  maxResponseHeaderBytes?: number;
  /**
   * Offer HTTP/2 (ALPN `h2,http/1.1`) even with a custom `tls`, `dial` (Go's ForceAttemptHTTP2).
   * Without those, HTTP/2 is attempted anyway; `http2: false` turns it off.
   */
  forceAttemptHTTP2?: boolean;
  /** `false`: HTTP/1.1 only. Else HTTP/2 session settings and h2c prior-knowledge hosts. */
  http2?: false | H2TransportOptions;
  /** Small request-body writes are gathered up to this many bytes; default 4 KiB. */
  writeBufferSize?: number;
  /** Bytes read at once from conns without a chunk queue; default 16 KiB. */
  readBufferSize?: number;
  /** Options for the default Dialer (ignored when `dial` is given). */
  dialer?: { timeout?: number; keepAlive?: number; fallbackDelay?: number; resolver?: HostResolver };
}

/** Per-call options for roundTrip. */
export interface RoundTripOptions {
  signal?: AbortSignal;
  trace?: ClientTrace;
}

/** Go's RoundTripper. */
export interface RoundTripper {
  roundTrip(req: Request, opts?: RoundTripOptions): Promise<Response>;
}

const DEFAULT_PORT: Record<string, string> = { 'http:': '80', 'https:': '443' };
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The conn a request needs: who to dial, whether TLS runs, how requests are written. */
interface ConnectMethod {
  key: string;
  scheme: 'http:' | 'https:';
  /** host:port of the target. */
  targetAddr: string;
  targetHost: string;
  proxy: URL | null;
  /** What getConn / the dialer is told: the first hop. */
  firstHop: string;
}

function hostPort(u: URL): string {
  return u.hostname + ':' + (u.port || DEFAULT_PORT[u.protocol] || '');
}

/** Go's http.Transport. */
export class Transport implements RoundTripper {
  readonly proxy: ProxySelector | null;
  readonly proxyDial: ProxyDialFunc;
  readonly tls: TLSClientOptions;
  readonly tlsHandshakeTimeout: number;
  readonly disableKeepAlives: boolean;
  readonly disableCompression: boolean;
  readonly maxIdleConns: number;
  readonly maxIdleConnsPerHost: number;
  readonly maxConnsPerHost: number;
  readonly idleConnTimeout: number;
  readonly responseHeaderTimeout: number;
  readonly expectContinueTimeout: number;
  readonly maxResponseHeaderBytes: number;
  readonly forceAttemptHTTP2: boolean;
  readonly writeBufferSize: number;
  readonly readBufferSize: number;
  private readonly dialFn: DialFunc | undefined;
  private readonly dialTLSFn: DialFunc | undefined;
  private readonly dialer: Dialer;
  private readonly pool: Pool<PersistConn>;
  private readonly opts: TransportOptions;
  private readonly h2: H2Transport | null;

  constructor(opts: TransportOptions = {}) {
    this.opts = opts;
    this.proxy = opts.proxy ?? null;
    this.proxyDial = opts.proxyDial ?? proxyDialer({
      tls: opts.tls, tlsHandshakeTimeout: opts.tlsHandshakeTimeout, proxyConnectHeader: opts.proxyConnectHeader,
      getProxyConnectHeader: opts.getProxyConnectHeader, onProxyConnectResponse: opts.onProxyConnectResponse,
      proxyConnectTimeout: opts.proxyConnectTimeout, maxResponseHeaderBytes: opts.maxResponseHeaderBytes, resolver: opts.dialer?.resolver,
    });
    this.tls = opts.tls ?? {};
    this.tlsHandshakeTimeout = opts.tlsHandshakeTimeout ?? 0;
    this.disableKeepAlives = opts.disableKeepAlives ?? false;
    this.disableCompression = opts.disableCompression ?? false;
    this.maxIdleConns = opts.maxIdleConns ?? 0;
    this.maxIdleConnsPerHost = opts.maxIdleConnsPerHost ?? 0;
    this.maxConnsPerHost = opts.maxConnsPerHost ?? 0;
    this.idleConnTimeout = opts.idleConnTimeout ?? 0;
    this.responseHeaderTimeout = opts.responseHeaderTimeout ?? 0;
    this.expectContinueTimeout = opts.expectContinueTimeout ?? 0;
    this.maxResponseHeaderBytes = opts.maxResponseHeaderBytes ?? DEFAULT_MAX_RESPONSE_HEADER_BYTES;
    this.forceAttemptHTTP2 = opts.forceAttemptHTTP2 ?? false;
    this.writeBufferSize = opts.writeBufferSize || 4096;
    this.readBufferSize = opts.readBufferSize || 16 * 1024;
    this.dialFn = opts.dial;
    this.dialTLSFn = opts.dialTLS;
    this.h2 = H2Transport.fromSettings(opts);
    this.dialer = new Dialer({ timeout: opts.dialer?.timeout, keepAlive: opts.dialer?.keepAlive, fallbackDelay: opts.dialer?.fallbackDelay, resolver: opts.dialer?.resolver });
    this.pool = new Pool<PersistConn>({
      maxIdleConns: this.maxIdleConns > 0 ? this.maxIdleConns : Infinity,
      maxIdleConnsPerHost: this.disableKeepAlives ? -1 : this.maxIdleConnsPerHost,
      maxConnsPerHost: this.maxConnsPerHost,
      idleConnTimeout: this.idleConnTimeout,
    });
  }

  /** A Transport with the same settings and an empty pool (Go's Clone). */
  clone(overrides: TransportOptions = {}): Transport {
    return new Transport({ ...this.opts, ...overrides });
  }

  /** Idle, active, dialing and waiting counts per pool key (`scheme|proxy|host:port`). */
  stats(): Record<string, HostStats> {
    return this.pool.stats();
  }

  /** Closes every idle conn; busy conns finish their request and are then closed. */
  closeIdleConnections(): void {
    this.pool.closeIdle();
    this.h2?.closeIdle();
  }

  private connectMethod(req: Request): ConnectMethod {
    const u = req.url;
    const scheme = u.protocol as 'http:' | 'https:';
    const proxy = this.proxy === null ? null : this.proxy(req);
    const targetAddr = hostPort(u);
    let key: string;
    let firstHop = targetAddr;
    if (proxy !== null) {
      firstHop = hostPort(proxy.protocol === 'https:' || proxy.protocol === 'http:' ? proxy : new URL(proxy.href.replace(/^socks5h?:/, 'http:')));
      if (proxy.protocol === 'socks5:' || proxy.protocol === 'socks5h:') firstHop = proxy.hostname + ':' + (proxy.port || '1080');
      // An http target through an http(s) proxy shares one conn for every origin.
      const shared = scheme === 'http:' && (proxy.protocol === 'http:' || proxy.protocol === 'https:');
      key = scheme + '|' + proxy.href + '|' + (shared ? '' : targetAddr);
    } else {
      key = scheme + '||' + targetAddr;
    }
    return { key, scheme, targetAddr, targetHost: u.hostname, proxy, firstHop };
  }

  /**
   * Sends `req` and resolves with the response once its head arrived. The body must be read to
   * its end or closed; then the conn returns to the pool. Errors say what failed and where.
   */
  async roundTrip(req: Request, opts: RoundTripOptions = {}): Promise<Response> {
    const signal = opts.signal ?? req.signal;
    const trace = opts.trace ?? contextClientTrace(req);
    const u = req.url;
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      req.body.close();
      throw new TransportError('ERR_HTTP_UNSUPPORTED_SCHEME', `unsupported protocol scheme ${JSON.stringify(u.protocol.slice(0, -1))}`);
    }
    if (u.hostname === '') {
      req.body.close();
      throw new TransportError('ERR_HTTP_NO_HOST', 'http: no Host in request URL');
    }
    if (!TOKEN_RE.test(req.method)) {
      req.body.close();
      throw new TransportError('ERR_HTTP_INVALID_METHOD', `net/http: invalid method ${JSON.stringify(req.method)}`);
    }
    const bad = invalidHeader(req.header) ?? invalidHeader(req.trailer);
    if (bad !== null) {
      req.body.close();
      throw new TransportError('ERR_HTTP_INVALID_HEADER', bad);
    }
    const cm = this.connectMethod(req);
    const plainProxy = cm.proxy !== null && cm.scheme === 'http:' && (cm.proxy.protocol === 'http:' || cm.proxy.protocol === 'https:');

    // The request as it goes on the wire: our extras on a copy of the header.
    // A plain copy (same shape as any Request), not a prototype link: keeps property access monomorphic.
    const wire = Object.assign(Object.create(Request.prototype) as Request, req);
    const h = new Header(req.header);
    let askedGzip = false;
    if (!this.disableCompression && !h.has('Accept-Encoding') && !h.has('Range') && req.method !== 'HEAD') {
      askedGzip = true;
      h.set('Accept-Encoding', 'gzip, br');
    }
    if (this.disableKeepAlives && !req.close && !h.has('Upgrade')) wire.close = true;
    if (plainProxy && cm.proxy!.username !== '' && !h.has('Proxy-Authorization')) {
      h.set('Proxy-Authorization', basicAuth(cm.proxy!));
    }
    wire.header = h;
    wire.body = req.body;

    const h1: { conn: Conn | null; tls: TLSState | null } = { conn: null, tls: null };
    const h2mode = this.h2?.mode(cm, h) ?? null;
    if (h2mode !== null) {
      fire(trace, 'getConn', cm.firstHop);
      let res: Response | null;
      try {
        res = await this.h2!.roundTrip(cm, h2mode, wire, this.dialFn ?? this.tracedDial(trace), h1, { signal, trace });
      } catch (e) {
        req.body.close();
        throw e;
      }
      if (res !== null) {
        res.request = req;
        if (askedGzip) decodeIfCompressed(res);
        return res;
      }
    }

    for (;;) {
      fire(trace, 'getConn', cm.firstHop);
      let acq: Acquired<PersistConn>;
      try {
        acq = await this.pool.get(cm.key, (key, handle) => {
          // The HTTP/2 probe's conn chose HTTP/1.1: it serves as this request's dial.
          const pre = h1.conn;
          h1.conn = null;
          if (pre === null) return this.dialConn(cm, key, handle, trace);
          const pc = new PersistConn(pre, key, this.pool.gen, h1.tls, this.readBufferSize);
          pc.onIdleClosed = (c) => this.pool.removeIdle(c);
          return Promise.resolve(pc);
        }, signal, canceledError);
        h1.conn?.close();
        h1.conn = null;
      } catch (e) {
        req.body.close();
        throw e;
      }
      const pc = acq.conn;
      const reused = pc.requests > 0 || acq.wasIdle;
      fire(trace, 'gotConn', { conn: pc.conn, reused, wasIdle: acq.wasIdle, idleTime: acq.idleTime });
      const xo: ExchangeOptions = {
        signal, trace, proxy: plainProxy,
        expectContinueTimeout: this.expectContinueTimeout,
        responseHeaderTimeout: this.responseHeaderTimeout,
        maxHeaderBytes: this.maxResponseHeaderBytes,
        writeBufferSize: this.writeBufferSize,
        noReuse: this.disableKeepAlives,
        detach: (c) => this.pool.detach(c),
        done: (c, reusable) => {
          const err = this.pool.put(c, reusable, c.gen);
          if (!this.disableKeepAlives) fire(trace, 'putIdleConn', err);
        },
      };
      try {
        const res = await pc.exchange(wire, xo);
        res.request = req;
        if (askedGzip) decodeIfCompressed(res);
        return res;
      } catch (e) {
        if (!(e instanceof AttemptError)) throw e;
        // An attempt that never touched the conn (aborted before it began) leaves it usable.
        this.pool.put(pc, !pc.broken, pc.gen);
        if (!e.fatal && reused && this.canRetry(wire, e)) {
          const b = rewind(wire);
          if (b !== null) {
            wire.body = b;
            continue;
          }
          req.body.close();
          throw new TransportError('ERR_HTTP_CANNOT_REWIND', 'net/http: cannot rewind body after connection loss', { cause: e.err });
        }
        req.body.close();
        throw this.attemptError(wire, e, reused);
      }
    }
  }

  private canRetry(req: Request, e: AttemptError): boolean {
    const rewindable = req.body instanceof EmptyBody || req.getBody !== null || !req.body.bodyUsed;
    if (e.nothingWritten) return rewindable;
    if (!e.beforeResponse) return false;
    return rewindable && isReplayable(req);
  }

  private attemptError(req: Request, e: AttemptError, reused: boolean): unknown {
    const err = e.err;
    if (e.fatal) return err;
    if (reused && e.beforeResponse) {
      const why = isReplayable(req)
        ? 'it cannot be replayed (its body cannot be re-read)'
        : `${req.method} is not idempotent; set an Idempotency-Key header to allow retries`;
      return new TransportError('ERR_HTTP_SERVER_CLOSED_IDLE',
        `net/http: server closed idle connection before sending a response; the request was not retried: ${why}`, { cause: err });
    }
    if (err instanceof TransportError) return err;
    return new TransportError('ERR_HTTP_CONN_BROKEN', `net/http: HTTP/1.x transport connection broken: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }

  /** Dials the first hop, tunnels / handshakes as needed, and wraps the conn. */
  private async dialConn(cm: ConnectMethod, key: string, handle: DialHandle, trace: ClientTrace | undefined): Promise<PersistConn> {
    const pc = await this.dialPersist(cm, key, handle, trace);
    pc.onIdleClosed = (c) => this.pool.removeIdle(c);
    return pc;
  }

  private async dialPersist(cm: ConnectMethod, key: string, handle: DialHandle, trace: ClientTrace | undefined): Promise<PersistConn> {
    const signal = handle.controller.signal;
    handle.phase = 'dialing';
    let conn: Conn;
    const https = cm.scheme === 'https:';
    const dial = this.dialFn ?? this.tracedDial(trace);
    if (cm.proxy === null && https && this.dialTLSFn !== undefined) {
      conn = await this.dialTLSFn('tcp', cm.targetAddr, { signal });
      return new PersistConn(conn, key, this.pool.gen, tlsStateOf(conn), this.readBufferSize);
    }
    const proxy = cm.proxy;
    if (proxy === null) {
      conn = await dial('tcp', cm.targetAddr, { signal });
    } else {
      handle.phase = 'connecting to proxy';
      conn = await this.proxyDial(proxy, { scheme: cm.scheme, address: cm.targetAddr, host: cm.targetHost }, { signal, dial, trace });
    }
    if (!https) return new PersistConn(conn, key, this.pool.gen, null, this.readBufferSize);
    handle.phase = 'TLS handshake';
    fire(trace, 'tlsHandshakeStart');
    try {
      const tc = await tlsClient(conn, cm.targetHost, { ...this.tls, signal, timeout: this.tlsHandshakeTimeout });
      const st = tlsState(tc, this.tls.serverName ?? cm.targetHost);
      fire(trace, 'tlsHandshakeDone', st, null);
      return new PersistConn(tc, key, this.pool.gen, st, this.readBufferSize);
    } catch (e) {
      fire(trace, 'tlsHandshakeDone', null, e as Error);
      throw e;
    }
  }

  /** The default dialer, with DNS / connect hooks when the trace has them. */
  private tracedDial(trace: ClientTrace | undefined): DialFunc {
    const d = this.dialer;
    if (trace === undefined || (!trace.dnsStart && !trace.dnsDone && !trace.connectStart && !trace.connectDone)) {
      return (network, address, o) => d.dial(network, address, o);
    }
    const base = d.resolver;
    const resolver: HostResolver = {
      async lookupIPAddr(host, lo) {
        fire(trace, 'dnsStart', { host });
        try {
          const r = base ?? (await import('../net/index.js')).defaultResolver();
          const addrs = await r.lookupIPAddr(host, lo);
          fire(trace, 'dnsDone', { addrs, err: null, coalesced: false });
          return addrs;
        } catch (e) {
          fire(trace, 'dnsDone', { addrs: [] as IPAddr[], err: e as Error, coalesced: false });
          throw e;
        }
      },
    };
    const td = new Dialer({
      timeout: d.timeout, deadline: d.deadline, localAddr: d.localAddr, fallbackDelay: d.fallbackDelay,
      keepAlive: d.keepAlive, readQueueLimit: d.readQueueLimit, resolver,
      control: (network, address, sock) => {
        fire(trace, 'connectStart', network, address);
        let reported = false;
        const report = (err: Error | null): void => {
          if (reported) return;
          reported = true;
          fire(trace, 'connectDone', network, address, err);
        };
        sock.once('connect', () => report(null));
        sock.once('error', (e) => report(e));
        sock.once('close', () => report(new Error('connect canceled')));
      },
    });
    return (network, address, o) => td.dial(network, address, o);
  }
}

function tlsStateOf(c: Conn): import('./trace.js').TLSState | null {
  const cs = (c as { connectionState?: () => import('./trace.js').TLSState }).connectionState;
  return typeof cs === 'function' ? cs.call(c) : null;
}

// eslint-disable-next-line no-control-regex
const BAD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;

/** Go's RoundTrip checks: names must be tokens, values free of CTLs but HTAB (never echoed). */
function invalidHeader(h: Header): string | null {
  if (h.size === 0) return null;
  for (const [k, vs] of h) {
    if (!validHeaderName(k)) return `net/http: invalid header field name ${JSON.stringify(k)}`;
    for (const v of vs) if (BAD_VALUE.test(v)) return `net/http: invalid header field value for ${JSON.stringify(k)}`;
  }
  return null;
}

function basicAuth(u: URL): string {
  const user = decodeURIComponent(u.username);
  const pass = decodeURIComponent(u.password);
  return 'Basic ' + Buffer.from(user + ':' + pass).toString('base64');
}

function isReplayable(req: Request): boolean {
  return IDEMPOTENT.has(req.method) || req.header.has('Idempotency-Key') || req.header.has('X-Idempotency-Key');
}

/** A fresh body for a retry, or null when the body was consumed and cannot be re-made. */
function rewind(req: Request): Body | null {
  if (req.body instanceof EmptyBody) return req.body;
  if (req.getBody !== null) return req.getBody();
  return req.body.bodyUsed ? null : req.body;
}

/** Swaps in a decoding body when the server answered in an encoding we asked for. */
function decodeIfCompressed(res: Response): void {
  const ce = res.header.get('Content-Encoding').trim().toLowerCase();
  if (ce !== 'gzip' && ce !== 'br' && ce !== 'x-gzip') return;
  if (res.body instanceof EmptyBody) return;
  res.body = decodedBody(res.body, ce === 'br' ? 'br' : 'gzip');
  res.header.del('Content-Encoding');
  res.header.del('Content-Length');
  res.contentLength = -1;
  res.uncompressed = true;
}

/** Go's DefaultTransport: proxy from the environment, the seed's limits and timeouts. */
export const defaultTransport = new Transport({
  proxy: proxyFromEnvironment,
  dialer: { timeout: 30_000, keepAlive: 30_000 },
  maxIdleConns: 100,
  idleConnTimeout: 90_000,
  tlsHandshakeTimeout: 10_000,
  expectContinueTimeout: 1_000,
  forceAttemptHTTP2: true,
});

// The proxy hop of the Transport: given a proxy URL and the request's target, produce a Conn that
// leads to the target, as Go's Transport.dialConn does for proxied conns.
//
// - http:// and https:// proxies (https: TLS to the proxy itself first):
//   · http targets: the conn to the proxy is returned as is; the Transport writes each request
//     in absolute form with Proxy-Authorization (one conn serves every origin).
//   · https targets: `CONNECT host:port HTTP/1.1` with Host, User-Agent, the configured
//     connect headers and Proxy-Authorization (Basic, from the proxy URL's userinfo, set over
//     the configured ones). A 2xx reply opens the tunnel; bytes that arrived behind the reply
//     head belong to the tunnel and are read first. Any other status is a ProxyConnectError that
//     carries the status, header and (the start of) the body; the conn is closed.
// - socks5:// (names resolved here) and socks5h:// (the proxy resolves): src/net/socks.ts.
//
// Failures reaching or talking to the proxy are OpErrors `proxyconnect tcp ...` (Go's wording)
// whose cause says what went wrong; SOCKS failures keep socks.ts's `socks connect ...` OpError.
// The caller's signal and `proxyConnectTimeout` (default 1 minute, as Go) bound the handshake.

import { OpError, type Conn, type Addr, type HostResolver } from '../net/index.js';
import { PrefixedConn } from '../net/prefixconn.js';
import { abortCause, raceSignal, withDeadline } from '../net/context.js';
import { socksDialerFromURL } from '../net/socks.js';
import { Header, type HeaderInit } from './header.js';
import { DEFAULT_USER_AGENT, Request } from './request.js';
import { nextResponse, type Response } from './response.js';
import { BufReader } from './wire/bufreader.js';
import { BAD_RESPONSE, ProtocolError } from './wire/head.js';
import { encodeRequestHead } from './wire/write.js';
import { TransportError } from './persistconn.js';
import { tlsClient, tlsState, type TLSClientOptions } from './tlsclient.js';
import { fire, type ClientTrace } from './trace.js';

/** Go's DialContext shape (the Transport's dial). */
type Dial = (network: string, address: string, opts: { signal?: AbortSignal }) => Promise<Conn>;

/** Where a proxied request really goes (the Transport's ProxyTarget). */
export interface ProxyDialTarget {
  scheme: 'http:' | 'https:';
  /** `host:port` of the origin (IPv6 bracketed). */
  address: string;
  host: string;
}

/** What the Transport passes for one proxied dial. */
export interface ProxyDialContext {
  signal: AbortSignal;
  /** Dials the first hop (the Transport's dial, traced). */
  dial: Dial;
  trace?: ClientTrace;
}

/** Go's GetProxyConnectHeader: the CONNECT headers for one tunnel (null / undefined: none). */
export type GetProxyConnectHeader = (proxyURL: URL, target: string, opts: { signal: AbortSignal }) =>
  HeaderInit | null | undefined | Promise<HeaderInit | null | undefined>;

/**
 * Go's OnProxyConnectResponse: sees every CONNECT reply (before the status check). Throwing
 * (or rejecting) aborts the dial with that error and closes the conn.
 */
export type OnProxyConnectResponse = (proxyURL: URL, connectRequest: Request, res: Response) => void | Promise<void>;

/** Settings of the default proxy dialer (the Transport passes its own). */
export interface ProxyDialerOptions {
  /** TLS settings for https:// proxies (serverName is always the proxy's host). */
  tls?: TLSClientOptions;
  /** Bound on the TLS handshake with an https:// proxy, ms (0 = none). */
  tlsHandshakeTimeout?: number;
  /** Extra headers for every CONNECT (Go's ProxyConnectHeader). */
  proxyConnectHeader?: HeaderInit;
  /** Replaces proxyConnectHeader when set (Go's GetProxyConnectHeader). */
  getProxyConnectHeader?: GetProxyConnectHeader;
  onProxyConnectResponse?: OnProxyConnectResponse;
  /** Bound on the CONNECT exchange or the whole SOCKS dial, ms; default 60 000 (0 = none). */
  proxyConnectTimeout?: number;
  /** Bound on a CONNECT reply head; default 1 MiB. */
  maxResponseHeaderBytes?: number;
  /** Resolver for socks5:// targets (default: the process-wide one). */
  resolver?: HostResolver;
}

/** A proxy dial function (the Transport's ProxyDialFunc). */
export type ProxyDialer = (proxy: URL, target: ProxyDialTarget, ctx: ProxyDialContext) => Promise<Conn>;

export const DEFAULT_PROXY_CONNECT_TIMEOUT = 60_000;
const DEFAULT_MAX_CONNECT_HEAD = 1 << 20;
/** How much of a refused CONNECT's body is kept on the error. */
const MAX_ERROR_BODY = 64 * 1024;
/** How long reading a refused CONNECT's body may take at most. */
const ERROR_BODY_WAIT = 2000;
/** 1xx replies skipped before a final CONNECT reply. */
const MAX_INTERIM = 8;

/** The proxy URL as shown in messages and on errors: no password. */
export function redactedProxy(u: URL): string {
  const r = new URL(u.href);
  if (r.password !== '') r.password = 'xxxxx';
  return r.href.replace(/\/$/, '');
}

/**
 * The proxy answered CONNECT with a status other than 2xx (the conn was closed). Go reports
 * only the reason phrase (#38143); here the status, header and body start are kept.
 */
export class ProxyConnectError extends Error {
  override name = 'ProxyConnectError';
  readonly code = 'ERR_PROXY_CONNECT_STATUS';
  readonly timeout = false;
  readonly temporary = false;
  /** e.g. 407. */
  readonly statusCode: number;
  /** e.g. `407 Proxy Authentication Required`. */
  readonly status: string;
  readonly header: Header;
  /** The first bytes of the reply body (at most 64 KiB). */
  readonly body: Uint8Array;
  /** The proxy, password redacted. */
  readonly proxy: string;
  /** The `host:port` the tunnel was asked for. */
  readonly target: string;
  constructor(proxy: URL, target: string, res: Response, body: Uint8Array) {
    super(`proxyconnect tcp: CONNECT ${target} via ${redactedProxy(proxy)}: ${res.status}`);
    this.statusCode = res.statusCode;
    this.status = res.status;
    this.header = res.header;
    this.body = body;
    this.proxy = redactedProxy(proxy);
    this.target = target;
  }

  /** The body as text (latin1-safe UTF-8 decode). */
  bodyText(): string {
    return Buffer.from(this.body).toString('utf8');
  }
}

/** The proxy did not finish the handshake within proxyConnectTimeout. */
export class ProxyTimeoutError extends Error {
  override name = 'ProxyTimeoutError';
  readonly code = 'ETIMEDOUT';
  readonly timeout = true;
  readonly temporary = true;
  constructor(what: string, ms: number) {
    super(`timed out after ${ms} ms waiting for the proxy ${what}`);
  }
}

/**
 * A conn to the target through a CONNECT tunnel. Reads first return the bytes the proxy sent
 * right behind its reply head; everything else goes to the conn to the proxy (`inner`).
 */
export class TunnelConn extends PrefixedConn {
  constructor(
    /** The conn to the proxy (TCP, or TLS for an https:// proxy). */
    inner: Conn,
    prefix: Uint8Array | null,
    /** The proxy, password redacted. */
    readonly proxy: string,
    /** The `host:port` the tunnel leads to. */
    readonly target: string,
    /** The proxy's 2xx reply. */
    readonly connectResponse: Response,
  ) {
    super(inner, prefix);
  }
}

function basicAuth(u: URL): string {
  return 'Basic ' + Buffer.from(decodeURIComponent(u.username) + ':' + decodeURIComponent(u.password)).toString('base64');
}

function proxyHostPort(u: URL): string {
  return u.hostname + ':' + (u.port || (u.protocol === 'https:' ? '443' : '80'));
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

function proxyOpError(cause: unknown, addr: Addr | null): OpError {
  return new OpError({ op: 'proxyconnect', net: 'tcp', addr, cause: asError(cause) });
}

/** Options for connectTunnel. */
export interface ConnectTunnelOptions extends Pick<ProxyDialerOptions,
  'proxyConnectHeader' | 'getProxyConnectHeader' | 'onProxyConnectResponse' | 'proxyConnectTimeout' | 'maxResponseHeaderBytes'> {
  signal?: AbortSignal;
}

/**
 * Runs `CONNECT target` on `conn` (a conn to the proxy `proxy`) and resolves with the tunnel.
 * On any failure `conn` is closed. Errors: ProxyConnectError (non-2xx reply), an error thrown
 * by onProxyConnectResponse / getProxyConnectHeader as is, else OpError `proxyconnect` (bad or
 * missing reply, timeout with `timeout === true`, write failure, cancellation).
 */
export async function connectTunnel(conn: Conn, proxy: URL, target: string, opts: ConnectTunnelOptions = {}): Promise<TunnelConn> {
  const ms = opts.proxyConnectTimeout ?? DEFAULT_PROXY_CONNECT_TIMEOUT;
  const scope = withDeadline(opts.signal, ms > 0 ? Date.now() + ms : 0);
  const signal = scope.signal;
  const onAbort = (): void => conn.close();
  signal.addEventListener('abort', onAbort, { once: true });
  let phase = 'reply to CONNECT';
  try {
    let init: HeaderInit | null | undefined = opts.proxyConnectHeader;
    if (opts.getProxyConnectHeader !== undefined) {
      phase = 'connect headers (getProxyConnectHeader)';
      init = await raceSignal(Promise.resolve(opts.getProxyConnectHeader(proxy, target, { signal })), signal);
    }
    const hdr = new Header(init ?? undefined);
    if (proxy.username !== '' || proxy.password !== '') hdr.set('Proxy-Authorization', basicAuth(proxy));
    const req = new Request('CONNECT', new URL('https://' + target), { header: hdr, host: target });
    const head = encodeRequestHead({
      method: 'CONNECT', target, host: target, header: hdr,
      userAgent: hdr.has('User-Agent') ? undefined : DEFAULT_USER_AGENT,
    });
    phase = 'to accept CONNECT';
    await raceSignal(conn.write(head), signal);
    phase = 'reply to CONNECT';
    const br = new BufReader(conn);
    let res: Response | null = null;
    for (let i = 0; ; i++) {
      res = await raceSignal(nextResponse(br, { method: 'CONNECT', maxHeaderBytes: opts.maxResponseHeaderBytes ?? DEFAULT_MAX_CONNECT_HEAD }), signal);
      if (res === null) {
        throw new ProtocolError(BAD_RESPONSE, 'ERR_HTTP_EOF', `the proxy closed the connection before replying to CONNECT ${target}`);
      }
      if (res.statusCode >= 200 || i >= MAX_INTERIM) break;
    }
    if (opts.onProxyConnectResponse !== undefined) {
      phase = 'reply to be accepted (onProxyConnectResponse)';
      await raceSignal(Promise.resolve(opts.onProxyConnectResponse(proxy, req, res)), signal);
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      const body = await errorBody(conn, res);
      throw new ProxyConnectError(proxy, target, res, body);
    }
    return new TunnelConn(conn, br.takeBuffered(), redactedProxy(proxy), target, res);
  } catch (e) {
    conn.close();
    // A refusal stays a refusal even if the clock ran out while its body was read.
    if (e instanceof ProxyConnectError || isHookError(e)) throw e;
    if (signal.aborted) {
      if (opts.signal?.aborted) throw proxyOpError(abortCause(opts.signal), conn.remoteAddr);
      throw proxyOpError(new ProxyTimeoutError(phase, ms), conn.remoteAddr);
    }
    throw proxyOpError(e, conn.remoteAddr);
  } finally {
    signal.removeEventListener('abort', onAbort);
    scope.done();
  }
}

// Errors from user hooks pass through unwrapped; they are marked on the way.
const hookErrors = new WeakSet<object>();
function isHookError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && hookErrors.has(e);
}
function markHook<T>(p: () => T | Promise<T>): Promise<T> {
  return (async () => {
    try {
      return await p();
    } catch (e) {
      if (typeof e === 'object' && e !== null) hookErrors.add(e);
      throw e;
    }
  })();
}

/** The start of a refused CONNECT's body, bounded in size and time (never fails). */
async function errorBody(conn: Conn, res: Response): Promise<Uint8Array> {
  const timer = setTimeout(() => conn.close(), ERROR_BODY_WAIT);
  const parts: Uint8Array[] = [];
  let n = 0;
  try {
    while (n < MAX_ERROR_BODY) {
      const c = await res.body.readChunk(MAX_ERROR_BODY - n);
      if (c === null) break;
      parts.push(new Uint8Array(c));
      n += c.length;
    }
  } catch {
    // Whatever arrived is enough for the error.
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(parts);
}

/**
 * The default proxy dialer. Returns a ProxyDialFunc for the Transport: http(s) proxies
 * (forwarding for http targets, CONNECT tunnels for https ones), socks5 and socks5h.
 */
export function proxyDialer(opts: ProxyDialerOptions = {}): ProxyDialer {
  const o: ProxyDialerOptions = {
    ...opts,
    getProxyConnectHeader: opts.getProxyConnectHeader === undefined ? undefined
      : (u, t, x) => markHook(() => opts.getProxyConnectHeader!(u, t, x)),
    onProxyConnectResponse: opts.onProxyConnectResponse === undefined ? undefined
      : (u, r, res) => markHook(() => opts.onProxyConnectResponse!(u, r, res)),
  };
  return (proxy, target, ctx) => dialViaProxy(proxy, target, ctx, o);
}

async function dialViaProxy(proxy: URL, target: ProxyDialTarget, ctx: ProxyDialContext, opts: ProxyDialerOptions): Promise<Conn> {
  const trace = ctx.trace;
  fire(trace, 'proxyConnectStart', proxy, target.address);
  try {
    const c = await dialHop(proxy, target, ctx, opts);
    fire(trace, 'proxyConnectDone', proxy, target.address, null);
    return c;
  } catch (e) {
    fire(trace, 'proxyConnectDone', proxy, target.address, asError(e));
    throw e;
  }
}

async function dialHop(proxy: URL, target: ProxyDialTarget, ctx: ProxyDialContext, opts: ProxyDialerOptions): Promise<Conn> {
  const { signal, dial, trace } = ctx;
  switch (proxy.protocol) {
    case 'http:':
    case 'https:': {
      let conn: Conn;
      try {
        conn = await dial('tcp', proxyHostPort(proxy), { signal });
      } catch (e) {
        throw proxyOpError(e, null);
      }
      if (proxy.protocol === 'https:') conn = await proxyTLS(conn, proxy, signal, trace, opts);
      if (target.scheme === 'http:') return conn;
      return connectTunnel(conn, proxy, target.address, { ...opts, signal });
    }
    case 'socks5:':
    case 'socks5h:': {
      const d = socksDialerFromURL(proxy, {
        forward: { dial: (network, address, o) => dial(network, address, { signal: o?.signal }) },
        resolver: opts.resolver,
        timeout: opts.proxyConnectTimeout ?? DEFAULT_PROXY_CONNECT_TIMEOUT,
      });
      return d.dial('tcp', target.address, { signal });
    }
    default:
      throw new TransportError('ERR_HTTP_PROXY_UNSUPPORTED',
        `net/http: unsupported proxy scheme ${JSON.stringify(proxy.protocol.slice(0, -1))} in ${redactedProxy(proxy)} (want http, https, socks5 or socks5h)`);
  }
}

/** TLS to an https:// proxy itself; failures are `proxyconnect` OpErrors. */
async function proxyTLS(conn: Conn, proxy: URL, signal: AbortSignal, trace: ClientTrace | undefined, opts: ProxyDialerOptions): Promise<Conn> {
  const host = proxy.hostname.replace(/^\[|\]$/g, '');
  const { serverName: _ignored, ...tls } = opts.tls ?? {};
  const addr = conn.remoteAddr;
  fire(trace, 'tlsHandshakeStart');
  try {
    const tc = await tlsClient(conn, host, { ...tls, nextProtos: ['http/1.1'], signal, timeout: opts.tlsHandshakeTimeout ?? 0 });
    fire(trace, 'tlsHandshakeDone', tlsState(tc, host), null);
    return tc;
  } catch (e) {
    fire(trace, 'tlsHandshakeDone', null, asError(e));
    throw proxyOpError(e, addr);
  }
}

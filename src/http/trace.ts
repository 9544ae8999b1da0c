// Client tracing hooks, Go's net/http/httptrace: callbacks fired at each step of a request's
// life in the Transport. Hooks may run after roundTrip returned (putIdleConn, for one) and must
// not throw; an exception from a hook is reported on the process, never to the request.

import type { Conn } from '../net/index.js';
import type { Header } from './header.js';
import type { IPAddr } from '../net/index.js';
import type { Request } from './request.js';

/** What gotConn reports: the conn, whether it was used before, and how long it sat idle. */
export interface GotConnInfo {
  conn: Conn;
  /** The conn served an earlier request. */
  reused: boolean;
  /** The conn came from the idle pool. */
  wasIdle: boolean;
  /** How long it was idle, in ms (0 when not wasIdle). */
  idleTime: number;
}

/** What dnsDone reports. */
export interface DNSDoneInfo {
  addrs: IPAddr[];
  err: Error | null;
  /** Another lookup answered this one (always false: no lookup coalescing yet). */
  coalesced: boolean;
}

/** What wroteRequest reports. */
export interface WroteRequestInfo {
  err: Error | null;
}

/** The TLS connection state, a subset of Go's tls.ConnectionState. */
export interface TLSState {
  /** e.g. `TLSv1.3`. */
  version: string;
  cipherSuite: string;
  /** Negotiated ALPN protocol, '' if none. */
  negotiatedProtocol: string;
  serverName: string;
  handshakeComplete: boolean;
  /** The peer certificate as Node reports it (detailed, with issuer chain). */
  peerCertificate: import('node:tls').DetailedPeerCertificate | null;
  /** A resumed session. */
  didResume: boolean;
}

/**
 * httptrace.ClientTrace. Every hook is optional. `connectStart`/`connectDone` fire once per
 * address the dialer tries (both racers of a Happy Eyeballs race); `dnsStart`/`dnsDone` only for
 * names that need a lookup. With a user-supplied `dial` function, only the hooks the Transport
 * itself can see fire (no DNS / connect pairs).
 */
export interface ClientTrace {
  /** Before the pool is consulted; `hostPort` is the first hop (the proxy when proxied). */
  getConn?(hostPort: string): void;
  gotConn?(info: GotConnInfo): void;
  /** A conn went back to the pool (err null) or was refused (err says why). */
  putIdleConn?(err: Error | null): void;
  dnsStart?(info: { host: string }): void;
  dnsDone?(info: DNSDoneInfo): void;
  connectStart?(network: string, addr: string): void;
  connectDone?(network: string, addr: string, err: Error | null): void;
  /**
   * The proxy hop begins: reaching `proxyURL` (and, for https / SOCKS, its handshake) to get a
   * conn towards `target` (`host:port`). Fires between getConn and tlsHandshakeStart of the target.
   */
  proxyConnectStart?(proxyURL: URL, target: string): void;
  /** The proxy hop ended: a conn towards the target (err null), or why not. */
  proxyConnectDone?(proxyURL: URL, target: string, err: Error | null): void;
  tlsHandshakeStart?(): void;
  tlsHandshakeDone?(state: TLSState | null, err: Error | null): void;
  /** The request head was written (the body may follow). */
  wroteHeaders?(): void;
  /** Headers sent with `Expect: 100-continue`; the body waits for the server. */
  wait100Continue?(): void;
  got100Continue?(): void;
  /** Each 1xx response other than 101; throwing aborts the request. */
  got1xxResponse?(code: number, header: Header): void;
  /** The whole request (with body) was written, or writing failed. */
  wroteRequest?(info: WroteRequestInfo): void;
  gotFirstResponseByte?(): void;
}

const traces = new WeakMap<Request, ClientTrace>();

/**
 * Attaches `trace` to `req` (Go's httptrace.WithClientTrace on the request's context). A trace
 * already attached still runs: the new hooks run first, then the old ones.
 */
export function withClientTrace(req: Request, trace: ClientTrace): Request {
  const old = traces.get(req);
  traces.set(req, old === undefined ? trace : composeTraces(trace, old));
  return req;
}

/** The trace attached to `req` with withClientTrace, if any. */
export function contextClientTrace(req: Request): ClientTrace | undefined {
  return traces.get(req);
}

type Hook = (...args: never[]) => unknown;

/** A trace whose every hook calls `a`'s, then `b`'s. */
export function composeTraces(a: ClientTrace, b: ClientTrace): ClientTrace {
  const out: Record<string, Hook> = {};
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const fa = (a as Record<string, Hook | undefined>)[k];
    const fb = (b as Record<string, Hook | undefined>)[k];
    if (fa === undefined) out[k] = fb!;
    else if (fb === undefined) out[k] = fa;
    else out[k] = (...args: never[]) => {
      fa(...args);
      return fb(...args);
    };
  }
  return out as ClientTrace;
}

/** Calls a hook, reporting (not propagating) an exception it throws. */
export function fire<K extends keyof ClientTrace>(t: ClientTrace | undefined, k: K, ...args: Parameters<NonNullable<ClientTrace[K]>>): void {
  if (t === undefined) return;
  const f = t[k] as ((...a: unknown[]) => void) | undefined;
  if (f === undefined) return;
  try {
    f.apply(t, args);
  } catch (e) {
    queueMicrotask(() => {
      throw e;
    });
  }
}

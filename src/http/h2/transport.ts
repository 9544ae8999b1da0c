// The Transport's HTTP/2 part: which requests may go over HTTP/2, the dial that offers ALPN
// `h2,http/1.1` (or speaks h2c to hosts named for prior knowledge), and the session pool. The
// Transport asks it first; a key that answered HTTP/1.1 falls through to the HTTP/1 pool, with
// the conn the probe dialed.

import type { Conn } from '../../net/index.js';
import type { Header } from '../header.js';
import type { Request } from '../request.js';
import type { Response } from '../response.js';
import { fire, type ClientTrace, type TLSState } from '../trace.js';
import { tlsClient, tlsState, type TLSClientOptions } from '../tlsclient.js';
import { H2Pool, type H2PoolOptions } from './client.js';

declare module '../response.js' {
  interface Response {
    /** TLS state of the conn that carried the response (null for plain HTTP). */
    tls?: TLSState | null;
  }
}

/** Transport options for HTTP/2 (`http2` in TransportOptions). */
export interface H2TransportOptions extends H2PoolOptions {
  /**
   * `host:port` targets of `http:` URLs spoken to in HTTP/2 without asking (h2c with prior
   * knowledge). Only for servers known to speak it.
   */
  priorKnowledge?: string[];
}

/** What the part needs from the Transport's settings. */
export interface H2TransportSettings {
  http2?: false | H2TransportOptions;
  forceAttemptHTTP2?: boolean;
  tls?: TLSClientOptions;
  dial?: unknown;
  dialTLS?: unknown;
  tlsHandshakeTimeout?: number;
  idleConnTimeout?: number;
  responseHeaderTimeout?: number;
  maxResponseHeaderBytes?: number;
}

/** The first hop of a request, as the Transport worked it out. */
export interface H2Target {
  key: string;
  scheme: 'http:' | 'https:';
  targetAddr: string;
  targetHost: string;
  proxy: URL | null;
}

type RawDial = (network: string, address: string, opts: { signal?: AbortSignal }) => Promise<Conn>;

/** The Transport's HTTP/2 side. */
export class H2Transport {
  readonly pool: H2Pool;
  private readonly prior: Set<string>;
  private readonly attemptTLS: boolean;

  private constructor(private readonly s: H2TransportSettings, o: H2TransportOptions, attemptTLS: boolean) {
    this.prior = new Set(o.priorKnowledge ?? []);
    this.attemptTLS = attemptTLS;
    this.pool = new H2Pool({
      idleTimeout: s.idleConnTimeout,
      responseHeaderTimeout: s.responseHeaderTimeout,
      maxHeaderListSize: s.maxResponseHeaderBytes,
      ...o,
    });
  }

  /**
   * Go's rule: HTTP/2 over TLS is attempted unless a custom TLS config, dial or dialTLS was
   * given, and `forceAttemptHTTP2` overrides that; `http2: false` turns it all off. A dialTLS
   * function keeps HTTP/1.1 (its conns are not ours to speak ALPN on). Null when nothing is on.
   */
  static fromSettings(s: H2TransportSettings): H2Transport | null {
    if (s.http2 === false) return null;
    const o = s.http2 ?? {};
    const custom = s.tls !== undefined || s.dial !== undefined || s.dialTLS !== undefined;
    const attemptTLS = s.dialTLS === undefined && (s.forceAttemptHTTP2 === true || !custom);
    if (!attemptTLS && (o.priorKnowledge ?? []).length === 0) return null;
    return new H2Transport(s, o, attemptTLS);
  }

  /** `h2` (TLS + ALPN), `h2c` (prior knowledge) or null (HTTP/1.1 only) for this request. */
  mode(t: H2Target, h: Header): 'h2' | 'h2c' | null {
    if (t.proxy !== null) return null;
    // Upgrades (websockets) are HTTP/1-only, as Go.
    if (h.has('Upgrade')) return null;
    if (t.scheme === 'https:') return this.attemptTLS ? 'h2' : null;
    return this.prior.has(t.targetAddr) ? 'h2c' : null;
  }

  /**
   * Sends `wire` over HTTP/2 when the target speaks it. Null: use HTTP/1.1 (with `h1.conn`, a
   * fresh TLS conn the probe made, when there is one).
   */
  async roundTrip(t: H2Target, mode: 'h2' | 'h2c', wire: Request, dial: RawDial, h1: { conn: Conn | null; tls: TLSState | null },
    opts: { signal?: AbortSignal; trace?: ClientTrace }): Promise<Response | null> {
    const trace = opts.trace;
    const serverName = this.s.tls?.serverName ?? t.targetHost;
    const out = await this.pool.roundTrip(t.key, wire, t.targetAddr, t.scheme, async (signal, phase) => {
      const conn = await dial('tcp', t.targetAddr, { signal });
      if (mode === 'h2c') return { conn, h2: true };
      phase('TLS handshake');
      fire(trace, 'tlsHandshakeStart');
      try {
        const protos = this.s.tls?.nextProtos ?? ['http/1.1'];
        const tc = await tlsClient(conn, t.targetHost, {
          ...this.s.tls, signal, timeout: this.s.tlsHandshakeTimeout,
          nextProtos: protos.includes('h2') ? protos : ['h2', ...protos],
        });
        const st = tlsState(tc, serverName);
        fire(trace, 'tlsHandshakeDone', st, null);
        const h2 = st.negotiatedProtocol === 'h2';
        if (!h2) h1.tls = st;
        else tlsStates.set(tc, st);
        return { conn: tc, h2 };
      } catch (e) {
        fire(trace, 'tlsHandshakeDone', null, e as Error);
        throw e;
      }
    }, opts);
    if (out.res === null) {
      h1.conn = out.h1;
      return null;
    }
    out.res.tls = tlsStates.get(out.conn.conn) ?? null;
    return out.res;
  }

  closeIdle(): void {
    this.pool.closeIdle();
  }
}

const tlsStates = new WeakMap<Conn, TLSState>();

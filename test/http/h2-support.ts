// Helpers for the HTTP/2 tests: our H2Server on a loopback port behind tlsServer (or plain, for
// h2c), and an H2Pool that dials it through tlsClient with ALPN h2.

import { dial, listen, type Conn, type Listener } from '../../src/net/index.js';
import { tlsClient, tlsServer } from '../../src/http/tls.js';
import { H2Pool, H2Server, type H2DialResult, type H2PoolOptions, type H2ServerHost, type H2ServerOptions, type H2Outcome } from '../../src/http/h2.js';
import { Request, type RequestInit } from '../../src/http/request.js';
import type { Response } from '../../src/http/response.js';
import type { Handler } from '../../src/http/handler.js';
import type { ClientTrace } from '../../src/http/trace.js';
import type { TestPKI } from '../support/tls.js';

/** A running H2 server and what it logged. */
export interface H2TestServer {
  h2: H2Server;
  ln: Listener;
  port: number;
  logs: string[];
  /** Conns accepted (TCP). */
  accepted: number;
  close(): void;
}

/** Host settings for H2Server with test defaults. */
export function host(handler: Handler, o: Partial<H2ServerHost> = {}, logs: string[] = []): H2ServerHost {
  return {
    handler, readTimeout: 0, writeTimeout: 0, idleTimeout: 0, headerLimit: 1 << 20,
    log: (m) => logs.push(m), ...o,
  };
}

/** Starts our HTTP/2 server on 127.0.0.1:0; TLS with ALPN h2 unless `plain` (h2c). */
export async function startH2(pki: TestPKI | null, handler: Handler, o: Partial<H2ServerHost> = {}, so: H2ServerOptions = {}): Promise<H2TestServer> {
  const logs: string[] = [];
  const h2 = new H2Server(host(handler, o, logs), so);
  const ln = await listen('tcp', '127.0.0.1:0');
  const port = (ln.addr as unknown as { port: number }).port;
  const srv: H2TestServer = {
    h2, ln, port, logs, accepted: 0,
    close() {
      ln.close();
      h2.close();
    },
  };
  void (async () => {
    for (;;) {
      let c: Conn;
      try {
        c = await ln.accept();
      } catch {
        return;
      }
      srv.accepted++;
      void (async () => {
        try {
          const tc = pki === null ? c : await tlsServer(c, { cert: pki.cert, key: pki.key, ALPNProtocols: ['h2', 'http/1.1'] });
          await h2.serveConn(tc);
        } catch (e) {
          logs.push(`serve: ${(e as Error).message}`);
          c.close();
        }
      })();
    }
  })();
  return srv;
}

/** A dial for an H2Pool: TCP to `port`, then TLS offering h2 (none for h2c). */
export function dialer(port: number, pki: TestPKI | null, alpn = ['h2', 'http/1.1']): (signal: AbortSignal) => Promise<H2DialResult> {
  return async (signal) => {
    const c = await dial('tcp', `127.0.0.1:${port}`, { signal });
    if (pki === null) return { conn: c, h2: true };
    const tc = await tlsClient(c, { ca: pki.caCert, servername: 'localhost', ALPNProtocols: alpn, signal });
    return { conn: tc, h2: tc.connectionState().negotiatedProtocol === 'h2' };
  };
}

/** A client: an H2Pool bound to one server. */
export class H2TestClient {
  readonly pool: H2Pool;
  dials = 0;
  private readonly d: (signal: AbortSignal) => Promise<H2DialResult>;
  constructor(readonly port: number, readonly pki: TestPKI | null, opts: H2PoolOptions = {}, alpn?: string[]) {
    this.pool = new H2Pool(opts);
    const d = dialer(port, pki, alpn);
    this.d = (s) => {
      this.dials++;
      return d(s);
    };
  }
  get scheme(): 'http:' | 'https:' {
    return this.pki === null ? 'http:' : 'https:';
  }
  get key(): string {
    return `${this.scheme}||localhost:${this.port}`;
  }
  url(path: string): string {
    return `${this.scheme}//localhost:${this.port}${path}`;
  }
  outcome(req: Request, o: { signal?: AbortSignal; trace?: ClientTrace } = {}): Promise<H2Outcome> {
    return this.pool.roundTrip(this.key, req, `localhost:${this.port}`, this.scheme, this.d, o);
  }
  async rt(req: Request, o: { signal?: AbortSignal; trace?: ClientTrace } = {}): Promise<Response> {
    const out = await this.outcome(req, { signal: o.signal ?? req.signal, trace: o.trace });
    if (out.res === null) throw new Error('server did not speak h2');
    return out.res;
  }
  get(path: string, init: RequestInit = {}): Promise<Response> {
    return this.rt(new Request('GET', this.url(path), init));
  }
  close(): void {
    this.pool.closeAll();
  }
}

/** sha256 hex of bytes. */
export async function sha256(b: Uint8Array): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(b).digest('hex');
}

// Go's http.Server: accepts conns from any net.Listener (TLS is a Conn wrapper, see tls.ts),
// serves each with ServerConn (server/conn.ts), tracks conn states for graceful shutdown.

import { readFileSync } from 'node:fs';
import type { SecureContextOptions } from 'node:tls';
import { listen, type Conn, type Listener } from '../net/index.js';
import { hasChunkReader } from '../net/conn.js';
import type { Addr } from '../net/errors.js';
import { isHandler, notFoundHandler, type Handler } from './handler.js';
import { DEFAULT_MAX_HEADER_BYTES, HEADER_SLACK } from './wire/bufreader.js';
import { ServerConn, type ConnHost, type ConnState } from './server/conn.js';
import { TLSConn, tlsServer, type TLSServerOptions } from './tls.js';
import { H2Server, type H2ServerOptions } from './h2/server.js';

export { ServerResponseWriter, ErrBodyNotAllowed, ErrHijacked } from './server/response_writer.js';
export { ErrAbortHandler, HandlerDoneError, ClientGoneError, type ConnState } from './server/conn.js';

/** Returned (thrown) by serve/listenAndServe after shutdown or close (Go's ErrServerClosed). */
export class ErrServerClosed extends Error {
  override name = 'ErrServerClosed';
  constructor() {
    super('http: Server closed');
  }
}

/** Options for a Server. Timeouts are milliseconds; 0 or negative means none. */
export interface ServerOptions {
  /** `host:port` for listenAndServe; default `:80` (`:443` for TLS). */
  addr?: string;
  /** Default: 404 for everything. */
  handler?: Handler;
  /** Time to read request line + headers, from the first byte (falls back to readTimeout). */
  readHeaderTimeout?: number;
  /** Time to read a whole request, body included. */
  readTimeout?: number;
  /** Time from the end of the request head to the end of the reply. */
  writeTimeout?: number;
  /** Time a keep-alive conn may wait for its next request (falls back to readTimeout). */
  idleTimeout?: number;
  /** Bound on request line + headers; default 1 MiB (the reader allows 4096 bytes more, as Go). */
  maxHeaderBytes?: number;
  /** Called synchronously on every conn state change. */
  connState?: (conn: Conn, state: ConnState) => void;
  /** Where the server logs handler failures, TLS handshake errors, accept retries. Default console.error. */
  errorLog?: (msg: string) => void;
  /** Pass `OPTIONS *` to the handler instead of answering 200 (Go's DisableGeneralOptionsHandler). */
  disableGeneralOptionsHandler?: boolean;
  /** TLS settings for listenAndServeTLS / serveTLS (node:tls secure context options, ALPN...). */
  tls?: TLSServerOptions;
  /** HTTP/2 over TLS (ALPN `h2`) is on by default; `false` offers HTTP/1.1 only. */
  http2?: false | H2ServerOptions;
}

/** Options for Server.shutdown. */
export interface ShutdownOptions {
  /** Gives up waiting (conns are left open) with the signal's reason. */
  signal?: AbortSignal;
}

/** A conn that was New this long counts as idle for shutdown (Go). */
const NEW_CONN_IDLE_MS = 5000;

function ms(v: number | undefined): number {
  return v !== undefined && v > 0 && Number.isFinite(v) ? v : 0;
}

function defaultLog(msg: string): void {
  console.error(msg);
}

function sleep(n: number): Promise<void> {
  return new Promise((r) => setTimeout(r, n));
}

/** PEM text, or a path to read it from. */
function pem(v: string | Uint8Array | undefined): string | Buffer | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') return Buffer.from(v);
  return v.includes('-----BEGIN') ? v : readFileSync(v);
}

/** Go's http.Server. */
export class Server implements ConnHost {
  addr: string;
  handler: Handler;
  readonly readHeaderTimeout: number;
  readonly readTimeout: number;
  readonly writeTimeout: number;
  readonly idleTimeout: number;
  readonly maxHeaderBytes: number;
  readonly headerLimit: number;
  keepAlives = true;
  readonly disableGeneralOptionsHandler: boolean;
  private readonly connStateHook: ServerOptions['connState'];
  private readonly errorLog: (msg: string) => void;
  private readonly tlsOpts: TLSServerOptions | undefined;
  private readonly http2Opts: false | H2ServerOptions | undefined;
  private h2: H2Server | null = null;
  private readonly listeners = new Set<Listener>();
  private readonly conns = new Set<ServerConn>();
  private inShutdown = false;
  private onShutdown: (() => void)[] = [];
  private drained: (() => void)[] = [];

  constructor(opts: ServerOptions = {}) {
    if (opts.handler !== undefined && !isHandler(opts.handler)) throw new TypeError('http: Server handler must be a function or an object with serveHTTP');
    this.addr = opts.addr ?? '';
    this.handler = opts.handler ?? notFoundHandler();
    this.readHeaderTimeout = ms(opts.readHeaderTimeout);
    this.readTimeout = ms(opts.readTimeout);
    this.writeTimeout = ms(opts.writeTimeout);
    this.idleTimeout = ms(opts.idleTimeout);
    this.maxHeaderBytes = opts.maxHeaderBytes !== undefined && opts.maxHeaderBytes > 0 ? opts.maxHeaderBytes : DEFAULT_MAX_HEADER_BYTES;
    this.headerLimit = this.maxHeaderBytes + HEADER_SLACK;
    this.connStateHook = opts.connState;
    this.errorLog = opts.errorLog ?? defaultLog;
    this.tlsOpts = opts.tls;
    this.http2Opts = opts.http2;
    this.disableGeneralOptionsHandler = opts.disableGeneralOptionsHandler ?? false;
  }

  get shuttingDown(): boolean {
    return this.inShutdown;
  }

  /** Addresses of the listeners being served now. */
  get listenerAddrs(): Addr[] {
    return [...this.listeners].map((l) => l.addr);
  }

  /** Number of conns being served (new, active or idle). */
  get connCount(): number {
    return this.conns.size;
  }

  log(msg: string): void {
    try {
      this.errorLog(msg);
    } catch {
      // a broken logger must not break serving
    }
  }

  setState(c: ServerConn, s: ConnState): void {
    if (s === 'new') this.conns.add(c);
    else if (s === 'closed' || s === 'hijacked') {
      this.conns.delete(c);
      if (this.conns.size === 0 && this.drained.length > 0) for (const f of this.drained.splice(0)) f();
    }
    const hook = this.connStateHook;
    if (hook !== undefined) {
      try {
        hook(c.conn, s);
      } catch (e) {
        this.log(`http: connState hook threw: ${(e as Error)?.message ?? String(e)}`);
      }
    }
  }

  /** Go's SetKeepAlivesEnabled; turning them off also closes idle conns. */
  setKeepAlivesEnabled(on: boolean): void {
    this.keepAlives = on;
    if (!on) this.closeIdleConns();
  }

  /** Registers a function run when shutdown starts (Go's RegisterOnShutdown). */
  registerOnShutdown(f: () => void): void {
    this.onShutdown.push(f);
  }

  /**
   * Accepts conns from `ln` and serves each until shutdown or close; always rejects, with
   * ErrServerClosed after those (Go's Serve). Temporary accept errors are retried with backoff.
   */
  serve(ln: Listener): Promise<never> {
    return this.serveWith(ln, undefined);
  }

  /** serve over TLS: each conn is wrapped with tlsServer (handshake in the conn's own task). */
  serveTLS(ln: Listener, cert?: string | Uint8Array, key?: string | Uint8Array): Promise<never> {
    const opts: TLSServerOptions = { ALPNProtocols: this.http2Opts === false ? ['http/1.1'] : ['h2', 'http/1.1'], ...this.tlsOpts };
    const c = pem(cert);
    const k = pem(key);
    if (c !== undefined) opts.cert = c;
    if (k !== undefined) opts.key = k;
    if (opts.cert === undefined && opts.secureContext === undefined && opts.pfx === undefined && opts.SNICallback === undefined) {
      return Promise.reject(new Error('http: serveTLS needs a certificate (cert and key, or tls options)'));
    }
    if (opts.handshakeTimeout === undefined) {
      const ts = [this.readHeaderTimeout, this.readTimeout, this.writeTimeout].filter((t) => t > 0);
      if (ts.length > 0) opts.handshakeTimeout = Math.min(...ts);
    }
    return this.serveWith(ln, opts);
  }

  private async serveWith(ln: Listener, tlsOpts: TLSServerOptions | undefined): Promise<never> {
    if (this.inShutdown) {
      ln.close();
      throw new ErrServerClosed();
    }
    this.listeners.add(ln);
    let delay = 0;
    try {
      for (;;) {
        let c: Conn;
        try {
          c = await ln.accept();
        } catch (e) {
          if (this.inShutdown) throw new ErrServerClosed();
          if ((e as { temporary?: boolean }).temporary === true) {
            delay = delay === 0 ? 5 : Math.min(delay * 2, 1000);
            this.log(`http: Accept error: ${(e as Error).message}; retrying in ${delay}ms`);
            await sleep(delay);
            continue;
          }
          throw e;
        }
        delay = 0;
        if (tlsOpts === undefined) this.serveConn(c);
        else void this.serveTLSConn(c, tlsOpts);
      }
    } finally {
      this.listeners.delete(ln);
    }
  }

  private serveConn(c: Conn): void {
    const sc = new ServerConn(this, c);
    this.setState(sc, 'new');
    if (this.inShutdown) {
      sc.close();
      this.setState(sc, 'closed');
      return;
    }
    void sc.serve();
  }

  private async serveTLSConn(raw: Conn, opts: TLSServerOptions): Promise<void> {
    let first: Uint8Array | null = null;
    try {
      // A plain-HTTP request to the TLS port gets Go's answer instead of a handshake error.
      if (opts.handshakeTimeout !== undefined) raw.setReadDeadline(new Date(Date.now() + opts.handshakeTimeout));
      first = hasChunkReader(raw) ? await raw.readChunk() : await readSome(raw);
      if (first === null) {
        raw.close();
        return;
      }
      if (looksLikeHTTP(first)) {
        await raw.write(Buffer.from('HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n', 'latin1'));
        raw.close();
        return;
      }
      raw.setReadDeadline(null);
    } catch {
      raw.close();
      return;
    }
    let c: Conn;
    try {
      c = await tlsServer(raw, { ...opts, prefix: first });
    } catch (e) {
      let who = '';
      try {
        who = raw.remoteAddr.toString();
      } catch {
        // no address
      }
      this.log(`http: TLS handshake error from ${who}: ${(e as Error)?.message ?? String(e)}`);
      raw.close();
      return;
    }
    if (c instanceof TLSConn && c.connectionState().negotiatedProtocol === 'h2' && this.http2Opts !== false) {
      this.serveH2(c);
      return;
    }
    this.serveConn(c);
  }

  /** Serves a conn that negotiated `h2`; its sessions count as conns for shutdown and close. */
  private serveH2(c: Conn): void {
    if (this.h2 === null) {
      const h2 = new H2Server(this, this.http2Opts || {}, (sc, st) => this.setState(sc as unknown as ServerConn, st));
      this.h2 = h2;
      this.registerOnShutdown(() => h2.shutdown());
    }
    if (this.inShutdown) {
      c.close();
      return;
    }
    this.h2.serveConn(c).catch((e: unknown) => {
      this.log(`http2: serving ${c.remoteAddr.toString()}: ${(e as Error)?.message ?? String(e)}`);
      c.close();
    });
  }

  /** Listens on `addr` (default `:80`) and serves (Go's ListenAndServe). */
  async listenAndServe(): Promise<never> {
    if (this.inShutdown) throw new ErrServerClosed();
    const ln = await listen('tcp', this.addr === '' ? ':80' : this.addr);
    return this.serve(ln);
  }

  /**
   * Listens on `addr` (default `:443`) and serves HTTPS. `cert` and `key` are PEM text or file
   * paths; they may be omitted when the `tls` option carries a certificate.
   */
  async listenAndServeTLS(cert?: string | Uint8Array, key?: string | Uint8Array): Promise<never> {
    if (this.inShutdown) throw new ErrServerClosed();
    const ln = await listen('tcp', this.addr === '' ? ':443' : this.addr);
    return this.serveTLS(ln, cert, key);
  }

  private closeListeners(): void {
    for (const ln of this.listeners) {
      try {
        ln.close();
      } catch {
        // already closed
      }
    }
  }

  private closeIdleConns(): boolean {
    const now = Date.now();
    let quiescent = true;
    for (const c of [...this.conns]) {
      if (c.state === 'idle' || (c.state === 'new' && now - c.since > NEW_CONN_IDLE_MS)) c.close();
      else quiescent = false;
    }
    return quiescent && this.conns.size === 0;
  }

  /**
   * Graceful shutdown (Go's Shutdown): stops accepting, closes idle conns, and waits for active
   * ones to finish their current reply (which goes out with `Connection: close`). Aborting
   * `signal` stops the wait and rejects with its reason; conns are left as they are.
   */
  async shutdown(opts: ShutdownOptions = {}): Promise<void> {
    this.inShutdown = true;
    this.closeListeners();
    for (const f of this.onShutdown.splice(0)) {
      queueMicrotask(() => {
        try {
          f();
        } catch (e) {
          this.log(`http: onShutdown hook threw: ${(e as Error)?.message ?? String(e)}`);
        }
      });
    }
    const signal = opts.signal;
    signal?.throwIfAborted();
    if (this.closeIdleConns()) return;
    await new Promise<void>((resolve, reject) => {
      let pollMs = 1;
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        clearTimeout(timer);
        const i = this.drained.indexOf(done);
        if (i >= 0) this.drained.splice(i, 1);
        reject(signal?.reason);
      };
      const poll = (): void => {
        if (this.closeIdleConns()) {
          done();
          return;
        }
        // Go polls 1 ms doubling to 500 ms with ~10% jitter.
        pollMs = Math.min(pollMs * 2, 500);
        timer = setTimeout(poll, pollMs + Math.floor(Math.random() * pollMs * 0.1));
      };
      this.drained.push(done);
      signal?.addEventListener('abort', onAbort, { once: true });
      timer = setTimeout(poll, pollMs);
    });
  }

  /** Closes listeners and every conn now (not hijacked ones) (Go's Close). */
  close(): void {
    this.inShutdown = true;
    this.closeListeners();
    for (const c of [...this.conns]) c.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}

async function readSome(c: Conn): Promise<Uint8Array | null> {
  const b = new Uint8Array(16 * 1024);
  const n = await c.read(b);
  return n === null ? null : b.subarray(0, n);
}

/** A TLS record starts with 0x16; an HTTP request with an uppercase method letter. */
function looksLikeHTTP(b: Uint8Array): boolean {
  if (b.length === 0 || b[0] === 0x16) return false;
  const n = Math.min(b.length, 8);
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c === 0x20) return i > 0;
    if (c < 0x41 || c > 0x5a) return false;
  }
  return true;
}

/** Serves `handler` on `addr` (Go's http.ListenAndServe). Rejects with the listen or serve error. */
export function listenAndServe(addr: string, handler?: Handler): Promise<never> {
  return new Server({ addr, handler }).listenAndServe();
}

/** HTTPS version of listenAndServe (Go's http.ListenAndServeTLS). */
export function listenAndServeTLS(addr: string, cert: string | Uint8Array, key: string | Uint8Array, handler?: Handler): Promise<never> {
  return new Server({ addr, handler }).listenAndServeTLS(cert, key);
}

/** Serves `handler` on conns from `ln` (Go's http.Serve). */
export function serve(ln: Listener, handler?: Handler): Promise<never> {
  return new Server({ handler }).serve(ln);
}

export type { SecureContextOptions };

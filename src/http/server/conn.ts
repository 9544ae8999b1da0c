// One accepted conn's life on the server: read a request, run the handler, finish the reply,
// repeat while keep-alive allows. Requests on one conn are served strictly in order (so
// pipelined requests are answered in order); one BufReader lives as long as the conn.

import type { Conn } from '../../net/conn.js';
import { PrefixedConn } from '../../net/prefixconn.js';
import { OpError } from '../../net/errors.js';
import { serveWith, type Handler } from '../handler.js';
import { bindSignal, bufferedRequest, nextRequest, type ReadRequestOptions, type Request } from '../request.js';
import { BufReader } from '../wire/bufreader.js';
import { EmptyBody } from '../wire/body.js';
import { ProtocolError } from '../wire/head.js';
import { statusText } from '../wire/write.js';
import { ServerResponseWriter, httpDateLine, type ReplySink } from './response_writer.js';

/** Go's ConnState: new → active → idle → active … → closed, or → hijacked (terminal). */
export type ConnState = 'new' | 'active' | 'idle' | 'hijacked' | 'closed';

/** Throw this from a handler to abort the reply without a log line (Go's ErrAbortHandler). */
export class ErrAbortHandler extends Error {
  override name = 'ErrAbortHandler';
  constructor() {
    super('net/http: abort Handler');
  }
}

/** The reason a request's signal aborts with once its handler returned. */
export class HandlerDoneError extends Error {
  override name = 'HandlerDoneError';
  constructor() {
    super('http: handler returned');
  }
}

/** The reason a request's signal aborts with when the client goes away. */
export class ClientGoneError extends Error {
  override name = 'ClientGoneError';
  constructor(cause?: unknown) {
    super('http: client disconnected', cause === undefined ? undefined : { cause });
  }
}

/** What a conn needs from its server (the Server implements it). */
export interface ConnHost {
  readonly handler: Handler;
  /** 0 = none. Header timeout falls back to readTimeout, idle to readTimeout. */
  readonly readHeaderTimeout: number;
  readonly readTimeout: number;
  readonly writeTimeout: number;
  readonly idleTimeout: number;
  /** Bound on request line + headers as the reader applies it (maxHeaderBytes + 4096). */
  readonly headerLimit: number;
  readonly keepAlives: boolean;
  /** Leave `OPTIONS *` to the handler instead of answering 200 (Go's DisableGeneralOptionsHandler). */
  readonly disableGeneralOptionsHandler: boolean;
  readonly shuttingDown: boolean;
  log(msg: string): void;
  setState(c: ServerConn, s: ConnState): void;
}

/** Request bodies up to this many unread bytes are discarded for reuse; more closes (Go). */
export const MAX_POST_HANDLER_READ_BYTES = 256 * 1024;
/** How long an error reply waits for the client to stop sending before closing (Go). */
const ERROR_LINGER_MS = 500;

const HANDLER_DONE = new HandlerDoneError();

const noop = (): void => {};

function thenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as PromiseLike<unknown>).then === 'function';
}

/** A plain-text error reply that ends the conn (Go's format, plus a Content-Length). */
export function errorReply(code: number, detail: string, proto = 'HTTP/1.1'): Buffer {
  const text = statusText(code);
  const body = code + ' ' + text + (detail === '' ? '' : ': ' + detail);
  const b = Buffer.from(body, 'utf8');
  const head = proto + ' ' + code + ' ' + text + '\r\nContent-Type: text/plain; charset=utf-8\r\n' + httpDateLine() +
    'Connection: close\r\nContent-Length: ' + b.length + '\r\n\r\n';
  return Buffer.concat([Buffer.from(head, 'latin1'), b]);
}

/** Public text for a request the parser refused (Go keeps some reasons private). */
function replyFor(e: ProtocolError): Buffer {
  if (e.status === 431) return errorReply(431, '');
  if (e.status === 501) return errorReply(501, 'Unsupported transfer encoding');
  return errorReply(e.status, e.message);
}

/** The server side of one conn. */
export class ServerConn implements ReplySink {
  state: ConnState = 'new';
  /** When the conn was accepted (ms since the epoch). */
  readonly since = Date.now();
  readonly br: BufReader;
  private readonly remote: string;
  private closed = false;
  /** A read started once the current request's body was consumed (client-gone detection). */
  private bg: Promise<boolean> | null = null;
  private bgErr: unknown = null;
  private handlerRunning = false;
  private hijacking = false;
  private cur: ServerResponseWriter | null = null;
  /** The current request's body has been read to its end (or there is none). */
  private bodyDone = false;

  constructor(private readonly host: ConnHost, readonly conn: Conn) {
    this.br = new BufReader(conn);
    let r = '';
    try {
      r = conn.remoteAddr.toString();
    } catch {
      // some conns have no peer address
    }
    this.remote = r;
  }

  log(msg: string): void {
    this.host.log(msg);
  }

  /** The handler asked for req.signal: watch for the client going away from now on. */
  signalWanted(w: ServerResponseWriter): void {
    if (this.cur === w && this.handlerRunning) this.startBackgroundRead();
  }

  get draining(): boolean {
    return this.host.shuttingDown || !this.host.keepAlives;
  }

  private setState(s: ConnState): void {
    if (this.state === s || this.state === 'closed' || this.state === 'hijacked') return;
    this.state = s;
    this.host.setState(this, s);
  }

  /** Closes the conn now (Server.close, shutdown of an idle conn). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.conn.close();
  }

  /**
   * Starts the background read that notices a client going away during the handler: once the
   * request body is consumed and someone holds the request's signal (no signal, no one to tell).
   */
  private startBackgroundRead(): void {
    if (!this.bodyDone || this.cur === null || !this.cur.signalWanted) return;
    if (this.bg !== null || this.br.buffered > 0 || this.br.atEOF || this.closed) return;
    const w = this.handlerRunning ? this.cur : null;
    this.bg = this.br.fill().then((ok) => {
      if (ok) {
        if (this.state === 'idle') this.setState('active');
      } else if (w !== null && !this.hijacking) {
        w.abortRequest(new ClientGoneError());
      }
      return ok;
    }, (e: unknown) => {
      this.bgErr = e;
      if (w !== null && !this.hijacking) w.abortRequest(new ClientGoneError(e));
      return false;
    });
  }

  private setReadDeadlineIn(ms: number): void {
    this.conn.setReadDeadline(ms > 0 ? new Date(Date.now() + ms) : null);
  }

  /** Serves requests until the conn ends; never rejects. */
  async serve(): Promise<void> {
    const host = this.host;
    const hdrTimeout = host.readHeaderTimeout > 0 ? host.readHeaderTimeout : host.readTimeout;
    const idleTimeout = host.idleTimeout > 0 ? host.idleTimeout : host.readTimeout;
    const anyReadTimeout = hdrTimeout > 0 || host.readTimeout > 0 || idleTimeout > 0;
    const reqOpts: ReadRequestOptions = { maxHeaderBytes: host.headerLimit };
    let first = true;
    try {
      for (;;) {
        if (first && hdrTimeout > 0) this.setReadDeadlineIn(hdrTimeout);
        const bg = this.bg;
        if (bg !== null) {
          this.bg = null;
          const ok = await bg;
          if (this.bgErr !== null || (!ok && this.br.buffered === 0)) return;
        }
        if (this.br.buffered === 0 && !(await this.br.fill())) return;
        // The header clock starts with the request's first byte (Go).
        if (!first && (hdrTimeout > 0 || idleTimeout > 0)) this.setReadDeadlineIn(hdrTimeout);
        this.setState('active');
        const t0 = Date.now();
        let req: Request | null | undefined;
        try {
          // Usually the whole head is buffered already: no promise for it.
          req = bufferedRequest(this.br, reqOpts);
          if (req === undefined) req = await nextRequest(this.br, reqOpts);
        } catch (e) {
          if (e instanceof ProtocolError && e.code !== 'ERR_HTTP_UNEXPECTED_EOF') await this.refuse(e);
          return;
        }
        if (req === null) return;
        first = false;
        if (host.readTimeout > 0) this.conn.setReadDeadline(new Date(t0 + host.readTimeout));
        else if (anyReadTimeout) this.conn.setReadDeadline(null);
        if (host.writeTimeout > 0) this.conn.setWriteDeadline(new Date(Date.now() + host.writeTimeout));

        let keep = this.serveRequest(req);
        if (typeof keep !== 'boolean') keep = await keep;
        if (!keep) return;
        // Let the finished request's objects die young: an idle conn holding its last request
        // until the next one arrives keeps them alive across scavenges.
        this.cur = null;
        if (host.writeTimeout > 0) this.conn.setWriteDeadline(null);
        if (host.shuttingDown) return;
        this.setState('idle');
        if (idleTimeout > 0) this.setReadDeadlineIn(idleTimeout);
        else if (anyReadTimeout) this.conn.setReadDeadline(null);
        if (host.shuttingDown) return;
      }
    } catch (e) {
      // Conn read/write failures (reset, timeout, closed) are the client's business, as in Go:
      // close quietly. Anything else is a bug worth a log line.
      if (!this.closed && !(e instanceof OpError)) this.log(`http: error serving ${this.remote}: ${(e as Error)?.message ?? String(e)}`);
    } finally {
      if (this.state !== 'hijacked') {
        this.close();
        this.setState('closed');
      }
    }
  }

  /** Answers a request the parser refused, then lets the client finish sending before closing. */
  private async refuse(e: ProtocolError): Promise<void> {
    try {
      await this.conn.write(replyFor(e));
      await this.conn.closeWrite();
      // Reading what the client still sends avoids a reset that could destroy our reply.
      this.conn.setReadDeadline(new Date(Date.now() + ERROR_LINGER_MS));
      const sink = new Uint8Array(16 * 1024);
      let n = 0;
      while (n < (1 << 20)) {
        const k = await this.conn.read(sink);
        if (k === null) break;
        n += k;
      }
    } catch {
      // the client is gone or slow: close anyway
    }
  }

  /**
   * Runs the handler for one request and finishes the reply; true if the conn may be reused.
   * The common case (no body, no Expect, a handler that returns without a promise, a reply the
   * kernel took at once) finishes without a promise; anything else continues in finishRequest.
   */
  private serveRequest(req: Request): boolean | Promise<boolean> {
    const host = this.host;
    req.remoteAddr = this.remote;
    const w = new ServerResponseWriter(this, req, req.close || !host.keepAlives || host.shuttingDown);
    // req.signal is made on first use: most handlers never look, and an AbortController per
    // request is a measurable cost.
    bindSignal(req, w);
    this.cur = w;
    this.handlerRunning = true;
    const body = req.body;
    const hasBody = !(body instanceof EmptyBody);

    // Expect: 100-continue on HTTP/1.1 with a body → sent on the first body read; any other
    // expectation → 417.
    const expect = req.header.raw('Expect');
    if (expect !== undefined && req.protoMinor >= 1) {
      if (expect.length === 1 && expect[0].toLowerCase() === '100-continue') {
        if (hasBody) {
          w.expectContinue = true;
          body.onFirstRead = () => w.sendContinue();
        }
        req.header.del('Expect');
      } else {
        w.closeAfter = true;
        this.handlerRunning = false;
        w.abortRequest(HANDLER_DONE);
        return this.conn.write(errorReply(417, '')).then(() => false);
      }
    }

    if (hasBody) {
      const orig = body.readChunk;
      body.readChunk = (max?: number) => orig.call(body, max).then((c) => {
        if (c === null && this.handlerRunning && this.cur === w) {
          this.bodyDone = true;
          this.startBackgroundRead();
        }
        return c;
      });
    }
    this.bodyDone = !hasBody;

    let r: unknown;
    try {
      r = req.method === 'OPTIONS' && req.requestURI === '*' && !host.disableGeneralOptionsHandler
        ? generalOptions(w, req)
        : serveWith(host.handler, w, req);
    } catch (e) {
      return this.finishRequest(req, w, hasBody, null, true, e);
    }
    if (thenable(r) || hasBody) return this.finishRequest(req, w, hasBody, thenable(r) ? r : null, false, undefined);

    this.handlerRunning = false;
    w.abortRequest(HANDLER_DONE);
    if (w.hijacked) return false;
    let done: Promise<void>;
    try {
      done = w.finish();
    } catch {
      return false;
    }
    // Bytes Node still holds (a SocketConn tells; other conns: unknown) mean wait for them, so
    // a client that does not read its replies gets backpressure; a closing conn must flush first.
    if (w.closeAfter || w.short || this.bgErr !== null || (this.conn as { writePending?: number }).writePending !== 0) {
      return done.then(() => !(w.closeAfter || w.short || this.bgErr !== null), () => false);
    }
    return true;
  }

  /** The rest of serveRequest once the handler is async, threw, or there is a body to mind. */
  private async finishRequest(req: Request, w: ServerResponseWriter, hasBody: boolean, pending: PromiseLike<unknown> | null, threw: boolean, thrown: unknown): Promise<boolean> {
    const body = req.body;
    let failed = false;
    try {
      if (threw) throw thrown;
      if (pending !== null) await pending;
    } catch (e) {
      failed = true;
      await this.handlerFailed(w, req, e);
    } finally {
      this.handlerRunning = false;
      w.abortRequest(HANDLER_DONE);
    }
    if (w.hijacked) return false;
    if (failed) return false;

    // Unread request body: drain a bounded amount so the conn can be reused, else close.
    if (hasBody && !body.eof && !w.closeAfter) {
      if (w.expectContinue && !w.continueSent) {
        w.closeAfter = true; // the client may never send it
      } else if (!w.headSent) {
        if (!(await this.drain(req))) w.closeAfter = true;
      }
    }
    try {
      await w.finish();
    } catch {
      return false;
    }
    if (w.closeAfter || w.short) return false;
    if (hasBody && !body.eof && !(await this.drain(req))) return false;
    if (this.bgErr !== null) return false;
    return true;
  }

  private async drain(req: Request): Promise<boolean> {
    const body = req.body;
    if (body.contentLength > MAX_POST_HANDLER_READ_BYTES) return false;
    try {
      return await body.drain(MAX_POST_HANDLER_READ_BYTES);
    } catch {
      return false;
    }
  }

  /** A handler threw: log it, reply 500 (or the body error's status) if nothing went out yet. */
  private async handlerFailed(w: ServerResponseWriter, req: Request, e: unknown): Promise<void> {
    if (w.hijacked) {
      if (!(e instanceof ErrAbortHandler)) this.log(`http: panic serving ${this.remote}: ${stackOf(e)}`);
      return;
    }
    const bodyErr = e instanceof ProtocolError && (e.status === 400 || e.status === 413);
    if (!(e instanceof ErrAbortHandler) && !bodyErr) {
      this.log(`http: panic serving ${this.remote}: ${stackOf(e)}`);
    }
    w.closeAfter = true;
    if (w.headSent || e instanceof ErrAbortHandler) return;
    w.headSent = true;
    const code = bodyErr ? (e as ProtocolError).status : 500;
    const detail = bodyErr ? (e as ProtocolError).message : '';
    try {
      await this.conn.write(errorReply(code, detail, req.protoMinor === 0 ? 'HTTP/1.0' : 'HTTP/1.1'));
    } catch {
      // the client is gone
    }
  }

  /** ResponseWriter.hijack: stops the server's use of the conn and hands it over. */
  async hijack(w: ServerResponseWriter): Promise<Conn> {
    if (this.cur !== w || !this.handlerRunning) throw new Error('http: Hijack called after the handler returned');
    w.hijacked = true;
    this.hijacking = true;
    w.flushForHijack();
    this.setState('hijacked');
    const bg = this.bg;
    if (bg !== null) {
      // Abort the pending background read with a past deadline, then lift it.
      this.bg = null;
      this.conn.setReadDeadline(new Date(1));
      await bg.catch(noop);
    }
    this.conn.setReadDeadline(null);
    this.conn.setWriteDeadline(null);
    this.bgErr = null;
    const rest = this.br.takeBuffered();
    return rest.length > 0 ? new PrefixedConn(this.conn, Buffer.from(rest)) : this.conn;
  }
}

/** Go's globalOptionsHandler: `OPTIONS *` gets 200 with an empty body (≤ 4 KiB of body read). */
async function generalOptions(w: ServerResponseWriter, req: Request): Promise<void> {
  w.header().set('Content-Length', '0');
  if (req.contentLength !== 0) await req.body.drain(4096);
  w.writeHeader(200);
}

function stackOf(e: unknown): string {
  if (e instanceof Error) return e.stack ?? String(e);
  return String(e);
}

export { noop };

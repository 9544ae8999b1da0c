// The server's ResponseWriter: buffers a small reply so head + body leave in one write with a
// computed Content-Length; past the buffer (or on flush) it streams, chunked on HTTP/1.1 and
// close-delimited on HTTP/1.0. Heads are built as one latin1 string from cached status and Date
// lines; no promise is created for writes that only buffer.

import type { Conn } from '../../net/index.js';
import { Header } from '../header.js';
import { checkWriteHeaderCode, type ResponseWriter } from '../handler.js';
import type { Request } from '../request.js';
import { detectContentType } from '../sniff.js';
import { ContentLengthError, encodeLastChunk, statusText } from '../wire/write.js';

/** A write under a status (1xx, 204, 304) or method (none today) that has no body. */
export class ErrBodyNotAllowed extends Error {
  override name = 'ErrBodyNotAllowed';
  constructor() {
    super('http: request method or response status code does not allow body');
  }
}

/** A write or writeHeader after the conn was hijacked, or a second hijack. */
export class ErrHijacked extends Error {
  override name = 'ErrHijacked';
  constructor(what = 'connection has been hijacked') {
    super('http: ' + what);
  }
}

/** What the writer needs from the conn it replies on (implemented by ServerConn). */
export interface ReplySink {
  readonly conn: Conn;
  /** The server is shutting down: replies say `Connection: close`. */
  readonly draining: boolean;
  log(msg: string): void;
  /** The handler took req.signal (start watching for the client going away). */
  signalWanted(w: ServerResponseWriter): void;
  /** Takes the conn from the server for the handler (ResponseWriter.hijack). */
  hijack(w: ServerResponseWriter): Promise<Conn>;
}

/** Bytes a reply may buffer before the head is sent: below this at the end → Content-Length. */
export const FIRST_BUFFER = 2048;
/** Once streaming, small writes gather up to this many bytes before a conn write. */
const OUT_BUFFER = 16 * 1024;
/** Writes at least this big go to the conn as they are (no copy). */
const DIRECT = 64 * 1024;

const noop = (): void => {};

// Status lines per protocol, built once per code.
const status11 = new Map<number, string>();
const status10 = new Map<number, string>();

function statusLine(is11: boolean, code: number): string {
  const m = is11 ? status11 : status10;
  let s = m.get(code);
  if (s === undefined) {
    const text = statusText(code);
    s = (is11 ? 'HTTP/1.1 ' : 'HTTP/1.0 ') + code + ' ' + (text === '' ? 'status code ' + code : text) + '\r\n';
    if (m.size < 1000) m.set(code, s);
  }
  return s;
}

let dateSec = -1;
let dateLine = '';

/** `Date: <IMF-fixdate>\r\n`, rebuilt at most once a second. */
export function httpDateLine(): string {
  const sec = Math.floor(Date.now() / 1000);
  if (sec !== dateSec) {
    dateSec = sec;
    dateLine = 'Date: ' + new Date(sec * 1000).toUTCString() + '\r\n';
  }
  return dateLine;
}

// Fields the writer emits itself; user copies are left out of the head.
const EXCLUDE = new Set(['Content-Length', 'Transfer-Encoding', 'Connection']);
const EXCLUDE_304 = new Set(['Content-Length', 'Transfer-Encoding', 'Connection', 'Content-Type']);
const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');
const CRLF = Buffer.from('\r\n', 'latin1');
const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');

function toBuffer(chunk: Uint8Array | string): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** One chunk header (`size CRLF`) for `n` data bytes. */
function chunkHead(n: number): string {
  return n.toString(16) + '\r\n';
}

/**
 * The ResponseWriter handed to handlers by the Server (Go's *http.response). Beyond the
 * handler.ts interface it offers `flush()`, `hijack()` and `status`.
 */
export class ServerResponseWriter implements ResponseWriter {
  /** Final status once written (0 before). */
  status = 0;
  /** Body bytes the handler wrote (for HEAD: counted, not sent). */
  written = 0;
  /** The head (and any buffered body) went to the conn. */
  headSent = false;
  /** The conn closes after this reply. */
  closeAfter: boolean;
  /** The handler took the conn. */
  hijacked = false;
  /** `100 Continue` is owed when the handler first reads the body. */
  expectContinue = false;
  /** `100 Continue` (or a final status) went out. */
  continueSent = false;
  /** First write error; later writes fail with it and the conn closes. */
  writeErr: unknown = null;

  private readonly h = new Header();
  private readonly is11: boolean;
  private readonly isHead: boolean;
  /** Buffered body pieces: strings are kept as is (encoded once, into the output buffer). */
  private pend: (Buffer | string)[] = [];
  private pendLen = 0;
  private declaredCL = -1;
  private chunked = false;
  private bodyAllowed = true;
  private userLines = '';
  private userConn: string[] | undefined;
  private sniff = false;
  private autoDate = true;
  private identityTE = false;
  private hasTrailers = false;
  private headSample: Buffer | undefined;
  private ac: AbortController | null = null;
  private abortReason: unknown = undefined;
  /** A handler-declared Content-Length the body did not reach: the conn must close. */
  short = false;

  constructor(private readonly sink: ReplySink, readonly req: Request, closeAfter: boolean) {
    this.closeAfter = closeAfter;
    this.is11 = req.protoMajor > 1 || (req.protoMajor === 1 && req.protoMinor >= 1);
    this.isHead = req.method === 'HEAD';
  }

  header(): Header {
    return this.h;
  }

  /** The request's signal, created on first use (aborted already if the request ended). */
  requestSignal(): AbortSignal {
    if (this.ac === null) {
      this.ac = new AbortController();
      if (this.abortReason !== undefined) this.ac.abort(this.abortReason);
      else this.sink.signalWanted(this);
    }
    return this.ac.signal;
  }

  /** Someone holds the request's signal. */
  get signalWanted(): boolean {
    return this.ac !== null;
  }

  /** Aborts the request's signal (first reason wins). */
  abortRequest(reason: unknown): void {
    if (this.abortReason !== undefined) return;
    this.abortReason = reason;
    this.ac?.abort(reason);
  }

  writeHeader(code: number): void {
    if (this.hijacked) {
      this.sink.log(`http: response.WriteHeader on hijacked connection from ${this.req.remoteAddr}`);
      return;
    }
    checkWriteHeaderCode(code);
    if (this.status !== 0) {
      this.sink.log(`http: superfluous response.WriteHeader call (status ${this.status} already written, ${code} ignored)`);
      return;
    }
    if (code >= 100 && code <= 199 && code !== 101) {
      this.informational(code);
      return;
    }
    this.status = code;
    const h = this.h;
    const cl = h.raw('Content-Length');
    if (cl !== undefined && cl.length > 0) {
      const v = cl[0];
      if (/^[0-9]{1,15}$/.test(v)) {
        this.declaredCL = Number(v);
      } else {
        this.sink.log(`http: invalid Content-Length of ${JSON.stringify(v)}`);
        h.del('Content-Length');
      }
    }
    const te = h.raw('Transfer-Encoding');
    if (te !== undefined && te.length > 0) {
      // Go: a handler's `identity` turns chunking off (the body is close-delimited); any other
      // value means the handler wants chunking, which the writer does itself.
      if (te[0].toLowerCase() === 'identity') this.identityTE = true;
      this.declaredCL = -1;
    }
    this.bodyAllowed = !((code >= 100 && code < 200) || code === 204 || code === 304);
    this.sniff = this.bodyAllowed && te === undefined && !h.has('Content-Type') && h.get('Content-Encoding') === '';
    this.autoDate = !h.has('Date');
    const conn = h.raw('Connection');
    if (conn !== undefined) {
      for (const v of conn) if (/(^|,)\s*close\s*(,|$)/i.test(v)) this.closeAfter = true;
      this.userConn = conn;
    }
    this.hasTrailers = h.has('Trailer');
    if (!this.hasTrailers) for (const k of h.keys()) if (k.startsWith('Trailer:')) this.hasTrailers = true;
    // The head is fixed now (Go clones the map here): later changes only feed trailers.
    this.userLines = h.size === 0 ? '' : h.write(code === 304 ? EXCLUDE_304 : EXCLUDE);
  }

  /** Writes a 1xx reply with the current fields (minus framing) at once; the map is kept. */
  private informational(code: number): void {
    if (this.headSent) return;
    if (code === 100) this.continueSent = true;
    void this.send(Buffer.from(statusLine(this.is11, code) + this.h.write(EXCLUDE) + '\r\n', 'latin1'));
  }

  /** Sends `100 Continue` unless the final head already went (Body.onFirstRead hook). */
  sendContinue(): Promise<void> | undefined {
    if (!this.expectContinue || this.continueSent || this.headSent || this.hijacked) return undefined;
    this.continueSent = true;
    return this.send(CONTINUE);
  }

  write(chunk: Uint8Array | string): Promise<void> | void {
    if (this.hijacked) throw new ErrHijacked();
    if (this.status === 0) this.writeHeader(200);
    if (!this.bodyAllowed) throw new ErrBodyNotAllowed();
    const n = typeof chunk === 'string' ? Buffer.byteLength(chunk, 'utf8') : chunk.length;
    if (n === 0) return;
    if (this.declaredCL >= 0 && this.written + n > this.declaredCL) {
      throw new ContentLengthError(`http: wrote more than the declared Content-Length (${this.declaredCL})`);
    }
    this.written += n;
    if (this.isHead) {
      // Writes are swallowed; the first one still picks the sniffed Content-Type (Go).
      if (this.sniff && this.headSample === undefined) this.headSample = Buffer.from(toBuffer(chunk).subarray(0, 512));
      return;
    }
    if (this.writeErr !== null) return rejected(this.writeErr);
    if (!this.headSent) {
      if (this.pendLen + n <= FIRST_BUFFER) {
        this.push(chunk, n);
        return;
      }
      return this.startStream(toBuffer(chunk));
    }
    if (n < DIRECT && this.pendLen + n <= OUT_BUFFER) {
      this.push(chunk, n);
      if (this.pendLen < OUT_BUFFER) return;
      return this.flushPending(null, false);
    }
    return this.flushPending(toBuffer(chunk), false);
  }

  private push(chunk: Uint8Array | string, n: number): void {
    // Buffered bytes must survive the handler reusing its array after write returns: copy.
    this.pend.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk));
    this.pendLen += n;
  }

  /** The first buffered piece as bytes (for sniffing). */
  private firstPending(): Buffer | undefined {
    if (this.pend.length === 0) return undefined;
    const p = this.pend[0];
    return typeof p === 'string' ? Buffer.from(p.length > 512 ? p.slice(0, 512) : p, 'utf8') : p;
  }

  /** Sends the head and everything buffered now; HTTP/1.1 switches to chunked. */
  flush(): Promise<void> | void {
    if (this.hijacked) return;
    if (this.status === 0) this.writeHeader(200);
    if (this.writeErr !== null) return rejected(this.writeErr);
    if (!this.headSent) return this.startStream(null);
    if (this.pendLen > 0) return this.flushPending(null, false);
    return undefined;
  }

  /** Hands the raw conn to the handler (Go's Hijacker); buffered request bytes are read first. */
  hijack(): Promise<Conn> {
    if (this.hijacked) return Promise.reject(new ErrHijacked('connection already hijacked'));
    return this.sink.hijack(this);
  }

  /** Sends any head/body the handler wrote before a hijack. */
  flushForHijack(): void {
    if (this.status !== 0 && !this.headSent) {
      // Go flushes a written header as is: no framing is added for a body that never comes.
      this.headSent = true;
      void this.send(Buffer.from(this.headString(-1, false), 'latin1'));
    }
    if (this.pendLen > 0) void this.flushPending(null, false);
  }

  /** Streaming starts: decide the framing and send head + buffered bytes + `first`. */
  private startStream(first: Buffer | null): Promise<void> {
    const bodyOK = this.bodyAllowed && !this.isHead;
    if (bodyOK && this.declaredCL < 0) {
      if (this.is11 && !this.identityTE) this.chunked = true;
      else this.closeAfter = true; // close-delimited
    }
    this.headSent = true;
    const head = this.headString(this.declaredCL, this.chunked, this.sniff ? (this.firstPending() ?? first ?? undefined) : undefined);
    return this.flushPending(first, false, head);
  }

  /**
   * Writes pending bytes plus `extra` (chunk-framed when chunked), prefixed by `head` and, with
   * `last`, followed by the terminating chunk. Small pieces are joined into one buffer.
   */
  private flushPending(extra: Buffer | null, last: boolean, head = '', tail?: Buffer): Promise<void> {
    const pend = this.pend;
    const dataLen = this.pendLen + (extra === null ? 0 : extra.length);
    this.pend = [];
    this.pendLen = 0;
    const big = extra !== null && extra.length >= DIRECT ? extra : null;
    const frame = this.chunked && dataLen > 0;
    let pre = head;
    if (frame) pre += chunkHead(dataLen);
    // Bytes that go in the first (joined) buffer.
    const joinedLen = Buffer.byteLength(pre, 'latin1') + (dataLen - (big === null ? 0 : big.length));
    const afterLen = (frame ? 2 : 0) + (last && tail !== undefined ? tail.length : 0);
    if (big === null) {
      const buf = Buffer.allocUnsafe(joinedLen + afterLen);
      let off = buf.write(pre, 0, 'latin1');
      off = copyPending(pend, buf, off);
      if (extra !== null) off += extra.copy(buf, off);
      if (frame) off += CRLF.copy(buf, off);
      if (last && tail !== undefined) tail.copy(buf, off);
      return this.send(buf);
    }
    const buf = Buffer.allocUnsafe(joinedLen);
    copyPending(pend, buf, buf.write(pre, 0, 'latin1'));
    if (joinedLen > 0) void this.send(buf);
    let p = this.send(big);
    if (afterLen > 0) {
      const after = frame ? (last && tail !== undefined ? Buffer.concat([CRLF, tail]) : CRLF) : (tail as Buffer);
      p = this.send(after);
    }
    return p;
  }

  /** conn.write with the error recorded; the promise is pre-handled so an unawaited write cannot crash the process. */
  private send(buf: Uint8Array): Promise<void> {
    const p = this.sink.conn.write(buf);
    // The reaction marks p handled (an unawaited failed write cannot crash the process) and
    // records the error; awaiting p still sees it.
    p.then(undefined, (e: unknown) => {
      this.writeErr ??= e;
      this.closeAfter = true;
    });
    return p as Promise<unknown> as Promise<void>;
  }

  /** The head: status line, user fields, then what the server adds. */
  private headString(contentLength: number, chunked: boolean, sample?: Buffer): string {
    let s = statusLine(this.is11, this.status) + this.userLines;
    if (this.isHead) sample = this.headSample;
    if (this.sniff && sample !== undefined && sample.length > 0) s += 'Content-Type: ' + detectContentType(sample) + '\r\n';
    if (this.autoDate) s += httpDateLine();
    // A 101 hands the conn to another protocol: HTTP never continues on it.
    if (this.sink.draining || this.status === 101) this.closeAfter = true;
    if (this.closeAfter) {
      // HTTP/1.0 closes by default; say so only to 1.1 clients (Go).
      if (this.status === 101 && this.userConn !== undefined) for (const v of this.userConn) s += 'Connection: ' + v + '\r\n';
      else if (this.is11) s += 'Connection: close\r\n';
      else if (this.userConn !== undefined) for (const v of this.userConn) s += 'Connection: ' + v + '\r\n';
    } else if (this.userConn !== undefined) {
      for (const v of this.userConn) s += 'Connection: ' + v + '\r\n';
    } else if (!this.is11) {
      s += 'Connection: keep-alive\r\n';
    }
    if (chunked) s += 'Transfer-Encoding: chunked\r\n';
    else if (contentLength >= 0 && this.status !== 304 && !(this.status >= 100 && this.status < 200) && this.status !== 204) {
      s += 'Content-Length: ' + contentLength + '\r\n';
    }
    return s + '\r\n';
  }

  /**
   * Called once the handler returned: sends what is left. Returns the last write's promise
   * (resolved at once when everything went earlier).
   */
  finish(): Promise<void> {
    if (this.hijacked) return Promise.resolve();
    if (this.status === 0) this.writeHeader(200);
    if (this.writeErr !== null) return rejected(this.writeErr);
    if (!this.headSent) {
      this.headSent = true;
      const bodyOK = this.bodyAllowed && !this.isHead;
      let cl = this.declaredCL;
      let chunked = false;
      if (bodyOK && cl < 0) {
        if (this.hasTrailers && this.is11) chunked = true;
        else if (this.identityTE) this.closeAfter = true;
        else cl = this.pendLen;
      } else if (this.isHead && cl < 0 && this.written > 0) {
        cl = this.written;
      }
      if (bodyOK && this.declaredCL >= 0 && this.pendLen !== this.declaredCL) {
        this.short = true;
        this.closeAfter = true;
      }
      if (!this.is11 && !this.closeAfter && bodyOK && cl < 0) this.closeAfter = true;
      if (chunked) {
        this.chunked = true;
        return this.flushPending(null, true, this.headString(-1, true, this.sniff ? this.firstPending() : undefined), this.lastChunk());
      }
      const pend = this.pend;
      const len = this.pendLen;
      const head = this.headString(cl, false, this.sniff ? this.firstPending() : undefined);
      this.pend = [];
      this.pendLen = 0;
      if (len === 0 || !bodyOK) return this.send(Buffer.from(head, 'latin1'));
      // Head and body in one buffer, one write.
      const buf = Buffer.allocUnsafe(head.length + len);
      buf.write(head, 0, 'latin1');
      copyPending(pend, buf, head.length);
      return this.send(buf);
    }
    if (this.declaredCL >= 0 && this.written < this.declaredCL) {
      this.short = true;
      this.closeAfter = true;
    }
    if (this.chunked) return this.flushPending(null, true, '', this.lastChunk());
    if (this.pendLen > 0) return this.flushPending(null, true);
    return Promise.resolve();
  }

  /** The terminating chunk with any trailers the handler set. */
  private lastChunk(): Buffer {
    if (!this.hasTrailers) return LAST_CHUNK;
    const h = this.h;
    const t = new Header();
    for (const v of h.values('Trailer')) {
      for (const part of v.split(',')) {
        const k = part.trim();
        if (k === '') continue;
        for (const x of h.values(k)) t.add(k, x);
      }
    }
    for (const [k, vs] of h) {
      if (k.startsWith('Trailer:')) for (const x of vs) t.add(k.slice(8), x);
    }
    return encodeLastChunk(t);
  }
}

/** Copies buffered pieces into `buf` at `off`; returns the end offset. */
function copyPending(pend: (Buffer | string)[], buf: Buffer, off: number): number {
  for (const p of pend) off += typeof p === 'string' ? buf.write(p, off, 'utf8') : p.copy(buf, off);
  return off;
}

function rejected(e: unknown): Promise<void> {
  const p = Promise.reject(e);
  p.catch(noop);
  return p;
}

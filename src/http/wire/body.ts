// Message bodies: readers for Content-Length, chunked and close-delimited framing, the framing
// decision itself (RFC 9112 §6.3, Go's transfer.go rules, stricter where smuggling is at stake),
// and bodies over caller data for outgoing messages.

import { Header, canonicalKeyOrNull, hasToken } from '../header.js';
import { BufReader, unexpectedEOF } from './bufreader.js';
import { ProtocolError, parseTrailer, quote, type RequestHead, type ResponseHead } from './head.js';

/** Default chunk handed out by bodies. */
const CHUNK = 64 * 1024;
/** Longest chunk-size line (with extensions), as Go. */
export const MAX_CHUNK_LINE_BYTES = 4096;
/** Non-data bytes a chunked body may accumulate beyond its allowance (Go, CVE-2023-39326). */
export const MAX_CHUNK_OVERHEAD = 16 * 1024;
/** Default bound on a trailer section. */
export const DEFAULT_MAX_TRAILER_BYTES = 64 * 1024;

/** Thrown by reads on a body that was closed before its end (Go's ErrBodyReadAfterClose). */
export class BodyClosedError extends Error {
  override name = 'BodyClosedError';
  constructor() {
    super('http: invalid Read on closed Body');
  }
}

/** `bytes(limit)` saw more than `limit` bytes. */
function tooLarge(limit: number): ProtocolError {
  return new ProtocolError(413, 'ERR_HTTP_BODY_TOO_LARGE', `http: body too large (limit ${limit} bytes)`);
}

const enum State { Open, EOF, Closed, Errored }

/**
 * A readable message body. Reads are sequential (one at a time). `eof` turns true only when the
 * framing was consumed to its clean end (for chunked: the last chunk and trailers), which is
 * what a server or pool checks before reusing the conn.
 */
export abstract class Body implements AsyncIterable<Uint8Array> {
  /** Declared length, or -1 when unknown (chunked, close-delimited, streams). */
  readonly contentLength: number;
  /** Trailer fields; filled when a chunked body reaches its end. */
  readonly trailer: Header;
  /** Runs once before the first read (a server sends `100 Continue` here). */
  onFirstRead: (() => void | Promise<void>) | null = null;
  private state = State.Open;
  private err: unknown = null;
  private started = false;
  private busy = false;
  private _stream: ReadableStream<Uint8Array> | undefined;

  constructor(contentLength: number, trailer?: Header) {
    this.contentLength = contentLength;
    this.trailer = trailer ?? new Header();
  }

  /** Next piece of data, at most `max` bytes, owned by the caller; null at the end. */
  protected abstract pull(max: number): Promise<Uint8Array | null>;

  /** Called once the end is reached cleanly. */
  protected finished(): void {}

  /** True once the body was read to its clean end. */
  get eof(): boolean {
    return this.state === State.EOF;
  }

  /** True once `close()` was called before the end. */
  get closed(): boolean {
    return this.state === State.Closed;
  }

  /** True once a read started. */
  get bodyUsed(): boolean {
    return this.started;
  }

  /** Returns the next chunk (≤ `max` bytes, caller-owned), or null at the end. */
  async readChunk(max = CHUNK): Promise<Uint8Array | null> {
    if (this.state !== State.Open) {
      if (this.state === State.EOF) return null;
      if (this.state === State.Closed) throw new BodyClosedError();
      throw this.err;
    }
    if (this.busy) throw new Error('http: concurrent reads on one Body');
    this.busy = true;
    try {
      if (!this.started) {
        this.started = true;
        if (this.onFirstRead !== null) await this.onFirstRead();
      }
      const c = await this.pull(max);
      if (c === null) {
        if (this.state === State.Open) {
          this.state = State.EOF;
          this.finished();
        }
        return null;
      }
      return c;
    } catch (e) {
      if (this.state === State.Open) {
        this.state = State.Errored;
        this.err = e;
      }
      throw e;
    } finally {
      this.busy = false;
    }
  }

  /** io.Reader shape: copies into `p`, resolves with the count or null at the end. */
  async read(p: Uint8Array): Promise<number | null> {
    if (p.length === 0) return 0;
    const c = await this.readChunk(p.length);
    if (c === null) return null;
    p.set(c);
    return c.length;
  }

  /** The whole body. More than `limit` bytes → ProtocolError 413. */
  async bytes(limit = Infinity): Promise<Uint8Array> {
    if (this.contentLength > limit) throw tooLarge(limit);
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const c = await this.readChunk();
      if (c === null) break;
      total += c.length;
      if (total > limit) throw tooLarge(limit);
      parts.push(c);
    }
    if (parts.length === 1) return parts[0];
    return Buffer.concat(parts, total);
  }

  /** The whole body decoded as UTF-8. */
  async text(limit = Infinity): Promise<string> {
    const b = await this.bytes(limit);
    return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
  }

  /** The whole body parsed as JSON. */
  async json<T = unknown>(limit = Infinity): Promise<T> {
    return JSON.parse(await this.text(limit)) as T;
  }

  /** Reads and discards up to `limit` bytes; true if the body then ended cleanly (conn reusable). */
  async drain(limit = 256 * 1024): Promise<boolean> {
    let n = 0;
    while (this.state === State.Open && n <= limit) {
      const c = await this.readChunk(Math.min(CHUNK, limit - n + 1));
      if (c === null) break;
      n += c.length;
    }
    return this.state === State.EOF;
  }

  /** Stops reading: later reads throw BodyClosedError. Never closes the conn itself. */
  close(): void {
    if (this.state === State.Open) this.state = State.Closed;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      const c = await this.readChunk();
      if (c === null) return;
      yield c;
    }
  }

  /** The body as a web ReadableStream (created once; shares position with `read`). */
  get stream(): ReadableStream<Uint8Array> {
    this._stream ??= new ReadableStream<Uint8Array>({
      pull: async (ctl) => {
        const c = await this.readChunk();
        if (c === null) ctl.close();
        else ctl.enqueue(c);
      },
      cancel: () => this.close(),
    }, { highWaterMark: 0 });
    return this._stream;
  }
}

/** A body with no bytes. */
export class EmptyBody extends Body {
  constructor(contentLength = 0, trailer?: Header) {
    super(contentLength, trailer);
  }
  protected async pull(): Promise<null> {
    return null;
  }
}

/** Options for the wire body readers. */
export interface WireBodyOptions {
  /** Status carried by errors: 400 for requests, 502 for responses. */
  status: number;
  /** What is being read, for messages ('request body', 'response body'). */
  what: string;
}

/** Content-Length framing: exactly `n` bytes. */
export class LengthBody extends Body {
  private remaining: number;
  constructor(private readonly br: BufReader, n: number, private readonly opts: WireBodyOptions) {
    super(n);
    this.remaining = n;
    br.owner = this;
  }
  protected async pull(max: number): Promise<Uint8Array | null> {
    if (this.remaining === 0) return null;
    const want = Math.min(max, this.remaining);
    const c = this.br.chunkNow(want) ?? (await this.br.readChunk(want));
    if (c === null) throw unexpectedEOF(this.opts.what, this.opts.status === 400 ? 'request' : 'response');
    this.remaining -= c.length;
    return c;
  }
  protected override finished(): void {
    if (this.br.owner === this) this.br.owner = null;
  }
}

/** Close-delimited framing: everything until the peer closes (responses only). */
export class EOFBody extends Body {
  constructor(private readonly br: BufReader) {
    super(-1);
    br.owner = this;
  }
  protected async pull(max: number): Promise<Uint8Array | null> {
    return this.br.chunkNow(max) ?? this.br.readChunk(max);
  }
}

/** Options for ChunkedBody. */
export interface ChunkedBodyOptions extends WireBodyOptions {
  /** Join obs-fold in trailers (responses) instead of refusing it (requests). */
  foldTrailers: boolean;
  /** Bound on the trailer section. Default 64 KiB. */
  maxTrailerBytes?: number;
}

const enum CS { Size, Data, CRLF, Trailer }

/**
 * Chunked framing. Size lines must end in CRLF (bare LF refused, as Go ≥ 1.23.8,
 * CVE-2025-22871), hold 1+ hex digits with optional SP/HTAB and `;extensions` (bounded, no
 * CTLs, discarded), and data must be followed by CRLF.
 */
export class ChunkedBody extends Body {
  private st = CS.Size;
  private remaining = 0;
  private excess = 0;
  constructor(private readonly br: BufReader, private readonly opts: ChunkedBodyOptions, trailer?: Header) {
    super(-1, trailer);
    br.owner = this;
  }

  private fail(code: string, msg: string): ProtocolError {
    return new ProtocolError(this.opts.status, code, msg);
  }

  protected async pull(max: number): Promise<Uint8Array | null> {
    const br = this.br;
    for (;;) {
      switch (this.st) {
        case CS.Data: {
          const want = Math.min(max, this.remaining);
          const c = br.chunkNow(want) ?? (await br.readChunk(want));
          if (c === null) throw this.eofError();
          this.remaining -= c.length;
          if (this.remaining === 0) this.st = CS.CRLF;
          return c;
        }
        case CS.CRLF: {
          if (br.buffered < 2) await br.peek(2);
          if (br.buffered < 2) {
            if (br.buffered === 0 || br.byteAt(0) === 13) throw this.eofError();
            throw this.fail('ERR_HTTP_CHUNKED', 'malformed chunked encoding: chunk data not followed by CRLF');
          }
          if (br.byteAt(0) !== 13 || br.byteAt(1) !== 10) {
            throw this.fail('ERR_HTTP_CHUNKED', 'malformed chunked encoding: chunk data not followed by CRLF');
          }
          br.discard(2);
          this.st = CS.Size;
          continue;
        }
        case CS.Size: {
          const tooLong = () => this.fail('ERR_HTTP_CHUNKED', `chunk-size line longer than ${MAX_CHUNK_LINE_BYTES} bytes`);
          const line = br.lineNow(MAX_CHUNK_LINE_BYTES, tooLong) ?? (await br.readLine(MAX_CHUNK_LINE_BYTES, tooLong, () => this.eofError()));
          const size = this.parseSize(line);
          // Go's accounting: the size line (without CRLF) + 2 for the data's CRLF, less 16 + 2×data.
          this.excess += line.length - 16 - 2 * size;
          if (this.excess < 0) this.excess = 0;
          if (this.excess > MAX_CHUNK_OVERHEAD) {
            throw this.fail('ERR_HTTP_CHUNKED', 'chunked encoding contains too much non-data');
          }
          if (size === 0) {
            this.st = CS.Trailer;
            continue;
          }
          this.remaining = size;
          this.st = CS.Data;
          continue;
        }
        case CS.Trailer: {
          const limit = this.opts.maxTrailerBytes ?? DEFAULT_MAX_TRAILER_BYTES;
          let sec: Buffer | null;
          try {
            sec = await br.readHead('trailer', limit, limit);
          } catch (e) {
            if (e instanceof ProtocolError && e.status !== this.opts.status) throw this.fail(e.code, e.message);
            throw e;
          }
          if (sec === null) throw this.eofError();
          parseTrailer(sec, this.trailer, this.opts.foldTrailers, false, this.opts.status);
          return null;
        }
      }
    }
  }

  private eofError(): ProtocolError {
    return unexpectedEOF(`chunked ${this.opts.what}`, this.opts.status === 400 ? 'request' : 'response');
  }

  private parseSize(line: Buffer): number {
    const n = line.length;
    if (n < 2 || line[n - 2] !== 13) throw this.fail('ERR_HTTP_BARE_LF', 'malformed chunked encoding: chunk-size line not ended by CRLF');
    const end = n - 2;
    let size = 0;
    let i = 0;
    for (; i < end; i++) {
      const c = line[i];
      let d: number;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
      else break;
      size = size * 16 + d;
      if (size > Number.MAX_SAFE_INTEGER) throw this.fail('ERR_HTTP_CHUNKED', 'http chunk length too large');
    }
    if (i === 0) throw this.fail('ERR_HTTP_CHUNKED', `invalid chunk size ${quote(line.toString('latin1', 0, end))}`);
    while (i < end && (line[i] === 0x20 || line[i] === 0x09)) i++;
    if (i < end) {
      if (line[i] !== 0x3b) throw this.fail('ERR_HTTP_CHUNKED', `invalid chunk size ${quote(line.toString('latin1', 0, end))}`);
      for (i++; i < end; i++) {
        const c = line[i];
        if ((c < 0x20 && c !== 0x09) || c === 0x7f) throw this.fail('ERR_HTTP_CHUNKED', 'invalid byte in chunk extension');
      }
    }
    return size;
  }

  protected override finished(): void {
    if (this.br.owner === this) this.br.owner = null;
  }
}

/** A body over bytes the caller holds (outgoing messages). */
export class BytesBody extends Body {
  private data: Uint8Array | null;
  constructor(data: Uint8Array) {
    super(data.length);
    this.data = data;
  }
  protected async pull(max: number): Promise<Uint8Array | null> {
    const d = this.data;
    if (d === null || d.length === 0) return null;
    if (d.length <= max) {
      this.data = null;
      return d;
    }
    this.data = d.subarray(max);
    return d.subarray(0, max);
  }
  /** The remaining bytes without copying (writers send small bodies with the head). */
  peekAll(): Uint8Array | null {
    return this.data;
  }
}

/** A body over an async iterable or web stream (outgoing messages). */
export class StreamBody extends Body {
  private it: AsyncIterator<Uint8Array> | null = null;
  private pending: Uint8Array | null = null;
  constructor(private readonly source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>, contentLength = -1) {
    super(contentLength);
  }
  protected async pull(max: number): Promise<Uint8Array | null> {
    let c = this.pending;
    this.pending = null;
    if (c === null) {
      this.it ??= iterate(this.source);
      const r = await this.it.next();
      if (r.done === true) return null;
      c = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    }
    if (c.length > max) {
      this.pending = c.subarray(max);
      return c.subarray(0, max);
    }
    return c;
  }
  override close(): void {
    super.close();
    void this.it?.return?.();
  }
}

async function* iterate(src: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  if (Symbol.asyncIterator in src) {
    yield* src as AsyncIterable<Uint8Array>;
    return;
  }
  const reader = (src as ReadableStream<Uint8Array>).getReader();
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) return;
      yield r.value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** What an outgoing body can be made from. */
export type BodyInit = string | Uint8Array | ArrayBuffer | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array> | Body;

/** Wraps caller data as a Body (strings as UTF-8); null/undefined → empty body. */
export function bodyFrom(init: BodyInit | null | undefined): Body {
  if (init === null || init === undefined) return new EmptyBody();
  if (init instanceof Body) return init;
  if (typeof init === 'string') return new BytesBody(Buffer.from(init, 'utf8'));
  if (init instanceof Uint8Array) return new BytesBody(init);
  if (init instanceof ArrayBuffer) return new BytesBody(new Uint8Array(init));
  return new StreamBody(init);
}

// ---------------------------------------------------------------------------------------------
// Framing

/** How a message's body is delimited. */
export interface Framing {
  kind: 'none' | 'length' | 'chunked' | 'eof';
  /** Declared length; -1 when unknown. For HEAD responses the advertised length. */
  contentLength: number;
  /** `['chunked']` or `[]`. */
  transferEncoding: string[];
  /** The connection must close after this message. */
  close: boolean;
}

/** Go's shouldClose: HTTP/1.0 closes unless `keep-alive`, HTTP/1.1 closes on `close`. */
export function shouldClose(major: number, minor: number, h: Header): boolean {
  if (major < 1) return true;
  const conn = h.raw('Connection');
  if (major === 1 && minor === 0) return conn === undefined || !hasToken(conn, 'keep-alive');
  return conn !== undefined && hasToken(conn, 'close');
}

/** Parses Content-Length field values; -1 when absent. Identical duplicates collapse to one. */
export function parseContentLength(h: Header, status: number): number {
  const vs = h.raw('Content-Length');
  if (vs === undefined || vs.length === 0) return -1;
  const first = vs[0];
  for (let i = 1; i < vs.length; i++) {
    if (vs[i] !== first) {
      throw new ProtocolError(status, 'ERR_HTTP_CONTENT_LENGTH', `conflicting Content-Length values ${quote(vs.join(', '))}`);
    }
  }
  if (vs.length > 1) h.setRaw('Content-Length', [first]);
  if (!/^[0-9]+$/.test(first)) throw new ProtocolError(status, 'ERR_HTTP_CONTENT_LENGTH', `invalid Content-Length ${quote(first)}`);
  const n = Number(first);
  if (n > Number.MAX_SAFE_INTEGER) {
    throw new ProtocolError(status === 400 ? 413 : status, 'ERR_HTTP_CONTENT_LENGTH', `Content-Length ${quote(first)} too large`);
  }
  return n;
}

function checkTransferEncoding(te: string[], status: number): void {
  if (te.length !== 1 || te[0].length !== 7 || te[0].toLowerCase() !== 'chunked') {
    throw new ProtocolError(status, 'ERR_HTTP_UNSUPPORTED_TE', `unsupported transfer encoding ${quote(te.join(', '))}`);
  }
}

/**
 * Framing of a request (RFC 9112 §6.3 read strictly): Transfer-Encoding must be exactly one
 * `chunked` (else 501); with Content-Length too → 400 (Go accepts and drops the length; refusing
 * is safer); on HTTP/1.0 → 400 (RFC 9112 §6.1: such framing is faulty); Content-Length values
 * must be identical decimal digits; neither → no body.
 */
export function requestFraming(h: RequestHead): Framing {
  const close = shouldClose(h.protoMajor, h.protoMinor, h.header);
  const te = h.header.raw('Transfer-Encoding');
  if (te !== undefined) {
    if (h.protoMinor === 0) throw new ProtocolError(400, 'ERR_HTTP_TE_HTTP10', 'Transfer-Encoding is not allowed in an HTTP/1.0 request');
    checkTransferEncoding(te, 501);
    if (h.header.raw('Content-Length') !== undefined) {
      throw new ProtocolError(400, 'ERR_HTTP_CL_AND_TE', 'request has both Content-Length and Transfer-Encoding');
    }
    return { kind: 'chunked', contentLength: -1, transferEncoding: ['chunked'], close };
  }
  const n = parseContentLength(h.header, 400);
  if (n <= 0) return { kind: 'none', contentLength: 0, transferEncoding: [], close };
  return { kind: 'length', contentLength: n, transferEncoding: [], close };
}

/** Reports whether a response with this status may carry a body. */
export function bodyAllowedForStatus(code: number): boolean {
  return !((code >= 100 && code < 200) || code === 204 || code === 304);
}

/**
 * Framing of a response to `method`: HEAD, 1xx/204/304 and a 2xx to CONNECT have none; a single final `chunked`
 * wins over Content-Length (the length is dropped and the conn closes afterwards); other
 * transfer codings are refused; no length → read until close. On HTTP/1.0 a Transfer-Encoding
 * makes the body close-delimited (RFC 9112 §6.1).
 */
export function responseFraming(h: ResponseHead, method: string): Framing {
  let close = shouldClose(h.protoMajor, h.protoMinor, h.header);
  const status = 502;
  // A 2xx to CONNECT starts a tunnel: what follows belongs to it, not to a body.
  const tunnel = method === 'CONNECT' && h.statusCode >= 200 && h.statusCode < 300;
  if (method === 'HEAD' || tunnel || !bodyAllowedForStatus(h.statusCode)) {
    let n = 0;
    if (method === 'HEAD') {
      try {
        n = parseContentLength(h.header, status);
      } catch {
        n = -1;
      }
    }
    return { kind: 'none', contentLength: n, transferEncoding: [], close };
  }
  const te = h.header.raw('Transfer-Encoding');
  if (te !== undefined) {
    if (h.protoMinor === 0) return { kind: 'eof', contentLength: -1, transferEncoding: [], close: true };
    checkTransferEncoding(te, status);
    if (h.header.has('Content-Length')) {
      h.header.del('Content-Length');
      close = true;
    }
    return { kind: 'chunked', contentLength: -1, transferEncoding: ['chunked'], close };
  }
  const n = parseContentLength(h.header, status);
  if (n === 0) return { kind: 'none', contentLength: 0, transferEncoding: [], close };
  if (n > 0) return { kind: 'length', contentLength: n, transferEncoding: [], close };
  return { kind: 'eof', contentLength: -1, transferEncoding: [], close: true };
}

/** Keys named by a `Trailer` header, pre-declared (with no values) in a fresh Header. */
export function declaredTrailer(h: Header, status: number): Header {
  const t = new Header();
  const vs = h.raw('Trailer');
  if (vs === undefined) return t;
  for (const v of vs) {
    for (const part of v.split(',')) {
      const name = part.trim();
      if (name === '') continue;
      const k = canonicalKeyOrNull(name);
      if (k === null || k === 'Transfer-Encoding' || k === 'Trailer' || k === 'Content-Length' || k === 'Host') {
        throw new ProtocolError(status, 'ERR_HTTP_BAD_TRAILER', `bad trailer key ${quote(name)}`);
      }
      if (t.raw(k) === undefined) t.setRaw(k, []);
    }
  }
  return t;
}

/** Builds the body reader for `f` over `br`. */
export function wireBody(br: BufReader, f: Framing, opts: ChunkedBodyOptions, trailer?: Header): Body {
  switch (f.kind) {
    case 'none': return new EmptyBody(f.contentLength, trailer);
    case 'length': return new LengthBody(br, f.contentLength, opts);
    case 'chunked': return new ChunkedBody(br, opts, trailer);
    case 'eof': return new EOFBody(br);
  }
}

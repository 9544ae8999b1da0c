// Buffered reader shared by the head parsers and the body readers. It works on whole chunks:
// a chunk from the conn is kept as is (no copy) until a head or line spans two chunks, and line
// ends are found with Buffer.indexOf (memchr), resuming where the last scan stopped so a peer
// trickling bytes costs linear, not quadratic, time.

import { hasChunkReader, type ChunkReader } from '../../net/conn.js';
import { BAD_RESPONSE, ProtocolError, type HeadKind } from './head.js';

/** Anything with Go's io.Reader shape in promise form (a Conn, a pipe end...). */
export interface ByteSource {
  read(p: Uint8Array): Promise<number | null>;
}

/** Options for BufReader. */
export interface BufReaderOptions {
  /** Bytes asked of a `read(p)`-only source per fill (no effect on chunk sources). Default 16 KiB. */
  readSize?: number;
}

/** Default server limit on request line + headers (Go's DefaultMaxHeaderBytes, 1 MiB). */
export const DEFAULT_MAX_HEADER_BYTES = 1 << 20;
/** Slack Go adds to MaxHeaderBytes when reading (so the limit covers the request line too). */
export const HEADER_SLACK = 4096;
/** Default client limit on a response head (Go's Transport, 10 MiB). */
export const DEFAULT_MAX_RESPONSE_HEADER_BYTES = 10 << 20;

const EMPTY = Buffer.alloc(0);

function asBuffer(c: Uint8Array): Buffer {
  return Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
}

/** The error for a peer that stopped mid-message. */
export function unexpectedEOF(what: string, kind: HeadKind = 'request'): ProtocolError {
  return new ProtocolError(kind === 'response' ? BAD_RESPONSE : 400, 'ERR_HTTP_UNEXPECTED_EOF', `unexpected EOF reading ${what}`);
}

/**
 * A buffered reader over a conn-like source or a fixed byte array. Views it returns from
 * `readHead`/`readLine`/`peek` are valid until the next call on the reader; chunks from
 * `readChunk` belong to the caller.
 */
export class BufReader {
  private buf: Buffer = EMPTY;
  private r = 0;
  private w = 0;
  /** We allocated `buf` and nothing handed out aliases buf[w..]: fills may write there. */
  private owned = false;
  private srcEOF: boolean;
  // Resume state of an unfinished readHead: offsets relative to `r`.
  private scanned = 0;
  private lineStart = 0;
  /** The unfinished readHead skipped the one empty line allowed before a request line. */
  private skippedEmpty = false;
  private readonly src: ByteSource | null;
  private readonly chunkSrc: ChunkReader | null;
  private readonly readSize: number;
  /** The body currently reading from this reader, if any (set by body readers). */
  owner: { readonly eof: boolean } | null = null;

  constructor(src: ByteSource | Uint8Array, opts: BufReaderOptions = {}) {
    this.readSize = opts.readSize ?? 16 * 1024;
    if (src instanceof Uint8Array) {
      this.src = null;
      this.chunkSrc = null;
      this.buf = asBuffer(src);
      this.w = src.length;
      this.srcEOF = true;
    } else {
      this.src = src;
      this.chunkSrc = hasChunkReader(src) ? src : null;
      this.srcEOF = false;
    }
  }

  /** Bytes buffered and not yet consumed. */
  get buffered(): number {
    return this.w - this.r;
  }

  /** True once the source reported EOF and the buffer is empty. */
  get atEOF(): boolean {
    return this.srcEOF && this.r === this.w;
  }

  /** Reads more from the source into the buffer; false at EOF. */
  fill(): Promise<boolean> {
    if (this.srcEOF) return Promise.resolve(false);
    if (this.chunkSrc !== null) {
      let p: Promise<Uint8Array | null>;
      try {
        p = this.chunkSrc.readChunk();
      } catch (e) {
        return Promise.reject(e);
      }
      return p.then(this.gotChunk);
    }
    return this.fillFrom(this.src as ByteSource);
  }

  /** fill's step for a chunk source (one shared function, no closure per fill). */
  private readonly gotChunk = (c: Uint8Array | null): boolean => {
    if (c === null) {
      this.srcEOF = true;
      return false;
    }
    this.append(asBuffer(c));
    return true;
  };

  private async fillFrom(src: ByteSource): Promise<boolean> {
    const unread = this.w - this.r;
    if (unread === 0 && this.owned) {
      this.r = this.w = 0;
    } else if (!this.owned || this.buf.length - this.w < 512) {
      const nb = Buffer.allocUnsafe(Math.max(this.readSize, unread * 2));
      this.buf.copy(nb, 0, this.r, this.w);
      this.buf = nb;
      this.r = 0;
      this.w = unread;
      this.owned = true;
    }
    const n = await src.read(this.buf.subarray(this.w));
    if (n === null) {
      this.srcEOF = true;
      return false;
    }
    this.w += n;
    return true;
  }

  private append(c: Buffer): void {
    if (c.length === 0) return;
    const unread = this.w - this.r;
    if (unread === 0) {
      this.buf = c;
      this.r = 0;
      this.w = c.length;
      this.owned = false;
      return;
    }
    if (this.owned && this.buf.length - this.w >= c.length) {
      c.copy(this.buf, this.w);
      this.w += c.length;
      return;
    }
    const nb = Buffer.allocUnsafe(Math.max(this.readSize, 2 * (unread + c.length)));
    this.buf.copy(nb, 0, this.r, this.w);
    c.copy(nb, unread);
    this.buf = nb;
    this.r = 0;
    this.w = unread + c.length;
    this.owned = true;
  }

  /** Index of the next LF at or after absolute `from`, below `w`; -1 if none buffered. */
  private lf(from: number): number {
    if (from >= this.w) return -1;
    const i = this.buf.indexOf(10, from);
    return i === -1 || i >= this.w ? -1 : i;
  }

  /**
   * Reads a whole head: the start line and fields through the empty line, returned as one view.
   * Returns null if the source ends before any byte. One empty line before a request line is
   * skipped (RFC 9112 §2.2). `maxBytes` bounds the head (431 for requests), `maxLine` each line
   * (414 for a request line, 431 for a field line). For `kind: 'trailer'` the section may be
   * just the empty line.
   */
  async readHead(kind: HeadKind, maxBytes: number, maxLine: number): Promise<Buffer | null> {
    for (;;) {
      const h = this.headNow(kind, maxBytes, maxLine);
      if (h !== null) return h;
      if (!(await this.fill())) {
        if (this.w === this.r) return null;
        throw unexpectedEOF(kind === 'request' ? 'request head' : kind === 'response' ? 'response head' : 'trailer', kind);
      }
    }
  }

  /**
   * readHead on what is buffered, without waiting: the head if it is all there, else null (the
   * scan resumes where it stopped on the next call). Limits throw as in readHead.
   */
  headNow(kind: HeadKind, maxBytes: number, maxLine: number): Buffer | null {
    let pos = this.r + this.scanned;
    let lineStart = this.r + this.lineStart;
    for (;;) {
      const lf = this.lf(pos);
      if (lf === -1) {
        // A trailing CR may be the first half of CRLF: do not count it against the line yet.
        this.checkLimits(kind, lineStart, this.w - (this.buf[this.w - 1] === 13 ? 1 : 0), maxBytes, maxLine);
        break;
      }
      const first = lineStart === this.r;
      const len = lf - lineStart;
      const empty = len === 0 || (len === 1 && this.buf[lineStart] === 13);
      if (empty) {
        if (first && kind === 'trailer') return this.takeHead(lf + 1);
        if (first) {
          if (this.skippedEmpty || kind !== 'request') throw this.limitError(kind, 'empty');
          this.skippedEmpty = true;
          this.r = lf + 1;
          lineStart = pos = this.r;
          continue;
        }
        if (lf + 1 - this.r > maxBytes) throw this.limitError(kind, 'head', maxBytes);
        return this.takeHead(lf + 1);
      }
      this.checkLimits(kind, lineStart, lf - (this.buf[lf - 1] === 13 ? 1 : 0), maxBytes, maxLine);
      lineStart = pos = lf + 1;
    }
    this.scanned = pos - this.r;
    this.lineStart = lineStart - this.r;
    return null;
  }

  private checkLimits(kind: HeadKind, lineStart: number, lineEnd: number, maxBytes: number, maxLine: number): void {
    if (lineEnd - lineStart > maxLine) throw this.limitError(kind, lineStart === this.r ? 'start' : 'line', maxLine);
    if (lineEnd - this.r > maxBytes) throw this.limitError(kind, 'head', maxBytes);
  }

  private limitError(kind: HeadKind, what: 'start' | 'line' | 'head' | 'empty', n = 0): ProtocolError {
    this.scanned = this.lineStart = 0;
    this.skippedEmpty = false;
    const resp = kind === 'response';
    if (what === 'empty') return new ProtocolError(resp ? BAD_RESPONSE : 400, 'ERR_HTTP_MALFORMED_REQUEST', 'unexpected empty line before the start line');
    if (what === 'start' && kind === 'request') return new ProtocolError(414, 'ERR_HTTP_URI_TOO_LONG', `request line longer than ${n} bytes`);
    if (what === 'head') {
      if (resp) return new ProtocolError(BAD_RESPONSE, 'ERR_HTTP_HEADERS_TOO_LARGE', `server response headers exceeded ${n} bytes; aborted`);
      return new ProtocolError(kind === 'trailer' ? 400 : 431, 'ERR_HTTP_HEADERS_TOO_LARGE', `${kind === 'trailer' ? 'trailer' : 'request headers'} larger than ${n} bytes`);
    }
    return new ProtocolError(resp ? BAD_RESPONSE : kind === 'trailer' ? 400 : 431, 'ERR_HTTP_HEADER_LINE_TOO_LONG',
      `${what === 'start' ? 'status' : 'header'} line longer than ${n} bytes`);
  }

  private takeHead(end: number): Buffer {
    const v = this.buf.subarray(this.r, end);
    this.r = end;
    this.scanned = this.lineStart = 0;
    this.skippedEmpty = false;
    return v;
  }

  /**
   * The next line including its LF, as a view, if one is fully buffered; null otherwise. Throws
   * `tooLong()` once more than `max` bytes are buffered without an LF or the line exceeds it.
   */
  lineNow(max: number, tooLong: () => Error): Buffer | null {
    const lf = this.lf(this.r);
    if (lf === -1) {
      if (this.w - this.r > max) throw tooLong();
      return null;
    }
    if (lf + 1 - this.r > max) throw tooLong();
    const v = this.buf.subarray(this.r, lf + 1);
    this.r = lf + 1;
    return v;
  }

  /** Reads one line including its LF (see lineNow); EOF mid-line throws `eof()`. */
  async readLine(max: number, tooLong: () => Error, eof: () => Error): Promise<Buffer> {
    for (;;) {
      const line = this.lineNow(max, tooLong);
      if (line !== null) return line;
      if (!(await this.fill())) throw eof();
    }
  }

  /** Up to `n` buffered bytes, filling until that many are buffered or EOF. Not consumed. */
  async peek(n: number): Promise<Buffer> {
    while (this.w - this.r < n && (await this.fill()));
    return this.buf.subarray(this.r, Math.min(this.w, this.r + n));
  }

  /** Consumes `n` buffered bytes (n ≤ buffered). */
  discard(n: number): void {
    this.r += Math.min(n, this.w - this.r);
  }

  /** The byte at offset `i` of the buffered data (i < buffered). */
  byteAt(i: number): number {
    return this.buf[this.r + i];
  }

  /**
   * Up to `max` bytes as a chunk the caller owns: buffered bytes first, else the next chunk from
   * the source. null at EOF.
   */
  async readChunk(max: number): Promise<Buffer | null> {
    if (this.r === this.w) {
      if (this.chunkSrc !== null && !this.srcEOF) {
        const c = await this.chunkSrc.readChunk();
        if (c === null) {
          this.srcEOF = true;
          return null;
        }
        const b = asBuffer(c);
        if (b.length <= max) return b;
        this.append(b);
      } else if (!(await this.fill())) {
        return null;
      }
    }
    return this.chunkNow(max);
  }

  /** Like readChunk but only from buffered bytes; null when none are buffered. */
  chunkNow(max: number): Buffer | null {
    if (this.r === this.w) return null;
    const end = Math.min(this.w, this.r + max);
    const v = this.buf.subarray(this.r, end);
    this.r = end;
    // The caller now owns bytes of our buffer: never write into it again.
    this.owned = false;
    return v;
  }

  /** io.Reader: copies up to `p.length` bytes into `p`; null at EOF. */
  async read(p: Uint8Array): Promise<number | null> {
    if (p.length === 0) return 0;
    if (this.r === this.w) {
      if (this.srcEOF) return null;
      // Large reads from a read()-only source go straight into p.
      if (this.chunkSrc === null && this.src !== null && p.length >= this.readSize) {
        const n = await this.src.read(p);
        if (n === null) this.srcEOF = true;
        return n;
      }
      if (!(await this.fill()) && this.r === this.w) return null;
    }
    const n = Math.min(p.length, this.w - this.r);
    p.set(this.buf.subarray(this.r, this.r + n));
    this.r += n;
    return n;
  }

  /** Pushes bytes back in front of the buffered data (e.g. after a probe read). */
  unread(p: Uint8Array): void {
    if (p.length === 0) return;
    const unread = this.w - this.r;
    const nb = Buffer.allocUnsafe(p.length + unread);
    nb.set(p, 0);
    this.buf.copy(nb, p.length, this.r, this.w);
    this.buf = nb;
    this.r = 0;
    this.w = nb.length;
    this.owned = false;
    this.scanned = this.lineStart = 0;
    this.skippedEmpty = false;
  }

  /** Removes and returns every buffered byte (for hijack: the new owner reads these first). */
  takeBuffered(): Uint8Array {
    const v = this.buf.subarray(this.r, this.w);
    this.r = this.w;
    this.owned = false;
    this.scanned = this.lineStart = 0;
    this.skippedEmpty = false;
    return v;
  }
}

/**
 * Refuses to read the next message while the previous body on `br` is unfinished: its bytes
 * would be parsed as a head. Drain the body (Body.drain) or close the conn instead.
 */
export function checkPreviousBody(br: BufReader): void {
  if (br.owner !== null && !br.owner.eof) {
    throw new Error('http: the previous message body on this reader was not read to its end; drain it or close the connection');
  }
}

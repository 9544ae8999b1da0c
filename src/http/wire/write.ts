// Writers: a request or response head (plus a small body) serialised into ONE buffer, and
// identity / chunked body writers. Heads are built as latin1 strings and encoded once.

import { Header, validHeaderName, wireValue } from '../header.js';

/** Where writers put bytes: a Conn or anything with its `write`. */
export interface ByteSink {
  write(p: Uint8Array): Promise<number>;
}

const STATUS_TEXT: Record<number, string> = {
  100: 'Continue', 101: 'Switching Protocols', 102: 'Processing', 103: 'Early Hints',
  200: 'OK', 201: 'Created', 202: 'Accepted', 203: 'Non-Authoritative Information', 204: 'No Content',
  205: 'Reset Content', 206: 'Partial Content', 207: 'Multi-Status', 208: 'Already Reported', 226: 'IM Used',
  300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified',
  305: 'Use Proxy', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 406: 'Not Acceptable', 407: 'Proxy Authentication Required',
  408: 'Request Timeout', 409: 'Conflict', 410: 'Gone', 411: 'Length Required', 412: 'Precondition Failed',
  413: 'Request Entity Too Large', 414: 'Request URI Too Long', 415: 'Unsupported Media Type',
  416: 'Requested Range Not Satisfiable', 417: 'Expectation Failed', 418: "I'm a teapot",
  421: 'Misdirected Request', 422: 'Unprocessable Entity', 423: 'Locked', 424: 'Failed Dependency',
  425: 'Too Early', 426: 'Upgrade Required', 428: 'Precondition Required', 429: 'Too Many Requests',
  431: 'Request Header Fields Too Large', 451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Gateway Timeout', 505: 'HTTP Version Not Supported', 506: 'Variant Also Negotiates',
  507: 'Insufficient Storage', 508: 'Loop Detected', 510: 'Not Extended', 511: 'Network Authentication Required',
};

/** Go's StatusText: the reason phrase for `code`, or '' if unknown. */
export function statusText(code: number): string {
  return STATUS_TEXT[code] ?? '';
}

/** Framing and connection fields the writer emits itself (user copies are skipped). */
interface FramingInit {
  /** ≥ 0 writes `Content-Length`; -1 (default) writes none. */
  contentLength?: number;
  /** Writes `Transfer-Encoding: chunked` (and no Content-Length). */
  chunked?: boolean;
  /** Writes `Connection: close` (replacing any user Connection field). */
  close?: boolean;
  /** Trailer names to announce in a `Trailer` field. */
  trailerKeys?: readonly string[];
  /** Extra keys to leave out of `header`. */
  exclude?: ReadonlySet<string>;
}

/** What `encodeRequestHead` needs. */
export interface RequestHeadInit extends FramingInit {
  method: string;
  /** origin-form `/p?q`, absolute-form (via proxy), authority-form (CONNECT) or `*`. */
  target: string;
  /** Written first, as Go does; omitted when undefined. */
  host?: string;
  /** Written right after Host (Go's order); omitted when undefined or ''. */
  userAgent?: string;
  proto?: string;
  header?: Header;
}

/** What `encodeResponseHead` needs. */
export interface ResponseHeadInit extends FramingInit {
  statusCode: number;
  /** Reason phrase; default the standard text, or `status code NNN` (Go) when unknown. */
  statusText?: string;
  proto?: string;
  header?: Header;
}

const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// eslint-disable-next-line no-control-regex
const BAD_TARGET = /[\x00-\x20\x7f-\uffff]/;

function framingLines(f: FramingInit, header: Header | undefined): { lines: string; exclude: Set<string> } {
  const exclude = new Set<string>(['Content-Length', 'Transfer-Encoding']);
  if (f.exclude !== undefined) for (const k of f.exclude) exclude.add(k);
  let lines = '';
  if (f.close === true) {
    lines += 'Connection: close\r\n';
    exclude.add('Connection');
  }
  if (f.chunked === true) lines += 'Transfer-Encoding: chunked\r\n';
  else if (f.contentLength !== undefined && f.contentLength >= 0) lines += 'Content-Length: ' + f.contentLength + '\r\n';
  if (f.trailerKeys !== undefined && f.trailerKeys.length > 0) {
    const names = f.trailerKeys.filter(validHeaderName);
    if (names.length > 0) lines += 'Trailer: ' + names.join(', ') + '\r\n';
    exclude.add('Trailer');
  }
  void header;
  return { lines, exclude };
}

/** The request head as a latin1 string. Throws TypeError for an invalid method or target. */
export function serializeRequestHead(init: RequestHeadInit): string {
  if (!TOKEN_RE.test(init.method)) throw new TypeError(`net/http: invalid method ${JSON.stringify(init.method)}`);
  if (init.target === '' || BAD_TARGET.test(init.target)) {
    throw new TypeError(`net/http: invalid request-target ${JSON.stringify(init.target)} (must be non-empty ASCII without spaces or controls)`);
  }
  let s = init.method + ' ' + init.target + ' ' + (init.proto ?? 'HTTP/1.1') + '\r\n';
  const { lines, exclude } = framingLines(init, init.header);
  if (init.host !== undefined) {
    s += 'Host: ' + wireValue(init.host) + '\r\n';
    exclude.add('Host');
  }
  if (init.userAgent !== undefined && init.userAgent !== '') {
    s += 'User-Agent: ' + wireValue(init.userAgent) + '\r\n';
    exclude.add('User-Agent');
  }
  s += lines;
  if (init.header !== undefined) s += init.header.write(exclude);
  return s + '\r\n';
}

/** The status line + fields as a latin1 string. Throws RangeError for a code outside 100–999. */
export function serializeResponseHead(init: ResponseHeadInit): string {
  const code = init.statusCode;
  if (!Number.isInteger(code) || code < 100 || code > 999) throw new RangeError(`invalid WriteHeader code ${code}`);
  const reason = init.statusText !== undefined ? wireValue(init.statusText) : (STATUS_TEXT[code] ?? 'status code ' + code);
  let s = (init.proto ?? 'HTTP/1.1') + ' ' + code + ' ' + reason + '\r\n';
  const { lines, exclude } = framingLines(init, init.header);
  s += lines;
  if (init.header !== undefined) s += init.header.write(exclude);
  return s + '\r\n';
}

/** `head` (latin1) followed by `body` in one fresh buffer: one write for head + small body. */
export function joinHead(head: string, body?: Uint8Array): Buffer {
  const bl = body === undefined ? 0 : body.length;
  const buf = Buffer.allocUnsafe(head.length + bl);
  buf.write(head, 0, 'latin1');
  if (bl > 0) buf.set(body as Uint8Array, head.length);
  return buf;
}

/** A request head (+ optional body bytes) as one buffer. */
export function encodeRequestHead(init: RequestHeadInit, body?: Uint8Array): Buffer {
  return joinHead(serializeRequestHead(init), body);
}

/** A response head (+ optional body bytes) as one buffer. */
export function encodeResponseHead(init: ResponseHeadInit, body?: Uint8Array): Buffer {
  return joinHead(serializeResponseHead(init), body);
}

/** One chunk: hex size, CRLF, data, CRLF, in one buffer. Empty data yields an empty buffer. */
export function encodeChunk(data: Uint8Array): Buffer {
  if (data.length === 0) return Buffer.alloc(0);
  const size = data.length.toString(16);
  const buf = Buffer.allocUnsafe(size.length + 4 + data.length);
  buf.write(size, 0, 'latin1');
  buf[size.length] = 13;
  buf[size.length + 1] = 10;
  buf.set(data, size.length + 2);
  buf[buf.length - 2] = 13;
  buf[buf.length - 1] = 10;
  return buf;
}

// Framing keys may not travel as trailers (the receiver would refuse them).
const TRAILER_EXCLUDE = new Set(['Transfer-Encoding', 'Trailer', 'Content-Length', 'Host']);

/** The last chunk, trailer fields and the final CRLF. */
export function encodeLastChunk(trailer?: Header): Buffer {
  const t = trailer === undefined || trailer.size === 0 ? '' : trailer.write(TRAILER_EXCLUDE);
  return Buffer.from('0\r\n' + t + '\r\n', 'latin1');
}

/** Above this a chunk's data is written separately instead of copied next to its size line. */
const COPY_LIMIT = 64 * 1024;

/** Chunked body writer: `write` sends one chunk, `close` the last chunk with trailers. */
export class ChunkedWriter {
  private done = false;
  /** Data bytes written so far. */
  written = 0;
  constructor(private readonly sink: ByteSink) {}

  async write(p: Uint8Array): Promise<number> {
    if (this.done) throw new Error('http: write on a finished chunked body');
    if (p.length === 0) return 0;
    if (p.length <= COPY_LIMIT) {
      await this.sink.write(encodeChunk(p));
    } else {
      await this.sink.write(Buffer.from(p.length.toString(16) + '\r\n', 'latin1'));
      await this.sink.write(p);
      await this.sink.write(CRLF);
    }
    this.written += p.length;
    return p.length;
  }

  /** Writes the last chunk and `trailer`. Idempotent. */
  async close(trailer?: Header): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.sink.write(encodeLastChunk(trailer));
  }
}

const CRLF = Buffer.from('\r\n', 'latin1');

/** A write beyond, or a close short of, the declared Content-Length (Go's ErrContentLength). */
export class ContentLengthError extends Error {
  override name = 'ContentLengthError';
}

/** Identity body writer; with a declared length it refuses extra bytes and reports short bodies. */
export class IdentityWriter {
  written = 0;
  constructor(private readonly sink: ByteSink, private readonly contentLength = -1) {}

  async write(p: Uint8Array): Promise<number> {
    if (this.contentLength >= 0 && this.written + p.length > this.contentLength) {
      throw new ContentLengthError(`http: wrote more than the declared Content-Length (${this.contentLength})`);
    }
    if (p.length === 0) return 0;
    await this.sink.write(p);
    this.written += p.length;
    return p.length;
  }

  /** Throws if fewer bytes than declared were written. */
  close(): void {
    if (this.contentLength >= 0 && this.written !== this.contentLength) {
      throw new ContentLengthError(`http: wrote ${this.written} bytes of a declared Content-Length of ${this.contentLength}`);
    }
  }
}

// The handler side of the server: the ResponseWriter / Handler shapes every handler codes
// against, plus the small stock handlers Go ships next to them (Error, NotFound, Redirect,
// StripPrefix, TimeoutHandler).

import type { Header } from './header.js';
import type { Request } from './request.js';
import { statusText } from './wire/write.js';
import { Body } from './wire/body.js';

/** Where a handler writes its reply (Go's http.ResponseWriter). */
export interface ResponseWriter {
  /** The header map sent with `writeHeader` (changes after that have no effect). */
  header(): Header;
  /** Sends the status line and headers. Later calls are ignored. */
  writeHeader(code: number): void;
  /** Writes body bytes (strings as UTF-8), calling `writeHeader(200)` first if needed. */
  write(chunk: Uint8Array | string): Promise<void> | void;
  /** Sends any buffered data to the client now. */
  flush?(): Promise<void> | void;
}

/** A function handler (Go's HandlerFunc). */
export type HandlerFunc = (w: ResponseWriter, r: Request) => void | Promise<void>;

/** An object handler (Go's Handler interface). */
export interface HandlerObject {
  serveHTTP(w: ResponseWriter, r: Request): void | Promise<void>;
}

/** Anything that can serve a request. */
export type Handler = HandlerFunc | HandlerObject;

/** Runs `h` for `(w, r)`, whichever shape it has. */
export function serveWith(h: Handler, w: ResponseWriter, r: Request): void | Promise<void> {
  return typeof h === 'function' ? h(w, r) : h.serveHTTP(w, r);
}

/** Reports whether `h` is a usable handler (a function or an object with `serveHTTP`). */
export function isHandler(h: unknown): h is Handler {
  if (typeof h === 'function') return true;
  return typeof h === 'object' && h !== null && typeof (h as HandlerObject).serveHTTP === 'function';
}

export { statusText };

/**
 * Replies with `message` and `code` as plain text (Go's http.Error): drops Content-Length, sets
 * `Content-Type: text/plain; charset=utf-8` and `X-Content-Type-Options: nosniff`, and writes the
 * message plus a newline.
 */
export function error(w: ResponseWriter, message: string, code: number): Promise<void> | void {
  const h = w.header();
  h.del('Content-Length');
  h.set('Content-Type', 'text/plain; charset=utf-8');
  h.set('X-Content-Type-Options', 'nosniff');
  w.writeHeader(code);
  return w.write(message + '\n');
}

/** Replies `404 page not found`. */
export function notFound(w: ResponseWriter, _r?: Request): Promise<void> | void {
  return error(w, '404 page not found', 404);
}

/** A handler that replies `404 page not found` to every request. */
export function notFoundHandler(): HandlerFunc {
  return notFound;
}

/** HTML-escapes `& < > " '` the way Go's html escaper in net/http does. */
export function htmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => {
    switch (c) {
      case '&': return '&amp;';
      case '<': return '&lt;';
      case '>': return '&gt;';
      case '"': return '&#34;';
      default: return '&#39;';
    }
  });
}

/** Percent-escapes non-ASCII bytes (as UTF-8), as Go does for Location headers. */
function hexEscapeNonASCII(s: string): string {
  if (!/[\u0080-\uffff]/.test(s)) return s;
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    out += b < 0x80 ? String.fromCharCode(b) : '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/**
 * Lexical path cleaning as Go's path.Clean does it: collapses `//`, drops `.`, resolves `..`
 * (never above the root of a rooted path); '' becomes '.'.
 */
export function cleanPathLexical(p: string): string {
  if (p === '') return '.';
  const rooted = p[0] === '/';
  const out: string[] = [];
  let dotdots = 0; // leading '..' kept in a relative path
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length > dotdots) out.pop();
      else if (!rooted) { out.push('..'); dotdots++; }
      continue;
    }
    out.push(seg);
  }
  const joined = out.join('/');
  if (rooted) return '/' + joined;
  return joined === '' ? '.' : joined;
}

/** Fast check: `p` starts with '/' and has no empty, `.` or `..` segment (a trailing '/' is fine). */
function isCleanRooted(p: string): boolean {
  if (p.length === 0 || p.charCodeAt(0) !== 0x2f) return false;
  let segStart = 1;
  for (let i = 1; i <= p.length; i++) {
    if (i < p.length && p.charCodeAt(i) !== 0x2f) continue;
    const len = i - segStart;
    if (len === 0 && i < p.length) return false; // '//'
    if (len === 1 && p.charCodeAt(segStart) === 0x2e) return false; // '.'
    if (len === 2 && p.charCodeAt(segStart) === 0x2e && p.charCodeAt(segStart + 1) === 0x2e) return false; // '..'
    segStart = i + 1;
  }
  return true;
}

/**
 * Go's cleanPath for request paths: adds a leading `/`, cleans, and keeps a trailing slash.
 */
export function cleanPath(p: string): string {
  if (isCleanRooted(p)) return p;
  if (p === '') return '/';
  if (p[0] !== '/') p = '/' + p;
  let np = cleanPathLexical(p);
  if (p[p.length - 1] === '/' && np !== '/') np += '/';
  return np;
}

/**
 * Replies with a redirect to `url` (Go's http.Redirect). A relative `url` is resolved against
 * the request path and cleaned (a trailing slash is kept); GET and HEAD without a Content-Type get
 * `text/html`, and GET a short HTML body linking to the target.
 */
export function redirect(w: ResponseWriter, r: Request, url: string, code: number): Promise<void> | void {
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(url) && !url.startsWith('//')) {
    let oldPath = r.url.pathname;
    if (oldPath === '') oldPath = '/';
    if (url === '' || url[0] !== '/') url = oldPath.slice(0, oldPath.lastIndexOf('/') + 1) + url;
    let query = '';
    const q = url.indexOf('?');
    if (q >= 0) { query = url.slice(q); url = url.slice(0, q); }
    const trailing = url.endsWith('/');
    url = cleanPathLexical(url);
    if (trailing && !url.endsWith('/')) url += '/';
    url += query;
  }
  const h = w.header();
  const hadContentType = h.has('Content-Type');
  h.set('Location', hexEscapeNonASCII(url));
  if (!hadContentType && (r.method === 'GET' || r.method === 'HEAD')) h.set('Content-Type', 'text/html; charset=utf-8');
  w.writeHeader(code);
  if (!hadContentType && r.method === 'GET') {
    return w.write('<a href="' + htmlEscape(url) + '">' + statusText(code) + '</a>.\n\n');
  }
  return undefined;
}

/** A handler that redirects every request to `url` with `code` (Go's RedirectHandler). */
export function redirectHandler(url: string, code: number): HandlerFunc {
  return (w, r) => redirect(w, r, url, code);
}

/**
 * A view of `r` with other fields replacing some of its own; methods and everything else come
 * from `r` (the prototype), so `pathValue` and the body still work.
 */
export function withFields<R extends object>(r: R, fields: Partial<R>): R {
  const r2 = Object.create(r) as R;
  for (const [k, v] of Object.entries(fields)) {
    Object.defineProperty(r2, k, { value: v, writable: true, enumerable: true, configurable: true });
  }
  return r2;
}

/**
 * Serves requests whose path starts with `prefix` by handing them to `h` with the prefix removed
 * from the path; anything else gets 404 (Go's StripPrefix).
 */
export function stripPrefix(prefix: string, h: Handler): Handler {
  if (prefix === '') return h;
  return (w, r) => {
    const raw = r.rawPath !== '' ? r.rawPath : r.url.pathname;
    let rest: string;
    if (raw.startsWith(prefix)) {
      rest = raw.slice(prefix.length);
    } else {
      // The prefix may be written decoded (`/café/`): compare on the decoded path, unless an
      // escaped slash makes decoding change the path's structure.
      const decoded = decodePath(raw);
      if (decoded === null || /%2f/i.test(raw) || !decoded.startsWith(prefix)) return notFound(w, r);
      rest = encodeURI(decoded.slice(prefix.length));
    }
    // A WHATWG http URL always keeps a leading '/', so its pathname reads `/a` where Go's
    // stripped Path is `a`; `rawPath` keeps the exact stripped text.
    const url = new URL(r.url.href);
    url.pathname = rest;
    const r2 = withFields(r, { url, rawPath: rest } as Partial<Request>);
    return serveWith(h, w, r2);
  };
}

function decodePath(p: string): string | null {
  try {
    return decodeURIComponent(p);
  } catch {
    return null;
  }
}

/** Thrown by writes a timed-out handler makes after `timeoutHandler` replied for it. */
export class HandlerTimeoutError extends Error {
  constructor() {
    super('http: Handler timeout');
    this.name = 'HandlerTimeoutError';
  }
}

/**
 * Runs `h` with a time limit of `ms` milliseconds (Go's TimeoutHandler). The handler's reply is
 * buffered; if it finishes in time the buffered reply is sent, otherwise the client gets
 * `503 Service Unavailable` with `message` (default Go's HTML "Timeout" page), the request's
 * `signal` is aborted, and the handler's later writes throw `HandlerTimeoutError`.
 */
export function timeoutHandler(h: Handler, ms: number, message = '<html><head><title>Timeout</title></head><body><h1>Timeout</h1></body></html>'): HandlerFunc {
  return async (w, r) => {
    const ac = new AbortController();
    const parent = r.signal;
    const onParentAbort = (): void => ac.abort(parent?.reason);
    if (parent !== undefined) {
      if (parent.aborted) ac.abort(parent.reason);
      else parent.addEventListener('abort', onParentAbort, { once: true });
    }
    const buffered = new BufferedWriter(w.header().clone());
    const r2 = withFields(r, { signal: ac.signal } as Partial<Request>);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), ms); });
    try {
      const run = Promise.resolve().then(() => serveWith(h, buffered, r2)).then(() => 'done' as const);
      const outcome = await Promise.race([run, timedOut]);
      if (outcome === 'timeout') {
        buffered.timedOut = true;
        ac.abort(new HandlerTimeoutError());
        run.catch(() => undefined);
        w.writeHeader(503);
        await w.write(message);
        return;
      }
      const dst = w.header();
      for (const k of [...dst.keys()]) dst.del(k);
      for (const [k, vs] of buffered.h) dst.set(k, vs);
      w.writeHeader(buffered.code);
      if (buffered.chunks.length > 0) await w.write(Buffer.concat(buffered.chunks));
    } finally {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    }
  };
}

class BufferedWriter implements ResponseWriter {
  code = 200;
  wrote = false;
  timedOut = false;
  readonly chunks: Buffer[] = [];
  constructor(readonly h: Header) {}
  header(): Header { return this.h; }
  writeHeader(code: number): void {
    if (this.timedOut) throw new HandlerTimeoutError();
    if (this.wrote) return;
    checkWriteHeaderCode(code);
    this.wrote = true;
    this.code = code;
  }
  write(chunk: Uint8Array | string): void {
    if (this.timedOut) throw new HandlerTimeoutError();
    if (!this.wrote) this.writeHeader(200);
    this.chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk));
  }
}

/** Throws for status codes outside 100–999, as Go's WriteHeader panics. */
export function checkWriteHeaderCode(code: number): void {
  if (!Number.isInteger(code) || code < 100 || code > 999) {
    throw new RangeError(`invalid WriteHeader code ${code}`);
  }
}

/** A body read through `maxBytesReader` went past its limit (Go's MaxBytesError). */
export class MaxBytesError extends Error {
  constructor(readonly limit: number) {
    super('http: request body too large');
    this.name = 'MaxBytesError';
  }
}

/** Passes a body through until `limit` bytes, then fails with MaxBytesError. */
class MaxBytesBody extends Body {
  private left: number;
  private over = false;
  constructor(private readonly inner: Body, private readonly w: ResponseWriter, private readonly limit: number) {
    super(inner.contentLength, inner.trailer);
    this.left = limit;
  }

  protected async pull(max: number): Promise<Uint8Array | null> {
    if (this.over) throw new MaxBytesError(this.limit);
    // Ask for one byte more than allowed, to tell "exactly the limit" from "more".
    const c = await this.inner.readChunk(Math.min(max, this.left + 1));
    if (c === null) return null;
    if (c.length <= this.left) {
      this.left -= c.length;
      return c;
    }
    this.over = true;
    // The server should not try to read the rest of this request's body (Go's requestTooLarge).
    (this.w as { requestTooLarge?: () => void }).requestTooLarge?.();
    const keep = this.left;
    this.left = 0;
    if (keep === 0) throw new MaxBytesError(this.limit);
    return c.subarray(0, keep);
  }

  override close(): void {
    super.close();
    this.inner.close();
  }
}

/**
 * Wraps `body` so reading more than `limit` bytes fails with MaxBytesError (Go's
 * MaxBytesReader); `w` is told with `requestTooLarge()` when it has one.
 */
export function maxBytesReader(w: ResponseWriter, body: Body, limit: number): Body {
  return new MaxBytesBody(body, w, Math.max(0, limit));
}

/** Runs `h` with the request body limited to `limit` bytes (Go's MaxBytesHandler). */
export function maxBytesHandler(h: Handler, limit: number): HandlerFunc {
  return (w, r) => serveWith(h, w, withFields(r, { body: maxBytesReader(w, r.body, limit) } as Partial<Request>));
}

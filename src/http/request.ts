// Request: what a server reads off the wire (readRequest) and what a client sends (new Request +
// write). One class for both, as Go's http.Request; fields that only make sense on one side are
// left empty on the other.

import { Header, type HeaderInit } from './header.js';
import { BufReader, DEFAULT_MAX_HEADER_BYTES, HEADER_SLACK, checkPreviousBody, type ByteSource } from './wire/bufreader.js';
import {
  Body, BytesBody, EmptyBody, bodyFrom, declaredTrailer, requestFraming, wireBody,
  type BodyInit,
} from './wire/body.js';
import { DEFAULT_MAX_LINE_BYTES, ProtocolError, parseRequestHead, type RequestHead } from './wire/head.js';
import { ChunkedWriter, ContentLengthError, IdentityWriter, encodeRequestHead, type ByteSink } from './wire/write.js';

/** Default User-Agent a client request carries unless its header sets one ('' omits it), as Go. */
export const DEFAULT_USER_AGENT = 'Go-http-client/1.1';

/** Bodies up to this size are sent in the same write as the head. */
const INLINE_BODY = 64 * 1024;

/** Options for building an outgoing request. */
export interface RequestInit {
  header?: HeaderInit;
  /** Strings are sent as UTF-8. Streams are sent chunked unless `contentLength` is given. */
  body?: BodyInit | null;
  /** Overrides the length derived from `body` (-1 = unknown → chunked). */
  contentLength?: number;
  /** Host header value; default the URL's host. */
  host?: string;
  /** Ask the server to close the connection after the reply (`Connection: close`). */
  close?: boolean;
  /** Trailer fields sent after a chunked body; their keys are announced in `Trailer`. */
  trailer?: HeaderInit;
  /** Go's request context: aborting it cancels the request. */
  signal?: AbortSignal;
}

/** Limits and leniencies for readRequest. */
export interface ReadRequestOptions {
  /** Bound on request line + headers; default 1 MiB + 4096 (Go's MaxHeaderBytes + slack). → 431 */
  maxHeaderBytes?: number;
  /** Longest request line / header line; default 64 KiB. → 414 / 431 */
  maxLineBytes?: number;
  /** Accept bare LF line ends (default false: CRLF only, see HeadParseOptions). */
  allowBareLF?: boolean;
  /** HTTP/1.1 requests must carry Host (default true). */
  requireHost?: boolean;
  /** Bound on a chunked body's trailer section; default 64 KiB. */
  maxTrailerBytes?: number;
}

/** Where a request can be read from: bytes, a conn-like reader, or a BufReader to read many from. */
export type MessageSource = Uint8Array | ByteSource | BufReader;

function toBufReader(src: MessageSource): BufReader {
  return src instanceof BufReader ? src : new BufReader(src);
}

/**
 * An HTTP request. For a server, filled by readRequest from the wire; for a client, built with
 * `new Request(method, url, init)` and sent with `write` (the Transport does this).
 */
export class Request {
  method: string;
  /** The request-target exactly as received ('' on client requests, like Go). */
  requestURI = '';
  proto = 'HTTP/1.1';
  protoMajor = 1;
  protoMinor = 1;
  header: Header;
  body: Body;
  /** Body length; -1 unknown (chunked or streamed). */
  contentLength: number;
  /** `['chunked']` when the body is chunked, else empty. */
  transferEncoding: string[] = [];
  /** Connection: close requested (server: close after replying; client: send the header). */
  close = false;
  /** The host the request is for: Host header, or the absolute-form target's authority. */
  host: string;
  /** Trailer fields: declared keys with no values until a chunked body is read to the end. */
  trailer: Header;
  /** Peer address (set by the server). */
  remoteAddr = '';
  /** Cancelled when the client goes away (server) or to abort the request (client). */
  signal: AbortSignal | undefined;
  /** Re-creates the body for retries and 307/308 redirects; null when not replayable. */
  getBody: (() => Body) | null = null;
  /** The ServeMux pattern that matched (set by the mux). */
  pattern = '';
  /** How the target was written on the wire (server side). */
  targetForm: RequestHead['targetForm'] = 'origin';
  private _url: URL | null;
  private pathValues: Map<string, string> | null = null;

  constructor(method: string, url: string | URL, init: RequestInit = {}) {
    this.method = method === '' ? 'GET' : method;
    this._url = typeof url === 'string' ? new URL(url) : url;
    this.header = new Header(init.header);
    this.host = init.host ?? (this.method === 'CONNECT' ? authorityWithPort(this._url) : this._url.host);
    this.close = init.close ?? false;
    this.trailer = new Header(init.trailer);
    this.signal = init.signal;
    const b = init.body;
    this.body = bodyFrom(b);
    this.contentLength = init.contentLength ?? this.body.contentLength;
    if (this.body instanceof BytesBody) {
      const data = this.body.peekAll() ?? new Uint8Array(0);
      this.getBody = () => new BytesBody(data);
    } else if (this.body instanceof EmptyBody) {
      this.getBody = () => new EmptyBody();
    }
    if (this.contentLength < 0) this.transferEncoding = ['chunked'];
  }

  /**
   * The URL. For a server request it is built on first use from the request-target (the Host as
   * authority, `http:`), so requests whose handler never looks pay nothing. Note WHATWG parsing
   * resolves dot segments; `rawPath` has the path as sent.
   */
  get url(): URL {
    if (this._url === null) this._url = targetURL(this.requestURI, this.targetForm, this.host);
    return this._url;
  }

  set url(u: URL) {
    this._url = u;
  }

  /** The path of the request-target as sent (not decoded, dot segments kept); '' for `*`. */
  get rawPath(): string {
    if (this.requestURI === '') return this.url.pathname;
    return splitTarget(this.requestURI, this.targetForm)[0];
  }

  /** The query of the request-target without `?` ('' when none). */
  get rawQuery(): string {
    if (this.requestURI === '') return this.url.search.slice(1);
    return splitTarget(this.requestURI, this.targetForm)[1];
  }

  /** A ServeMux wildcard's value for this request ('' when unset), Go's PathValue. */
  pathValue(name: string): string {
    return this.pathValues?.get(name) ?? '';
  }

  /** Sets what pathValue(name) returns (used by the mux; also handy in tests). */
  setPathValue(name: string, value: string): void {
    (this.pathValues ??= new Map()).set(name, value);
  }

  /** Shorthands for the body. */
  bytes(limit?: number): Promise<Uint8Array> {
    return this.body.bytes(limit);
  }
  text(limit?: number): Promise<string> {
    return this.body.text(limit);
  }
  json<T = unknown>(limit?: number): Promise<T> {
    return this.body.json<T>(limit);
  }

  /**
   * Serialises the request onto `w` in Go's order (Host, User-Agent, Connection, framing,
   * Trailer, then user fields sorted): the head and a small body in one write, a larger or
   * streamed one after it (chunked when the length is unknown, with trailers). `proxy: true`
   * writes the absolute form for a forward proxy. The body is consumed.
   */
  async write(w: ByteSink, opts: WriteRequestOptions = {}): Promise<void> {
    const u = this.url;
    let target: string;
    if (this.method === 'CONNECT') target = u.host !== '' ? authorityWithPort(u) : this.host;
    else if (opts.proxy === true) target = u.protocol + '//' + u.host + (u.pathname || '/') + u.search;
    else target = (u.pathname === '' ? '/' : u.pathname) + u.search;
    const header = this.header;
    const cl = this.contentLength;
    const body = this.body;
    // Go: an empty known body sends Content-Length: 0 only for methods that expect a body.
    const chunked = cl < 0;
    let sendLength = cl;
    if (cl === 0 && !(this.method === 'POST' || this.method === 'PUT' || this.method === 'PATCH')) sendLength = -1;
    const ua = header.raw('User-Agent');
    const exclude = new Set<string>(['User-Agent']);
    let extra = '';
    if (ua === undefined) extra = DEFAULT_USER_AGENT;
    else if (ua.length > 0 && ua[0] !== '') extra = ua[0];
    const trailerKeys = chunked && this.trailer.size > 0 ? this.trailer.sortedKeys() : undefined;
    const headInit = {
      method: this.method, target, host: this.host, proto: 'HTTP/1.1', header, close: this.close,
      contentLength: chunked ? -1 : sendLength, chunked, trailerKeys, exclude,
      userAgent: extra,
    };
    let inline: Uint8Array | undefined;
    if (!chunked && body instanceof BytesBody) {
      const d = body.peekAll();
      if (d !== null && d.length <= INLINE_BODY) inline = d;
    }
    if (!chunked && inline !== undefined && inline.length !== cl) {
      throw new ContentLengthError(`http: ContentLength=${cl} with Body length ${inline.length}`);
    }
    const head = encodeRequestHead(headInit, inline);
    await w.write(head);
    if (inline !== undefined) {
      body.close();
      return;
    }
    if (chunked) {
      const cw = new ChunkedWriter(w);
      for await (const c of body) await cw.write(c);
      await cw.close(this.trailer);
    } else if (cl > 0) {
      const iw = new IdentityWriter(w, cl);
      for await (const c of body) await iw.write(c);
      iw.close();
    }
  }
}

/** Options for Request.write. */
export interface WriteRequestOptions {
  /** Absolute-form request-target, for a request sent to a forward proxy. */
  proxy?: boolean;
}

/** `host:port` of `u`, with the scheme's default port filled in (CONNECT needs one). */
function authorityWithPort(u: URL): string {
  if (u.port !== '') return u.host;
  return u.host + (u.protocol === 'https:' || u.protocol === 'wss:' ? ':443' : ':80');
}

function splitTarget(t: string, form: RequestHead['targetForm']): [string, string] {
  if (form === 'asterisk' || form === 'authority') return ['', ''];
  let start = 0;
  if (form === 'absolute') {
    const s = t.indexOf('//');
    const p = t.indexOf('/', s + 2);
    const q0 = t.indexOf('?', s + 2);
    if (p === -1 || (q0 !== -1 && q0 < p)) return ['', q0 === -1 ? '' : t.slice(q0 + 1).split('#')[0]];
    start = p;
  }
  const q = t.indexOf('?', start);
  if (q === -1) return [t.slice(start), ''];
  return [t.slice(start, q), t.slice(q + 1)];
}

function targetURL(target: string, form: RequestHead['targetForm'], host: string): URL {
  try {
    if (form === 'absolute') return new URL(target);
    if (form === 'authority') return new URL('http://' + target);
    if (form === 'asterisk') return new URL('http://' + (host || 'localhost'));
    // Joined as text: resolving `//evil.com/x` against a base would read it as a host.
    return new URL('http://' + (host || 'localhost') + target);
  } catch {
    // A Host the WHATWG parser refuses: keep the path, use a neutral authority.
    return new URL(form === 'origin' ? target : '/', 'http://localhost');
  }
}

/** Makes a wire request's signal on first use (the server's response writer). */
export interface SignalSource {
  requestSignal(): AbortSignal | undefined;
}

/** The fields behind a wire request's lazy `signal`. */
interface LazySignal {
  /** The value set by assignment; NOT_SET until someone assigns. */
  _sig: AbortSignal | undefined | typeof NOT_SET;
  _sigSrc: SignalSource | null;
}

const NOT_SET = Symbol('gonet.http.signal.notSet');

/**
 * The prototype of requests read from the wire: `signal` is an accessor asking the request's
 * SignalSource on first read, so a server pays for an AbortController only when a handler looks
 * (and no per-request defineProperty turns the object into a slow dictionary).
 */
const WIRE_REQUEST: Request = Object.create(Request.prototype, {
  signal: {
    get(this: LazySignal): AbortSignal | undefined {
      const v = this._sig;
      if (v !== NOT_SET) return v;
      return this._sigSrc === null ? undefined : this._sigSrc.requestSignal();
    },
    set(this: LazySignal, v: AbortSignal | undefined) {
      this._sig = v;
    },
    enumerable: true,
    configurable: true,
  },
}) as Request;

/** Gives a request read by nextRequest the source its `signal` comes from. */
export function bindSignal(req: Request, src: SignalSource): void {
  (req as unknown as LazySignal)._sigSrc = src;
}

/**
 * The object behind a request read from the wire: a Request (its prototype chain passes through
 * WIRE_REQUEST to Request.prototype) built without the client constructor (URL parsing, body
 * wrapping). A constructor, not Object.create plus stores, so V8 sizes the object for all its
 * fields at once; fields are assigned in one order so every wire request shares a hidden class.
 */
class WireRequest {
  constructor(h: RequestHead, body: Body, contentLength: number, transferEncoding: string[], close: boolean, trailer: Header) {
    const w = this as unknown as Record<string, unknown>;
    w.method = h.method;
    w.requestURI = h.requestURI;
    w.proto = h.proto;
    w.protoMajor = h.protoMajor;
    w.protoMinor = h.protoMinor;
    w.header = h.header;
    w.body = body;
    w.contentLength = contentLength;
    w.transferEncoding = transferEncoding;
    w.close = close;
    w.host = h.host;
    w.trailer = trailer;
    w.remoteAddr = '';
    w._sig = NOT_SET;
    w._sigSrc = null;
    w.getBody = null;
    w.pattern = '';
    w.targetForm = h.targetForm;
    w._url = null;
    w.pathValues = null;
  }
}
Object.setPrototypeOf(WireRequest.prototype, WIRE_REQUEST);

/** A request read from the wire: builds the Request around a parsed head. */
function requestFromHead(h: RequestHead, br: BufReader, opts: ReadRequestOptions): Request {
  const f = requestFraming(h);
  const trailer = f.kind === 'chunked' ? declaredTrailer(h.header, 400) : new Header();
  const body = wireBody(br, f, { status: 400, what: 'request body', foldTrailers: false, maxTrailerBytes: opts.maxTrailerBytes }, trailer);
  return new WireRequest(h, body, f.contentLength, f.transferEncoding, f.close, trailer) as unknown as Request;
}

/**
 * Reads the next request head from `br` and returns the Request whose body reads from `br`;
 * null if the source ended cleanly before any byte (the keep-alive peer went away). For a
 * server loop: the previous body must be consumed (or drained) before the next call.
 */
export async function nextRequest(br: BufReader, opts: ReadRequestOptions = {}): Promise<Request | null> {
  checkPreviousBody(br);
  const maxLine = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const head = await br.readHead('request', opts.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES + HEADER_SLACK, maxLine);
  if (head === null) return null;
  const h = parseRequestHead(head, { allowBareLF: opts.allowBareLF, maxLineBytes: maxLine, requireHost: opts.requireHost });
  return requestFromHead(h, br, opts);
}

/**
 * nextRequest without waiting: the Request when its whole head is already buffered in `br`,
 * else undefined (the scan resumes in the next call, which may be nextRequest). Throws as
 * nextRequest does. Lets a server loop skip a promise per request.
 */
export function bufferedRequest(br: BufReader, opts: ReadRequestOptions = {}): Request | undefined {
  checkPreviousBody(br);
  const maxLine = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const head = br.headNow('request', opts.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES + HEADER_SLACK, maxLine);
  if (head === null) return undefined;
  const h = parseRequestHead(head, { allowBareLF: opts.allowBareLF, maxLineBytes: maxLine, requireHost: opts.requireHost });
  return requestFromHead(h, br, opts);
}

/**
 * Go's http.ReadRequest: parses one request from bytes or a conn-like reader. Every malformed
 * input throws a ProtocolError carrying the status a server answers (400, 414, 431, 501, 505).
 * A source that ends before any byte throws code `ERR_HTTP_EOF`. Pass a BufReader to read
 * several requests from one conn (bytes read ahead stay in it).
 */
export async function readRequest(src: MessageSource, opts: ReadRequestOptions = {}): Promise<Request> {
  const req = await nextRequest(toBufReader(src), opts);
  if (req === null) throw new ProtocolError(400, 'ERR_HTTP_EOF', 'EOF before a request');
  return req;
}

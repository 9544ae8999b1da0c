// Response: what a client reads off the wire (readResponse) and what a server can build and
// write in one go. As Go's http.Response.

import { Header, type HeaderInit } from './header.js';
import type { Request, MessageSource } from './request.js';
import { BufReader, DEFAULT_MAX_RESPONSE_HEADER_BYTES, checkPreviousBody } from './wire/bufreader.js';
import {
  Body, BytesBody, bodyAllowedForStatus, bodyFrom, declaredTrailer, responseFraming, wireBody,
  type BodyInit,
} from './wire/body.js';
import { BAD_RESPONSE, ProtocolError, parseResponseHead, type ResponseHead } from './wire/head.js';
import {
  ChunkedWriter, ContentLengthError, IdentityWriter, encodeResponseHead, statusText, type ByteSink,
} from './wire/write.js';

/** Bodies up to this size are sent in the same write as the head. */
const INLINE_BODY = 64 * 1024;

/** Options for building a Response (a server replying, or a test double for a client). */
export interface ResponseInit {
  /** Default 200. */
  statusCode?: number;
  /** Reason phrase; default the standard text for the code. */
  statusText?: string;
  header?: HeaderInit;
  body?: BodyInit | null;
  /** Overrides the length derived from `body` (-1 = unknown → chunked on HTTP/1.1). */
  contentLength?: number;
  /** Default `HTTP/1.1`. */
  proto?: string;
  /** Close the connection after this response (`Connection: close`). */
  close?: boolean;
  trailer?: HeaderInit;
  /** The request this answers; a HEAD request makes `write` send the head only. */
  request?: Request;
}

/** Options for readResponse. */
export interface ReadResponseOptions {
  /** The request method this answers: HEAD responses have no body. Default GET. */
  method?: string;
  /** Bound on status line + headers; default 10 MiB (Go's Transport). */
  maxHeaderBytes?: number;
  /** Accept bare LF line ends (default true, as Go and browsers do for responses). */
  allowBareLF?: boolean;
  /** Bound on a chunked body's trailer section; default 64 KiB. */
  maxTrailerBytes?: number;
}

/** An HTTP response. */
export class Response {
  /** e.g. `"200 OK"`. */
  status: string;
  statusCode: number;
  proto: string;
  protoMajor: number;
  protoMinor: number;
  header: Header;
  body: Body;
  /** Body length; -1 unknown. For HEAD replies, the advertised length. */
  contentLength: number;
  /** `['chunked']` when the body is chunked, else empty. */
  transferEncoding: string[];
  /** The connection closes after this response (Connection: close, HTTP/1.0, read-until-close). */
  close: boolean;
  /** The body was transparently decompressed (set by the Transport). */
  uncompressed = false;
  /** Trailer fields; values arrive when a chunked body is read to its end. */
  trailer: Header;
  /** The request this answers, when known. */
  request: Request | null;

  constructor(init: ResponseInit = {}) {
    const code = init.statusCode ?? 200;
    if (!Number.isInteger(code) || code < 100 || code > 999) throw new RangeError(`invalid status code ${code}`);
    this.statusCode = code;
    this.status = code + ' ' + (init.statusText ?? (statusText(code) || 'status code ' + code));
    this.proto = init.proto ?? 'HTTP/1.1';
    this.protoMajor = 1;
    this.protoMinor = this.proto === 'HTTP/1.0' ? 0 : 1;
    this.header = new Header(init.header);
    this.body = bodyFrom(init.body);
    this.contentLength = init.contentLength ?? this.body.contentLength;
    this.transferEncoding = this.contentLength < 0 && this.protoMinor >= 1 ? ['chunked'] : [];
    this.close = init.close ?? false;
    this.trailer = new Header(init.trailer);
    this.request = init.request ?? null;
  }

  /** True for 2xx statuses (a convenience; non-2xx is not an error, as in Go). */
  get ok(): boolean {
    return this.statusCode >= 200 && this.statusCode < 300;
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
   * Serialises the response onto `w`: status line and fields, then the body framed by
   * Content-Length when known, chunked (HTTP/1.1, with trailers) when not, or delimited by
   * closing on HTTP/1.0 (`close` is then forced). 1xx/204/304 and HEAD replies carry no body.
   * The head and a small body go out in one write. The body is consumed.
   */
  async write(w: ByteSink): Promise<void> {
    const code = this.statusCode;
    const head = this.request?.method === 'HEAD';
    const bodyOK = bodyAllowedForStatus(code);
    let cl = this.contentLength;
    let chunked = false;
    if (!bodyOK) cl = -1;
    else if (cl < 0) {
      if (this.protoMinor >= 1) chunked = true;
      else this.close = true;
    }
    const reason = this.status.length > 4 ? this.status.slice(4) : undefined;
    const trailerKeys = chunked && this.trailer.size > 0 ? this.trailer.sortedKeys() : undefined;
    const init = {
      statusCode: code, statusText: reason, proto: this.proto, header: this.header, close: this.close,
      contentLength: cl, chunked, trailerKeys,
    };
    let inline: Uint8Array | undefined;
    if (bodyOK && !head && !chunked && this.body instanceof BytesBody) {
      const d = this.body.peekAll();
      if (d !== null && d.length <= INLINE_BODY) inline = d;
    }
    if (inline !== undefined && cl >= 0 && inline.length !== cl) {
      throw new ContentLengthError(`http: ContentLength=${cl} with Body length ${inline.length}`);
    }
    await w.write(encodeResponseHead(init, inline));
    if (inline !== undefined || head || !bodyOK) {
      this.body.close();
      return;
    }
    if (chunked) {
      const cw = new ChunkedWriter(w);
      for await (const c of this.body) await cw.write(c);
      await cw.close(this.trailer);
    } else {
      const iw = new IdentityWriter(w, cl);
      for await (const c of this.body) await iw.write(c);
      iw.close();
    }
  }
}

function responseFromHead(h: ResponseHead, br: BufReader, opts: ReadResponseOptions): Response {
  const method = opts.method ?? 'GET';
  const f = responseFraming(h, method);
  const trailer = f.kind === 'chunked' ? declaredTrailer(h.header, BAD_RESPONSE) : new Header();
  const res = new Response({ statusCode: h.statusCode });
  res.status = h.status;
  res.proto = h.proto;
  res.protoMajor = h.protoMajor;
  res.protoMinor = h.protoMinor;
  res.header = h.header;
  res.body = wireBody(br, f, {
    status: BAD_RESPONSE, what: 'response body', foldTrailers: true, maxTrailerBytes: opts.maxTrailerBytes,
  }, trailer);
  res.contentLength = f.contentLength;
  res.transferEncoding = f.transferEncoding;
  res.close = f.close;
  res.trailer = trailer;
  return res;
}

/**
 * Reads the next response head from `br`; the body reads from `br`. null if the source ended
 * before any byte (for a Transport: the server closed a reused conn, so the request may be
 * retried). 1xx responses are returned like any other; the caller loops past them.
 */
export async function nextResponse(br: BufReader, opts: ReadResponseOptions = {}): Promise<Response | null> {
  checkPreviousBody(br);
  const max = opts.maxHeaderBytes ?? DEFAULT_MAX_RESPONSE_HEADER_BYTES;
  const head = await br.readHead('response', max, max);
  if (head === null) return null;
  const h = parseResponseHead(head, { allowBareLF: opts.allowBareLF });
  return responseFromHead(h, br, opts);
}

/**
 * Go's http.ReadResponse: parses one response from bytes or a conn-like reader, framing the body
 * per `method` (HEAD → none). Malformed input throws ProtocolError (status 502); a source that
 * ends before any byte throws code `ERR_HTTP_EOF`.
 */
export async function readResponse(src: MessageSource, opts: ReadResponseOptions = {}): Promise<Response> {
  const res = await nextResponse(src instanceof BufReader ? src : new BufReader(src), opts);
  if (res === null) throw new ProtocolError(BAD_RESPONSE, 'ERR_HTTP_EOF', 'EOF before a response');
  return res;
}

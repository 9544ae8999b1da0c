// Test helpers in the spirit of Go's net/http/httptest: a ResponseRecorder that captures what a
// handler writes, and newRequest for building an incoming request without a connection.

import { Header, type HeaderInit } from './header.js';
import { checkWriteHeaderCode, statusText, type ResponseWriter } from './handler.js';
import { Request } from './request.js';
import { detectContentType } from './sniff.js';

/** What a recorded response looks like once the handler is done (Go's Recorder.Result). */
export interface RecordedResult {
  statusCode: number;
  /** `"200 OK"` style status. */
  status: string;
  /** Headers as they were when the status was written. */
  header: Header;
  body: Uint8Array;
  /** The body decoded as UTF-8. */
  text(): string;
  /** Trailers: keys declared in `Trailer` or set with the `Trailer:` prefix after writing. */
  trailer: Header;
}

/**
 * A ResponseWriter that records the status, headers and body (Go's httptest.ResponseRecorder).
 * Like Go's, it sniffs a Content-Type on the first write when none is set.
 */
export class ResponseRecorder implements ResponseWriter {
  /** The status written, 200 until then. */
  code = 200;
  /** The live header map (what handlers change through `header()`). */
  readonly headerMap = new Header();
  private readonly chunks: Buffer[] = [];
  private bodyLength = 0;
  /** Whether `flush` was called. */
  flushed = false;
  /** Whether the status was written. */
  wroteHeader = false;
  private snapshot: Header | null = null;

  header(): Header {
    return this.headerMap;
  }

  writeHeader(code: number): void {
    checkWriteHeaderCode(code);
    if (this.wroteHeader) return;
    this.code = code;
    this.wroteHeader = true;
    this.snapshot = this.headerMap.clone();
  }

  write(chunk: Uint8Array | string): void {
    const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (!this.wroteHeader) {
      const h = this.headerMap;
      if (!h.has('Content-Type') && !h.has('Transfer-Encoding')) h.set('Content-Type', detectContentType(b));
      this.writeHeader(200);
    }
    this.chunks.push(Buffer.from(b)); // copy: callers may reuse their buffer
    this.bodyLength += b.length;
  }

  flush(): void {
    if (!this.wroteHeader) this.writeHeader(200);
    this.flushed = true;
  }

  /** The body so far. */
  get body(): Buffer {
    if (this.chunks.length > 1) {
      const all = Buffer.concat(this.chunks, this.bodyLength);
      this.chunks.length = 0;
      this.chunks.push(all);
    }
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  /** The body so far as UTF-8 text. */
  get bodyText(): string {
    return this.body.toString('utf8');
  }

  /** The response as a client would see it: status, headers at writeHeader time, body, trailers. */
  result(): RecordedResult {
    const header = (this.snapshot ?? this.headerMap).clone();
    const trailer = new Header();
    for (const name of header.values('Trailer')) {
      for (const k of name.split(',')) {
        const key = k.trim();
        if (key !== '' && this.headerMap.has(key)) trailer.set(key, this.headerMap.values(key));
      }
    }
    for (const [k, vs] of this.headerMap) {
      if (k.startsWith('Trailer:')) trailer.set(k.slice('Trailer:'.length), vs);
    }
    const body = Buffer.from(this.body);
    const code = this.code;
    return {
      statusCode: code,
      status: `${code} ${statusText(code)}`,
      header,
      body,
      text: () => body.toString('utf8'),
      trailer,
    };
  }
}

/** Options for `newRequest`. */
export interface NewRequestInit {
  header?: HeaderInit;
  /** Host header; defaults to the target's host or `example.com`. */
  host?: string;
  /** Request body. */
  body?: Uint8Array | string;
  proto?: 'HTTP/1.0' | 'HTTP/1.1';
  remoteAddr?: string;
  signal?: AbortSignal;
}

/**
 * An incoming server request for `target` as a server would have read it (Go's
 * httptest.NewRequest): `target` is the request-target (`/a?b=1`, an absolute URL, `*`, or
 * `host:port` for CONNECT) and becomes `requestURI`; the Host defaults to `example.com`.
 * A target like `//a/../b` stays a path (`rawPath` keeps it exactly as given).
 */
export function newRequest(method: string, target: string, init: NewRequestInit = {}): Request {
  if (method === '') method = 'GET';
  let url: URL;
  let form: Request['targetForm'];
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(target)) {
    url = new URL(target);
    form = 'absolute';
  } else if (target.startsWith('/')) {
    // Joined as text: `new URL(target, base)` would read `//a/b` as a host.
    url = new URL('http://' + (init.host ?? 'example.com') + target);
    form = 'origin';
  } else if (target === '*') {
    url = new URL('http://' + (init.host ?? 'example.com'));
    form = 'asterisk';
  } else if (method === 'CONNECT') {
    url = new URL('http://' + target);
    form = 'authority';
  } else {
    throw new TypeError(`httptest: bad request target ${JSON.stringify(target)}`);
  }
  const host = init.host ?? (form === 'authority' ? target : url.host !== '' ? url.host : 'example.com');
  const r = new Request(method, url, { header: init.header, body: init.body, host, signal: init.signal });
  r.requestURI = target;
  r.targetForm = form;
  r.proto = init.proto ?? 'HTTP/1.1';
  r.protoMajor = 1;
  r.protoMinor = r.proto === 'HTTP/1.0' ? 0 : 1;
  r.remoteAddr = init.remoteAddr ?? '192.0.2.1:1234';
  r.transferEncoding = [];
  return r;
}

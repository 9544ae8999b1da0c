// Test helpers in the spirit of Go's net/http/httptest: a ResponseRecorder that captures what a
// handler writes, and newRequest for building an incoming request without a connection.

import { Header, type HeaderInit } from './header.js';
import { checkWriteHeaderCode, statusText, type RequestLike, type ResponseWriter } from './handler.js';
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
  /** Request body bytes (exposed as `body` with `bytes()` / `text()`). */
  body?: Uint8Array | string;
  proto?: 'HTTP/1.0' | 'HTTP/1.1';
  remoteAddr?: string;
  signal?: AbortSignal;
}

/** A minimal body with the reading methods handlers use. */
export class TestBody {
  private off = 0;
  constructor(private readonly data: Buffer) {}
  async read(p: Uint8Array): Promise<number | null> {
    if (this.off >= this.data.length) return null;
    const n = Math.min(p.length, this.data.length - this.off);
    p.set(this.data.subarray(this.off, this.off + n));
    this.off += n;
    return n;
  }
  async bytes(): Promise<Uint8Array> {
    const b = this.data.subarray(this.off);
    this.off = this.data.length;
    return b;
  }
  async text(): Promise<string> {
    return Buffer.from(await this.bytes()).toString('utf8');
  }
}

/** An incoming request built in memory (what `newRequest` returns). */
export class TestRequest implements RequestLike {
  method: string;
  url: URL;
  host: string;
  header: Header;
  requestURI: string;
  proto: string;
  protoMajor: number;
  protoMinor: number;
  remoteAddr: string;
  signal?: AbortSignal;
  pattern?: string;
  body: TestBody;
  contentLength: number;
  private values: Map<string, string> | undefined;

  constructor(method: string, target: string, init: NewRequestInit = {}) {
    this.method = method === '' ? 'GET' : method;
    this.requestURI = target;
    let url: URL;
    if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(target)) {
      url = new URL(target);
    } else if (target.startsWith('/')) {
      // Joined as text: `new URL(target, base)` would read `//a/b` as a host.
      url = new URL('http://' + (init.host ?? 'example.com') + target);
    } else if (target === '*' || method === 'CONNECT') {
      url = new URL('http://' + (target === '*' ? (init.host ?? 'example.com') : target) + '/');
    } else {
      throw new TypeError(`httptest: bad request target ${JSON.stringify(target)}`);
    }
    this.url = url;
    this.host = init.host ?? (url.host !== '' ? url.host : 'example.com');
    this.header = new Header(init.header);
    this.proto = init.proto ?? 'HTTP/1.1';
    this.protoMajor = 1;
    this.protoMinor = this.proto === 'HTTP/1.0' ? 0 : 1;
    this.remoteAddr = init.remoteAddr ?? '192.0.2.1:1234';
    this.signal = init.signal;
    const body = init.body === undefined ? Buffer.alloc(0) : Buffer.from(init.body);
    this.body = new TestBody(body);
    this.contentLength = body.length;
  }

  pathValue(name: string): string {
    return this.values?.get(name) ?? '';
  }

  setPathValue(name: string, value: string): void {
    (this.values ??= new Map()).set(name, value);
  }
}

/**
 * An incoming server request for `target` (a path like `/a?b=1` or an absolute URL), as Go's
 * httptest.NewRequest builds one. The host defaults to `example.com`.
 */
export function newRequest(method: string, target: string, init?: NewRequestInit): TestRequest {
  return new TestRequest(method, target, init);
}

// fetch(input, init) with the web signature, on top of the Client: for code written against
// the WHATWG API that wants gonet's Transport underneath (pooling, tracing, Go's redirect
// rules). Answers are the global Response; failures reject with TypeError('fetch failed') whose
// cause is the Transport's error, as undici does.

import { Client, useLastResponse, type Jar } from './client.js';
import { Request as GoRequest } from './request.js';
import type { RoundTripper } from './transport.js';
import type { ClientTrace } from './trace.js';

/** WHATWG RequestInit plus gonet's extras. */
export interface FetchInit extends RequestInit {
  /** Use this client (its transport, jar and timeout) instead of the default one. */
  client?: Client;
  trace?: ClientTrace;
}

/** Options for a fetch bound to a transport / jar. */
export interface FetchOptions {
  transport?: RoundTripper;
  jar?: Jar | null;
  timeout?: number;
}

const NULL_BODY = new Set([101, 103, 204, 205, 304]);

const clients = new Map<string, Client>();

function clientFor(mode: RequestRedirect, base: Client | undefined): Client {
  const b = base ?? defaultFetchClient;
  if (mode === 'follow') return b;
  const key = mode;
  if (base === undefined) {
    let c = clients.get(key);
    if (c === undefined) {
      c = new Client({ transport: b.transport, jar: b.jar, timeout: b.timeout, checkRedirect: checkFor(mode) });
      clients.set(key, c);
    }
    return c;
  }
  return new Client({ transport: b.transport, jar: b.jar, timeout: b.timeout, checkRedirect: checkFor(mode) });
}

function checkFor(mode: RequestRedirect): () => Error {
  if (mode === 'manual') return () => useLastResponse;
  return () => new TypeError('fetch: redirect mode is "error" and the server redirected');
}

const defaultFetchClient = new Client();

/** Reads everything a BodyInit can be (Blob, FormData, URLSearchParams...) the way the web does. */
async function encodeBody(body: BodyInit): Promise<{ bytes: Uint8Array | null; stream: ReadableStream<Uint8Array> | null; type: string | null }> {
  if (typeof body === 'string') return { bytes: Buffer.from(body, 'utf8'), stream: null, type: 'text/plain;charset=UTF-8' };
  if (body instanceof Uint8Array) return { bytes: body, stream: null, type: null };
  if (body instanceof ReadableStream) return { bytes: null, stream: body as ReadableStream<Uint8Array>, type: null };
  // Let the platform serialise the rest (Blob, FormData with its boundary, URLSearchParams...).
  const tmp = new globalThis.Response(body);
  return { bytes: new Uint8Array(await tmp.arrayBuffer()), stream: null, type: tmp.headers.get('content-type') };
}

/**
 * The web fetch over gonet's Client. `init.redirect` maps to the Client's policy ('manual'
 * returns the 3xx); `init.signal` cancels; `credentials`, `mode`, `cache` and the like have no
 * meaning outside a browser and are ignored.
 */
export async function fetch(input: string | URL | globalThis.Request, init: FetchInit = {}): Promise<globalThis.Response> {
  const wr = typeof input === 'object' && !(input instanceof URL) ? input : null;
  const url = wr !== null ? wr.url : input instanceof URL ? input.href : String(input);
  const method = (init.method ?? wr?.method ?? 'GET').toUpperCase();
  const headers = new Headers(init.headers ?? wr?.headers);
  let body: BodyInit | null | undefined = init.body;
  if (body === undefined && wr !== null && wr.body !== null) body = wr.body;
  const signal = init.signal ?? wr?.signal ?? undefined;
  const req = new GoRequest(method, url, { signal: signal ?? undefined });
  if (body !== undefined && body !== null) {
    if (method === 'GET' || method === 'HEAD') throw new TypeError('fetch: request with GET/HEAD method cannot have body');
    const enc = await encodeBody(body);
    const r2 = new GoRequest(method, url, {
      signal: signal ?? undefined,
      body: enc.bytes ?? enc.stream,
    });
    if (enc.type !== null && !headers.has('content-type')) headers.set('content-type', enc.type);
    Object.assign(req, { body: r2.body, contentLength: r2.contentLength, transferEncoding: r2.transferEncoding, getBody: r2.getBody });
  }
  headers.forEach((v, k) => req.header.add(k, v));
  for (const c of headers.getSetCookie?.() ?? []) req.header.add('Set-Cookie', c);
  const client = clientFor(init.redirect ?? wr?.redirect ?? 'follow', init.client);
  let res;
  try {
    res = await client.do(req, { signal: signal ?? undefined, trace: init.trace });
  } catch (e) {
    if (signal?.aborted) throw signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
    throw new TypeError('fetch failed', { cause: e });
  }
  const h = new Headers();
  for (const [k, vs] of res.header) for (const v of vs) h.append(k, v);
  const code = res.statusCode;
  const nullBody = NULL_BODY.has(code) || method === 'HEAD';
  if (nullBody) res.body.close();
  const out = new globalThis.Response(nullBody ? null : res.body.stream, {
    status: code < 200 ? 200 : code,
    statusText: res.status.slice(4),
    headers: h,
  });
  const finalURL = res.request?.url.href ?? url;
  Object.defineProperty(out, 'url', { value: finalURL });
  Object.defineProperty(out, 'redirected', { value: finalURL !== new URL(url).href });
  return out;
}

/** A fetch bound to its own Client (transport, jar, timeout). */
export function fetchWith(opts: FetchOptions): typeof fetch {
  const client = new Client({ transport: opts.transport, jar: opts.jar, timeout: opts.timeout });
  return (input, init = {}) => fetch(input, { client, ...init });
}

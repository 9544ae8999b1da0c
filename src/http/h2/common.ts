// What both sides of HTTP/2 share: header conversion between gonet's Header and node:http2's
// header lists, HTTP/2 error codes and the errors built from them.

import { constants, type OutgoingHttpHeaders } from 'node:http2';
import { Header, canonicalHeaderKey } from '../header.js';
import { TransportError } from '../persistconn.js';

/** RFC 9113 §7 error code names, by value. */
const ERR_NAMES = [
  'NO_ERROR', 'PROTOCOL_ERROR', 'INTERNAL_ERROR', 'FLOW_CONTROL_ERROR', 'SETTINGS_TIMEOUT', 'STREAM_CLOSED',
  'FRAME_SIZE_ERROR', 'REFUSED_STREAM', 'CANCEL', 'COMPRESSION_ERROR', 'CONNECT_ERROR', 'ENHANCE_YOUR_CALM',
  'INADEQUATE_SECURITY', 'HTTP_1_1_REQUIRED',
];

/** `REFUSED_STREAM` for 7; unknown codes as Go prints them. */
export function errCodeName(code: number): string {
  return ERR_NAMES[code] ?? `unknown error code 0x${code.toString(16)}`;
}

export const NO_ERROR = constants.NGHTTP2_NO_ERROR;
export const PROTOCOL_ERROR = constants.NGHTTP2_PROTOCOL_ERROR;
export const INTERNAL_ERROR = constants.NGHTTP2_INTERNAL_ERROR;
export const REFUSED_STREAM = constants.NGHTTP2_REFUSED_STREAM;
export const CANCEL = constants.NGHTTP2_CANCEL;

/**
 * An HTTP/2 failure: `code` names the kind (ERR_HTTP2_STREAM, ERR_HTTP2_GOAWAY,
 * ERR_HTTP2_CONN_LOST, ERR_HTTP2_SESSION, ERR_HTTP2_TIMEOUT), `errCode` the protocol's code name
 * when one was exchanged.
 */
export class HTTP2Error extends TransportError {
  override name = 'HTTP2Error';
  /** Protocol error code name (`REFUSED_STREAM`, `CANCEL`...), '' when none. */
  readonly errCode: string;
  /** Stream the error is about (0: the whole connection). */
  readonly streamID: number;
  constructor(code: string, message: string, opts: { errCode?: string; streamID?: number; cause?: unknown; timeout?: boolean } = {}) {
    super(code, message, { cause: opts.cause, timeout: opts.timeout });
    this.errCode = opts.errCode ?? '';
    this.streamID = opts.streamID ?? 0;
  }
}

/** Go's StreamError text: `stream error: stream ID 3; PROTOCOL_ERROR; received from peer`. */
export function streamError(id: number, code: number, fromPeer: boolean, cause?: unknown): HTTP2Error {
  const name = errCodeName(code);
  return new HTTP2Error('ERR_HTTP2_STREAM', `stream error: stream ID ${id}; ${name}${fromPeer ? '; received from peer' : ''}`,
    { errCode: name, streamID: id, cause });
}

/** Header fields that are connection-specific in HTTP/1 and forbidden in HTTP/2 (RFC 9113 §8.2.2). */
const CONN_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host']);

/**
 * Lower-cased HTTP/2 fields from `h`, onto `out`: connection-specific fields dropped, `TE` kept
 * only as `trailers`. Keys in `skip` (lower case) are left out.
 */
export function outgoingHeaders(h: Header, out: OutgoingHttpHeaders, skip?: ReadonlySet<string>): OutgoingHttpHeaders {
  for (const [k, vs] of h) {
    if (vs.length === 0) continue;
    const lk = k.toLowerCase();
    if (CONN_SPECIFIC.has(lk) || (skip !== undefined && skip.has(lk))) continue;
    if (lk === 'te') {
      if (vs.some((v) => v.split(',').some((t) => t.trim().toLowerCase() === 'trailers'))) out.te = 'trailers';
      continue;
    }
    out[lk] = vs.length === 1 ? vs[0] : [...vs];
  }
  return out;
}

/**
 * A Header from node:http2's raw list `[name, value, ...]` (names lower case), pseudo-headers
 * skipped. `joinCookies` folds several `cookie` fields into one with `; ` (RFC 9113 §8.2.3).
 */
export function headerFromRaw(raw: readonly string[], joinCookies: boolean): Header {
  const h = new Header();
  let cookies: string[] | null = null;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i]!;
    if (k.charCodeAt(0) === 0x3a) continue;
    if (joinCookies && k === 'cookie') {
      (cookies ??= []).push(raw[i + 1]!);
      continue;
    }
    h.add(canonicalHeaderKey(k), raw[i + 1]!);
  }
  if (cookies !== null) h.set('Cookie', cookies.join('; '));
  return h;
}

/** Raw pairs from node's header object (for events that give no raw list). */
export function rawFromObject(o: Record<string, string | string[] | number | undefined>): string[] {
  const raw: string[] = [];
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) raw.push(k, x);
    else raw.push(k, String(v));
  }
  return raw;
}

/** Content-Length from received fields: the number, or -1 when absent or not a plain number. */
export function contentLengthOf(h: Header): number {
  const v = h.get('Content-Length');
  if (v === '' || !/^[0-9]+$/.test(v)) return -1;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : -1;
}

/** Keys a `Trailer` field announces, pre-declared with no values (bad names skipped). */
export function declaredTrailerKeys(h: Header): Header {
  const t = new Header();
  for (const v of h.values('Trailer')) {
    for (const part of v.split(',')) {
      const name = part.trim();
      if (name === '') continue;
      const k = canonicalHeaderKey(name);
      if (k === 'Transfer-Encoding' || k === 'Trailer' || k === 'Content-Length' || k === 'Host') continue;
      if (t.raw(k) === undefined) t.setRaw(k, []);
    }
  }
  return t;
}

/** Copies received trailer fields into `t` (pseudo-headers skipped). */
export function fillTrailer(t: Header, raw: readonly string[]): void {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i]!;
    if (k.charCodeAt(0) === 0x3a) continue;
    const ck = canonicalHeaderKey(k);
    const cur = t.raw(ck);
    if (cur === undefined) t.setRaw(ck, [raw[i + 1]!]);
    else cur.push(raw[i + 1]!);
  }
}

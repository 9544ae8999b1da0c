// HTTP/1.x start-line and header-field parsing. A head arrives as one byte slice (from
// BufReader.readHead), is decoded once with latin1 and then cut with indexOf: no per-byte or
// per-header allocation beyond the field strings themselves.

import { Header, TOKEN_TABLE, canonicalKeyOrNull } from '../header.js';

/**
 * A malformed or unacceptable HTTP message. `status` is what a server should answer (400, 413,
 * 414, 431, 501, 505; 502 for a bad response read by a client); `code` names the rule, e.g.
 * `ERR_HTTP_UNEXPECTED_EOF` (the peer went away mid-message: a server sends no reply).
 */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The message kind a head belongs to; selects statuses and folding rules. */
export type HeadKind = 'request' | 'response' | 'trailer';

/** Status for a bad response head: what a proxy would answer for it. */
export const BAD_RESPONSE = 502;

/** Shortens peer-supplied text for error messages. */
export function quote(s: string, max = 64): string {
  return JSON.stringify(s.length > max ? s.slice(0, max) + '…' : s);
}

/** Options shared by the head parsers. */
export interface HeadParseOptions {
  /**
   * Accept a bare LF as a line end. Default false for requests (Node's llhttp and RFC 9112's
   * safe reading: a proxy that disagrees about bare LF can be made to smuggle headers), true for
   * responses (Go and browsers accept it from servers).
   */
  allowBareLF?: boolean;
  /** Longest request line / header line, bytes without CRLF. Default 64 KiB (request line → 414). */
  maxLineBytes?: number;
  /** HTTP/1.1 requests must carry exactly one Host (RFC 9112 §3.2). Default true. */
  requireHost?: boolean;
}

/** Default longest start line or header line. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

/** A parsed request head. */
export interface RequestHead {
  method: string;
  requestURI: string;
  /** 'origin' (`/path`), 'absolute' (`http://h/p`), 'authority' (CONNECT `h:p`) or 'asterisk'. */
  targetForm: 'origin' | 'absolute' | 'authority' | 'asterisk';
  proto: string;
  protoMajor: number;
  protoMinor: number;
  header: Header;
  /** From the absolute-form target, else the Host header; '' if none. */
  host: string;
}

/** A parsed response head. */
export interface ResponseHead {
  proto: string;
  protoMajor: number;
  protoMinor: number;
  statusCode: number;
  /** `"200 OK"`, as received (the reason may be missing). */
  status: string;
  header: Header;
}

// Bytes never allowed anywhere in a head: CTLs other than HTAB, CR and LF. CR and LF are checked
// separately with indexOf (a CR must start a CRLF; a bare LF is refused unless allowed): a
// one-class regex plus two memchr-style scans is several times faster than one regex with
// lookarounds.
// eslint-disable-next-line no-control-regex
const CTL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

/** Throws for the first forbidden byte of the head `s` (see CTL). */
function screen(s: string, kind: HeadKind, allowBareLF: boolean): void {
  const bad = CTL.exec(s);
  if (bad !== null) badByte(kind, s, bad.index);
  for (let i = s.indexOf('\r'); i !== -1; i = s.indexOf('\r', i + 2)) {
    if (s.charCodeAt(i + 1) !== 0x0a) badByte(kind, s, i);
  }
  if (allowBareLF) return;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) {
    if (s.charCodeAt(i - 1) !== 0x0d) badByte(kind, s, i);
  }
}

function statusFor(kind: HeadKind, requestStatus: number): number {
  return kind === 'response' ? BAD_RESPONSE : requestStatus;
}

function describeByte(c: number): string {
  return '0x' + c.toString(16).padStart(2, '0');
}

/** Throws the right error for the first forbidden byte of `s` at `at`. */
function badByte(kind: HeadKind, s: string, at: number): never {
  const c = s.charCodeAt(at);
  const lineStart = s.lastIndexOf('\n', at - 1) + 1;
  const where = lineStart === 0 && kind !== 'trailer' ? (kind === 'request' ? 'request line' : 'status line') : 'header field';
  const st = statusFor(kind, 400);
  if (c === 0x0a) throw new ProtocolError(st, 'ERR_HTTP_BARE_LF', `bare LF line ending in ${where} (CRLF required)`);
  if (c === 0x0d) throw new ProtocolError(st, 'ERR_HTTP_BARE_CR', `bare CR in ${where}`);
  throw new ProtocolError(st, 'ERR_HTTP_INVALID_BYTE', `invalid byte ${describeByte(c)} in ${where}`);
}

/** End of the line content starting at or before `nl` (drops the CR of CRLF). */
function lineEnd(s: string, nl: number): number {
  return nl > 0 && s.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl;
}

/**
 * Parses header fields from `s[pos..]` up to the empty line into `h`. Names must be tokens with
 * no whitespace before the colon; values are trimmed of SP/HTAB. obs-fold (a line starting with
 * SP/HTAB) is refused in requests and trailers of requests; in responses it is replaced by one SP
 * and joined to the previous value, as RFC 9112 §5.2 tells user agents to do (Go joins too).
 * Returns the index after the terminating empty line. Bytes are assumed already screened by
 * screen().
 */
export function parseFields(s: string, pos: number, h: Header, kind: HeadKind, foldOK: boolean, maxLine: number, hosts?: string[]): number {
  const st = statusFor(kind, 400);
  let lastKey: string | null = null;
  for (;;) {
    const nl = s.indexOf('\n', pos);
    if (nl === -1) throw new ProtocolError(st, 'ERR_HTTP_MALFORMED_HEADER', 'header section not terminated by an empty line');
    const end = lineEnd(s, nl);
    if (end === pos) return nl + 1;
    if (end - pos > maxLine) {
      throw new ProtocolError(statusFor(kind, 431), 'ERR_HTTP_HEADER_LINE_TOO_LONG', `header line longer than ${maxLine} bytes`);
    }
    const c0 = s.charCodeAt(pos);
    if (c0 === 0x20 || c0 === 0x09) {
      if (!foldOK) throw new ProtocolError(st, 'ERR_HTTP_OBS_FOLD', 'obsolete line folding (obs-fold) is not allowed in request headers');
      if (lastKey === null) throw new ProtocolError(st, 'ERR_HTTP_MALFORMED_HEADER', 'first header line starts with whitespace');
      const more = trimOWS(s, pos, end);
      const vs = h.raw(lastKey) as string[];
      const prev = vs[vs.length - 1];
      vs[vs.length - 1] = prev === '' ? more : more === '' ? prev : prev + ' ' + more;
      pos = nl + 1;
      continue;
    }
    const colon = s.indexOf(':', pos);
    if (colon === -1 || colon > end) {
      throw new ProtocolError(st, 'ERR_HTTP_MALFORMED_HEADER', `malformed header line (no colon): ${quote(s.slice(pos, end))}`);
    }
    if (colon === pos) throw new ProtocolError(st, 'ERR_HTTP_INVALID_HEADER_NAME', 'empty header field name');
    const name = s.slice(pos, colon);
    const key = canonicalKeyOrNull(name);
    if (key === null) {
      const last = s.charCodeAt(colon - 1);
      if (last === 0x20 || last === 0x09) {
        throw new ProtocolError(st, 'ERR_HTTP_INVALID_HEADER_NAME', `whitespace between header field name and colon: ${quote(name)}`);
      }
      throw new ProtocolError(st, 'ERR_HTTP_INVALID_HEADER_NAME', `invalid header field name ${quote(name)}`);
    }
    // A request's Host values go to `hosts`, never into the map (the caller promotes Host; no
    // fold can follow, so lastKey need not be in the map).
    if (hosts !== undefined && key === 'Host') hosts.push(trimOWS(s, colon + 1, end));
    else h.addCanonical(key, trimOWS(s, colon + 1, end));
    lastKey = key;
    pos = nl + 1;
  }
}

function trimOWS(s: string, a: number, b: number): string {
  while (a < b) {
    const c = s.charCodeAt(a);
    if (c !== 0x20 && c !== 0x09) break;
    a++;
  }
  while (b > a) {
    const c = s.charCodeAt(b - 1);
    if (c !== 0x20 && c !== 0x09) break;
    b--;
  }
  return s.slice(a, b);
}

/** Parses `HTTP/x.y`; returns [major, minor] or null when malformed. */
export function parseHTTPVersion(v: string): [number, number] | null {
  if (v === 'HTTP/1.1') return [1, 1];
  if (v === 'HTTP/1.0') return [1, 0];
  if (v.length !== 8 || !v.startsWith('HTTP/') || v.charCodeAt(6) !== 0x2e) return null;
  const a = v.charCodeAt(5) - 0x30;
  const b = v.charCodeAt(7) - 0x30;
  if (a < 0 || a > 9 || b < 0 || b > 9) return null;
  return [a, b];
}

function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f || TOKEN_TABLE[c] === 0) return false;
  }
  return true;
}

// Bytes allowed in a Host value (Go's httpguts.ValidHostHeader set, plus what IPv6 zones need).
const HOST_BYTES = (() => {
  const t = new Uint8Array(256);
  for (const ch of "!$%&'()*+,-.:;=@[]_~") t[ch.charCodeAt(0)] = 1;
  for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) t[c] = 1;
  return t;
})();

/** Reports whether `h` is an acceptable Host header value (empty is allowed, RFC 9112 §3.2). */
export function validHost(h: string): boolean {
  for (let i = 0; i < h.length; i++) {
    const c = h.charCodeAt(i);
    if (c > 0x7f || HOST_BYTES[c] === 0) return false;
  }
  return true;
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const AUTHORITY = /^(?:\[[0-9A-Fa-f:.]+(?:%25[A-Za-z0-9._~-]+)?\]|[A-Za-z0-9._~!$&'()*+,;=%-]+):[0-9]{1,5}$/;

function classifyTarget(method: string, t: string): RequestHead['targetForm'] {
  const c0 = t.charCodeAt(0);
  if (c0 === 0x2f) return 'origin';
  if (t === '*') {
    if (method !== 'OPTIONS') throw new ProtocolError(400, 'ERR_HTTP_INVALID_TARGET', `request-target * is only allowed with OPTIONS, not ${method}`);
    return 'asterisk';
  }
  if (method === 'CONNECT') {
    if (!AUTHORITY.test(t)) throw new ProtocolError(400, 'ERR_HTTP_INVALID_TARGET', `CONNECT needs an authority-form target host:port, got ${quote(t)}`);
    return 'authority';
  }
  const m = SCHEME.exec(t);
  if (m !== null) {
    const a = authorityOf(t, m[0].length);
    if (a === '') throw new ProtocolError(400, 'ERR_HTTP_INVALID_TARGET', `absolute-form request-target without a host: ${quote(t)}`);
    return 'absolute';
  }
  throw new ProtocolError(400, 'ERR_HTTP_INVALID_TARGET', `invalid request-target ${quote(t)}`);
}

/** The host[:port] of an absolute URI starting its authority at `from` (userinfo dropped). */
function authorityOf(t: string, from: number): string {
  let end = t.length;
  for (let i = from; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 0x2f || c === 0x3f || c === 0x23) {
      end = i;
      break;
    }
  }
  const a = t.slice(from, end);
  const at = a.lastIndexOf('@');
  return at === -1 ? a : a.slice(at + 1);
}

/**
 * Parses a request head (request line, fields and the empty line) per Go's server rules, stricter
 * where request smuggling is at stake. Throws ProtocolError with the status to answer.
 */
export function parseRequestHead(head: Uint8Array, opts: HeadParseOptions = {}): RequestHead {
  const s = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('latin1');
  return parseRequestHeadString(s, opts);
}

const HOSTS: string[] = [];

/** parseRequestHead over an already-decoded latin1 string. */
export function parseRequestHeadString(s: string, opts: HeadParseOptions = {}): RequestHead {
  screen(s, 'request', opts.allowBareLF ?? false);
  const maxLine = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const nl = s.indexOf('\n');
  if (nl === -1) throw new ProtocolError(400, 'ERR_HTTP_MALFORMED_REQUEST', 'request head not terminated');
  const end = lineEnd(s, nl);
  if (end > maxLine) throw new ProtocolError(414, 'ERR_HTTP_URI_TOO_LONG', `request line longer than ${maxLine} bytes`);
  const sp1 = s.indexOf(' ');
  const sp2 = sp1 === -1 ? -1 : s.indexOf(' ', sp1 + 1);
  if (sp1 === -1 || sp2 === -1 || sp2 >= end) {
    if (s.startsWith('PRI * HTTP/2.0')) http2Preface();
    throw new ProtocolError(400, 'ERR_HTTP_MALFORMED_REQUEST', `malformed HTTP request ${quote(s.slice(0, end))}`);
  }
  const method = s.slice(0, sp1);
  const target = s.slice(sp1 + 1, sp2);
  const proto = s.slice(sp2 + 1, end);
  if (!isToken(method)) throw new ProtocolError(400, 'ERR_HTTP_INVALID_METHOD', `invalid method ${quote(method)}`);
  const ver = parseHTTPVersion(proto);
  if (ver === null) throw new ProtocolError(400, 'ERR_HTTP_MALFORMED_VERSION', `malformed HTTP version ${quote(proto)}`);
  if (ver[0] !== 1) {
    if (method === 'PRI' && target === '*' && proto === 'HTTP/2.0') http2Preface();
    throw new ProtocolError(505, 'ERR_HTTP_VERSION', `unsupported protocol version ${quote(proto)}`);
  }
  if (target.length === 0) throw new ProtocolError(400, 'ERR_HTTP_INVALID_TARGET', 'empty request-target');
  // SP ends the target and other CTLs were screened above; HTAB is the one left (Go: invalid
  // control character in URL).
  if (target.indexOf('\t') !== -1) throw new ProtocolError(400, 'ERR_HTTP_INVALID_TARGET', `invalid request-target ${quote(target)}`);
  const targetForm = classifyTarget(method, target);
  const header = new Header();
  // Go promotes Host to Request.host and drops it from the map: it is collected aside (one
  // array reused across parses, which are synchronous), never added and deleted.
  const hosts = HOSTS;
  hosts.length = 0;
  parseFields(s, nl + 1, header, 'request', false, maxLine, hosts);

  let host = '';
  if (hosts.length > 0) {
    if (hosts.length > 1) throw new ProtocolError(400, 'ERR_HTTP_HOST', 'too many Host headers');
    host = hosts[0];
    hosts.length = 0;
    if (!validHost(host)) throw new ProtocolError(400, 'ERR_HTTP_HOST', `malformed Host header ${quote(host)}`);
  } else if (ver[1] >= 1 && method !== 'CONNECT' && (opts.requireHost ?? true)) {
    throw new ProtocolError(400, 'ERR_HTTP_HOST', 'missing required Host header');
  }
  // RFC 9112 §3.2.2: an absolute-form target's authority replaces the Host header.
  if (targetForm === 'absolute') host = authorityOf(target, (SCHEME.exec(target) as RegExpExecArray)[0].length);
  else if (targetForm === 'authority') host = target;
  return { method, requestURI: target, targetForm, proto, protoMajor: ver[0], protoMinor: ver[1], header, host };
}

function http2Preface(): never {
  throw new ProtocolError(505, 'ERR_HTTP2_PREFACE',
    'HTTP/2 connection preface received on an HTTP/1.1 connection (h2c with prior knowledge is not supported)');
}

/**
 * Parses a response head (status line, fields, empty line). Bare LF is accepted unless
 * `allowBareLF: false`; obs-fold is joined with a space. Errors carry status 502.
 */
export function parseResponseHead(head: Uint8Array, opts: HeadParseOptions = {}): ResponseHead {
  const s = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('latin1');
  screen(s, 'response', opts.allowBareLF ?? true);
  const maxLine = opts.maxLineBytes ?? Infinity;
  const nl = s.indexOf('\n');
  if (nl === -1) throw new ProtocolError(BAD_RESPONSE, 'ERR_HTTP_MALFORMED_RESPONSE', 'response head not terminated');
  const end = lineEnd(s, nl);
  if (end > maxLine) throw new ProtocolError(BAD_RESPONSE, 'ERR_HTTP_HEADER_LINE_TOO_LONG', `status line longer than ${maxLine} bytes`);
  const line = s.slice(0, end);
  const sp = line.indexOf(' ');
  if (sp === -1) throw new ProtocolError(BAD_RESPONSE, 'ERR_HTTP_MALFORMED_RESPONSE', `malformed HTTP response ${quote(line)}`);
  const proto = line.slice(0, sp);
  const ver = parseHTTPVersion(proto);
  if (ver === null) throw new ProtocolError(BAD_RESPONSE, 'ERR_HTTP_MALFORMED_VERSION', `malformed HTTP version ${quote(proto)}`);
  if (ver[0] !== 1) throw new ProtocolError(BAD_RESPONSE, 'ERR_HTTP_VERSION', `unsupported protocol version ${quote(proto)} in response`);
  let i = sp + 1;
  while (line.charCodeAt(i) === 0x20) i++;
  const status = line.slice(i);
  const codeText = status.length > 3 ? status.slice(0, 3) : status;
  if (!/^[1-9][0-9][0-9]$/.test(codeText) || (status.length > 3 && status.charCodeAt(3) !== 0x20)) {
    throw new ProtocolError(BAD_RESPONSE, 'ERR_HTTP_MALFORMED_STATUS', `malformed HTTP status code ${quote(status)}`);
  }
  const header = new Header();
  parseFields(s, nl + 1, header, 'response', true, maxLine);
  return { proto, protoMajor: ver[0], protoMinor: ver[1], statusCode: Number(codeText), status, header };
}

/** Trailer fields a sender may not use: they would change the framing after the fact. */
const FORBIDDEN_TRAILERS = new Set(['Transfer-Encoding', 'Trailer', 'Content-Length', 'Host']);

/**
 * Parses a trailer section (fields then the empty line) into `into`. `fold` says whether obs-fold
 * is joined (responses) or refused (requests). Framing fields in trailers are refused (Go).
 */
export function parseTrailer(section: Uint8Array, into: Header, fold: boolean, allowBareLF: boolean, status: number): void {
  const s = Buffer.from(section.buffer, section.byteOffset, section.byteLength).toString('latin1');
  try {
    screen(s, 'trailer', allowBareLF);
    const h = new Header();
    parseFields(s, 0, h, 'trailer', fold, Infinity);
    for (const [k, vs] of h) {
      if (FORBIDDEN_TRAILERS.has(k)) throw new ProtocolError(400, 'ERR_HTTP_BAD_TRAILER', `bad trailer key ${quote(k)}`);
      for (const v of vs) into.addCanonical(k, v);
    }
  } catch (e) {
    if (e instanceof ProtocolError && e.status !== status) throw new ProtocolError(status, e.code, e.message);
    throw e;
  }
}

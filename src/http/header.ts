// HTTP header map with Go's canonical keys (textproto.CanonicalMIMEHeaderKey rules).
// Values are latin1 "byte strings", exactly as they travel on the wire.

/** tchar per RFC 9110 §5.6.2, indexed by byte value (1 = allowed in a token). */
export const TOKEN_TABLE: Uint8Array = (() => {
  const t = new Uint8Array(256);
  const extra = "!#$%&'*+-.^_`|~";
  for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) t[c] = 1;
  for (const ch of extra) t[ch.charCodeAt(0)] = 1;
  return t;
})();

// Common names in canonical form: lower-cased wire names map to these interned strings, so the
// parser does not build a new string for them.
const COMMON_NAMES = [
  'Accept', 'Accept-Charset', 'Accept-Encoding', 'Accept-Language', 'Accept-Ranges',
  'Access-Control-Allow-Origin', 'Age', 'Allow', 'Authorization', 'Cache-Control', 'Connection',
  'Content-Disposition', 'Content-Encoding', 'Content-Language', 'Content-Length',
  'Content-Location', 'Content-Range', 'Content-Type', 'Cookie', 'Date', 'Etag', 'Expect',
  'Expires', 'From', 'Host', 'If-Match', 'If-Modified-Since', 'If-None-Match', 'If-Range',
  'If-Unmodified-Since', 'Keep-Alive', 'Last-Modified', 'Link', 'Location', 'Max-Forwards',
  'Origin', 'Pragma', 'Proxy-Authenticate', 'Proxy-Authorization', 'Proxy-Connection', 'Range',
  'Referer', 'Retry-After', 'Sec-Fetch-Dest', 'Sec-Fetch-Mode', 'Sec-Fetch-Site', 'Sec-Fetch-User',
  'Sec-Websocket-Key', 'Sec-Websocket-Version', 'Sec-Websocket-Accept', 'Server', 'Set-Cookie',
  'Strict-Transport-Security', 'Te', 'Trailer', 'Transfer-Encoding', 'Upgrade',
  'Upgrade-Insecure-Requests', 'User-Agent', 'Vary', 'Via', 'Www-Authenticate', 'X-Forwarded-For',
  'X-Forwarded-Host', 'X-Forwarded-Proto', 'X-Real-Ip', 'X-Request-Id', 'X-Content-Type-Options',
  'X-Frame-Options', 'X-Powered-By',
];
const COMMON = new Map<string, string>(COMMON_NAMES.map((n) => [n.toLowerCase(), n]));

/**
 * Canonical form of `s` if it is a valid token, else `null`. One pass checks both; an
 * already-canonical name is returned as is (no allocation).
 */
export function canonicalKeyOrNull(s: string): string | null {
  const n = s.length;
  if (n === 0) return null;
  let upper = true;
  let canonical = true;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f || TOKEN_TABLE[c] === 0) return null;
    if (upper ? (c >= 0x61 && c <= 0x7a) : (c >= 0x41 && c <= 0x5a)) canonical = false;
    upper = c === 0x2d;
  }
  if (canonical) return s;
  const lower = s.toLowerCase();
  const common = COMMON.get(lower);
  if (common !== undefined) return common;
  let out = '';
  upper = true;
  for (let i = 0; i < n; i++) {
    const ch = lower[i];
    out += upper ? ch.toUpperCase() : ch;
    upper = ch === '-';
  }
  return out;
}

/**
 * Go's CanonicalHeaderKey: the first letter and each letter after a hyphen upper-cased, the rest
 * lower-cased (`x-b3-traceid` → `X-B3-Traceid`). A key holding any byte that is not a token
 * character (space, `:`, non-ASCII...) is returned unchanged.
 */
export function canonicalHeaderKey(s: string): string {
  return canonicalKeyOrNull(s) ?? s;
}

/** Reports whether `s` is a valid header field name (RFC 9110 token). */
export function validHeaderName(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f || TOKEN_TABLE[c] === 0) return false;
  }
  return true;
}

/** What a Header can be built from. */
export type HeaderInit =
  | Header
  | Record<string, string | readonly string[]>
  | Iterable<readonly [string, string | readonly string[]]>;

const EMPTY: readonly string[] = Object.freeze([]);

// Values written to the wire: CTLs other than HTAB would let a value end the line (response
// splitting), so they become spaces, as Go does for CR and LF. Characters above U+00FF are sent
// as their UTF-8 bytes, since latin1 encoding would silently keep only the low byte.
// eslint-disable-next-line no-control-regex
const UNSAFE_VALUE = /[\x00-\x08\x0a-\x1f\x7f]|[^\x00-\xff]/;
// eslint-disable-next-line no-control-regex
const CTL_GLOBAL = /[\x00-\x08\x0a-\x1f\x7f]/g;

/** Makes a value safe to put on one header line: see UNSAFE_VALUE. Trims SP/HTAB like Go. */
export function wireValue(v: string): string {
  if (UNSAFE_VALUE.test(v)) {
    // eslint-disable-next-line no-control-regex
    if (/[^\x00-\xff]/.test(v)) v = Buffer.from(v, 'utf8').toString('latin1');
    v = v.replace(CTL_GLOBAL, ' ');
  }
  const first = v.charCodeAt(0);
  const last = v.charCodeAt(v.length - 1);
  if (first === 0x20 || first === 0x09 || last === 0x20 || last === 0x09) v = v.replace(/^[ \t]+|[ \t]+$/g, '');
  return v;
}

/** What an empty Header reads (see Header.m); frozen in spirit: nothing writes to it. */
const NO_FIELDS = new Map<string, string[]>();

/**
 * A header map: canonical keys to ordered value lists. `get` and friends canonicalise their key
 * (Go's Header methods); iteration yields `[key, values]` in insertion order; `write` serialises
 * in sorted key order like Go's Header.Write.
 */
export class Header implements Iterable<[string, string[]]> {
  /** The fields; null until the first one is stored (many headers stay empty: trailers...). */
  private mm: Map<string, string[]> | null = null;

  /** The fields for reading: a shared empty map while there are none. Never write through it. */
  private get m(): Map<string, string[]> {
    return this.mm ?? NO_FIELDS;
  }

  /** The fields for writing, made on first use. */
  private wm(): Map<string, string[]> {
    return this.mm ??= new Map();
  }

  constructor(init?: HeaderInit) {
    if (init === undefined) return;
    if (init instanceof Header) {
      for (const [k, vs] of init.m) this.wm().set(k, vs.slice());
      return;
    }
    const pairs: Iterable<readonly [string, string | readonly string[]]> =
      Symbol.iterator in init ? init as Iterable<readonly [string, string | readonly string[]]> : Object.entries(init);
    for (const [k, v] of pairs) {
      if (typeof v === 'string') this.add(k, v);
      else for (const x of v) this.add(k, x);
    }
  }

  /** First value for `key`, or `''` when absent (Go's Get). */
  get(key: string): string {
    const vs = this.m.get(canonicalHeaderKey(key));
    return vs !== undefined && vs.length > 0 ? vs[0] : '';
  }

  /** All values for `key` (a live view; do not mutate). Empty when absent. */
  values(key: string): readonly string[] {
    return this.m.get(canonicalHeaderKey(key)) ?? EMPTY;
  }

  /** Replaces the values for `key`. */
  set(key: string, value: string | readonly string[]): this {
    this.wm().set(canonicalHeaderKey(key), typeof value === 'string' ? [value] : value.slice());
    return this;
  }

  /** Appends a value for `key`. */
  add(key: string, value: string): this {
    const k = canonicalHeaderKey(key);
    const vs = this.m.get(k);
    if (vs === undefined) this.wm().set(k, [value]);
    else vs.push(value);
    return this;
  }

  /** Appends under `key` as given, which the caller guarantees is canonical (parser fast path). */
  addCanonical(key: string, value: string): void {
    const vs = this.m.get(key);
    if (vs === undefined) this.wm().set(key, [value]);
    else vs.push(value);
  }

  /** Raw access: values stored under exactly `key` (no canonicalisation), like Go's `h[key]`. */
  raw(key: string): string[] | undefined {
    return this.m.get(key);
  }

  /** Raw store under exactly `key` (no canonicalisation); `[]` keeps the key with no values. */
  setRaw(key: string, values: string[]): void {
    this.wm().set(key, values);
  }

  /** Removes `key`. */
  del(key: string): this {
    this.m.delete(canonicalHeaderKey(key));
    return this;
  }

  /** Reports whether `key` is present (even with no values). */
  has(key: string): boolean {
    return this.m.has(canonicalHeaderKey(key));
  }

  /** Number of distinct keys. */
  get size(): number {
    return this.m.size;
  }

  /** A deep copy. */
  clone(): Header {
    return new Header(this);
  }

  keys(): IterableIterator<string> {
    return this.m.keys();
  }

  entries(): IterableIterator<[string, string[]]> {
    return this.m.entries();
  }

  [Symbol.iterator](): IterableIterator<[string, string[]]> {
    return this.m.entries();
  }

  forEach(fn: (values: string[], key: string) => void): void {
    this.m.forEach(fn);
  }

  /** Sorted keys (Go's Header.Write order). */
  sortedKeys(): string[] {
    const keys = [...this.m.keys()];
    if (keys.length > 1) keys.sort();
    return keys;
  }

  /**
   * Serialises as `Key: value\r\n` lines in sorted key order, skipping keys in `exclude` and
   * names that are not valid tokens; values are made wire-safe (see `wireValue`). The result is a
   * latin1 byte string.
   */
  write(exclude?: ReadonlySet<string>): string {
    let out = '';
    for (const k of this.sortedKeys()) {
      if (exclude !== undefined && exclude.has(k)) continue;
      if (!validHeaderName(k)) continue;
      for (const v of this.m.get(k) as string[]) out += k + ': ' + wireValue(v) + '\r\n';
    }
    return out;
  }

  /** `write()` as bytes. */
  toBytes(exclude?: ReadonlySet<string>): Buffer {
    return Buffer.from(this.write(exclude), 'latin1');
  }

  /** A plain object of key → values, for logging and JSON. */
  toJSON(): Record<string, string[]> {
    const o: Record<string, string[]> = {};
    for (const [k, vs] of this.m) o[k] = vs.slice();
    return o;
  }
}

/** Reports whether any comma-separated element of the values equals `token` (ASCII case-insensitive). */
export function hasToken(values: readonly string[], token: string): boolean {
  for (const v of values) {
    let start = 0;
    for (;;) {
      const comma = v.indexOf(',', start);
      const end = comma === -1 ? v.length : comma;
      if (eqFoldTrimmed(v, start, end, token)) return true;
      if (comma === -1) break;
      start = comma + 1;
    }
  }
  return false;
}

/** v[a..b] with SP/HTAB trimmed equals the lower-case `token`, ignoring ASCII case. No allocation. */
function eqFoldTrimmed(v: string, a: number, b: number, token: string): boolean {
  while (a < b && (v.charCodeAt(a) === 0x20 || v.charCodeAt(a) === 0x09)) a++;
  while (b > a && (v.charCodeAt(b - 1) === 0x20 || v.charCodeAt(b - 1) === 0x09)) b--;
  if (b - a !== token.length) return false;
  for (let i = 0; i < token.length; i++) {
    let c = v.charCodeAt(a + i);
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== token.charCodeAt(i)) return false;
  }
  return true;
}

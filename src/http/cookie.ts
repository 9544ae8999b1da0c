// HTTP cookies (RFC 6265) with Go's net/http rules: parsing Set-Cookie and Cookie header
// values, and serializing a cookie with Go's sanitizing (bad bytes dropped, values with a space
// or comma quoted, bad domains left out).

/** The SameSite attribute: '' when absent, 'default' for an unrecognised value. */
export type SameSite = '' | 'default' | 'lax' | 'strict' | 'none';

/** Fields of a Cookie; only `name` is required. */
export interface CookieInit {
  name: string;
  value?: string;
  /** The value was (or should be) wrapped in double quotes. */
  quoted?: boolean;
  path?: string;
  domain?: string;
  /** Absolute expiry; null when absent. */
  expires?: Date | null;
  /** The Expires attribute text as received. */
  rawExpires?: string;
  /** 0: no Max-Age; < 0: delete now (`Max-Age=0` on the wire); > 0: seconds. */
  maxAge?: number;
  secure?: boolean;
  httpOnly?: boolean;
  sameSite?: SameSite;
  partitioned?: boolean;
  /** The whole Set-Cookie line as received. */
  raw?: string;
  /** Attributes that were not understood, as received. */
  unparsed?: string[];
}

/** A malformed cookie line: `http: invalid cookie name`. */
export class CookieError extends Error {
  override name = 'CookieError';
}

/** Anything with Go's Header.Values: gonet's Header or a look-alike. */
export interface HeaderValues {
  values(key: string): readonly string[];
}

// RFC 7230 token characters.
const TOKEN = (() => {
  const t = new Uint8Array(128);
  for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) t[c] = 1;
  for (const ch of "!#$%&'*+-.^_`|~") t[ch.charCodeAt(0)] = 1;
  return t;
})();

/** Whether `name` is a non-empty HTTP token, as a cookie name must be. */
export function validCookieName(name: string): boolean {
  if (name === '') return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 128 || TOKEN[c] === 0) return false;
  }
  return true;
}

function validValueChar(c: number): boolean {
  return c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x3b && c !== 0x5c;
}

function validPathChar(c: number): boolean {
  return c >= 0x20 && c < 0x7f && c !== 0x3b;
}

/**
 * Whether every character of `v` may appear in a cookie value: printable ASCII except `"`,
 * `;` and `\`. Space and comma are allowed (Go loosens RFC 6265 there and quotes on output).
 */
export function validCookieValue(v: string): boolean {
  for (let i = 0; i < v.length; i++) if (!validValueChar(v.charCodeAt(i))) return false;
  return true;
}

function keepValid(v: string, ok: (c: number) => boolean): string {
  let i = 0;
  while (i < v.length && ok(v.charCodeAt(i))) i++;
  if (i === v.length) return v;
  let out = v.slice(0, i);
  for (; i < v.length; i++) if (ok(v.charCodeAt(i))) out += v[i];
  return out;
}

/** The value as it goes on the wire: invalid characters dropped; quoted if it has ` ` or `,`, or `quoted`. */
export function sanitizeCookieValue(v: string, quoted = false): string {
  v = keepValid(v, validValueChar);
  if (v === '') return v;
  return quoted || v.includes(' ') || v.includes(',') ? `"${v}"` : v;
}

/** A name for a Cookie request header: CR and LF become `-` (Go's sanitizeCookieName). */
export function sanitizeCookieName(n: string): string {
  return n.replace(/[\r\n]/g, '-');
}

/**
 * One `name=value` pair for a Cookie request header, as Go's Request.AddCookie writes it (the
 * name only loses CR/LF; the value is sanitized and quoted like toString's). Join pairs with `; `.
 */
export function cookieHeaderPair(c: Pick<Cookie, 'name' | 'value'> & { quoted?: boolean }): string {
  return sanitizeCookieName(c.name) + '=' + sanitizeCookieValue(c.value, c.quoted ?? false);
}

/** The path as it goes on the wire: control characters and `;` dropped. */
export function sanitizeCookiePath(v: string): string {
  return keepValid(v, validPathChar);
}

// Trims what Go's textproto.TrimString trims: space, tab, CR, LF.
function trim(s: string): string {
  let a = 0;
  let b = s.length;
  const sp = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
  while (a < b && sp(s.charCodeAt(a))) a++;
  while (b > a && sp(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

function cut(s: string, sep: string): [string, string, boolean] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, '', false] : [s.slice(0, i), s.slice(i + sep.length), true];
}

/** Strips one pair of surrounding quotes (when allowed) and checks the characters. */
function parseValue(raw: string, allowQuotes: boolean): { value: string; quoted: boolean } | null {
  let quoted = false;
  if (allowQuotes && raw.length > 1 && raw.charCodeAt(0) === 0x22 && raw.charCodeAt(raw.length - 1) === 0x22) {
    raw = raw.slice(1, -1);
    quoted = true;
  }
  return validCookieValue(raw) ? { value: raw, quoted } : null;
}

function lowerASCII(s: string): string | null {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return null;
  return s.toLowerCase();
}

/** Whether `s` is a host name usable as a cookie Domain (a leading dot allowed; no `_`). */
function isCookieDomainName(s: string): boolean {
  if (s.length === 0 || s.length > 255) return false;
  if (s.charCodeAt(0) === 0x2e) s = s.slice(1);
  let last = 0x2e;
  let letter = false;
  let partLen = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) {
      letter = true;
      partLen++;
    } else if (c >= 0x30 && c <= 0x39) {
      partLen++;
    } else if (c === 0x2d) {
      if (last === 0x2e) return false;
      partLen++;
    } else if (c === 0x2e) {
      if (last === 0x2e || last === 0x2d || partLen > 63 || partLen === 0) return false;
      partLen = 0;
    } else {
      return false;
    }
    last = c;
  }
  return last !== 0x2d && partLen <= 63 && letter;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Whether `d` may be sent as a Domain attribute: a host name (leading dot allowed) or an IPv4 literal. */
export function validCookieDomain(d: string): boolean {
  return isCookieDomainName(d) || IPV4.test(d);
}

// ---- dates: Go's TimeFormat out; RFC 1123 and its dashed variant in ----

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** `Mon, 02 Jan 2006 15:04:05 GMT` (Go's http.TimeFormat), always in UTC. */
export function formatHTTPDate(d: Date): string {
  return `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate(), 2)} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCFullYear(), 4)} ` +
    `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)} GMT`;
}

const EXPIRES = /^([A-Za-z]{3}), (\d{2})([ -])([A-Za-z]{3})\3(\d{4}) (\d{1,2}):(\d{2}):(\d{2})(?:[.,]\d+)? ([A-Za-z]+)([+-]\d{1,2})?$/;

function monthIndex(s: string): number {
  const l = s.toLowerCase();
  return MONTHS.findIndex((m) => m.toLowerCase() === l);
}

// The zone abbreviations Go's time.Parse accepts: 3 capitals, 4 ending in T (or WITA), 5 ending
// in T, ChST/MeST; all but GMT±h count as UTC here (Go only knows the local zone's offsets).
function zoneOffsetHours(zone: string, sign: string | undefined): number | null {
  if (sign !== undefined) {
    if (zone !== 'GMT') return null;
    const h = Number(sign);
    return h >= -23 && h <= 23 ? h : null;
  }
  if (zone === 'ChST' || zone === 'MeST') return 0;
  if (!/^[A-Z]+$/.test(zone)) return null;
  if (zone.length === 3) return 0;
  if (zone.length === 4 && (zone[3] === 'T' || zone === 'WITA')) return 0;
  if (zone.length === 5 && zone[4] === 'T') return 0;
  return null;
}

/**
 * Parses a cookie Expires value: `Mon, 02 Jan 2006 15:04:05 MST` or `Mon, 02-Jan-2006 15:04:05
 * MST`, names in any case, the zone as UTC (GMT+h / GMT-h offsets honoured). Null if malformed.
 */
export function parseCookieExpires(s: string): Date | null {
  const m = EXPIRES.exec(s);
  if (m === null) return null;
  const [, wd, dd, , mon, yyyy, hh, mi, ss, zone, sign] = m as unknown as string[];
  if (!DAYS.some((d) => d.toLowerCase() === wd!.toLowerCase())) return null;
  const month = monthIndex(mon!);
  if (month < 0) return null;
  const year = Number(yyyy);
  const day = Number(dd);
  const hour = Number(hh);
  const min = Number(mi);
  const sec = Number(ss);
  if (hour > 23 || min > 59 || sec > 59) return null;
  const daysIn = new Date(Date.UTC(2000, month + 1, 0)).getUTCDate() - (month === 1 && !isLeap(year) ? 1 : 0);
  if (day < 1 || day > daysIn) return null;
  const off = zoneOffsetHours(zone!, sign);
  if (off === null) return null;
  const d = new Date(0);
  d.setUTCFullYear(year, month, day);
  d.setUTCHours(hour - off, min, sec, 0);
  return d;
}

function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

// Go's %q for one character of an error message.
function quoteChar(c: string): string {
  const code = c.charCodeAt(0);
  const esc: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 0x27: "\\'", 0x5c: '\\\\' };
  if (esc[code] !== undefined) return `'${esc[code]}'`;
  if (code < 0x20 || code === 0x7f) return `'\\x${code.toString(16).padStart(2, '0')}'`;
  return `'${c}'`;
}

/** An HTTP cookie, as in a Set-Cookie header (all fields) or a Cookie header (name and value). */
export class Cookie {
  name: string;
  value: string;
  quoted: boolean;
  path: string;
  domain: string;
  expires: Date | null;
  rawExpires: string;
  maxAge: number;
  secure: boolean;
  httpOnly: boolean;
  sameSite: SameSite;
  partitioned: boolean;
  raw: string;
  unparsed: string[];

  constructor(init: CookieInit) {
    this.name = init.name;
    this.value = init.value ?? '';
    this.quoted = init.quoted ?? false;
    this.path = init.path ?? '';
    this.domain = init.domain ?? '';
    this.expires = init.expires ?? null;
    this.rawExpires = init.rawExpires ?? '';
    this.maxAge = init.maxAge ?? 0;
    this.secure = init.secure ?? false;
    this.httpOnly = init.httpOnly ?? false;
    this.sameSite = init.sameSite ?? '';
    this.partitioned = init.partitioned ?? false;
    this.raw = init.raw ?? '';
    this.unparsed = init.unparsed ?? [];
  }

  /**
   * The Set-Cookie serialization (just `name=value` when no attribute is set, as a Cookie header
   * wants). An invalid name gives `""`. Invalid value and path characters are dropped; a domain
   * that is neither a host name nor an IPv4 literal is left out; Expires only from year 1601 on;
   * `Max-Age=0` for a negative maxAge.
   */
  toString(): string {
    if (!validCookieName(this.name)) return '';
    let s = this.name + '=' + sanitizeCookieValue(this.value, this.quoted);
    if (this.path !== '') s += '; Path=' + sanitizeCookiePath(this.path);
    if (this.domain !== '' && validCookieDomain(this.domain)) {
      s += '; Domain=' + (this.domain.startsWith('.') ? this.domain.slice(1) : this.domain);
    }
    if (this.expires !== null && validExpires(this.expires)) s += '; Expires=' + formatHTTPDate(this.expires);
    if (this.maxAge > 0) s += '; Max-Age=' + Math.trunc(this.maxAge);
    else if (this.maxAge < 0) s += '; Max-Age=0';
    if (this.httpOnly) s += '; HttpOnly';
    if (this.secure) s += '; Secure';
    switch (this.sameSite) {
      case 'none': s += '; SameSite=None'; break;
      case 'lax': s += '; SameSite=Lax'; break;
      case 'strict': s += '; SameSite=Strict'; break;
      default: break;
    }
    if (this.partitioned) s += '; Partitioned';
    return s;
  }

  /** Go's Cookie.Valid: null when the cookie can be sent as is, else the first problem. */
  valid(): CookieError | null {
    if (!validCookieName(this.name)) return new CookieError('http: invalid Cookie.Name');
    if (this.expires !== null && !validExpires(this.expires)) return new CookieError('http: invalid Cookie.Expires');
    for (const ch of this.value) {
      if (!validValueChar(ch.charCodeAt(0)) || ch.length > 1) return new CookieError(`http: invalid byte ${quoteChar(ch)} in Cookie.Value`);
    }
    for (const ch of this.path) {
      if (!validPathChar(ch.charCodeAt(0)) || ch.length > 1) return new CookieError(`http: invalid byte ${quoteChar(ch)} in Cookie.Path`);
    }
    if (this.domain !== '' && !validCookieDomain(this.domain)) return new CookieError('http: invalid Cookie.Domain');
    if (this.partitioned && !this.secure) return new CookieError('http: partitioned cookies must be set with Secure');
    return null;
  }
}

function validExpires(d: Date): boolean {
  const t = d.getTime();
  return !Number.isNaN(t) && d.getUTCFullYear() >= 1601;
}

const INT64_MAX = 9223372036854775807n;

function parseMaxAge(v: string): number | null {
  if (!/^[+-]?\d+$/.test(v)) return null;
  const n = BigInt(v);
  if (n > INT64_MAX || n < -INT64_MAX - 1n) return null;
  if (n !== 0n && v.charCodeAt(0) === 0x30) return null; // leading zero on a non-zero value
  return n <= 0n ? -1 : Number(n);
}

/**
 * Parses one Set-Cookie header value. Throws CookieError (`http: blank cookie`, `http: '=' not
 * found in cookie`, `http: invalid cookie name`, `http: invalid cookie value`). Attributes with
 * bad values, unknown attributes and unparsable dates go to `unparsed`.
 */
export function parseSetCookie(line: string): Cookie {
  const parts = trim(line).split(';');
  if (parts.length === 1 && parts[0] === '') throw new CookieError('http: blank cookie');
  const [rawName, rawValue, found] = cut(trim(parts[0]!), '=');
  if (!found) throw new CookieError("http: '=' not found in cookie");
  const name = trim(rawName);
  if (!validCookieName(name)) throw new CookieError('http: invalid cookie name');
  const v = parseValue(rawValue, true);
  if (v === null) throw new CookieError('http: invalid cookie value');
  const c = new Cookie({ name, value: v.value, quoted: v.quoted, raw: line });
  for (let i = 1; i < parts.length; i++) {
    const part = trim(parts[i]!);
    if (part === '') continue;
    const [attr, rawVal] = cut(part, '=');
    const lower = lowerASCII(attr);
    if (lower === null) continue;
    const pv = parseValue(rawVal, false);
    if (pv === null) {
      c.unparsed.push(part);
      continue;
    }
    const val = pv.value;
    switch (lower) {
      case 'samesite': {
        const l = lowerASCII(val);
        c.sameSite = l === 'lax' || l === 'strict' || l === 'none' ? l : 'default';
        continue;
      }
      case 'secure':
        c.secure = true;
        continue;
      case 'httponly':
        c.httpOnly = true;
        continue;
      case 'partitioned':
        c.partitioned = true;
        continue;
      case 'domain':
        c.domain = val;
        continue;
      case 'path':
        c.path = val;
        continue;
      case 'max-age': {
        const n = parseMaxAge(val);
        if (n === null) break;
        c.maxAge = n;
        continue;
      }
      case 'expires': {
        c.rawExpires = val;
        const d = parseCookieExpires(val);
        c.expires = d;
        if (d === null) break;
        continue;
      }
      default:
        break;
    }
    c.unparsed.push(part);
  }
  return c;
}

/**
 * Parses a Cookie header value strictly (Go 1.23's ParseCookie): every `name=value` pair must be
 * valid or the whole line is rejected with a CookieError.
 */
export function parseCookie(line: string): Cookie[] {
  const parts = trim(line).split(';');
  if (parts.length === 1 && parts[0] === '') throw new CookieError('http: blank cookie');
  const out: Cookie[] = [];
  for (const p of parts) {
    const [name, raw, found] = cut(trim(p), '=');
    if (!found) throw new CookieError("http: '=' not found in cookie");
    if (!validCookieName(name)) throw new CookieError('http: invalid cookie name');
    const v = parseValue(raw, true);
    if (v === null) throw new CookieError('http: invalid cookie value');
    out.push(new Cookie({ name, value: v.value, quoted: v.quoted }));
  }
  return out;
}

/** All well-formed cookies of the header's Set-Cookie lines; malformed lines are skipped. */
export function readSetCookies(h: HeaderValues): Cookie[] {
  const out: Cookie[] = [];
  for (const line of h.values('Set-Cookie')) {
    try {
      out.push(parseSetCookie(line));
    } catch {
      // dropped, as Go does
    }
  }
  return out;
}

/**
 * All cookies of the header's Cookie lines, leniently: a pair without `=` has an empty value;
 * pairs with a bad name or value are skipped. With `filter`, only cookies of that name.
 */
export function readCookies(h: HeaderValues, filter = ''): Cookie[] {
  const out: Cookie[] = [];
  for (let line of h.values('Cookie')) {
    line = trim(line);
    for (const rawPart of line.split(';')) {
      const part = trim(rawPart);
      if (part === '') continue;
      const [rawName, raw] = cut(part, '=');
      const name = trim(rawName);
      if (!validCookieName(name)) continue;
      if (filter !== '' && filter !== name) continue;
      const v = parseValue(raw, true);
      if (v === null) continue;
      out.push(new Cookie({ name, value: v.value, quoted: v.quoted }));
    }
  }
  return out;
}

// Go's net.IP, IPMask and IPNet. An IP is a 4- or 16-byte value; parsing follows Go 1.22's
// netip rules and always yields the 16-byte form (IPv4 as ::ffff:a.b.c.d), as Go's ParseIP does.

import { ParseError } from './errors.js';

/** Byte length of an IPv4 address. */
export const IPv4len = 4;
/** Byte length of an IPv6 address. */
export const IPv6len = 16;

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');
const HEX = '0123456789abcdef';

/** An IP address: 4 bytes (IPv4) or 16 bytes (IPv6 or IPv4-mapped), like Go's net.IP. */
export class IP {
  /** The address bytes; shared, not copied (use IP.fromBytes to copy). */
  readonly bytes: Uint8Array;

  /**
   * Wraps `bytes` without copying or checking the length, so an IP of a bad length can exist
   * and print as `?`+hex, as a Go slice can.
   */
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  /** The 16-byte IPv4-mapped form of a.b.c.d (Go's IPv4()). */
  static v4(a: number, b: number, c: number, d: number): IP {
    const out = new Uint8Array(16);
    out[10] = 0xff;
    out[11] = 0xff;
    out[12] = a;
    out[13] = b;
    out[14] = c;
    out[15] = d;
    return new IP(out);
  }

  /** A copy of 4 or 16 bytes as an IP; other lengths throw a RangeError. */
  static fromBytes(b: ArrayLike<number>): IP {
    if (b.length !== IPv4len && b.length !== IPv6len) {
      throw new RangeError(`IP.fromBytes: want 4 or 16 bytes, got ${b.length}`);
    }
    return new IP(Uint8Array.from(b));
  }

  get length(): number {
    return this.bytes.length;
  }

  /** The 4-byte form if this is IPv4 (4-byte or v4-mapped), else null. */
  to4(): IP | null {
    const b = this.bytes;
    if (b.length === IPv4len) return this;
    if (b.length === IPv6len && isV4Mapped(b)) return new IP(b.subarray(12, 16));
    return null;
  }

  /** The 16-byte form (IPv4 widened to v4-mapped), or null for a bad length. */
  to16(): IP | null {
    const b = this.bytes;
    if (b.length === IPv6len) return this;
    if (b.length === IPv4len) return IP.v4(b[0], b[1], b[2], b[3]);
    return null;
  }

  /** Whether the address is IPv4, including the v4-mapped IPv6 form (to4() != null). */
  is4(): boolean {
    const b = this.bytes;
    return b.length === IPv4len || (b.length === IPv6len && isV4Mapped(b));
  }

  /** Same address; a 4-byte IPv4 equals its 16-byte v4-mapped form. */
  equal(other: IP): boolean {
    const a = this.bytes;
    const b = other.bytes;
    if (a.length === b.length) return bytesEqual(a, 0, b, 0, a.length);
    if (a.length === IPv4len && b.length === IPv6len) return isV4Mapped(b) && bytesEqual(a, 0, b, 12, 4);
    if (a.length === IPv6len && b.length === IPv4len) return isV4Mapped(a) && bytesEqual(a, 12, b, 0, 4);
    return false;
  }

  /** Orders addresses by their 16-byte forms; bad lengths sort first. Returns -1, 0 or 1. */
  compare(other: IP): number {
    return compareIP(this, other);
  }

  /** 0.0.0.0 or :: */
  isUnspecified(): boolean {
    return this.equal(IPv4zero) || this.equal(IPv6unspecified);
  }

  /** 127.0.0.0/8 or ::1 */
  isLoopback(): boolean {
    const v4 = v4Bytes(this.bytes);
    if (v4 !== null) return v4[0] === 127;
    return this.equal(IPv6loopback);
  }

  /** RFC 1918 (10/8, 172.16/12, 192.168/16) or RFC 4193 (fc00::/7). */
  isPrivate(): boolean {
    const v4 = v4Bytes(this.bytes);
    if (v4 !== null) {
      return v4[0] === 10 || (v4[0] === 172 && (v4[1] & 0xf0) === 16) || (v4[0] === 192 && v4[1] === 168);
    }
    return this.bytes.length === IPv6len && (this.bytes[0] & 0xfe) === 0xfc;
  }

  /** 224.0.0.0/4 or ff00::/8 */
  isMulticast(): boolean {
    const v4 = v4Bytes(this.bytes);
    if (v4 !== null) return (v4[0] & 0xf0) === 0xe0;
    return this.bytes.length === IPv6len && this.bytes[0] === 0xff;
  }

  /** ff01::/16-style interface-local multicast (IPv6 only). */
  isInterfaceLocalMulticast(): boolean {
    const b = this.bytes;
    return b.length === IPv6len && b[0] === 0xff && (b[1] & 0x0f) === 0x01;
  }

  /** 224.0.0.0/24 or ff02::/16-style link-local multicast. */
  isLinkLocalMulticast(): boolean {
    const v4 = v4Bytes(this.bytes);
    if (v4 !== null) return v4[0] === 224 && v4[1] === 0 && v4[2] === 0;
    const b = this.bytes;
    return b.length === IPv6len && b[0] === 0xff && (b[1] & 0x0f) === 0x02;
  }

  /** 169.254.0.0/16 or fe80::/10 */
  isLinkLocalUnicast(): boolean {
    const v4 = v4Bytes(this.bytes);
    if (v4 !== null) return v4[0] === 169 && v4[1] === 254;
    const b = this.bytes;
    return b.length === IPv6len && b[0] === 0xfe && (b[1] & 0xc0) === 0x80;
  }

  /**
   * Not broadcast, unspecified, loopback, multicast or link-local. As in Go, private and
   * other special-purpose ranges still count as global unicast.
   */
  isGlobalUnicast(): boolean {
    const n = this.bytes.length;
    return (n === IPv4len || n === IPv6len) && !this.equal(IPv4bcast) && !this.isUnspecified() &&
      !this.isLoopback() && !this.isMulticast() && !this.isLinkLocalUnicast();
  }

  /**
   * The address with `m` applied, or null when their lengths cannot be matched. A 16-byte mask
   * whose first 12 bytes are all ones works on a 4-byte IP, and a 4-byte mask on a v4-mapped IP
   * (giving a 4-byte result), as in Go.
   */
  mask(m: IPMask): IP | null {
    let mb = m.bytes;
    let ib = this.bytes;
    if (mb.length === IPv6len && ib.length === IPv4len && allFF(mb, 0, 12)) mb = mb.subarray(12);
    if (mb.length === IPv4len && ib.length === IPv6len && isV4Mapped(ib)) ib = ib.subarray(12);
    const n = ib.length;
    if (n !== mb.length) return null;
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = ib[i] & mb[i];
    return new IP(out);
  }

  /** The classful (A/B/C) mask of an IPv4 address, or null for IPv6. */
  defaultMask(): IPMask | null {
    const v4 = v4Bytes(this.bytes);
    if (v4 === null) return null;
    if (v4[0] < 0x80) return ipv4Mask(0xff, 0, 0, 0);
    if (v4[0] < 0xc0) return ipv4Mask(0xff, 0xff, 0, 0);
    return ipv4Mask(0xff, 0xff, 0xff, 0);
  }

  /** Go's formatting: dotted quad for IPv4 (also v4-mapped), RFC 5952 for IPv6. */
  toString(): string {
    const b = this.bytes;
    if (b.length === 0) return '<nil>';
    if (b.length !== IPv4len && b.length !== IPv6len) return '?' + hexString(b);
    if (b.length === IPv4len) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
    if (isV4Mapped(b)) return `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
    return ipv6String(b);
  }

  toJSON(): string {
    return this.toString();
  }

  [inspectSymbol](): string {
    return `IP(${this.toString()})`;
  }
}

/** Orders two IPs by their 16-byte forms; bad lengths sort first. Returns -1, 0 or 1. */
export function compareIP(a: IP, b: IP): number {
  const x = a.to16();
  const y = b.to16();
  if (x === null || y === null) return x === y ? 0 : x === null ? -1 : 1;
  for (let i = 0; i < 16; i++) {
    const d = x.bytes[i] - y.bytes[i];
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

function isV4Mapped(b: Uint8Array): boolean {
  return b[0] === 0 && b[1] === 0 && b[2] === 0 && b[3] === 0 && b[4] === 0 && b[5] === 0 &&
    b[6] === 0 && b[7] === 0 && b[8] === 0 && b[9] === 0 && b[10] === 0xff && b[11] === 0xff;
}

// The IPv4 bytes of a 4-byte or v4-mapped address, without allocating an IP.
function v4Bytes(b: Uint8Array): Uint8Array | null {
  if (b.length === IPv4len) return b;
  if (b.length === IPv6len && isV4Mapped(b)) return b.subarray(12);
  return null;
}

function bytesEqual(a: Uint8Array, ai: number, b: Uint8Array, bi: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[ai + i] !== b[bi + i]) return false;
  return true;
}

function allFF(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 0xff) return false;
  return true;
}

function hexString(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i] >> 4] + HEX[b[i] & 15];
  return s;
}

function ipv6String(b: Uint8Array): string {
  // RFC 5952: the longest run of two or more zero groups becomes "::", the first on ties.
  let zStart = -1;
  let zLen = 0;
  for (let i = 0; i < 8;) {
    if (b[2 * i] !== 0 || b[2 * i + 1] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && b[2 * j] === 0 && b[2 * j + 1] === 0) j++;
    if (j - i >= 2 && j - i > zLen) {
      zStart = i;
      zLen = j - i;
    }
    i = j;
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === zStart) {
      s += '::';
      i += zLen - 1;
      continue;
    }
    if (i > 0 && i !== zStart + zLen) s += ':';
    s += ((b[2 * i] << 8) | b[2 * i + 1]).toString(16);
  }
  return s;
}

// ---- parsing ----

const PARSE_FAIL = 0;
const PARSED_V4 = 4;
const PARSED_V6 = 6;

// Reads four dotted decimal fields from s[off:end) into out[o..o+4). netip rules: each field
// 0..255, at least one digit, no leading zeros.
function parseV4Fields(s: string, off: number, end: number, out: Uint8Array, o: number): boolean {
  let val = 0;
  let digits = 0;
  let field = 0;
  for (let k = off; k < end; k++) {
    const c = s.charCodeAt(k);
    if (c >= 0x30 && c <= 0x39) {
      if (digits === 1 && val === 0) return false;
      val = val * 10 + (c - 0x30);
      digits++;
      if (val > 255) return false;
    } else if (c === 0x2e) {
      if (digits === 0 || k === end - 1 || field === 3) return false;
      out[o + field++] = val;
      val = 0;
      digits = 0;
    } else {
      return false;
    }
  }
  if (field < 3) return false;
  out[o + 3] = val;
  return true;
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

// Parses IPv6 text s[0:end) (end excludes any zone) into out.
function parseV6(s: string, end: number, out: Uint8Array): boolean {
  let pos = 0;
  let ellipsis = -1;
  if (end >= 2 && s.charCodeAt(0) === 0x3a && s.charCodeAt(1) === 0x3a) {
    ellipsis = 0;
    pos = 2;
    if (pos === end) return true;
  }
  let i = 0;
  while (i < 16) {
    const start = pos;
    let acc = 0;
    while (pos < end) {
      const v = hexVal(s.charCodeAt(pos));
      if (v < 0) break;
      acc = acc * 16 + v;
      pos++;
      if (pos - start > 4) return false;
    }
    if (pos === start) return false;
    if (pos < end && s.charCodeAt(pos) === 0x2e) {
      // An embedded IPv4 must fill the last 32 bits: directly at byte 12, or later shifted
      // there by a "::" that still stands for at least one group.
      if ((ellipsis < 0 && i !== 12) || i + 4 > 16) return false;
      if (!parseV4Fields(s, start, end, out, i)) return false;
      i += 4;
      pos = end;
      break;
    }
    out[i] = acc >> 8;
    out[i + 1] = acc & 0xff;
    i += 2;
    if (pos === end) break;
    if (s.charCodeAt(pos) !== 0x3a || pos + 1 === end) return false;
    pos++;
    if (s.charCodeAt(pos) === 0x3a) {
      if (ellipsis >= 0) return false;
      ellipsis = i;
      pos++;
      if (pos === end) break;
    }
  }
  if (pos !== end) return false;
  if (i < 16) {
    if (ellipsis < 0) return false;
    const n = 16 - i;
    for (let j = i - 1; j >= ellipsis; j--) out[j + n] = out[j];
    out.fill(0, ellipsis, ellipsis + n);
  } else if (ellipsis >= 0) {
    return false;
  }
  return true;
}

// netip.ParseAddr into a 16-byte buffer: which of '.', ':' or '%' comes first decides the
// family. Returns PARSED_V4, PARSED_V6 or PARSE_FAIL; a zone is accepted only if allowZone.
function parseAddrInto(s: string, out: Uint8Array, allowZone: boolean): number {
  const n = s.length;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(k);
    if (c === 0x2e) {
      if (!parseV4Fields(s, 0, n, out, 12)) return PARSE_FAIL;
      out[10] = 0xff;
      out[11] = 0xff;
      return PARSED_V4;
    }
    if (c === 0x3a) {
      let end = s.indexOf('%', k);
      if (end < 0) end = n;
      else if (!allowZone || end === n - 1) return PARSE_FAIL;
      return parseV6(s, end, out) ? PARSED_V6 : PARSE_FAIL;
    }
    if (c === 0x25) return PARSE_FAIL;
  }
  return PARSE_FAIL;
}

/**
 * Parses an IPv4 dotted quad or an IPv6 literal, with Go 1.22's rules: IPv4 needs exactly four
 * decimal fields without leading zeros; IPv6 allows one "::" and an IPv4 tail. Zones and
 * brackets are rejected. Returns the 16-byte form, or null if `s` is not an IP literal.
 */
export function parseIP(s: string): IP | null {
  const out = new Uint8Array(16);
  return parseAddrInto(s, out, false) === PARSE_FAIL ? null : new IP(out);
}

/**
 * Like parseIP but also accepts an IPv6 zone (`fe80::1%eth0`). A zone on IPv4 or an empty
 * zone is rejected. The IP is always 16 bytes; zone is "" when absent.
 */
export function parseIPZone(s: string): { ip: IP; zone: string } | null {
  const out = new Uint8Array(16);
  const kind = parseAddrInto(s, out, true);
  if (kind === PARSE_FAIL) return null;
  const pct = kind === PARSED_V6 ? s.indexOf('%') : -1;
  return { ip: new IP(out), zone: pct < 0 ? '' : s.slice(pct + 1) };
}

// ---- masks and networks ----

/** A bit mask for an IP address (Go's IPMask): 4 or 16 bytes in the usual case. */
export class IPMask {
  readonly bytes: Uint8Array;

  /** Wraps `bytes` without copying. */
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  get length(): number {
    return this.bytes.length;
  }

  /** [leading ones, total bits]; [0, 0] when the mask is not ones followed by zeros. */
  size(): [number, number] {
    const ones = simpleMaskLength(this.bytes);
    return ones < 0 ? [0, 0] : [ones, this.bytes.length * 8];
  }

  /** Byte-wise equality. */
  equal(other: IPMask): boolean {
    return this.bytes.length === other.bytes.length && bytesEqual(this.bytes, 0, other.bytes, 0, this.bytes.length);
  }

  /** Lowercase hex, as Go prints masks; `<nil>` when empty. */
  toString(): string {
    return this.bytes.length === 0 ? '<nil>' : hexString(this.bytes);
  }

  [inspectSymbol](): string {
    return `IPMask(${this.toString()})`;
  }
}

// Number of leading one bits if the mask is ones-then-zeros, else -1.
function simpleMaskLength(b: Uint8Array): number {
  let ones = 0;
  for (let i = 0; i < b.length; i++) {
    const v = b[i];
    if (v === 0xff) {
      ones += 8;
      continue;
    }
    let x = v;
    while (x & 0x80) {
      ones++;
      x = (x << 1) & 0xff;
    }
    if (x !== 0) return -1;
    for (let j = i + 1; j < b.length; j++) if (b[j] !== 0) return -1;
    break;
  }
  return ones;
}

/** A mask of `ones` leading one bits out of `bits` (32 or 128), or null if out of range. */
export function cidrMask(ones: number, bits: number): IPMask | null {
  if (bits !== 32 && bits !== 128) return null;
  if (!Number.isInteger(ones) || ones < 0 || ones > bits) return null;
  const out = new Uint8Array(bits / 8);
  let n = ones;
  for (let i = 0; n > 0; i++) {
    if (n >= 8) {
      out[i] = 0xff;
      n -= 8;
    } else {
      out[i] = (0xff << (8 - n)) & 0xff;
      n = 0;
    }
  }
  return new IPMask(out);
}

/** The 4-byte mask a.b.c.d. */
export function ipv4Mask(a: number, b: number, c: number, d: number): IPMask {
  return new IPMask(Uint8Array.of(a, b, c, d));
}

// Go's networkNumberAndMask: a 4-byte network with a 4-byte mask, or a 16-byte network with a
// 16-byte mask (a 16-byte mask on an IPv4 network uses its last 4 bytes); null if unusable.
function networkAndMask(n: IPNet): [Uint8Array, Uint8Array] | null {
  let ip = v4Bytes(n.ip.bytes);
  if (ip === null) {
    ip = n.ip.bytes;
    if (ip.length !== IPv6len) return null;
  }
  let m = n.mask.bytes;
  if (m.length === IPv4len) {
    if (ip.length !== IPv4len) return null;
  } else if (m.length === IPv6len) {
    if (ip.length === IPv4len) m = m.subarray(12);
  } else {
    return null;
  }
  return [ip, m];
}

/** An IP network: an address and a mask (Go's IPNet). */
export class IPNet {
  readonly ip: IP;
  readonly mask: IPMask;
  /** Go's IPNet.Network(). */
  readonly network = 'ip+net';

  constructor(ip: IP, mask: IPMask) {
    this.ip = ip;
    this.mask = mask;
  }

  /** Whether `ip` is in the network; 4-byte and v4-mapped forms are interchangeable. */
  contains(ip: IP): boolean {
    const nm = networkAndMask(this);
    if (nm === null) return false;
    const [nn, m] = nm;
    const x = v4Bytes(ip.bytes) ?? ip.bytes;
    if (x.length !== nn.length) return false;
    for (let i = 0; i < x.length; i++) {
      if ((nn[i] & m[i]) !== (x[i] & m[i])) return false;
    }
    return true;
  }

  /** `ip/prefixlen`, or `ip/hexmask` for a non-canonical mask, or `<nil>` when unusable. */
  toString(): string {
    const nm = networkAndMask(this);
    if (nm === null) return '<nil>';
    const [nn, m] = nm;
    const l = simpleMaskLength(m);
    const ip = new IP(nn).toString();
    return l < 0 ? ip + '/' + hexString(m) : ip + '/' + l;
  }

  [inspectSymbol](): string {
    return `IPNet(${this.toString()})`;
  }
}

/**
 * Parses CIDR notation (`192.0.2.1/24`, `2001:db8::/32`). Returns the 16-byte address and the
 * network (masked address: 4 bytes for IPv4; mask 4 or 16 bytes). A v4-mapped IPv6 address takes
 * a 0..128 prefix. As Go does, the prefix may carry leading zeros (`/024`). Throws
 * ParseError('CIDR address', s) for anything malformed, including zones.
 */
export function parseCIDR(s: string): { ip: IP; net: IPNet } {
  const slash = s.indexOf('/');
  if (slash < 0) throw new ParseError('CIDR address', s);
  const out = new Uint8Array(16);
  const kind = parseAddrInto(s.slice(0, slash), out, false);
  if (kind === PARSE_FAIL) throw new ParseError('CIDR address', s);
  const bits = kind === PARSED_V4 ? 32 : 128;
  // Decimal digits only, capped like Go's dtoi; leading zeros are fine.
  let n = 0;
  let k = slash + 1;
  for (; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c < 0x30 || c > 0x39) break;
    n = n * 10 + (c - 0x30);
    if (n >= 0xffffff) throw new ParseError('CIDR address', s);
  }
  if (k === slash + 1 || k !== s.length || n > bits) throw new ParseError('CIDR address', s);
  const m = cidrMask(n, bits) as IPMask;
  const ip = new IP(out);
  return { ip, net: new IPNet(ip.mask(m) as IP, m) };
}

// ---- well-known addresses (Go's package variables) ----

/** 255.255.255.255 (limited broadcast) */
export const IPv4bcast = IP.v4(255, 255, 255, 255);
/** 224.0.0.1 (all systems) */
export const IPv4allsys = IP.v4(224, 0, 0, 1);
/** 224.0.0.2 (all routers) */
export const IPv4allrouter = IP.v4(224, 0, 0, 2);
/** 0.0.0.0 */
export const IPv4zero = IP.v4(0, 0, 0, 0);
/** :: */
export const IPv6zero = new IP(new Uint8Array(16));
/** :: */
export const IPv6unspecified = new IP(new Uint8Array(16));
/** ::1 */
export const IPv6loopback = new IP(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1));
/** ff01::1 */
export const IPv6interfacelocalallnodes = new IP(Uint8Array.of(0xff, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1));
/** ff02::1 */
export const IPv6linklocalallnodes = new IP(Uint8Array.of(0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1));
/** ff02::2 */
export const IPv6linklocalallrouters = new IP(Uint8Array.of(0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2));

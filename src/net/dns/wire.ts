// Low-level pieces of the DNS wire codec shared by message.ts: the typed decode/encode error,
// a bounds-checked reader over one message, a growable writer with name compression, and the
// conversion between presentation names (`example.com.`, with `\.` and `\DDD` escapes) and
// wire labels. Split from message.ts so each file stays about one concern.

/** Why a DNS message could not be decoded or encoded. */
export type DNSMessageErrorReason =
  | 'truncatedHeader' // fewer than 12 bytes
  | 'truncatedQuestion' // a question's type/class runs past the end
  | 'truncatedRecord' // a record header or its RDATA runs past the end
  | 'truncatedName' // a name runs past the end of the message
  | 'countMismatch' // the header claims more entries than the message holds
  | 'pointerLoop' // a compression pointer leads back into the name being read
  | 'forwardPointer' // a compression pointer at or after itself
  | 'pointerOutOfBounds' // a compression pointer beyond the message
  | 'labelTooLong' // a label over 63 octets (or a reserved label type)
  | 'nameTooLong' // a name over 255 octets on the wire
  | 'rdataLength' // RDLENGTH disagrees with the record's content
  | 'badName' // an unparsable presentation name (encoding)
  | 'badValue' // a field out of range (encoding)
  | 'typeMismatch' // a record's type disagrees with its data kind (encoding)
  | 'messageTooLong'; // an encoded message over 65535 octets

/**
 * A malformed DNS message (decoding) or an unencodable one (encoding). `reason` is a stable
 * machine-readable code; `offset` is where in the message the problem was found (-1 if none).
 */
export class DNSMessageError extends Error {
  override name = 'DNSMessageError';
  readonly reason: DNSMessageErrorReason;
  readonly offset: number;
  readonly timeout = false;
  readonly temporary = false;
  constructor(reason: DNSMessageErrorReason, detail: string, offset = -1) {
    super(`dns message: ${detail}${offset >= 0 ? ` (offset ${offset})` : ''}`);
    this.reason = reason;
    this.offset = offset;
  }
}

// Real messages chain two or three pointers; Go stops at 10. Since every accepted pointer goes
// strictly before all bytes read so far a chain cannot loop; this cap only bounds the work.
const MAX_POINTERS = 64;
const segStart = new Int32Array(MAX_POINTERS + 1);
const segEnd = new Int32Array(MAX_POINTERS + 1);

/** Bounds-checked cursor over one message; `off` advances as fields are read. */
export class Reader {
  readonly b: Uint8Array;
  readonly dv: DataView;
  readonly buf: Buffer;
  off = 0;
  /** The name that starts right after the header (the question's), for pointers to it. */
  private name12 = '';
  constructor(b: Uint8Array) {
    this.b = b;
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    this.buf = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  }

  u16(at: number): number {
    return this.dv.getUint16(at);
  }

  u32(at: number): number {
    return this.dv.getUint32(at);
  }

  /**
   * Reads the name at `off` and moves `off` past its in-place part. The in-place part must end
   * by `limit` (the RDATA end inside a record), else `overrun` is the reason thrown.
   */
  name(limit: number, overrun: DNSMessageErrorReason = 'truncatedName'): string {
    const b = this.b;
    const len = b.length;
    let p = this.off;
    // Answers name their owner with a pointer to the question's name: reuse its text (it was
    // decoded, and checked, from offset 12 to the end of the message just as this would be).
    if (this.name12 !== '' && p + 1 < limit && b[p] === 0xc0 && b[p + 1] === 12 && p > 12) {
      this.off = p + 2;
      return this.name12;
    }
    const start = p;
    let lim = limit;
    let end = -1;
    let wire = 0;
    let hops = 0;
    let out = '';
    segStart[0] = p;
    for (;;) {
      if (p >= lim) throw new DNSMessageError(end < 0 ? overrun : 'truncatedName', 'name runs past the end of its data', p);
      const c = b[p]!;
      if (c === 0) {
        p++;
        if (end < 0) end = p;
        break;
      }
      if (c < 64) {
        wire += c + 1;
        if (wire > 254) throw new DNSMessageError('nameTooLong', 'name longer than 255 octets', this.off);
        const s = p + 1;
        const e = s + c;
        if (e > lim) throw new DNSMessageError(end < 0 ? overrun : 'truncatedName', 'label runs past the end of its data', p);
        out += this.label(s, e);
        out += '.';
        p = e;
        continue;
      }
      if (c < 0xc0) {
        throw new DNSMessageError('labelTooLong', `label length byte 0x${c.toString(16)} (over 63 or reserved type)`, p);
      }
      if (p + 1 >= lim) throw new DNSMessageError(end < 0 ? overrun : 'truncatedName', 'compression pointer cut short', p);
      const t = ((c & 0x3f) << 8) | b[p + 1]!;
      if (end < 0) end = p + 2;
      segEnd[hops] = p + 2;
      if (t >= len) throw new DNSMessageError('pointerOutOfBounds', `compression pointer to ${t} beyond message of ${len}`, p);
      // A valid pointer targets bytes before everything read so far for this name (the
      // suffix was written earlier); requiring that makes every chain end.
      if (t >= segStart[hops]!) {
        for (let i = 0; i <= hops; i++) {
          if (t >= segStart[i]! && t < segEnd[i]!) throw new DNSMessageError('pointerLoop', 'compression pointer loop', p);
        }
        throw new DNSMessageError('forwardPointer', `compression pointer to ${t} does not point before its name`, p);
      }
      if (++hops > MAX_POINTERS) throw new DNSMessageError('pointerLoop', 'too many compression pointers', p);
      segStart[hops] = t;
      p = t;
      lim = len;
    }
    this.off = end;
    const name = out === '' ? '.' : out;
    if (start === 12) this.name12 = name;
    return name;
  }

  /** One label's presentation text: bytes as latin1, with dots, backslashes and non-printables escaped. */
  private label(s: number, e: number): string {
    const b = this.b;
    let plain = true;
    for (let i = s; i < e; i++) {
      const c = b[i]!;
      if (c <= 0x20 || c >= 0x7f || c === 0x2e || c === 0x5c) {
        plain = false;
        break;
      }
    }
    if (plain) return this.buf.toString('latin1', s, e);
    let out = '';
    for (let i = s; i < e; i++) {
      const c = b[i]!;
      if (c === 0x2e || c === 0x5c) out += '\\' + String.fromCharCode(c);
      else if (c <= 0x20 || c >= 0x7f) out += '\\' + (c < 10 ? '00' : c < 100 ? '0' : '') + c;
      else out += String.fromCharCode(c);
    }
    return out;
  }
}

// Scratch state for nameToWire: one name at a time, reused to avoid allocation per name.
const nameWire = new Uint8Array(256);
const labelWireOff = new Int32Array(128);
const labelStrOff = new Int32Array(128);
let labelCount = 0;

// Backslashes just before index `end` (exclusive): an odd count escapes the char at `end`.
function backslashesBefore(s: string, end: number): number {
  let bs = 0;
  for (let i = end - 1; i >= 0 && s.charCodeAt(i) === 0x5c; i--) bs++;
  return bs;
}

/**
 * Puts `name` into canonical rooted form (trailing dot; `.` for the root). A name ending in a
 * lone backslash is left alone so that encoding it fails rather than escaping the added dot.
 */
export function rootName(name: string): string {
  if (name === '' || name === '.') return '.';
  const n = name.length;
  if (name.charCodeAt(n - 1) === 0x2e) return backslashesBefore(name, n - 1) % 2 === 0 ? name : name + '.';
  return backslashesBefore(name, n) % 2 === 0 ? name + '.' : name;
}

/**
 * The wire form of `name` (made rooted), as a view of a scratch buffer that the next call
 * overwrites: copy it out at once. Throws DNSMessageError as the Writer does.
 */
export function scratchWireName(name: string): Uint8Array {
  return nameWire.subarray(0, nameToWire(rootName(name)));
}

/**
 * Converts a rooted presentation name into wire form in the scratch buffer; returns its
 * length including the root octet. Fills labelWireOff/labelStrOff for compression.
 */
function nameToWire(name: string): number {
  labelCount = 0;
  if (name === '.') {
    nameWire[0] = 0;
    return 1;
  }
  const n = name.length;
  let i = 0;
  let w = 0;
  while (i < n) {
    labelStrOff[labelCount] = i;
    labelWireOff[labelCount] = w;
    labelCount++;
    const lenPos = w++;
    let labLen = 0;
    while (i < n) {
      let c = name.charCodeAt(i);
      if (c === 0x2e) break;
      if (c === 0x5c) {
        const d = name.charCodeAt(i + 1);
        if (d >= 0x30 && d <= 0x39) {
          const v = Number.parseInt(name.slice(i + 1, i + 4), 10);
          if (!/^[0-9]{3}$/.test(name.slice(i + 1, i + 4)) || v > 255) {
            throw new DNSMessageError('badName', `bad \\DDD escape in name ${JSON.stringify(name)}`);
          }
          c = v;
          i += 4;
        } else if (Number.isNaN(d)) {
          throw new DNSMessageError('badName', `trailing backslash in name ${JSON.stringify(name)}`);
        } else {
          c = d;
          i += 2;
        }
      } else {
        i++;
      }
      if (c > 0xff) throw new DNSMessageError('badName', `non-latin1 character in name ${JSON.stringify(name)}`);
      if (w >= 255) throw new DNSMessageError('nameTooLong', `name ${JSON.stringify(name)} longer than 255 octets`);
      nameWire[w++] = c;
      labLen++;
    }
    if (labLen === 0) throw new DNSMessageError('badName', `empty label in name ${JSON.stringify(name)}`);
    if (labLen > 63) throw new DNSMessageError('labelTooLong', `label over 63 octets in name ${JSON.stringify(name)}`);
    nameWire[lenPos] = labLen;
    i++; // the dot
  }
  if (w >= 255) throw new DNSMessageError('nameTooLong', `name ${JSON.stringify(name)} longer than 255 octets`);
  nameWire[w++] = 0;
  return w;
}

/** Growable output buffer; `comp` maps rooted name suffixes to their offsets for compression. */
export class Writer {
  b: Uint8Array;
  dv: DataView;
  n = 0;
  readonly comp: Map<string, number> | null;
  constructor(size: number, compress: boolean) {
    this.b = new Uint8Array(size);
    this.dv = new DataView(this.b.buffer);
    this.comp = compress ? new Map() : null;
  }

  ensure(k: number): void {
    if (this.n + k <= this.b.length) return;
    let size = this.b.length * 2;
    while (size < this.n + k) size *= 2;
    const nb = new Uint8Array(size);
    nb.set(this.b.subarray(0, this.n));
    this.b = nb;
    this.dv = new DataView(nb.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.b[this.n++] = v;
  }

  u16(v: number, what: string): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new DNSMessageError('badValue', `${what} ${v} is not a 16-bit value`);
    this.ensure(2);
    this.dv.setUint16(this.n, v);
    this.n += 2;
  }

  u32(v: number, what: string): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new DNSMessageError('badValue', `${what} ${v} is not a 32-bit value`);
    this.ensure(4);
    this.dv.setUint32(this.n, v);
    this.n += 4;
  }

  bytes(src: Uint8Array, from = 0, to = src.length): void {
    this.ensure(to - from);
    this.b.set(from === 0 && to === src.length ? src : src.subarray(from, to), this.n);
    this.n += to - from;
  }

  /**
   * Writes `name`. With `compress`, reuses the longest suffix already written and records the
   * new suffixes; without it (SRV targets, per RFC 2782) the name is written whole and not
   * offered as a pointer target, as Go does.
   */
  name(name: string, compress: boolean): void {
    const rooted = rootName(name);
    const wl = nameToWire(rooted);
    const comp = compress ? this.comp : null;
    if (comp === null) {
      this.bytes(nameWire, 0, wl);
      return;
    }
    let hit = -1;
    let k = 0;
    for (; k < labelCount; k++) {
      const ptr = comp.get(k === 0 ? rooted : rooted.slice(labelStrOff[k]));
      if (ptr !== undefined) {
        hit = ptr;
        break;
      }
    }
    const base = this.n;
    for (let j = 0; j < k; j++) {
      const at = base + labelWireOff[j]!;
      if (at < 0x4000) comp.set(j === 0 ? rooted : rooted.slice(labelStrOff[j]), at);
    }
    if (hit < 0) {
      this.bytes(nameWire, 0, wl);
      return;
    }
    this.bytes(nameWire, 0, labelWireOff[k]!);
    this.ensure(2);
    this.dv.setUint16(this.n, 0xc000 | hit);
    this.n += 2;
  }
}

/** ASCII case-insensitive comparison of two presentation names; a missing trailing dot is ignored. */
export function namesEqual(a: string, b: string): boolean {
  a = rootName(a);
  b = rootName(b);
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0x41 && x <= 0x5a) x += 0x20;
    if (y >= 0x41 && y <= 0x5a) y += 0x20;
    if (x !== y) return false;
  }
  return true;
}

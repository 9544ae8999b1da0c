// The DNS message codec (RFC 1035, 3596 AAAA, 2782 SRV, 6891 EDNS0). Decoding is strict: any
// malformed input ends in a DNSMessageError with a reason code, never another error or a hang.
// Names are presentation strings with a trailing dot; A/AAAA data stay raw bytes so the
// resolver can build IP values without a text round trip.

import { DNSMessageError, Reader, Writer, namesEqual, rootName, scratchWireName } from './wire.js';

export { DNSMessageError, namesEqual, rootName };
export type { DNSMessageErrorReason } from './wire.js';

/** Record types this codec knows by name; others decode as `raw`. */
export const Type = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, OPT: 41, ANY: 255,
} as const;

/** Record classes. */
export const Class = { IN: 1, CH: 3, HS: 4, ANY: 255 } as const;

/** Response codes (the low four bits in the header; OPT extends them to 12 bits). */
export const RCode = {
  Success: 0, FormatError: 1, ServerFailure: 2, NameError: 3, NotImplemented: 4, Refused: 5,
} as const;

/** The 12-byte header, flags unpacked. */
export interface Header {
  id: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  /** The reserved bit, kept so a decode/encode round trip is exact. */
  z: boolean;
  ad: boolean;
  cd: boolean;
  rcode: number;
}

export interface Question {
  name: string;
  type: number;
  class: number;
}

/** One EDNS0 option (RFC 6891 §6.1.2). */
export interface EDNSOption {
  code: number;
  data: Uint8Array;
}

export interface AData { kind: 'A'; address: Uint8Array }
export interface AAAAData { kind: 'AAAA'; address: Uint8Array }
export interface CNAMEData { kind: 'CNAME'; cname: string }
export interface NSData { kind: 'NS'; ns: string }
export interface PTRData { kind: 'PTR'; ptr: string }
export interface MXData { kind: 'MX'; pref: number; mx: string }
export interface SRVData { kind: 'SRV'; priority: number; weight: number; port: number; target: string }
/** Character-strings decoded as UTF-8 (invalid sequences become U+FFFD). */
export interface TXTData { kind: 'TXT'; txt: string[] }
export interface SOAData {
  kind: 'SOA'; ns: string; mbox: string; serial: number; refresh: number; retry: number; expire: number; minTTL: number;
}
/**
 * EDNS0 pseudo-record. On the wire its CLASS is `udpSize` and its TTL packs `extRcode`,
 * `version`, the DO bit and the remaining `z` bits; encoding takes them from here.
 */
export interface OPTData {
  kind: 'OPT'; udpSize: number; extRcode: number; version: number; dnssecOK: boolean; z: number; options: EDNSOption[];
}
/** Any other type: RDATA bytes as received. */
export interface RawData { kind: 'raw'; bytes: Uint8Array }

export type RData = AData | AAAAData | CNAMEData | NSData | PTRData | MXData | SRVData | TXTData | SOAData | OPTData | RawData;
export type RDataKind = RData['kind'];

export interface Resource<D extends RData = RData> {
  name: string;
  type: number;
  class: number;
  ttl: number;
  data: D;
}

export interface Message {
  header: Header;
  questions: Question[];
  answers: Resource[];
  authorities: Resource[];
  additionals: Resource[];
}

/** Input to encodeMessage: omitted header fields are zero/false, `type` comes from the data kind. */
export interface ResourceInput {
  name: string;
  type?: number;
  class?: number;
  ttl?: number;
  data: RData;
}

export interface MessageInput {
  header?: Partial<Header>;
  questions?: Array<{ name: string; type: number; class?: number }>;
  answers?: ResourceInput[];
  authorities?: ResourceInput[];
  additionals?: ResourceInput[];
}

const KIND_TYPE: Record<Exclude<RDataKind, 'raw'>, number> = {
  A: Type.A, AAAA: Type.AAAA, CNAME: Type.CNAME, NS: Type.NS, PTR: Type.PTR, MX: Type.MX,
  SRV: Type.SRV, TXT: Type.TXT, SOA: Type.SOA, OPT: Type.OPT,
};

const TYPE_NAME = new Map<number, string>(Object.entries(Type).map(([k, v]) => [v, k]));

/** Go-style type mnemonic: `AAAA`, or `TYPE65` for unknown types. */
export function typeString(type: number): string {
  return TYPE_NAME.get(type) ?? `TYPE${type}`;
}

const SECTIONS = ['answer', 'authority', 'additional'] as const;

/**
 * Decodes a whole message. Throws DNSMessageError on truncation, lying counts, bad
 * compression pointers, over-long labels or names, and RDATA that disagrees with RDLENGTH.
 * Bytes after the last counted record are ignored (as Go does). The result never aliases `bytes`.
 */
export function decodeMessage(bytes: Uint8Array): Message {
  if (bytes.length < 12) throw new DNSMessageError('truncatedHeader', `message of ${bytes.length} bytes has no full header`, 0);
  const r = new Reader(bytes);
  const header = decodeHeader(r.u16(0), r.u16(2));
  const len = bytes.length;
  r.off = 12;
  const qd = r.u16(4);
  const questions: Question[] = [];
  for (let i = 0; i < qd; i++) {
    if (r.off >= len) throw countError('question', qd, i, r.off);
    const name = r.name(len);
    if (r.off + 4 > len) throw new DNSMessageError('truncatedQuestion', 'question type/class cut short', r.off);
    questions.push({ name, type: r.u16(r.off), class: r.u16(r.off + 2) });
    r.off += 4;
  }
  const out: Resource[][] = [[], [], []];
  for (let s = 0; s < 3; s++) {
    const count = r.u16(6 + 2 * s);
    const list = out[s]!;
    for (let i = 0; i < count; i++) {
      if (r.off >= len) throw countError(SECTIONS[s]!, count, i, r.off);
      list.push(decodeResource(r));
    }
  }
  return { header, questions, answers: out[0]!, authorities: out[1]!, additionals: out[2]! };
}

function countError(section: string, claimed: number, found: number, off: number): DNSMessageError {
  return new DNSMessageError('countMismatch', `header claims ${claimed} ${section} records, message holds ${found}`, off);
}

function decodeHeader(id: number, f: number): Header {
  return {
    id,
    qr: (f & 0x8000) !== 0,
    opcode: (f >> 11) & 0xf,
    aa: (f & 0x0400) !== 0,
    tc: (f & 0x0200) !== 0,
    rd: (f & 0x0100) !== 0,
    ra: (f & 0x0080) !== 0,
    z: (f & 0x0040) !== 0,
    ad: (f & 0x0020) !== 0,
    cd: (f & 0x0010) !== 0,
    rcode: f & 0xf,
  };
}

function rdataError(type: number, detail: string, off: number): DNSMessageError {
  return new DNSMessageError('rdataLength', `${typeString(type)} record: ${detail}`, off);
}

function decodeResource(r: Reader): Resource {
  const len = r.b.length;
  const name = r.name(len);
  const h = r.off;
  if (h + 10 > len) throw new DNSMessageError('truncatedRecord', 'record header cut short', h);
  const type = r.u16(h);
  const cls = r.u16(h + 2);
  const ttl = r.u32(h + 4);
  const rdlen = r.u16(h + 8);
  const start = h + 10;
  const end = start + rdlen;
  if (end > len) throw new DNSMessageError('truncatedRecord', `${typeString(type)} RDATA of ${rdlen} bytes runs past the end`, start);
  r.off = start;
  const data = decodeRData(r, type, cls, ttl, end);
  if (r.off !== end) throw rdataError(type, `RDLENGTH ${rdlen} but content is ${r.off - start} bytes`, start);
  return { name, type, class: cls, ttl, data };
}

function need(r: Reader, n: number, end: number, type: number): void {
  if (r.off + n > end) throw rdataError(type, `needs ${n} more bytes than RDLENGTH allows`, r.off);
}

function decodeRData(r: Reader, type: number, cls: number, ttl: number, end: number): RData {
  const b = r.b;
  switch (type) {
    case Type.A:
    case Type.AAAA: {
      const want = type === Type.A ? 4 : 16;
      if (end - r.off !== want) throw rdataError(type, `RDLENGTH ${end - r.off}, want ${want}`, r.off);
      const address = b.slice(r.off, end);
      r.off = end;
      return type === Type.A ? { kind: 'A', address } : { kind: 'AAAA', address };
    }
    case Type.CNAME:
      return { kind: 'CNAME', cname: r.name(end, 'rdataLength') };
    case Type.NS:
      return { kind: 'NS', ns: r.name(end, 'rdataLength') };
    case Type.PTR:
      return { kind: 'PTR', ptr: r.name(end, 'rdataLength') };
    case Type.MX: {
      need(r, 2, end, type);
      const pref = r.u16(r.off);
      r.off += 2;
      return { kind: 'MX', pref, mx: r.name(end, 'rdataLength') };
    }
    case Type.SRV: {
      need(r, 6, end, type);
      const o = r.off;
      r.off += 6;
      return { kind: 'SRV', priority: r.u16(o), weight: r.u16(o + 2), port: r.u16(o + 4), target: r.name(end, 'rdataLength') };
    }
    case Type.TXT: {
      const txt: string[] = [];
      while (r.off < end) {
        const l = b[r.off]!;
        const s = r.off + 1;
        if (s + l > end) throw rdataError(type, `character-string of ${l} bytes overruns RDATA`, r.off);
        txt.push(r.buf.toString('utf8', s, s + l));
        r.off = s + l;
      }
      return { kind: 'TXT', txt };
    }
    case Type.SOA: {
      const ns = r.name(end, 'rdataLength');
      const mbox = r.name(end, 'rdataLength');
      need(r, 20, end, type);
      const o = r.off;
      r.off += 20;
      return {
        kind: 'SOA', ns, mbox, serial: r.u32(o), refresh: r.u32(o + 4), retry: r.u32(o + 8), expire: r.u32(o + 12), minTTL: r.u32(o + 16),
      };
    }
    case Type.OPT: {
      const options: EDNSOption[] = [];
      while (r.off < end) {
        need(r, 4, end, type);
        const code = r.u16(r.off);
        const l = r.u16(r.off + 2);
        const s = r.off + 4;
        if (s + l > end) throw rdataError(type, `option ${code} of ${l} bytes overruns RDATA`, r.off);
        options.push({ code, data: b.slice(s, s + l) });
        r.off = s + l;
      }
      return {
        kind: 'OPT', udpSize: cls, extRcode: ttl >>> 24, version: (ttl >>> 16) & 0xff,
        dnssecOK: (ttl & 0x8000) !== 0, z: ttl & 0x7fff, options,
      };
    }
    default: {
      const bytes = b.slice(r.off, end);
      r.off = end;
      return { kind: 'raw', bytes };
    }
  }
}

/** Options for encodeMessage. */
export interface EncodeOptions {
  /** Compress names (default true). */
  compress?: boolean;
}

/**
 * Encodes a message, compressing owner names and the names inside CNAME/NS/PTR/MX/SOA data
 * (never SRV targets, per RFC 2782). Throws DNSMessageError for unencodable input.
 */
export function encodeMessage(msg: MessageInput, opts: EncodeOptions = {}): Uint8Array {
  const w = new Writer(512, opts.compress ?? true);
  const h = msg.header ?? {};
  const questions = msg.questions ?? [];
  const sections = [msg.answers ?? [], msg.authorities ?? [], msg.additionals ?? []];
  w.u16(h.id ?? 0, 'id');
  w.u16(headerFlags(h), 'flags');
  w.u16(questions.length, 'question count');
  for (const s of sections) w.u16(s.length, 'record count');
  for (const q of questions) {
    w.name(q.name, true);
    w.u16(q.type, 'question type');
    w.u16(q.class ?? Class.IN, 'question class');
  }
  for (const s of sections) for (const rr of s) encodeResource(w, rr);
  if (w.n > 0xffff) throw new DNSMessageError('messageTooLong', `message of ${w.n} bytes exceeds 65535`);
  return w.b.slice(0, w.n);
}

function headerFlags(h: Partial<Header>): number {
  const opcode = h.opcode ?? 0;
  const rcode = h.rcode ?? 0;
  if (!Number.isInteger(opcode) || opcode < 0 || opcode > 15) throw new DNSMessageError('badValue', `opcode ${opcode} out of range`);
  if (!Number.isInteger(rcode) || rcode < 0 || rcode > 15) {
    throw new DNSMessageError('badValue', `header rcode ${rcode} out of range (extended rcodes go in OPT)`);
  }
  return (h.qr ? 0x8000 : 0) | (opcode << 11) | (h.aa ? 0x0400 : 0) | (h.tc ? 0x0200 : 0) | (h.rd ? 0x0100 : 0)
    | (h.ra ? 0x0080 : 0) | (h.z ? 0x0040 : 0) | (h.ad ? 0x0020 : 0) | (h.cd ? 0x0010 : 0) | rcode;
}

function encodeResource(w: Writer, rr: ResourceInput): void {
  const d = rr.data;
  let type: number;
  if (d.kind === 'raw') {
    if (rr.type === undefined) throw new DNSMessageError('typeMismatch', `raw record ${rr.name} needs an explicit type`);
    type = rr.type;
  } else {
    type = KIND_TYPE[d.kind];
    if (rr.type !== undefined && rr.type !== type) {
      throw new DNSMessageError('typeMismatch', `record ${rr.name} has type ${rr.type} but ${d.kind} data`);
    }
  }
  w.name(rr.name, true);
  w.u16(type, 'type');
  if (d.kind === 'OPT') {
    w.u16(d.udpSize, 'OPT udp size');
    if (d.extRcode > 0xff || d.version > 0xff || d.z > 0x7fff || d.extRcode < 0 || d.version < 0 || d.z < 0) {
      throw new DNSMessageError('badValue', 'OPT extended rcode, version or z out of range');
    }
    w.u32(((d.extRcode << 24) | (d.version << 16) | (d.dnssecOK ? 0x8000 : 0) | d.z) >>> 0, 'OPT ttl');
  } else {
    w.u16(rr.class ?? Class.IN, 'class');
    w.u32(rr.ttl ?? 0, 'ttl');
  }
  w.ensure(2);
  const lenAt = w.n;
  w.n += 2;
  encodeRData(w, d);
  const rdlen = w.n - lenAt - 2;
  if (rdlen > 0xffff) throw new DNSMessageError('badValue', `RDATA of ${rdlen} bytes exceeds 65535`);
  w.dv.setUint16(lenAt, rdlen);
}

function encodeRData(w: Writer, d: RData): void {
  switch (d.kind) {
    case 'A':
    case 'AAAA': {
      const want = d.kind === 'A' ? 4 : 16;
      if (!(d.address instanceof Uint8Array) || d.address.length !== want) {
        throw new DNSMessageError('badValue', `${d.kind} address must be ${want} bytes`);
      }
      w.bytes(d.address);
      return;
    }
    case 'CNAME':
      return w.name(d.cname, true);
    case 'NS':
      return w.name(d.ns, true);
    case 'PTR':
      return w.name(d.ptr, true);
    case 'MX':
      w.u16(d.pref, 'MX preference');
      return w.name(d.mx, true);
    case 'SRV':
      w.u16(d.priority, 'SRV priority');
      w.u16(d.weight, 'SRV weight');
      w.u16(d.port, 'SRV port');
      return w.name(d.target, false);
    case 'TXT':
      for (const s of d.txt) {
        const enc = Buffer.from(s, 'utf8');
        if (enc.length > 255) throw new DNSMessageError('badValue', `TXT character-string of ${enc.length} bytes exceeds 255`);
        w.u8(enc.length);
        w.bytes(enc);
      }
      return;
    case 'SOA':
      w.name(d.ns, true);
      w.name(d.mbox, true);
      w.u32(d.serial, 'SOA serial');
      w.u32(d.refresh, 'SOA refresh');
      w.u32(d.retry, 'SOA retry');
      w.u32(d.expire, 'SOA expire');
      w.u32(d.minTTL, 'SOA minimum');
      return;
    case 'OPT':
      for (const o of d.options) {
        w.u16(o.code, 'EDNS option code');
        w.u16(o.data.length, 'EDNS option length');
        w.bytes(o.data);
      }
      return;
    case 'raw':
      w.bytes(d.bytes);
      return;
  }
}

/** What a stub resolver asks: one question, optional EDNS0 OPT. */
export interface QueryOptions {
  id: number;
  name: string;
  type: number;
  class?: number;
  /** Recursion desired (default true). */
  rd?: boolean;
  /** Ask for the AD bit (resolv.conf `trust-ad`). */
  ad?: boolean;
  cd?: boolean;
  /** EDNS0 OPT record to add; null or omitted for none. */
  edns?: { udpSize: number; dnssecOK?: boolean } | null;
  /** Prefix the 2-byte length that DNS over TCP needs. */
  tcp?: boolean;
}

/**
 * Builds a query message directly (no Message object, no compression: there is one name).
 * Throws DNSMessageError for a bad name or field.
 */
export function buildQuery(q: QueryOptions): Uint8Array {
  // Written straight into a pooled Buffer: a lookup builds one query, and a Writer's growable
  // array and DataView cost more than the rest of the encoding.
  const u16 = (v: number, what: string): number => {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new DNSMessageError('badValue', `${what} ${v} is not a 16-bit value`);
    return v;
  };
  const id = u16(q.id, 'id');
  const type = u16(q.type, 'question type');
  const cls = u16(q.class ?? Class.IN, 'question class');
  const udpSize = q.edns ? u16(q.edns.udpSize, 'EDNS udp size') : 0;
  const name = scratchWireName(q.name);
  const pre = q.tcp ? 2 : 0;
  const len = 12 + name.length + 4 + (q.edns ? 11 : 0);
  const b = Buffer.allocUnsafe(pre + len);
  let o = 0;
  if (pre) o = b.writeUInt16BE(len, 0);
  o = b.writeUInt16BE(id, o);
  o = b.writeUInt16BE((q.rd ?? true ? 0x0100 : 0) | (q.ad ? 0x0020 : 0) | (q.cd ? 0x0010 : 0), o);
  o = b.writeUInt16BE(1, o);
  o = b.writeUInt32BE(0, o);
  o = b.writeUInt16BE(q.edns ? 1 : 0, o);
  b.set(name, o);
  o += name.length;
  o = b.writeUInt16BE(type, o);
  o = b.writeUInt16BE(cls, o);
  if (q.edns) {
    b[o++] = 0;
    o = b.writeUInt16BE(Type.OPT, o);
    o = b.writeUInt16BE(udpSize, o);
    o = b.writeUInt32BE(q.edns.dnssecOK ? 0x8000 : 0, o);
    b.writeUInt16BE(0, o);
  }
  return b;
}

/** The OPT record of a message's additional section, or null. */
export function getOPT(msg: Message): Resource<OPTData> | null {
  for (const rr of msg.additionals) if (rr.data.kind === 'OPT') return rr as Resource<OPTData>;
  return null;
}

/** The full response code: the header's four bits extended by OPT's upper eight (RFC 6891). */
export function extendedRCode(msg: Message): number {
  const opt = getOPT(msg);
  return ((opt ? opt.data.extRcode : 0) << 4) | msg.header.rcode;
}

type DataOf<K extends RDataKind> = Extract<RData, { kind: K }>;

/**
 * The records of a section (answers by default) whose data is of `kind`, optionally only those
 * owned by `name` (case-insensitive).
 */
export function recordsOf<K extends RDataKind>(
  records: readonly Resource[], kind: K, name?: string,
): Array<Resource<DataOf<K>>> {
  const out: Array<Resource<DataOf<K>>> = [];
  for (const rr of records) {
    if (rr.data.kind !== kind) continue;
    if (name !== undefined && !namesEqual(rr.name, name)) continue;
    out.push(rr as Resource<DataOf<K>>);
  }
  return out;
}

/**
 * Follows the CNAME chain in `answers` from `name`; returns the final target (rooted) and the
 * names passed through. Bounded by the number of answers, so a CNAME loop ends.
 */
export function followCNAMEs(answers: readonly Resource[], name: string): { name: string; chain: string[] } {
  let cur = rootName(name);
  const chain: string[] = [];
  for (let hops = 0; hops < answers.length; hops++) {
    const rr = answers.find((a) => a.data.kind === 'CNAME' && namesEqual(a.name, cur));
    if (!rr) break;
    chain.push(cur);
    cur = (rr.data as CNAMEData).cname;
  }
  return { name: cur, chain };
}

/**
 * How long a negative answer (NXDOMAIN/NODATA) may be cached per RFC 2308 §5: the lesser of
 * the authority SOA's TTL and its MINIMUM field; null when there is no SOA.
 */
export function negativeTTL(msg: Message): number | null {
  for (const rr of msg.authorities) {
    if (rr.data.kind === 'SOA') return Math.min(rr.ttl, rr.data.minTTL);
  }
  return null;
}

/**
 * Whether `reply` answers the query `q`: QR set, same ID, and exactly the same question
 * (type, class, name compared case-insensitively), as Go's client checks before trusting a
 * UDP packet.
 */
export function isResponseTo(reply: Message, q: { id: number; name: string; type: number; class?: number }): boolean {
  if (!reply.header.qr || reply.header.id !== q.id || reply.questions.length !== 1) return false;
  const rq = reply.questions[0]!;
  return rq.type === q.type && rq.class === (q.class ?? Class.IN) && namesEqual(rq.name, q.name);
}

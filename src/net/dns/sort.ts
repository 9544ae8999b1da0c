// RFC 6724 destination address selection, the rules Go's addrselect.go applies (1, 2, 5, 6,
// 8, 9, 10; 3, 4 and 7 need kernel state Go does not have either). The source address each
// destination would use is learned by "connecting" a UDP socket (no packet is sent); those
// answers are cached briefly so a hot lookup path does not open sockets every time.

import { createSocket } from 'node:dgram';
import { IPAddr } from '../addr.js';
import { IP, parseIPZone } from '../ip.js';
import type { MX, SRV } from './resolver.js';

/** Precedence and label of a policy-table row (RFC 6724 §2.1). */
interface Policy {
  prefix: Uint8Array;
  bits: number;
  precedence: number;
  label: number;
}

function row(text: string, bits: number, precedence: number, label: number): Policy {
  const p = parseIPZone(text);
  if (p === null) throw new Error(`bad policy prefix ${text}`);
  return { prefix: p.ip.bytes, bits, precedence, label };
}

// RFC 6724 §2.1's default table, most specific prefix first so the first match wins.
const POLICY: readonly Policy[] = [
  row('::1', 128, 50, 0),
  row('::ffff:0:0', 96, 35, 4),
  row('::', 96, 1, 3),
  row('2001::', 32, 5, 5),
  row('2002::', 16, 30, 2),
  row('3ffe::', 16, 1, 12),
  row('fec0::', 10, 1, 11),
  row('fc00::', 7, 3, 13),
  row('::', 0, 40, 1),
];

function prefixMatch(a: Uint8Array, p: Uint8Array, bits: number): boolean {
  let i = 0;
  for (; bits >= 8; bits -= 8, i++) if (a[i] !== p[i]) return false;
  if (bits === 0) return true;
  const m = (0xff << (8 - bits)) & 0xff;
  return (a[i]! & m) === (p[i]! & m);
}

function policyOf(ip16: Uint8Array): Policy {
  for (const p of POLICY) if (prefixMatch(ip16, p.prefix, p.bits)) return p;
  return POLICY[POLICY.length - 1]!;
}

/** Address scopes (RFC 6724 §3.1 / RFC 4291 multicast scope values). */
export const Scope = { interfaceLocal: 0x1, linkLocal: 0x2, adminLocal: 0x4, siteLocal: 0x5, orgLocal: 0x8, global: 0xe } as const;

/** The scope of an address, as Go classifies it: loopback counts as link-local. */
export function classifyScope(ip: IP): number {
  if (ip.isLoopback() || ip.isLinkLocalUnicast()) return Scope.linkLocal;
  const b = ip.to16()?.bytes;
  if (!b || ip.is4()) return Scope.global;
  if (b[0] === 0xff) return b[1]! & 0xf;
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0xc0) return Scope.siteLocal;
  return Scope.global;
}

interface Attr {
  scope: number;
  precedence: number;
  label: number;
}

function attrOf(ip: IP): Attr {
  const b16 = ip.to16();
  if (b16 === null) return { scope: Scope.global, precedence: 0, label: 0 };
  const p = policyOf(b16.bytes);
  return { scope: classifyScope(ip), precedence: p.precedence, label: p.label };
}

/**
 * Bits in common between source and destination, counted only when both are IPv6 (and then
 * only over the first 64 bits, the prefix), as Go does.
 */
function commonPrefixLen(src: IP, dst: IP): number {
  if (src.is4() || dst.is4()) return 0;
  const a = src.to16()!.bytes;
  const b = dst.to16()!.bytes;
  let n = 0;
  for (let i = 0; i < 8; i++) {
    const x = a[i]! ^ b[i]!;
    if (x === 0) {
      n += 8;
      continue;
    }
    return n + Math.clz32(x) - 24;
  }
  return n;
}

/**
 * Sorts `addrs` in place (stably) by RFC 6724 given the source address each would use
 * (`srcs[i]`, null when the destination is unreachable). Returns `addrs`.
 */
export function sortByRFC6724With(addrs: IPAddr[], srcs: Array<IP | null>): IPAddr[] {
  if (addrs.length !== srcs.length) throw new RangeError('sortByRFC6724With: addrs and srcs differ in length');
  if (addrs.length < 2) return addrs;
  const items = addrs.map((a, i) => {
    const src = srcs[i] ?? null;
    return { a, src, attr: attrOf(a.ip), srcAttr: src ? attrOf(src) : null, i };
  });
  items.sort((x, y) => {
    const c = compareRFC6724(x, y);
    return c !== 0 ? c : x.i - y.i;
  });
  for (let i = 0; i < items.length; i++) addrs[i] = items[i]!.a;
  return addrs;
}

interface Item {
  a: IPAddr;
  src: IP | null;
  attr: Attr;
  srcAttr: Attr | null;
}

// Negative when x goes first.
function compareRFC6724(x: Item, y: Item): number {
  // Rule 1: avoid unusable destinations.
  if (x.src === null || y.src === null) return x.src === y.src ? 0 : x.src === null ? 1 : -1;
  const sx = x.srcAttr!;
  const sy = y.srcAttr!;
  // Rule 2: prefer matching scope.
  const ms1 = x.attr.scope === sx.scope;
  const ms2 = y.attr.scope === sy.scope;
  if (ms1 !== ms2) return ms1 ? -1 : 1;
  // Rule 5: prefer matching label.
  const ml1 = x.attr.label === sx.label;
  const ml2 = y.attr.label === sy.label;
  if (ml1 !== ml2) return ml1 ? -1 : 1;
  // Rule 6: prefer higher precedence.
  if (x.attr.precedence !== y.attr.precedence) return y.attr.precedence - x.attr.precedence;
  // Rule 8: prefer smaller scope.
  if (x.attr.scope !== y.attr.scope) return x.attr.scope - y.attr.scope;
  // Rule 9: longest matching prefix (IPv6 pairs only).
  if (!x.a.ip.is4() && !y.a.ip.is4()) {
    const cx = commonPrefixLen(x.src, x.a.ip);
    const cy = commonPrefixLen(y.src, y.a.ip);
    if (cx !== cy) return cy - cx;
  }
  // Rule 10: leave the order unchanged.
  return 0;
}

/** Finds the source address the kernel would use for a destination; null if unreachable. */
export type SourceFinder = (dst: IPAddr) => Promise<IP | null>;

const SOURCE_CACHE_MS = 5000;
const SOURCE_CACHE_MAX = 1024;
const sourceCache = new Map<string, { src: IP | null; until: number }>();

/**
 * The kernel's source address for `dst`: a UDP socket is connected to it (port 9, no packet is
 * sent) and its local address read. Cached for 5 s, at most 1024 entries.
 */
export const kernelSource: SourceFinder = async (dst) => {
  const key = dst.toString();
  const now = Date.now();
  const hit = sourceCache.get(key);
  if (hit && hit.until > now) return hit.src;
  const src = await connectProbe(dst);
  if (sourceCache.size >= SOURCE_CACHE_MAX) sourceCache.delete(sourceCache.keys().next().value as string);
  sourceCache.set(key, { src, until: now + SOURCE_CACHE_MS });
  return src;
};

function connectProbe(dst: IPAddr): Promise<IP | null> {
  return new Promise((resolve) => {
    const v4 = dst.ip.is4();
    let sock;
    try {
      sock = createSocket(v4 ? 'udp4' : 'udp6');
    } catch {
      resolve(null);
      return;
    }
    const s = sock;
    const finish = (ip: IP | null): void => {
      try {
        s.close();
      } catch {
        // already closed
      }
      resolve(ip);
    };
    s.on('error', () => finish(null));
    const host = dst.zone ? `${dst.ip.toString()}%${dst.zone}` : dst.ip.toString();
    try {
      s.connect(9, host, () => {
        try {
          const p = parseIPZone(s.address().address);
          finish(p ? p.ip : null);
        } catch {
          finish(null);
        }
      });
    } catch {
      finish(null);
    }
  });
}

/** Sorts `addrs` in place by RFC 6724, learning sources with `finder` (default: the kernel). */
export async function sortByRFC6724(addrs: IPAddr[], finder: SourceFinder = kernelSource): Promise<IPAddr[]> {
  if (addrs.length < 2) return addrs;
  const srcs = await Promise.all(addrs.map((a) => finder(a)));
  return sortByRFC6724With(addrs, srcs);
}

// ---- MX and SRV order ----

function shuffle<T>(a: T[]): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
}

/** RFC 2782 ordering: by priority, and a weighted random order inside each priority. */
export function sortSRV(srvs: SRV[]): SRV[] {
  srvs.sort((a, b) => a.priority - b.priority || a.weight - b.weight);
  const out: SRV[] = [];
  for (let i = 0; i < srvs.length;) {
    let j = i;
    while (j < srvs.length && srvs[j]!.priority === srvs[i]!.priority) j++;
    const group = srvs.slice(i, j);
    let sum = group.reduce((s, r) => s + r.weight, 0);
    while (group.length > 1 && sum > 0) {
      const pick = Math.floor(Math.random() * sum);
      let acc = 0;
      let k = 0;
      for (; k < group.length; k++) {
        acc += group[k]!.weight;
        if (acc > pick) break;
      }
      const [chosen] = group.splice(k, 1);
      out.push(chosen!);
      sum -= chosen!.weight;
    }
    out.push(...group);
    i = j;
  }
  srvs.splice(0, srvs.length, ...out);
  return srvs;
}

/** Go's MX order: random inside equal preference, then by preference. */
export function sortMX(mxs: MX[]): MX[] {
  shuffle(mxs);
  return mxs.sort((a, b) => a.pref - b.pref);
}

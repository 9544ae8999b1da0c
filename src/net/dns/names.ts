// Name rules of Go's pure resolver: which names may be sent (isDomainName), the candidate
// list built from ndots and the search domains, the names DNS must never see (.onion) or
// never needs (localhost), reverse-lookup names, and nameserver address strings.

import { AddrError } from '../errors.js';
import { parseIPZone } from '../ip.js';
import { joinHostPort, splitHostPort } from '../hostport.js';

/**
 * Go's isDomainName: LDH labels plus `_`, each 1–63 bytes, not starting or ending with `-`,
 * at most 253 bytes (254 with the final dot), not all-numeric. `.` alone is valid.
 */
export function isDomainName(s: string): boolean {
  if (s === '.') return true;
  const l = s.length;
  if (l === 0 || l > 254 || (l === 254 && s.charCodeAt(l - 1) !== 0x2e)) return false;
  let last = 0x2e;
  let nonNumeric = false;
  let partlen = 0;
  for (let i = 0; i < l; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f) {
      nonNumeric = true;
      partlen++;
    } else if (c >= 0x30 && c <= 0x39) {
      partlen++;
    } else if (c === 0x2d) {
      if (last === 0x2e) return false;
      partlen++;
      nonNumeric = true;
    } else if (c === 0x2e) {
      if (last === 0x2e || last === 0x2d) return false;
      if (partlen > 63 || partlen === 0) return false;
      partlen = 0;
    } else {
      return false;
    }
    last = c;
  }
  if (last === 0x2d || partlen > 63) return false;
  return nonNumeric;
}

function hasSuffixFold(s: string, suffix: string): boolean {
  return s.length >= suffix.length && s.slice(s.length - suffix.length).toLowerCase() === suffix;
}

/** RFC 7686: `.onion` names must never reach DNS. */
function avoidDNS(name: string): boolean {
  return hasSuffixFold(name.endsWith('.') ? name.slice(0, -1) : name, '.onion') || /^onion\.?$/i.test(name);
}

/** RFC 6761 §6.3: `localhost` and `*.localhost` are always loopback. */
export function isLocalhost(name: string): boolean {
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  return n.toLowerCase() === 'localhost' || hasSuffixFold(n, '.localhost');
}

/** Go's candidate list for `name`: rooted → itself; else by ndots, with each search suffix. */
export function nameList(name: string, ndots: number, search: readonly string[]): string[] {
  const l = name.length;
  const rooted = l > 0 && name.charCodeAt(l - 1) === 0x2e;
  if (l > 254 || (l === 254 && !rooted)) return [];
  if (rooted) return avoidDNS(name) ? [] : [name];
  let dots = 0;
  for (let i = 0; i < l; i++) if (name.charCodeAt(i) === 0x2e) dots++;
  const hasNdots = dots >= ndots;
  const fq = name + '.';
  const out: string[] = [];
  if (hasNdots && !avoidDNS(fq)) out.push(fq);
  for (const suffix of search) {
    const c = fq + suffix;
    if (!avoidDNS(c) && c.length <= 254) out.push(c);
  }
  if (!hasNdots && !avoidDNS(fq)) out.push(fq);
  return out;
}

/** The reverse-lookup name for an address: `d.c.b.a.in-addr.arpa.` or nibbles `.ip6.arpa.`. */
export function reverseAddr(addr: string): string | null {
  const p = parseIPZone(addr);
  if (p === null) return null;
  const v4 = p.ip.to4();
  if (v4) {
    const b = v4.bytes;
    return `${b[3]}.${b[2]}.${b[1]}.${b[0]}.in-addr.arpa.`;
  }
  const b = p.ip.bytes;
  let s = '';
  for (let i = 15; i >= 0; i--) {
    const v = b[i]!;
    s += (v & 0xf).toString(16) + '.' + (v >> 4).toString(16) + '.';
  }
  return s + 'ip6.arpa.';
}

/** `ip`, `ip:port` or `[ip6]:port` → `host:port` (53 by default); AddrError otherwise. */
export function parseServer(s: string): string {
  const lit = parseIPZone(s);
  if (lit) return joinHostPort(s, '53');
  let host: string;
  let port: string;
  try {
    [host, port] = splitHostPort(s);
  } catch {
    throw new AddrError('invalid nameserver address', s);
  }
  const p = Number(port);
  if (parseIPZone(host) === null || !/^[0-9]+$/.test(port) || p < 1 || p > 65535) {
    throw new AddrError('invalid nameserver address', s);
  }
  return joinHostPort(host, port);
}

const loopbackSeen = new Map<string, boolean>();

/** Whether a `host:port` server is on 127.0.0.0/8 or ::1 (remembered: asked once per query). */
export function isLoopbackServer(server: string): boolean {
  let v = loopbackSeen.get(server);
  if (v === undefined) {
    v = loopbackServer(server);
    if (loopbackSeen.size >= 256) loopbackSeen.clear();
    loopbackSeen.set(server, v);
  }
  return v;
}

function loopbackServer(server: string): boolean {
  try {
    const [host] = splitHostPort(server);
    return parseIPZone(host)?.ip.isLoopback() ?? false;
  } catch {
    return false;
  }
}

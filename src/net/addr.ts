// Endpoint address values (Go's TCPAddr, UDPAddr, IPAddr, UnixAddr) and network-name parsing.

import { AddrError, UnknownNetworkError, type Addr } from './errors.js';
import { IP } from './ip.js';
import { joinHostPort } from './hostport.js';
import { readFileSync } from 'node:fs';

function hostText(ip: IP | null, zone: string): string {
  if (ip === null || ip.length === 0) return '';
  return zone ? `${ip.toString()}%${zone}` : ip.toString();
}

/** A TCP endpoint. `ip === null` means "any address" and prints as `:port`. */
export class TCPAddr implements Addr {
  readonly network = 'tcp';
  constructor(readonly ip: IP | null, readonly port: number, readonly zone = '') {}
  toString(): string {
    return joinHostPort(hostText(this.ip, this.zone), String(this.port));
  }
}

/** A UDP endpoint. `ip === null` means "any address". */
export class UDPAddr implements Addr {
  readonly network = 'udp';
  constructor(readonly ip: IP | null, readonly port: number, readonly zone = '') {}
  toString(): string {
    return joinHostPort(hostText(this.ip, this.zone), String(this.port));
  }
}

/** An IP endpoint without a port (raw IP networks, lookup results). */
export class IPAddr implements Addr {
  readonly network = 'ip';
  constructor(readonly ip: IP, readonly zone = '') {}
  toString(): string {
    return hostText(this.ip, this.zone);
  }
}

/** The unix socket kinds Go names. */
export type UnixNetwork = 'unix' | 'unixgram' | 'unixpacket';

/** A unix socket path; a leading `@` names Linux's abstract namespace. */
export class UnixAddr implements Addr {
  constructor(readonly name: string, readonly network: UnixNetwork = 'unix') {}
  toString(): string {
    return this.name;
  }
}

/** Any address a Dialer or Listener deals in. */
export type NetAddr = TCPAddr | UDPAddr | IPAddr | UnixAddr;

/** The result of parsing a network name: its base name and, for raw IP, the protocol number. */
export interface ParsedNetwork {
  /** `tcp`, `tcp4`, `udp6`, `ip4`, `unix`... without the `:proto` suffix. */
  afnet: string;
  proto: number;
}

const PLAIN_NETWORKS = new Set(['tcp', 'tcp4', 'tcp6', 'udp', 'udp4', 'udp6', 'unix', 'unixgram', 'unixpacket']);

/**
 * Splits and validates a network name. Raw IP networks (`ip`, `ip4`, `ip6`) take a protocol
 * suffix (`ip4:icmp`, `ip6:58`); `needsProto` makes a bare one an error, as for dial.
 */
export function parseNetwork(network: string, needsProto: boolean): ParsedNetwork {
  const i = network.lastIndexOf(':');
  if (i < 0) {
    if (PLAIN_NETWORKS.has(network)) return { afnet: network, proto: 0 };
    if ((network === 'ip' || network === 'ip4' || network === 'ip6') && !needsProto) return { afnet: network, proto: 0 };
    throw new UnknownNetworkError(network);
  }
  const afnet = network.slice(0, i);
  if (afnet !== 'ip' && afnet !== 'ip4' && afnet !== 'ip6') throw new UnknownNetworkError(network);
  const proto = protocolNumber(network.slice(i + 1));
  if (proto < 0) throw new UnknownNetworkError(network);
  return { afnet, proto };
}

const BUILTIN_PROTOCOLS: Record<string, number> = { icmp: 1, igmp: 2, tcp: 6, udp: 17, 'ipv6-icmp': 58 };
let protocols: Map<string, number> | undefined;

function loadProtocols(): Map<string, number> {
  const m = new Map(Object.entries(BUILTIN_PROTOCOLS));
  let text = '';
  try {
    text = readFileSync('/etc/protocols', 'latin1');
  } catch {
    return m;
  }
  for (const raw of text.split('\n')) {
    const line = raw.split('#', 1)[0] ?? '';
    const f = line.trim().split(/\s+/);
    if (f.length < 2) continue;
    const n = Number(f[1]);
    if (!Number.isInteger(n)) continue;
    for (const name of [f[0], ...f.slice(2)]) if (name) m.set(name.toLowerCase(), n);
  }
  return m;
}

/** Protocol number for a decimal or a name from /etc/protocols (case-insensitive); -1 if unknown. */
export function protocolNumber(s: string): number {
  if (/^[0-9]+$/.test(s)) {
    const n = Number(s);
    return n <= 255 ? n : -1;
  }
  if (s.length === 0 || s.length > 25) return -1;
  protocols ??= loadProtocols();
  return protocols.get(s.toLowerCase()) ?? -1;
}

/** Reports whether `afnet` is a TCP/UDP/IP network (as opposed to unix). */
export function isInternetNetwork(afnet: string): boolean {
  return afnet.startsWith('tcp') || afnet.startsWith('udp') || afnet.startsWith('ip');
}

/** Builds the address value matching a network for an IP and port. */
export function inetAddr(afnet: string, ip: IP | null, port: number, zone = ''): TCPAddr | UDPAddr | IPAddr {
  if (afnet.startsWith('tcp')) return new TCPAddr(ip, port, zone);
  if (afnet.startsWith('udp')) return new UDPAddr(ip, port, zone);
  return new IPAddr(ip ?? IP.fromBytes(new Uint8Array(16)), zone);
}

/** Validates a unix network name and wraps the path. */
export function resolveUnixAddr(network: string, address: string): UnixAddr {
  if (network !== 'unix' && network !== 'unixgram' && network !== 'unixpacket') {
    throw new UnknownNetworkError(network);
  }
  return new UnixAddr(address, network);
}

/** Throws Go's "unexpected address type" error for a network used with the wrong call. */
export function wrongAddrType(network: string): AddrError {
  return new AddrError('unexpected address type', network);
}

// From an address string to the list of endpoints to try: split host and port, look up the
// port, resolve the host (literals skip DNS), keep the families the network allows.

import { AddrError, UnknownNetworkError, type Addr } from './errors.js';
import { IP, IPv4zero, parseIPZone } from './ip.js';
import { splitHostPort } from './hostport.js';
import { lookupPortSync } from './port.js';
import { IPAddr, TCPAddr, UDPAddr, inetAddr, parseNetwork } from './addr.js';
import { defaultResolver, type HostResolver, type IPNetwork } from './lookup.js';

/** An endpoint that carries an IP: what TCP, UDP and raw IP dials try. */
export type InetAddr = TCPAddr | UDPAddr | IPAddr;

/** The lookup family a network implies: `tcp4` wants only A records, `tcp6` only AAAA. */
export function familyOf(afnet: string): IPNetwork {
  if (afnet.endsWith('4')) return 'ip4';
  if (afnet.endsWith('6')) return 'ip6';
  return 'ip';
}

/** Reports whether an IP is IPv4 (v4-mapped IPv6 counts as IPv4, as in Go). */
export function isIPv4(ip: IP | null): boolean {
  return ip !== null && ip.to4() !== null;
}

/**
 * Resolves `address` for network `afnet` into endpoints in preference order.
 * An empty host means the local system (`ip === null`).
 */
export async function internetAddrList(
  afnet: string, address: string, resolver: HostResolver = defaultResolver(), signal?: AbortSignal,
): Promise<InetAddr[]> {
  let host = '';
  let port = 0;
  if (afnet.startsWith('tcp') || afnet.startsWith('udp')) {
    if (address === '') return [inetAddr(afnet, null, 0)]; // Go: "" means any host, any port
    let service: string;
    [host, service] = splitHostPort(address);
    port = lookupPortSync(afnet, service);
  } else if (afnet.startsWith('ip')) {
    host = address;
  } else {
    throw new UnknownNetworkError(afnet);
  }
  if (host === '') return [inetAddr(afnet, null, port)];
  const lit = parseIPZone(host);
  const ips = lit ? [new IPAddr(lit.ip, lit.zone)] : await resolver.lookupIPAddr(host, { signal, network: familyOf(afnet) });
  // A name for "::" alone also means 0.0.0.0, so IPv4-only callers find an address too.
  if (ips.length === 1 && ips[0]!.ip.isUnspecified() && !isIPv4(ips[0]!.ip)) ips.push(new IPAddr(IPv4zero));
  const want = familyOf(afnet);
  const out: InetAddr[] = [];
  for (const a of ips) {
    const v4 = isIPv4(a.ip);
    if ((want === 'ip4' && !v4) || (want === 'ip6' && v4)) continue;
    out.push(inetAddr(afnet, a.ip, port, a.zone));
  }
  if (out.length === 0) throw new AddrError('no suitable address found', host);
  return out;
}

/**
 * Drops remote endpoints whose family cannot be reached from the dialer's local address
 * (unless either side is a wildcard), as Go's filterAddrList does.
 */
export function filterByLocal(addrs: InetAddr[], local: Addr | null | undefined, host: string): InetAddr[] {
  if (!(local instanceof TCPAddr || local instanceof UDPAddr || local instanceof IPAddr)) return addrs;
  const lip = local.ip;
  if (lip === null || lip.isUnspecified()) return addrs;
  const v4 = isIPv4(lip);
  const out = addrs.filter((a) => a.ip === null || a.ip.isUnspecified() || isIPv4(a.ip) === v4);
  if (out.length === 0) throw new AddrError('no suitable address found', host);
  return out;
}

/**
 * RFC 8305 §4 ordering: alternate families, starting with the family of the first (most
 * preferred) address, keeping the order within each family.
 */
export function interleaveFamilies<T extends InetAddr>(addrs: T[]): T[] {
  if (addrs.length < 2) return addrs;
  const firstV4 = isIPv4(addrs[0]!.ip);
  const primary: T[] = [];
  const fallback: T[] = [];
  for (const a of addrs) (isIPv4(a.ip) === firstV4 ? primary : fallback).push(a);
  if (fallback.length === 0) return addrs;
  const out: T[] = [];
  for (let i = 0; i < Math.max(primary.length, fallback.length); i++) {
    if (i < primary.length) out.push(primary[i]!);
    if (i < fallback.length) out.push(fallback[i]!);
  }
  return out;
}

/** Options for the resolve* functions. */
export interface ResolveOptions {
  signal?: AbortSignal;
  resolver?: HostResolver;
}

// Go's forResolve: the first IPv4 address unless the caller wrote an IPv6 literal.
function pickForResolve<T extends InetAddr>(addrs: T[], network: string, address: string): T {
  const want6 = network === 'ip' ? address.includes(':') : (network === 'tcp' || network === 'udp') && address.includes('[');
  return addrs.find((a) => isIPv4(a.ip) !== want6) ?? addrs[0]!;
}

async function resolveInet(kind: 'tcp' | 'udp' | 'ip', network: string, address: string, opts: ResolveOptions): Promise<InetAddr> {
  const net = network === '' ? kind : network;
  const { afnet } = parseNetwork(net, false);
  if (!afnet.startsWith(kind)) throw new UnknownNetworkError(network);
  const addrs = await internetAddrList(afnet, address, opts.resolver, opts.signal);
  return pickForResolve(addrs, net, address);
}

/** Resolves `host:port` to one TCP endpoint (first IPv4 unless the address is a bracketed IPv6). */
export async function resolveTCPAddr(network: string, address: string, opts: ResolveOptions = {}): Promise<TCPAddr> {
  return (await resolveInet('tcp', network, address, opts)) as TCPAddr;
}

/** Resolves `host:port` to one UDP endpoint. */
export async function resolveUDPAddr(network: string, address: string, opts: ResolveOptions = {}): Promise<UDPAddr> {
  return (await resolveInet('udp', network, address, opts)) as UDPAddr;
}

/** Resolves a host to one IP endpoint (`ip`, `ip4`, `ip6`). */
export async function resolveIPAddr(network: string, address: string, opts: ResolveOptions = {}): Promise<IPAddr> {
  return (await resolveInet('ip', network, address, opts)) as IPAddr;
}

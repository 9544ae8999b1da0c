// The package-level lookups (Go's net.LookupHost and friends) and the default Resolver they,
// and every Dialer given no resolver, use: Go's `auto` mode, loopback-only under tests.

import type { IP } from '../ip.js';
import { defaultResolver } from '../lookup.js';
import { Resolver, type LookupCall, type MX, type NS, type SRV } from './resolver.js';

/** Whether the process runs under a test harness that must never reach a real nameserver. */
export function loopbackOnlyByEnv(env: Record<string, string | undefined> = process.env): boolean {
  return env.GONET_DNS_LOOPBACK_ONLY === '1' || env.NODE_TEST_CONTEXT !== undefined;
}

/** The Resolver the Dialer and the package-level functions use unless told otherwise. */
export function newDefaultResolver(): Resolver {
  return new Resolver({ mode: 'auto', loopbackOnly: loopbackOnlyByEnv() });
}

let fallbackDefault: Resolver | null = null;

/** The default resolver as a full Resolver (a non-Resolver default only serves the Dialer). */
export function packageResolver(): Resolver {
  const d = defaultResolver();
  if (d instanceof Resolver) return d;
  return (fallbackDefault ??= newDefaultResolver());
}

/** Go's net.LookupHost with the default resolver. */
export function lookupHost(host: string, opts?: LookupCall): Promise<string[]> {
  return packageResolver().lookupHost(host, opts);
}

/** Go's net.LookupIP (ip, ip4 or ip6 in `opts.network`; default ip). */
export function lookupIP(host: string, opts: LookupCall & { network?: string } = {}): Promise<IP[]> {
  return packageResolver().lookupIP(opts.network ?? 'ip', host, opts);
}

/** Go's net.LookupCNAME. */
export function lookupCNAME(host: string, opts?: LookupCall): Promise<string> {
  return packageResolver().lookupCNAME(host, opts);
}

/** Go's net.LookupMX. */
export function lookupMX(name: string, opts?: LookupCall): Promise<MX[]> {
  return packageResolver().lookupMX(name, opts);
}

/** Go's net.LookupNS. */
export function lookupNS(name: string, opts?: LookupCall): Promise<NS[]> {
  return packageResolver().lookupNS(name, opts);
}

/** Go's net.LookupSRV. */
export function lookupSRV(service: string, proto: string, name: string, opts?: LookupCall): Promise<{ cname: string; addrs: SRV[] }> {
  return packageResolver().lookupSRV(service, proto, name, opts);
}

/** Go's net.LookupTXT. */
export function lookupTXT(name: string, opts?: LookupCall): Promise<string[]> {
  return packageResolver().lookupTXT(name, opts);
}

/** Go's net.LookupAddr. */
export function lookupAddr(addr: string, opts?: LookupCall): Promise<string[]> {
  return packageResolver().lookupAddr(addr, opts);
}

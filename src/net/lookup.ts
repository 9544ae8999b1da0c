// The seam between the Dialer and name resolution. Anything with lookupIPAddr can resolve for
// a Dialer; the default is gonet's own Resolver in Go's `auto` mode (src/net/dns/resolver.ts).

import { lookup as nodeLookup } from 'node:dns';
import { DNSError } from './errors.js';
import { IPAddr } from './addr.js';
import { parseIPZone } from './ip.js';
import { abortCause } from './context.js';
import { newDefaultResolver } from './dns/default.js';

/** Which address families a lookup wants: both, IPv4 only, or IPv6 only. */
export type IPNetwork = 'ip' | 'ip4' | 'ip6';

/** Options every lookup takes. */
export interface LookupOptions {
  signal?: AbortSignal;
}

/** What a Dialer needs from a resolver: host name → addresses, in preference order. */
export interface HostResolver {
  lookupIPAddr(host: string, opts?: LookupOptions & { network?: IPNetwork }): Promise<IPAddr[]>;
}

/**
 * Resolves with the operating system's getaddrinfo (Node's `dns.lookup`), keeping the order the
 * OS returns (it applies RFC 6724 and gai.conf). Runs on libuv's thread pool.
 */
export const systemResolver: HostResolver = {
  lookupIPAddr(host, opts = {}) {
    const { signal, network = 'ip' } = opts;
    if (signal?.aborted) return Promise.reject(abortCause(signal));
    const family = network === 'ip4' ? 4 : network === 'ip6' ? 6 : 0;
    return new Promise<IPAddr[]>((resolve, reject) => {
      const onAbort = (): void => reject(abortCause(signal as AbortSignal));
      signal?.addEventListener('abort', onAbort, { once: true });
      nodeLookup(host, { all: true, family, verbatim: true }, (err, addrs) => {
        signal?.removeEventListener('abort', onAbort);
        if (err) {
          reject(gaiError(host, err));
          return;
        }
        const out: IPAddr[] = [];
        for (const a of addrs) {
          const p = parseIPZone(a.address);
          if (p) out.push(new IPAddr(p.ip, p.zone));
        }
        if (out.length === 0) reject(new DNSError({ err: 'no such host', name: host, isNotFound: true }));
        else resolve(out);
      });
    });
  },
};

function gaiError(host: string, err: NodeJS.ErrnoException): DNSError {
  switch (err.code) {
    case 'ENOTFOUND':
    case 'ENODATA':
    case 'EAI_NONAME':
      return new DNSError({ err: 'no such host', name: host, isNotFound: true, cause: err });
    case 'EAI_AGAIN':
      return new DNSError({ err: 'temporary failure in name resolution', name: host, isTemporary: true, cause: err });
    default:
      return new DNSError({ err: err.message, name: host, cause: err });
  }
}

let current: HostResolver | null = null;

/**
 * The resolver Dialers and the package-level lookups use when given none (Go's
 * DefaultResolver): a pure-TS Resolver in `auto` mode, created on first use.
 */
export function defaultResolver(): HostResolver {
  return (current ??= newDefaultResolver());
}

/** Replaces the process-wide default resolver. */
export function setDefaultResolver(r: HostResolver): void {
  current = r;
}

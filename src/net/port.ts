// Service name → port number, as Go's pure resolver does it: decimal ports are parsed here,
// names go through /etc/services (read once per process) and a small built-in table.

import { readFileSync } from 'node:fs';
import { AddrError, CanceledError, DNSError } from './errors.js';

/** Per network ("tcp", "udp", ...), service name → port. */
export type ServicesTable = Map<string, Map<string, number>>;

// Go's built-in entries, used where /etc/services lacks them.
const BUILTIN: ServicesTable = new Map([
  ['tcp', new Map([
    ['ftp', 21], ['ftps', 990], ['gopher', 70], ['http', 80], ['https', 443], ['imap2', 143],
    ['imap3', 220], ['imaps', 993], ['pop3', 110], ['pop3s', 995], ['smtp', 25],
    ['submissions', 465], ['ssh', 22], ['telnet', 23],
  ])],
  ['udp', new Map([['domain', 53]])],
]);

// Go compares at most this many bytes of a service name; longer names never match.
const MAX_SERVICE_LEN = 'mobility-header'.length + 10;

/**
 * Parses a numeric port: optional `+`/`-`, then decimal digits; the value is not range-checked
 * here (huge values saturate so the caller's range check rejects them). `""` is port 0.
 * Anything else non-numeric needs a service lookup.
 */
export function parsePort(service: string): { port: number; needsLookup: boolean } {
  if (service === '') return { port: 0, needsLookup: false };
  const CUTOFF = 1 << 30;
  let k = 0;
  let neg = false;
  const c0 = service.charCodeAt(0);
  if (c0 === 0x2b /* + */) k = 1;
  else if (c0 === 0x2d /* - */) {
    neg = true;
    k = 1;
  }
  let n = 0;
  for (; k < service.length; k++) {
    const c = service.charCodeAt(k);
    if (c < 0x30 || c > 0x39) return { port: 0, needsLookup: true };
    // Like Go, stop reading once the value is certainly out of range: what follows is not
    // checked, so "99999999999x" is an invalid port rather than a service name. Unlike Go,
    // whose uint32 arithmetic wraps ("4294967300" parses as port 4), values only saturate.
    if (n >= CUTOFF) {
      n = CUTOFF;
      break;
    }
    n = n * 10 + (c - 0x30);
  }
  let port: number;
  if (!neg && n >= CUTOFF) port = CUTOFF - 1;
  else if (neg && n > CUTOFF) port = CUTOFF;
  else port = n;
  return { port: neg ? -port : port, needsLookup: false };
}

/**
 * Parses /etc/services text (`name port/proto [aliases...] [# comment]`) into a table keyed by
 * protocol. Names are stored as written; lookups lowercase only the query, as Go does.
 */
export function parseServices(text: string): ServicesTable {
  const table: ServicesTable = new Map();
  let from = 0;
  while (from <= text.length) {
    let eol = text.indexOf('\n', from);
    if (eol < 0) eol = text.length;
    let line = text.slice(from, eol);
    from = eol + 1;
    const hash = line.indexOf('#');
    if (hash >= 0) line = line.slice(0, hash);
    const f = line.split(/[ \t\r]+/).filter((x) => x !== '');
    if (f.length < 2) continue;
    const portnet = f[1];
    let port = 0;
    let j = 0;
    for (; j < portnet.length; j++) {
      const c = portnet.charCodeAt(j);
      if (c < 0x30 || c > 0x39) break;
      port = port * 10 + (c - 0x30);
      if (port >= 0xffffff) break;
    }
    if (j === 0 || port >= 0xffffff || port <= 0 || j >= portnet.length || portnet.charCodeAt(j) !== 0x2f) continue;
    const netw = portnet.slice(j + 1);
    let m = table.get(netw);
    if (m === undefined) {
      m = new Map();
      table.set(netw, m);
    }
    for (let i = 0; i < f.length; i++) if (i !== 1) m.set(f[i], port);
  }
  return table;
}

let servicesPath = '/etc/services';
let systemTable: ServicesTable | null = null;

/**
 * Points service lookups at another file (tests) and forgets the cached table; `null` restores
 * /etc/services. The file is read on the next lookup.
 */
export function setServicesPath(path: string | null): void {
  servicesPath = path ?? '/etc/services';
  systemTable = null;
}

function systemServices(): ServicesTable {
  if (systemTable === null) {
    let text = '';
    try {
      text = readFileSync(servicesPath, 'latin1');
    } catch {
      // No services file: Go silently uses only its built-in table.
    }
    systemTable = parseServices(text);
  }
  return systemTable;
}

function lowerASCII(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) return s.replace(/[A-Z]+/g, (x) => x.toLowerCase());
  }
  return s;
}

function lookupIn(proto: string, errNetwork: string, service: string, table: ServicesTable): number {
  if (Buffer.byteLength(service) <= MAX_SERVICE_LEN) {
    const name = lowerASCII(service);
    const p = table.get(proto)?.get(name) ?? BUILTIN.get(proto)?.get(name);
    if (p !== undefined) return p;
  }
  throw new DNSError({ err: 'unknown port', name: errNetwork + '/' + service, isNotFound: true });
}

/**
 * The port for `service` on `network`, synchronously. Numbers are parsed (`""` → 0); names are
 * looked up in `services` (default: /etc/services, read once) and then Go's built-in table.
 * Networks: tcp, tcp4, tcp6, udp, udp4, udp6, ip, and "" (= ip: the tcp names, then udp).
 * Throws AddrError `unknown network` / `invalid port`, or DNSError `lookup tcp/x: unknown port`.
 */
export function lookupPortSync(network: string, service: string, services?: ServicesTable): number {
  const parsed = parsePort(service);
  let port = parsed.port;
  if (parsed.needsLookup) {
    const table = services ?? systemServices();
    switch (network) {
      case 'tcp': case 'tcp4': case 'tcp6':
        port = lookupIn('tcp', 'tcp', service, table);
        break;
      case 'udp': case 'udp4': case 'udp6':
        port = lookupIn('udp', 'udp', service, table);
        break;
      case '': case 'ip':
        try {
          port = lookupIn('tcp', 'ip', service, table);
        } catch {
          port = lookupIn('udp', 'ip', service, table);
        }
        break;
      default:
        throw new AddrError('unknown network', network);
    }
  }
  if (port < 0 || port > 65535) throw new AddrError('invalid port', service);
  return port;
}

/**
 * Go's LookupPort: the port for `service` on `network` (see lookupPortSync). An already-aborted
 * signal rejects with CanceledError; the lookup itself never blocks on the network.
 */
export async function lookupPort(network: string, service: string, opts?: { signal?: AbortSignal }): Promise<number> {
  const signal = opts?.signal;
  if (signal?.aborted) throw new CanceledError(signal.reason);
  return lookupPortSync(network, service);
}

// The Resolver: Go's pure resolver (dnsclient_unix.go, lookup_unix.go, conf.go) in TypeScript,
// plus an optional TTL cache. It reads resolv.conf, /etc/hosts and nsswitch.conf (each
// re-checked at most every 5 s), builds Go's candidate-name list (ndots, search, rooted
// names), asks each candidate over UDP/TCP with per-attempt timeouts, and shapes results
// and errors as Go does. It implements HostResolver, so `new Dialer({ resolver })` uses it.

import { existsSync } from 'node:fs';
import { lookupService } from 'node:dns/promises';
import { IPAddr } from '../addr.js';
import { AddrError, CanceledError, DNSError, UnknownNetworkError } from '../errors.js';
import { IP, parseIPZone } from '../ip.js';
import { lookupPort as portLookup } from '../port.js';
import { systemResolver, type HostResolver, type IPNetwork, type LookupOptions } from '../lookup.js';
import {
  ErrText, UDPSocketPool, abortError, defaultDNSDial, notFound, tryOneName, type DNSDialFunc, type ExchangeAnswer, type UDPReuseOptions,
} from './client.js';
import {
  ResolvConfWatcher, NsswitchWatcher, hostLookupOrder, type HostLookupOrder, type ResolvConf,
} from './config.js';
import { HostsFile } from './hosts.js';
import { DNSCache, cacheKey, type CacheOptions, type CacheStats } from './cache.js';
import { sortByRFC6724, sortMX, sortSRV, kernelSource, type SourceFinder } from './sort.js';
import { isDomainName, isLocalhost, nameList, parseServer, reverseAddr } from './names.js';
import { Class, Type, type Message, type Resource } from './message.js';

/** How a Resolver answers host lookups. */
export type ResolverMode = 'pure' | 'system' | 'auto';

/** Resolver settings. Durations are milliseconds. */
export interface ResolverOptions {
  /**
   * `pure`: always this resolver. `system`: host and address lookups through getaddrinfo /
   * getnameinfo (Node's dns.lookup); MX/NS/SRV/TXT/CNAME still use DNS directly, as Go's cgo
   * mode does. `auto` (default): Go's choice per lookup (pure unless resolv.conf, nsswitch.conf
   * or the environment ask for something only the system resolver does).
   */
  mode?: ResolverMode;
  /** Nameservers (`ip`, `ip:port`, `[ip6]:port`) used instead of resolv.conf's. */
  servers?: string[];
  /** resolv.conf to read (default /etc/resolv.conf). */
  resolvConfPath?: string;
  /** Hosts file to read (default /etc/hosts). */
  hostsPath?: string;
  /** nsswitch.conf to read (default /etc/nsswitch.conf). */
  nsswitchPath?: string;
  /** Overrides of resolv.conf settings. */
  timeout?: number;
  attempts?: number;
  ndots?: number;
  search?: string[];
  rotate?: boolean;
  singleRequest?: boolean;
  useTCP?: boolean;
  trustAD?: boolean;
  /** `true` for the default cache, an object to tune it; off by default as in Go. */
  cache?: boolean | CacheOptions;
  /**
   * Go's StrictErrors: a temporary error (timeout, SERVFAIL) ends the lookup instead of being
   * skipped, and a dual-stack lookup returns no partial result.
   */
  strictErrors?: boolean;
  /** Replaces how servers are reached (Go's Resolver.Dial). Default: gonet's dial. */
  dial?: DNSDialFunc;
  /**
   * Share UDP sockets between queries to a server: `true` (the default) for up to 100 queries
   * or 10 s per socket, an object to tune that, `false` for Go's fresh socket and random port
   * per query. gonet differs from Go here for speed: a socket per query made lookups several
   * times slower than c-ares, which shares one socket per server without limit. Replies on a
   * shared socket must still match the random ID, the question and the server's address (see
   * UDPSocketPool). With a custom `dial` the default is `false`, so `dial` is called per query
   * as Go calls Resolver.Dial.
   */
  udpReuse?: boolean | UDPReuseOptions;
  /**
   * Refuse to send queries to any nameserver outside 127.0.0.0/8 and ::1 (and never use the
   * system resolver, which cannot be held to that). The default resolver turns this on under
   * Node's test runner (NODE_TEST_CONTEXT) or when GONET_DNS_LOOPBACK_ONLY=1.
   */
  loopbackOnly?: boolean;
  /** Finds the source address for RFC 6724 sorting (default: ask the kernel). */
  sourceFinder?: SourceFinder;
  /** Host name for the default search domain and nsswitch `myhostname` (default os.hostname()). */
  hostname?: string;
  /** Environment consulted by `auto` mode (default process.env). */
  env?: Record<string, string | undefined>;
}

/** A mail exchanger (Go's MX). `host` is rooted. */
export interface MX {
  host: string;
  pref: number;
}

/** A name server (Go's NS). */
export interface NS {
  host: string;
}

/** A service record (Go's SRV). */
export interface SRV {
  target: string;
  port: number;
  priority: number;
  weight: number;
}

/**
 * Some records of an answer named invalid hosts (CVE-2021-33195): they were dropped, and the
 * valid ones are in `records`, since a JS function cannot return both as Go's does.
 */
export class MalformedRecordsError<T> extends DNSError {
  readonly records: T[];
  constructor(name: string, records: T[], server = '') {
    super({ err: ErrText.malformedRecords, name, server });
    this.records = records;
  }
}

/** Options of every lookup method. */
export type LookupCall = { signal?: AbortSignal };

type Answer = ExchangeAnswer;

interface Flight {
  refs: number;
  /**
   * Stops the query once every caller has given up; only made when the first caller has a
   * signal (a caller without one stays until the query ends, so it never needs stopping).
   */
  ctl: AbortController | null;
  promise: Promise<Answer>;
}

function renamed(e: DNSError, name: string): DNSError {
  if (e.name === name) return e;
  if (e instanceof MalformedRecordsError) return new MalformedRecordsError(name, e.records as unknown[], e.server);
  return new DNSError({
    err: e.err, name, server: e.server, isTimeout: e.isTimeout, isTemporary: e.isTemporary, isNotFound: e.isNotFound, cause: e.cause,
  });
}

function isTemporaryErr(e: unknown): boolean {
  return e instanceof DNSError && (e.isTemporary || e.isTimeout);
}

/** What one lookup needs from the configuration, resolved once per call. */
interface Effective {
  servers: string[];
  search: string[];
  ndots: number;
  timeout: number;
  attempts: number;
  rotate: boolean;
  singleRequest: boolean;
  useTCP: boolean;
  trustAD: boolean;
  base: ResolvConf;
}

/**
 * Go's net.Resolver with the pure resolver's behaviour (and `system` / `auto` modes). All
 * methods take `{ signal }`; errors are DNSError (or AddrError / UnknownNetworkError for bad
 * arguments, as in Go).
 */
export class Resolver implements HostResolver {
  readonly mode: ResolverMode;
  readonly strictErrors: boolean;
  readonly loopbackOnly: boolean;
  private readonly opts: ResolverOptions;
  private readonly servers: string[] | null;
  private readonly conf: ResolvConfWatcher;
  private readonly hosts: HostsFile;
  private readonly nss: NsswitchWatcher;
  private readonly cache: DNSCache | null;
  private readonly dialFn: DNSDialFunc;
  private readonly pool: UDPSocketPool | null;
  private readonly finder: SourceFinder;
  private readonly inflight = new Map<string, Flight>();
  private offset = 0;
  private effCache: { base: ResolvConf; eff: Effective } | null = null;
  /** The variables `auto` mode consults, read once (Go reads them once per process). */
  private readonly env: Record<string, string | undefined>;

  constructor(opts: ResolverOptions = {}) {
    this.opts = opts;
    this.mode = opts.mode ?? 'auto';
    if (this.mode !== 'pure' && this.mode !== 'system' && this.mode !== 'auto') {
      throw new TypeError(`Resolver: unknown mode ${JSON.stringify(this.mode)}`);
    }
    this.strictErrors = opts.strictErrors ?? false;
    this.loopbackOnly = opts.loopbackOnly ?? false;
    this.servers = opts.servers ? opts.servers.map(parseServer) : null;
    this.conf = new ResolvConfWatcher(opts.resolvConfPath ?? '/etc/resolv.conf', { hostname: opts.hostname });
    this.hosts = new HostsFile(opts.hostsPath ?? '/etc/hosts');
    this.nss = new NsswitchWatcher(opts.nsswitchPath ?? '/etc/nsswitch.conf');
    this.cache = opts.cache ? new DNSCache(opts.cache === true ? {} : opts.cache) : null;
    this.dialFn = opts.dial ?? defaultDNSDial;
    const reuse = opts.udpReuse ?? opts.dial === undefined;
    this.pool = reuse ? new UDPSocketPool(this.dialFn, reuse === true ? {} : reuse) : null;
    this.finder = opts.sourceFinder ?? kernelSource;
    const env = opts.env ?? process.env;
    this.env = { LOCALDOMAIN: env.LOCALDOMAIN, RES_OPTIONS: env.RES_OPTIONS, HOSTALIASES: env.HOSTALIASES };
  }

  /** Cache counters, or null when the cache is off. */
  cacheStats(): CacheStats | null {
    return this.cache?.stats() ?? null;
  }

  /** Empties the cache (if any). */
  clearCache(): void {
    this.cache?.clear();
  }

  /** Closes shared UDP sockets (see `udpReuse`); the resolver stays usable. */
  close(): void {
    this.pool?.close();
  }

  private effective(): Effective {
    const base = this.conf.get();
    if (this.effCache?.base === base) return this.effCache.eff;
    const o = this.opts;
    const eff: Effective = {
      servers: this.servers ?? base.servers,
      search: o.search ? o.search.map((s) => (s.endsWith('.') ? s : s + '.')).filter((s) => s !== '.') : base.search,
      ndots: o.ndots ?? base.ndots,
      timeout: o.timeout ?? base.timeout,
      attempts: o.attempts ?? base.attempts,
      rotate: o.rotate ?? base.rotate,
      singleRequest: o.singleRequest ?? base.singleRequest,
      useTCP: o.useTCP ?? base.useTCP,
      trustAD: o.trustAD ?? base.trustAD,
      base,
    };
    this.effCache = { base, eff };
    return eff;
  }

  /** Where lookups of `name` go right now (Go's hostLookupOrder). */
  hostOrder(name: string): HostLookupOrder {
    if (this.mode === 'system') return this.loopbackOnly ? 'files,dns' : 'system';
    const conf = this.conf.get();
    const order = hostLookupOrder({
      mode: this.mode === 'pure' || this.loopbackOnly ? 'pure' : 'auto',
      name,
      conf,
      nss: this.nss.get(),
      env: this.env,
      localHostname: this.opts.hostname,
      mdnsAllow: this.mode === 'auto' ? mdnsAllowState() : false,
    });
    return order;
  }

  // ---- one question, all servers and attempts (Go's tryOneName) ----

  /** A cached outcome for a question, without any promise: the answer, a not-found error, or null on a miss. */
  private cached(fqdn: string, qtype: number): Answer | DNSError | null {
    const e = this.cache?.get(cacheKey(fqdn, qtype));
    if (!e) return null;
    return e.kind === 'answer' ? { msg: e.msg, server: e.server } : notFound(fqdn, e.server);
  }

  private async tryOneName(eff: Effective, fqdn: string, qtype: number, signal: AbortSignal | undefined): Promise<Answer> {
    const key = cacheKey(fqdn, qtype);
    if (this.cache) {
      const e = this.cache.get(key);
      if (e) {
        if (e.kind === 'answer') return { msg: e.msg, server: e.server };
        throw notFound(fqdn, e.server);
      }
    }
    if (signal?.aborted) throw abortError(signal, fqdn);
    let flight = this.inflight.get(key);
    if (!flight) {
      // An AbortController costs microseconds: none for callers without a signal.
      const ctl = signal ? new AbortController() : null;
      const f: Flight = { refs: 0, ctl, promise: this.queryServers(eff, fqdn, qtype, ctl?.signal) };
      f.promise.then(
        () => this.dropFlight(key, f),
        () => this.dropFlight(key, f),
      );
      this.inflight.set(key, f);
      flight = f;
    }
    flight.refs++;
    const f = flight;
    try {
      if (!signal) return await f.promise;
      return await new Promise<Answer>((resolve, reject) => {
        const onAbort = (): void => reject(abortError(signal, fqdn));
        signal.addEventListener('abort', onAbort, { once: true });
        f.promise.then(
          (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
          (e: unknown) => { signal.removeEventListener('abort', onAbort); reject(e); },
        );
      });
    } finally {
      if (--f.refs === 0 && this.inflight.get(key) === f) {
        // Every caller has given up (or the query is over): stop it, and let the next caller start afresh.
        this.inflight.delete(key);
        f.ctl?.abort(new CanceledError());
      }
    }
  }

  private dropFlight(key: string, f: Flight): void {
    if (this.inflight.get(key) === f) this.inflight.delete(key);
  }

  private queryServers(eff: Effective, fqdn: string, qtype: number, signal: AbortSignal | undefined): Promise<Answer> {
    const n = eff.servers.length;
    const start = eff.rotate && n > 0 ? this.offset++ % n : 0;
    if (this.offset > 0x3fffffff) this.offset = 0;
    return tryOneName({
      servers: eff.servers, start, attempts: eff.attempts, timeout: eff.timeout, useTCP: eff.useTCP, trustAD: eff.trustAD,
      dial: this.dialFn, loopbackOnly: this.loopbackOnly, cache: this.cache, pool: this.pool, signal,
    }, fqdn, qtype);
  }

  /** Go's Resolver.lookup: the first candidate name that answers `qtype`. */
  private async lookupType(name: string, qtype: number, signal: AbortSignal | undefined): Promise<Answer> {
    if (!isDomainName(name)) throw notFound(name);
    const eff = this.effective();
    const names = nameList(name, eff.ndots, eff.search);
    let err: unknown = null;
    for (const fqdn of names) {
      try {
        return await this.tryOneName(eff, fqdn, qtype, signal);
      } catch (e) {
        err = e;
        if (signal?.aborted) break;
        if (this.strictErrors && isTemporaryErr(e)) break;
      }
    }
    if (err === null) throw notFound(name);
    throw err instanceof DNSError ? renamed(err, name) : err;
  }

  // ---- addresses ----

  private filesLookup(name: string): { addrs: IPAddr[]; canonical: string } | null {
    const e = this.hosts.lookupStaticHost(name);
    if (!e || e.addrs.length === 0) return null;
    const addrs: IPAddr[] = [];
    for (const a of e.addrs) {
      const p = parseIPZone(a);
      if (p) addrs.push(new IPAddr(p.ip, p.zone));
    }
    return { addrs, canonical: e.canonical };
  }

  /** Go's goLookupIPCNAMEOrder. `network` CNAME also asks for CNAME records. */
  private async lookupIPCNAME(
    name: string, network: IPNetwork | 'CNAME', order: HostLookupOrder, signal: AbortSignal | undefined,
  ): Promise<{ addrs: IPAddr[]; cname: string }> {
    // The hosts file is consulted before the name check, as in Go: it may list names DNS cannot carry.
    if (order === 'files,dns' || order === 'files') {
      const f = this.filesLookup(name);
      if (f) return { addrs: await sortByRFC6724(f.addrs, this.finder), cname: f.canonical };
      if (order === 'files' && !isLocalhost(name)) throw notFound(name);
    }
    if (!isDomainName(name)) throw notFound(name);
    if (isLocalhost(name)) {
      const lo: IPAddr[] = [];
      if (network !== 'ip4') lo.push(new IPAddr(IP.fromBytes([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])));
      if (network !== 'ip6') lo.push(new IPAddr(IP.v4(127, 0, 0, 1)));
      const f = order === 'dns,files' ? this.filesLookup(name) : null;
      if (f) return { addrs: await sortByRFC6724(f.addrs, this.finder), cname: f.canonical };
      return { addrs: await sortByRFC6724(lo, this.finder), cname: name.endsWith('.') ? name : name + '.' };
    }
    const eff = this.effective();
    let qtypes: number[] = [Type.A, Type.AAAA];
    if (network === 'CNAME') qtypes.push(Type.CNAME);
    else if (network === 'ip4') qtypes = [Type.A];
    else if (network === 'ip6') qtypes = [Type.AAAA];
    let addrs: IPAddr[] = [];
    let cname = '';
    let lastErr: unknown = null;
    for (const fqdn of nameList(name, eff.ndots, eff.search)) {
      let results: Array<{ ok: Answer } | { err: unknown }> | null = null;
      if (this.cache) {
        // All answers cached: no promises at all.
        const hits: Array<{ ok: Answer } | { err: unknown }> = [];
        for (const t of qtypes) {
          const c = this.cached(fqdn, t);
          if (c === null) break;
          hits.push(c instanceof DNSError ? { err: c } : { ok: c });
        }
        if (hits.length === qtypes.length) results = hits;
      }
      if (results === null) {
        const one = (t: number): Promise<{ ok: Answer } | { err: unknown }> =>
          this.tryOneName(eff, fqdn, t, signal).then((ok) => ({ ok }), (err: unknown) => ({ err }));
        if (qtypes.length === 1) {
          // Straight to the question, without the wrapper's extra promise.
          try {
            results = [{ ok: await this.tryOneName(eff, fqdn, qtypes[0]!, signal) }];
          } catch (err) {
            results = [{ err }];
          }
        } else if (eff.singleRequest) {
          results = [];
          for (const t of qtypes) results.push(await one(t));
        } else {
          results = await Promise.all(qtypes.map(one));
        }
        if (signal?.aborted) throw abortError(signal, name);
      }
      let hitStrict = false;
      for (const r of results) {
        if ('err' in r) {
          if (this.strictErrors && isTemporaryErr(r.err)) {
            hitStrict = true;
            lastErr = r.err;
          } else if (lastErr === null || fqdn === name + '.') {
            lastErr = r.err;
          }
          continue;
        }
        const parsed = addressesOf(r.ok.msg, this.cache !== null);
        for (const a of parsed.addrs) addrs.push(a);
        if (cname === '') cname = parsed.cname;
      }
      if (hitStrict) {
        addrs = [];
        break;
      }
      if (addrs.length > 0 || (network === 'CNAME' && cname !== '')) break;
    }
    if (addrs.length === 0 && !(network === 'CNAME' && cname !== '')) {
      if (order === 'dns,files') {
        const f = this.filesLookup(name);
        if (f) return { addrs: await sortByRFC6724(f.addrs, this.finder), cname: f.canonical };
      }
      if (lastErr !== null) throw lastErr instanceof DNSError ? renamed(lastErr, name) : lastErr;
      throw notFound(name);
    }
    if (addrs.length > 1) await sortByRFC6724(addrs, this.finder); // one address: no await, no microtask
    return { addrs, cname };
  }

  /**
   * Addresses for `host` (Go's LookupIPAddr), in RFC 6724 order. `network` narrows the family
   * (the Dialer passes `ip4` for tcp4). IP literals come back as they are.
   */
  async lookupIPAddr(host: string, opts: LookupOptions & { network?: IPNetwork } = {}): Promise<IPAddr[]> {
    const { signal, network = 'ip' } = opts;
    if (signal?.aborted) throw abortError(signal, host);
    if (host === '') throw notFound(host);
    const lit = literal(host);
    if (lit) return [new IPAddr(lit.ip, lit.zone)];
    const order = this.hostOrder(host);
    let addrs: IPAddr[];
    if (order === 'system') {
      addrs = await systemResolver.lookupIPAddr(host, { signal, network });
    } else {
      addrs = (await this.lookupIPCNAME(host, network, order, signal)).addrs;
    }
    if (network === 'ip') return addrs;
    return addrs.filter((a) => a.ip.is4() === (network === 'ip4'));
  }

  /**
   * Go's LookupIP: `network` is ip, ip4 or ip6 (else UnknownNetworkError); no address of that
   * family is an AddrError `no suitable address found`.
   */
  async lookupIP(network: string, host: string, opts: LookupCall = {}): Promise<IP[]> {
    if (network !== 'ip' && network !== 'ip4' && network !== 'ip6') throw new UnknownNetworkError(network);
    if (host === '') throw notFound(host);
    const lit = literal(host);
    if (lit) {
      if ((network === 'ip4' && !lit.ip.is4()) || (network === 'ip6' && lit.ip.is4())) throw new AddrError('no suitable address found', host);
      return [lit.ip];
    }
    const addrs = await this.lookupIPAddr(host, { signal: opts.signal, network });
    if (addrs.length === 0) throw new AddrError('no suitable address found', host);
    return addrs.map((a) => a.ip);
  }

  /**
   * Go's LookupHost: address strings. An IP literal comes back as given; hosts-file answers
   * keep file order; DNS answers are RFC 6724 sorted.
   */
  async lookupHost(host: string, opts: LookupCall = {}): Promise<string[]> {
    const { signal } = opts;
    if (signal?.aborted) throw abortError(signal, host);
    if (host === '') throw notFound(host);
    if (literal(host)) return [host];
    const order = this.hostOrder(host);
    if (order === 'system') {
      return (await systemResolver.lookupIPAddr(host, { signal })).map((a) => a.toString());
    }
    if (order === 'files,dns' || order === 'files') {
      const e = this.hosts.lookupStaticHost(host);
      if (e && e.addrs.length > 0) return e.addrs;
      if (order === 'files' && !isLocalhost(host)) throw notFound(host);
    }
    const { addrs } = await this.lookupIPCNAME(host, 'ip', order, signal);
    return addrs.map((a) => a.toString());
  }

  /**
   * Go's LookupCNAME: the canonical name, rooted (the name itself when there is no CNAME).
   * As in Go, for a chain this is the first CNAME's target.
   */
  async lookupCNAME(host: string, opts: LookupCall = {}): Promise<string> {
    const { signal } = opts;
    if (signal?.aborted) throw abortError(signal, host);
    let order = this.hostOrder(host);
    if (order === 'system') order = 'files,dns';
    const { cname } = await this.lookupIPCNAME(host, 'CNAME', order, signal);
    const rooted = cname === '' ? '' : cname.endsWith('.') ? cname : cname + '.';
    if (rooted !== '' && !isDomainName(rooted)) throw new DNSError({ err: ErrText.malformedRecords, name: host });
    return rooted;
  }

  // ---- other record types (always DNS, never the hosts file) ----

  // The records of `type` in the answer; invalid names are dropped and reported (with the valid
  // ones) as Go reports them: an error naming what the caller asked for, without a server.
  private records<T>(
    name: string, answer: Answer, type: number, pick: (rr: Resource) => T | null, valid: (v: T) => boolean,
  ): T[] {
    const out: T[] = [];
    let bad = 0;
    for (const rr of answer.msg.answers) {
      if (rr.type !== type) continue;
      const v = pick(rr);
      if (v === null) continue;
      if (valid(v)) out.push(v);
      else bad++;
    }
    if (bad > 0) throw new MalformedRecordsError<T>(name, out);
    return out;
  }

  /** Go's LookupMX: sorted by preference, random inside equal preference. Hosts are rooted. */
  async lookupMX(name: string, opts: LookupCall = {}): Promise<MX[]> {
    const a = await this.lookupType(name, Type.MX, opts.signal);
    try {
      return sortMX(this.records<MX>(name, a, Type.MX, (rr) => (rr.data.kind === 'MX' ? { host: rr.data.mx, pref: rr.data.pref } : null), (m) => isDomainName(m.host)));
    } catch (e) {
      if (e instanceof MalformedRecordsError) sortMX(e.records as MX[]);
      throw e;
    }
  }

  /** Go's LookupNS, in answer order. */
  async lookupNS(name: string, opts: LookupCall = {}): Promise<NS[]> {
    const a = await this.lookupType(name, Type.NS, opts.signal);
    return this.records<NS>(name, a, Type.NS, (rr) => (rr.data.kind === 'NS' ? { host: rr.data.ns } : null), (n) => isDomainName(n.host));
  }

  /** Go's LookupTXT: one string per record, its character-strings joined. */
  async lookupTXT(name: string, opts: LookupCall = {}): Promise<string[]> {
    const a = await this.lookupType(name, Type.TXT, opts.signal);
    const out: string[] = [];
    for (const rr of a.msg.answers) if (rr.data.kind === 'TXT') out.push(rr.data.txt.join(''));
    return out;
  }

  /**
   * Go's LookupSRV: asks `_service._proto.name` (or `name` when both are empty). Resolves with
   * the owner name of the first SRV record and the records sorted by priority, weighted-random
   * inside a priority (RFC 2782).
   */
  async lookupSRV(service: string, proto: string, name: string, opts: LookupCall = {}): Promise<{ cname: string; addrs: SRV[] }> {
    const target = service === '' && proto === '' ? name : `_${service}._${proto}.${name}`;
    const a = await this.lookupType(target, Type.SRV, opts.signal);
    let cname = '';
    for (const rr of a.msg.answers) {
      if (rr.type === Type.SRV) {
        cname = rr.name;
        break;
      }
    }
    if (cname !== '' && !isDomainName(cname)) throw new DNSError({ err: 'SRV header name is invalid', name });
    const pick = (rr: Resource): SRV | null =>
      rr.data.kind === 'SRV' ? { target: rr.data.target, port: rr.data.port, priority: rr.data.priority, weight: rr.data.weight } : null;
    try {
      return { cname, addrs: sortSRV(this.records<SRV>(name, a, Type.SRV, pick, (s) => isDomainName(s.target))) };
    } catch (e) {
      if (e instanceof MalformedRecordsError) sortSRV(e.records as SRV[]);
      throw e;
    }
  }

  /** Go's LookupAddr: names for an address, from the hosts file and then PTR records. */
  async lookupAddr(addr: string, opts: LookupCall = {}): Promise<string[]> {
    const { signal } = opts;
    if (signal?.aborted) throw abortError(signal, addr);
    const arpa = reverseAddr(addr);
    if (arpa === null) throw new DNSError({ err: ErrText.unrecognizedAddress, name: addr });
    const order = this.hostOrder('');
    if (order === 'system') {
      try {
        const { hostname } = await lookupService(addr, 0);
        return [hostname.endsWith('.') || !hostname.includes('.') ? hostname : hostname + '.'];
      } catch (e) {
        throw new DNSError({ err: ErrText.noSuchHost, name: addr, isNotFound: true, cause: e });
      }
    }
    if (order === 'files,dns' || order === 'files') {
      const names = this.hosts.lookupStaticAddr(addr);
      if (names.length > 0 || order === 'files') {
        if (names.length === 0) throw notFound(addr);
        return names;
      }
    }
    let a: Answer;
    try {
      a = await this.lookupType(arpa, Type.PTR, signal);
    } catch (e) {
      if (e instanceof DNSError && e.isNotFound && order === 'dns,files') {
        const names = this.hosts.lookupStaticAddr(addr);
        if (names.length > 0) return names;
      }
      throw e; // names the in-addr.arpa / ip6.arpa name, as Go's does
    }
    return this.records<string>(addr, a, Type.PTR, (rr) => (rr.data.kind === 'PTR' ? rr.data.ptr : null), isDomainName);
  }

  /** Go's LookupPort: the port number of a service name (or number) on a network. */
  lookupPort(network: string, service: string, opts: LookupCall = {}): Promise<number> {
    return portLookup(network, service, opts);
  }
}

/**
 * `host` as an IP literal, or null. Parsing is skipped for what cannot be one (no colon and
 * not starting with a digit): most names, on every lookup.
 */
function literal(host: string): ReturnType<typeof parseIPZone> {
  const c = host.charCodeAt(0);
  if (!(c >= 0x30 && c <= 0x39) && !host.includes(':')) return null;
  return parseIPZone(host);
}

const parsedAnswers = new WeakMap<Message, { addrs: IPAddr[]; cname: string }>();

/**
 * The IN-class A/AAAA addresses of an answer section and its canonical name as Go picks it
 * (owner of the first address record, or target of the first CNAME, whichever comes first).
 * With `memo` (the cache is on), memoized per message, so cached answers are parsed once;
 * without, a fresh reply is parsed once anyway, and a WeakMap entry per reply would cost the
 * garbage collector more than the parse (ephemerons: it halved lookup throughput).
 */
function addressesOf(msg: Message, memo: boolean): { addrs: IPAddr[]; cname: string } {
  let p = memo ? parsedAnswers.get(msg) : undefined;
  if (p) return p;
  const addrs: IPAddr[] = [];
  let cname = '';
  for (const rr of msg.answers) {
    if (rr.class !== Class.IN) continue;
    const d = rr.data;
    if (d.kind === 'A' || d.kind === 'AAAA') {
      addrs.push(new IPAddr(new IP(d.kind === 'A' ? ipv4Mapped(d.address) : Uint8Array.from(d.address))));
      if (cname === '') cname = rr.name;
    } else if (d.kind === 'CNAME') {
      if (cname === '') cname = d.cname;
    }
  }
  p = { addrs, cname };
  if (memo) parsedAnswers.set(msg, p);
  return p;
}

function ipv4Mapped(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(b, 12);
  return out;
}

let mdnsChecked: { at: number; v: boolean | null } | null = null;

function mdnsAllowState(): boolean | null {
  const now = Date.now();
  if (mdnsChecked && now - mdnsChecked.at < 5000) return mdnsChecked.v;
  let v: boolean | null;
  try {
    v = existsSync('/etc/mdns.allow');
  } catch {
    v = null;
  }
  mdnsChecked = { at: now, v };
  return v;
}

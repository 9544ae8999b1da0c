// /etc/resolv.conf, read the way Go's pure resolver reads it (dnsconfig_unix.go): same
// keywords, defaults and clamps, and a re-check of the file at most every 5 seconds.

import { readFileSync, statSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { joinHostPort } from '../hostport.js';
import { parseIPZone } from '../ip.js';

/** The resolver settings from resolv.conf. Durations are milliseconds. */
export interface ResolvConf {
  /** Up to three servers as `ip:53` / `[ip6]:53`, in file order. */
  servers: string[];
  /** Rooted search suffixes (`example.com.`). */
  search: string[];
  /** Dots a name needs to be tried as-is first (0..15, default 1). */
  ndots: number;
  /** Per-attempt timeout in ms (at least 1000, default 5000; uncapped, as in Go). */
  timeout: number;
  /** Rounds over the server list (at least 1, default 2; uncapped, as in Go). */
  attempts: number;
  /** Start each lookup at the next server. */
  rotate: boolean;
  /** `single-request` / `single-request-reopen`: A and AAAA one after the other. */
  singleRequest: boolean;
  /** `use-vc` / `usevc` / `tcp`: always query over TCP. */
  useTCP: boolean;
  /** `trust-ad`: set AD in queries. */
  trustAD: boolean;
  /** `no-reload`: never re-read the file. */
  noReload: boolean;
  /** An unknown keyword or option was seen (Go would prefer the system resolver). */
  unknownOpt: boolean;
  /** The `lookup` keyword's sources (OpenBSD only; kept for completeness). */
  lookup: string[];
  /** Why the file could not be read; the rest are then defaults. */
  err?: Error;
}

/** Options for parseResolvConf / loadResolvConf. */
export interface ResolvConfOptions {
  /** The host's name, for the default search domain (defaults to os.hostname()). */
  hostname?: string;
}

const DEFAULT_SERVERS = ['127.0.0.1:53', '[::1]:53'];

function defaults(): ResolvConf {
  return {
    servers: [], search: [], ndots: 1, timeout: 5000, attempts: 2, rotate: false, singleRequest: false,
    useTCP: false, trustAD: false, noReload: false, unknownOpt: false, lookup: [],
  };
}

function ensureRooted(s: string): string {
  return s.endsWith('.') ? s : s + '.';
}

// Go's dtoi: leading decimal digits, 0 when there are none, saturating at 0xFFFFFF.
function dtoi(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) break;
    n = n * 10 + c;
    if (n >= 0xffffff) return 0xffffff;
  }
  return n;
}

/** The default search list: the domain part of the host name (text after the first dot), if any. */
function defaultSearch(hostname: string): string[] {
  const i = hostname.indexOf('.');
  return i >= 0 && i < hostname.length - 1 ? [ensureRooted(hostname.slice(i + 1))] : [];
}

function finish(conf: ResolvConf, opts: ResolvConfOptions): ResolvConf {
  if (conf.servers.length === 0) conf.servers = DEFAULT_SERVERS.slice();
  if (conf.search.length === 0) conf.search = defaultSearch(opts.hostname ?? safeHostname());
  return conf;
}

function safeHostname(): string {
  try {
    return osHostname();
  } catch {
    return '';
  }
}

/** Parses resolv.conf text with Go's rules, defaults and clamps. */
export function parseResolvConf(text: string, opts: ResolvConfOptions = {}): ResolvConf {
  const conf = defaults();
  for (const raw of text.split('\n')) {
    if (raw.length > 0 && (raw[0] === ';' || raw[0] === '#')) continue;
    const f = raw.split(/[ \t\r]+/).filter((s) => s !== '');
    if (f.length === 0) continue;
    switch (f[0]) {
      case 'nameserver':
        // IP literals only (a zone is fine); the port is always 53; at most three.
        if (f.length > 1 && conf.servers.length < 3 && parseIPZone(f[1]!) !== null) {
          conf.servers.push(joinHostPort(f[1]!, '53'));
        }
        break;
      case 'domain':
        if (f.length > 1) conf.search = [ensureRooted(f[1]!)];
        break;
      case 'search':
        conf.search = f.slice(1).map(ensureRooted).filter((s) => s !== '.');
        break;
      case 'options':
        for (const o of f.slice(1)) applyOption(conf, o);
        break;
      case 'lookup':
        conf.lookup = f.slice(1);
        break;
      default:
        conf.unknownOpt = true;
    }
  }
  return finish(conf, opts);
}

function applyOption(conf: ResolvConf, o: string): void {
  if (o.startsWith('ndots:')) {
    conf.ndots = Math.min(15, Math.max(0, dtoi(o.slice(6))));
  } else if (o.startsWith('timeout:')) {
    conf.timeout = Math.max(1, dtoi(o.slice(8))) * 1000;
  } else if (o.startsWith('attempts:')) {
    conf.attempts = Math.max(1, dtoi(o.slice(9)));
  } else {
    switch (o) {
      case 'rotate':
        conf.rotate = true;
        break;
      case 'single-request':
      case 'single-request-reopen':
        conf.singleRequest = true;
        break;
      case 'use-vc':
      case 'usevc':
      case 'tcp':
        conf.useTCP = true;
        break;
      case 'trust-ad':
        conf.trustAD = true;
        break;
      case 'edns0':
        break; // EDNS0 is always on
      case 'no-reload':
        conf.noReload = true;
        break;
      default:
        conf.unknownOpt = true;
    }
  }
}

/**
 * Reads and parses a resolv.conf file. A read error gives the defaults (servers on localhost,
 * search from the host name) with `err` set, as Go does.
 */
export function loadResolvConf(path: string, opts: ResolvConfOptions = {}): ResolvConf {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (e) {
    const conf = finish(defaults(), opts);
    conf.err = e instanceof Error ? e : new Error(String(e));
    return conf;
  }
  return parseResolvConf(text, opts);
}

/** Whether a read error is "missing" or "not allowed" (Go still uses its own resolver then). */
export function isMissingOrDenied(err: Error | undefined): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES' || code === 'EPERM';
}

/** Options for ResolvConfWatcher. */
export interface ResolvConfWatcherOptions extends ResolvConfOptions {
  /** Clock in ms (injectable for tests; default Date.now). */
  now?: () => number;
  /** Minimum time between checks of the file, ms (default 5000, as Go). */
  checkInterval?: number;
}

function fileSignature(path: string): string {
  try {
    const st = statSync(path);
    return `${st.mtimeMs}:${st.size}`;
  } catch (e) {
    return `error:${(e as NodeJS.ErrnoException).code ?? ''}`;
  }
}

/**
 * A resolv.conf that follows changes to its file: `get()` re-stats it at most once per
 * `checkInterval` and re-reads it when its mtime or size changed, unless the current config
 * says `no-reload`. Synchronous like Go's (a stat every few seconds is cheaper than a promise
 * per lookup).
 */
export class ResolvConfWatcher {
  readonly path: string;
  private readonly opts: ResolvConfWatcherOptions;
  private readonly now: () => number;
  private readonly interval: number;
  private conf: ResolvConf | null = null;
  private signature = '';
  private lastChecked = 0;

  constructor(path = '/etc/resolv.conf', opts: ResolvConfWatcherOptions = {}) {
    this.path = path;
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    this.interval = opts.checkInterval ?? 5000;
  }

  /** The current config, re-read first if the file changed and a check is due. */
  get(): ResolvConf {
    if (this.conf === null) return this.reload();
    if (this.conf.noReload) return this.conf;
    const now = this.now();
    if (now - this.lastChecked < this.interval) return this.conf;
    this.lastChecked = now;
    if (fileSignature(this.path) === this.signature) return this.conf;
    return this.reload();
  }

  /** Reads the file now, whatever the timers say. */
  reload(): ResolvConf {
    this.lastChecked = this.now();
    this.signature = fileSignature(this.path);
    this.conf = loadResolvConf(this.path, this.opts);
    return this.conf;
  }
}

// ---- /etc/nsswitch.conf and the lookup-order decision (Go's conf.go) ----

/** One `[!STATUS=action]` item after a source. */
export interface NSSCriterion {
  negate: boolean;
  /** Lower-cased: success, notfound, unavail, tryagain. */
  status: string;
  /** Lower-cased: return, continue, merge. */
  action: string;
}

/** A source such as `files` or `dns`, with its criteria. */
export interface NSSSource {
  source: string;
  criteria: NSSCriterion[];
}

/** A parsed nsswitch.conf: database (`hosts`) → sources in order. */
export interface NSSConf {
  sources: Map<string, NSSSource[]>;
  err?: Error;
}

/** Parses nsswitch.conf text: `db: src [STATUS=action ...] src ...`, `#` comments. */
export function parseNsswitch(text: string): NSSConf {
  const sources = new Map<string, NSSSource[]>();
  for (let line of text.split('\n')) {
    const hash = line.indexOf('#');
    if (hash >= 0) line = line.slice(0, hash);
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const db = line.slice(0, colon).trim();
    if (db === '') continue;
    const list: NSSSource[] = [];
    const rest = line.slice(colon + 1);
    const re = /\[([^\]]*)\]?|([^\s[]+)/g;
    for (let m = re.exec(rest); m !== null; m = re.exec(rest)) {
      if (m[2] !== undefined) {
        list.push({ source: m[2].toLowerCase(), criteria: [] });
        continue;
      }
      const last = list[list.length - 1];
      for (const item of (m[1] ?? '').split(/\s+/).filter((s) => s !== '')) {
        const negate = item.startsWith('!');
        const body = negate ? item.slice(1) : item;
        const eq = body.indexOf('=');
        const c = { negate, status: (eq < 0 ? body : body.slice(0, eq)).toLowerCase(), action: eq < 0 ? '' : body.slice(eq + 1).toLowerCase() };
        // A criterion before any source is malformed; keep it on a placeholder so it is non-standard.
        if (last) last.criteria.push(c);
        else list.push({ source: '', criteria: [c] });
      }
    }
    sources.set(db, list);
  }
  return { sources };
}

/** Reads nsswitch.conf; a read error is kept in `err` with an empty table. */
export function loadNsswitch(path: string): NSSConf {
  try {
    return parseNsswitch(readFileSync(path, 'utf8'));
  } catch (e) {
    return { sources: new Map(), err: e instanceof Error ? e : new Error(String(e)) };
  }
}

/**
 * Whether a source's criteria only restate glibc's defaults (success=return; notfound,
 * unavail, tryagain=continue; the last criterion may also say return), as Go requires before
 * handling the source itself.
 */
export function standardCriteria(src: NSSSource): boolean {
  return src.criteria.every((c, i) => {
    if (c.negate) return false;
    let def: string;
    switch (c.status) {
      case 'success':
        def = 'return';
        break;
      case 'notfound':
      case 'unavail':
      case 'tryagain':
        def = 'continue';
        break;
      default:
        return false;
    }
    if (i === src.criteria.length - 1 && c.action === 'return') return true;
    return c.action === def;
  });
}

/** Where host lookups go: hosts file and DNS in some order, or the system (getaddrinfo). */
export type HostLookupOrder = 'files,dns' | 'dns,files' | 'files' | 'dns' | 'system';

/** Everything the order decision looks at. */
export interface OrderInput {
  /** `pure` forces our resolver (Go's PreferGo / netdns=go); `auto` may pick the system. */
  mode: 'pure' | 'auto';
  /** The name being looked up (may be ''). */
  name: string;
  conf: ResolvConf;
  nss: NSSConf;
  /** Environment (LOCALDOMAIN, RES_OPTIONS, HOSTALIASES push to the system resolver). */
  env?: Record<string, string | undefined>;
  /** This machine's host name (for nsswitch `myhostname`). */
  localHostname?: string;
  /** Whether /etc/mdns.allow exists (true), is absent (false) or cannot be checked (null). */
  mdnsAllow?: boolean | null;
}

function isLocalhostName(h: string): boolean {
  const s = h.toLowerCase().replace(/\.$/, '');
  return s === 'localhost' || s.endsWith('.localhost') || s === '_gateway' || s === '_outbound';
}

/** Go's hostLookupOrder for Linux: which sources answer `name`, in which order. */
export function hostLookupOrder(input: OrderInput): HostLookupOrder {
  const { conf, nss, name } = input;
  const canUseSystem = input.mode === 'auto';
  const env = input.env ?? {};
  let fallback: HostLookupOrder = 'files,dns';
  if (canUseSystem) {
    if (env.LOCALDOMAIN !== undefined || env.RES_OPTIONS || env.HOSTALIASES) return 'system';
    if (name.includes('\\') || name.includes('%')) return 'system';
    fallback = 'system';
    if (conf.err && !isMissingOrDenied(conf.err)) return 'system';
    if (conf.unknownOpt) return 'system';
  }
  const srcs = nss.sources.get('hosts') ?? [];
  const code = (nss.err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || (nss.err === undefined && srcs.length === 0)) return 'files,dns';
  if (nss.err) return fallback;
  let filesSource = false;
  let dnsSource = false;
  let first = '';
  const hasDNS = srcs.some((s) => s.source === 'dns');
  for (const src of srcs) {
    if (src.source === 'files' || src.source === 'dns') {
      if (canUseSystem && !standardCriteria(src)) return 'system';
      if (src.source === 'files') filesSource = true;
      else dnsSource = true;
      if (first === '') first = src.source;
      continue;
    }
    if (canUseSystem) {
      if (name !== '' && src.source === 'myhostname') {
        if (isLocalhostName(name)) return 'system';
        const hn = input.localHostname ?? safeHostname();
        if (hn === '' || hn.toLowerCase() === name.toLowerCase().replace(/\.$/, '')) return 'system';
        continue;
      }
      if (name !== '' && src.source.startsWith('mdns')) {
        if (/\.local\.?$/i.test(name)) return 'system';
        if (input.mdnsAllow !== false) return 'system';
        continue;
      }
      return 'system';
    }
    // A source we cannot use ourselves counts as DNS when no real dns source is listed.
    if (!hasDNS) {
      dnsSource = true;
      if (first === '') first = 'dns';
    }
  }
  if (filesSource && dnsSource) return first === 'files' ? 'files,dns' : 'dns,files';
  if (filesSource) return 'files';
  if (dnsSource) return 'dns';
  return fallback;
}

/**
 * nsswitch.conf that follows changes to its file, re-stat'ed at most every `checkInterval`
 * ms (default 5000), as Go does.
 */
export class NsswitchWatcher {
  readonly path: string;
  private readonly now: () => number;
  private readonly interval: number;
  private conf: NSSConf | null = null;
  private signature = '';
  private lastChecked = 0;

  constructor(path = '/etc/nsswitch.conf', opts: { now?: () => number; checkInterval?: number } = {}) {
    this.path = path;
    this.now = opts.now ?? Date.now;
    this.interval = opts.checkInterval ?? 5000;
  }

  get(): NSSConf {
    const now = this.now();
    if (this.conf !== null && now - this.lastChecked < this.interval) return this.conf;
    this.lastChecked = now;
    const sig = fileSignature(this.path);
    if (this.conf !== null && sig === this.signature) return this.conf;
    this.signature = sig;
    this.conf = loadNsswitch(this.path);
    return this.conf;
  }
}

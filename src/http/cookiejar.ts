// An in-memory RFC 6265 cookie jar with Go's net/http/cookiejar rules: host-only and domain
// cookies, path matching, Secure (localhost and loopback count as secure origins), Expires and
// Max-Age, replacement keeping the creation time, and the send order (longest path first, then
// oldest). Cookies for public suffixes are refused; by default a small built-in suffix list is
// used, where any single label (a TLD) is a public suffix.
//
// Beyond Go: the jar is bounded (maxCookiesPerDomain, maxCookies; the least recently used
// cookie goes first), and the clock can be supplied for tests.

import { Cookie, type SameSite } from './cookie.js';
import { parseIP } from '../net/ip.js';

/** Go's cookiejar.PublicSuffixList. */
export interface PublicSuffixList {
  /** The public suffix of `domain` (lowercase ASCII): `com` for `example.com`, `co.uk` for `a.b.co.uk`. */
  publicSuffix(domain: string): string;
  /** Where the list comes from (a version or date). */
  toString(): string;
}

// Multi-label public suffixes common enough to matter; every other name's public suffix is its
// last label (the Public Suffix List's implicit `*` rule).
const BUILTIN_SUFFIXES = new Set([
  'co.uk', 'org.uk', 'me.uk', 'ltd.uk', 'plc.uk', 'net.uk', 'ac.uk', 'gov.uk', 'sch.uk', 'nhs.uk', 'police.uk',
  'com.au', 'net.au', 'org.au', 'edu.au', 'gov.au', 'asn.au', 'id.au',
  'co.nz', 'net.nz', 'org.nz', 'ac.nz', 'govt.nz', 'geek.nz', 'school.nz',
  'co.jp', 'ne.jp', 'or.jp', 'ac.jp', 'go.jp', 'gr.jp', 'ed.jp', 'lg.jp', 'ad.jp',
  'co.kr', 'or.kr', 'ne.kr', 'go.kr', 'ac.kr', 're.kr',
  'com.cn', 'net.cn', 'org.cn', 'gov.cn', 'edu.cn', 'com.hk', 'org.hk', 'com.tw', 'org.tw', 'idv.tw',
  'com.sg', 'com.my', 'co.id', 'or.id', 'web.id', 'co.th', 'in.th', 'com.vn', 'com.ph', 'co.in', 'net.in',
  'org.in', 'firm.in', 'gen.in', 'ind.in', 'com.pk', 'co.il', 'org.il', 'ac.il', 'com.tr', 'gov.tr',
  'co.za', 'org.za', 'gov.za', 'web.za', 'com.ng', 'co.ke', 'com.eg',
  'com.br', 'net.br', 'org.br', 'gov.br', 'blog.br', 'com.ar', 'com.mx', 'org.mx', 'com.co', 'com.pe', 'cl.cl',
  'co.at', 'or.at', 'com.pl', 'net.pl', 'org.pl', 'com.es', 'org.es', 'com.pt', 'com.gr', 'com.ua', 'co.ua',
  'com.ru', 'msk.ru', 'spb.ru', 'co.it', 'gov.it',
  'github.io', 'gitlab.io', 'herokuapp.com', 'appspot.com', 'blogspot.com', 'cloudfront.net',
  'azurewebsites.net', 'netlify.app', 'vercel.app', 'pages.dev', 'workers.dev', 'web.app', 'firebaseapp.com',
  's3.amazonaws.com', 'fly.dev', 'onrender.com', 'glitch.me', 'ngrok.io', 'ngrok-free.app',
]);

/** The built-in fallback list: a few well-known multi-label suffixes, and every TLD. */
export const builtinPublicSuffixList: PublicSuffixList = {
  publicSuffix(domain: string): string {
    let i = 0;
    for (;;) {
      const cand = domain.slice(i);
      if (BUILTIN_SUFFIXES.has(cand)) return cand;
      const dot = domain.indexOf('.', i);
      if (dot < 0) return cand;
      i = dot + 1;
    }
  },
  toString(): string {
    return 'gonet built-in public suffix fallback';
  },
};

/** CookieJar settings. */
export interface CookieJarOptions {
  /**
   * Decides which domains are public suffixes. Default: builtinPublicSuffixList. `null` means no
   * list at all, as Go's nil: insecure, any server may set cookies for a parent domain.
   */
  publicSuffixList?: PublicSuffixList | null;
  /** Most cookies kept per site (eTLD+1); default 180. */
  maxCookiesPerDomain?: number;
  /** Most cookies kept in all; default 3000. */
  maxCookies?: number;
  /** The clock (ms since the epoch); default Date.now. */
  now?: () => number;
}

/** Anything with a cookie's fields (a Cookie, or a plain object read from elsewhere). */
export type CookieLike = Pick<Cookie, 'name' | 'value'> & Partial<Pick<Cookie,
  'quoted' | 'path' | 'domain' | 'expires' | 'maxAge' | 'secure' | 'httpOnly' | 'sameSite'>>;

interface Entry {
  name: string;
  value: string;
  quoted: boolean;
  domain: string;
  path: string;
  sameSite: SameSite;
  secure: boolean;
  httpOnly: boolean;
  persistent: boolean;
  hostOnly: boolean;
  expires: number;
  creation: number;
  lastAccess: number;
  seq: number;
}

/** Session cookies expire at the end of 9999 (Go's endOfTime). */
const END_OF_TIME = Date.UTC(9999, 11, 31, 23, 59, 59);

/** Why a cookie was refused (the jar drops such cookies silently, as Go's does). */
type DomainResult = { domain: string; hostOnly: boolean } | 'illegal' | 'malformed';

function hasDotSuffix(s: string, suffix: string): boolean {
  return s.length > suffix.length && s.charCodeAt(s.length - suffix.length - 1) === 0x2e && s.endsWith(suffix);
}

function isIP(host: string): boolean {
  // Host names never hold ':' or '%': treat those as IPv6 (with a zone) to stay conservative.
  return host.includes(':') || host.includes('%') || parseIP(host) !== null;
}

function isLocalhost(domain: string): boolean {
  let h = domain.endsWith('.') ? domain.slice(0, -1) : domain;
  const dot = h.lastIndexOf('.');
  if (dot >= 0) h = h.slice(dot + 1);
  return h.toLowerCase() === 'localhost';
}

function pathMatch(cookiePath: string, requestPath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath.charCodeAt(cookiePath.length) === 0x2f;
}

/** RFC 6265 §5.1.4 default-path: the directory of the request path. */
function defaultPath(path: string): string {
  if (path === '' || path[0] !== '/') return '/';
  const i = path.lastIndexOf('/');
  return i === 0 ? '/' : path.slice(0, i);
}

/** The URL's host as the jar compares it: no brackets, no trailing dot, lowercase ASCII. */
function canonicalHost(url: URL): string {
  let h = url.hostname;
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h.toLowerCase();
}

/** Go's CookieJar: `setCookies(url, cookies)` after a response, `cookies(url)` for a request. */
export class CookieJar {
  readonly publicSuffixList: PublicSuffixList | null;
  readonly maxCookiesPerDomain: number;
  readonly maxCookies: number;
  private readonly now: () => number;
  // eTLD+1 → (domain;path;name → entry)
  private readonly entries = new Map<string, Map<string, Entry>>();
  private nextSeq = 0;
  private count = 0;

  constructor(opts: CookieJarOptions = {}) {
    this.publicSuffixList = opts.publicSuffixList === undefined ? builtinPublicSuffixList : opts.publicSuffixList;
    this.maxCookiesPerDomain = opts.maxCookiesPerDomain ?? 180;
    this.maxCookies = opts.maxCookies ?? 3000;
    this.now = opts.now ?? Date.now;
  }

  /** How many cookies the jar holds (expired ones included until next touched). */
  get size(): number {
    return this.count;
  }

  /** The jar key: the host's eTLD+1, or the host itself for IPs and public suffixes. */
  private key(host: string): string {
    if (isIP(host)) return host;
    let i: number;
    const psl = this.publicSuffixList;
    if (psl === null) {
      i = host.lastIndexOf('.');
      if (i <= 0) return host;
    } else {
      const suffix = psl.publicSuffix(host);
      if (suffix === host) return host;
      i = host.length - suffix.length;
      if (i <= 0 || host.charCodeAt(i - 1) !== 0x2e) return host; // a broken list: keep per host
    }
    const prev = host.lastIndexOf('.', i - 2);
    return host.slice(prev + 1);
  }

  /** Go's domainAndType: the cookie's domain and whether it is host-only, or why it is refused. */
  private domainAndType(host: string, domain: string): DomainResult {
    if (domain === '') return { domain: host, hostOnly: true };
    if (isIP(host)) {
      // An IP host may name only itself, with no leading dot; such a cookie is host-only.
      return host === domain ? { domain: host, hostOnly: true } : 'illegal';
    }
    if (domain.startsWith('.')) domain = domain.slice(1);
    if (domain === '' || domain.startsWith('.')) return 'malformed';
    for (let i = 0; i < domain.length; i++) if (domain.charCodeAt(i) > 0x7f) return 'malformed';
    domain = domain.toLowerCase();
    if (domain.endsWith('.')) return 'malformed';
    const psl = this.publicSuffixList;
    if (psl !== null) {
      const ps = psl.publicSuffix(domain);
      if (ps !== '' && !hasDotSuffix(domain, ps)) {
        // A public suffix is allowed only as the host's own name, and then only host-only.
        return host === domain ? { domain: host, hostOnly: true } : 'illegal';
      }
    }
    if (host !== domain && !hasDotSuffix(host, domain)) return 'illegal';
    return { domain, hostOnly: false };
  }

  /**
   * Stores the cookies a response from `url` set. Only http and https URLs count. Cookies with
   * a domain the host may not set, or for a public suffix, are dropped; an expired cookie (or
   * Max-Age ≤ 0) deletes the stored one of the same name, domain and path.
   */
  setCookies(url: URL, cookies: readonly CookieLike[]): void {
    if (cookies.length === 0) return;
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return;
    const host = canonicalHost(url);
    const key = this.key(host);
    const defPath = defaultPath(url.pathname);
    const now = this.now();
    let sub = this.entries.get(key);
    for (const c of cookies) {
      const path = !c.path || c.path[0] !== '/' ? defPath : c.path;
      const dt = this.domainAndType(host, c.domain ?? '');
      if (typeof dt === 'string') continue;
      const id = `${dt.domain};${path};${c.name}`;
      let expires: number;
      let persistent: boolean;
      const maxAge = c.maxAge ?? 0;
      let remove = false;
      if (maxAge < 0) remove = true;
      else if (maxAge > 0) {
        expires = Math.min(now + maxAge * 1000, END_OF_TIME);
        persistent = true;
      } else if (c.expires == null || Number.isNaN(c.expires.getTime())) {
        expires = END_OF_TIME;
        persistent = false;
      } else if (c.expires.getTime() <= now) {
        remove = true;
      } else {
        expires = c.expires.getTime();
        persistent = true;
      }
      if (remove) {
        if (sub?.delete(id)) this.count--;
        continue;
      }
      sub ??= new Map();
      const old = sub.get(id);
      const e: Entry = {
        name: c.name, value: c.value, quoted: c.quoted ?? false, domain: dt.domain, path,
        sameSite: c.sameSite ?? '', secure: c.secure ?? false, httpOnly: c.httpOnly ?? false,
        persistent: persistent!, hostOnly: dt.hostOnly, expires: expires!,
        creation: old ? old.creation : now, lastAccess: now, seq: old ? old.seq : this.nextSeq++,
      };
      if (!old) this.count++;
      sub.set(id, e);
    }
    if (sub === undefined) return;
    if (sub.size === 0) this.entries.delete(key);
    else {
      this.entries.set(key, sub);
      this.enforceLimits(key, now);
    }
  }

  /**
   * The cookies to send to `url`, longest path first, then oldest first. Expired cookies are
   * removed on the way. Secure cookies go only over https, or to localhost and loopback IPs.
   */
  cookies(url: URL): Cookie[] {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return [];
    const host = canonicalHost(url);
    const key = this.key(host);
    const sub = this.entries.get(key);
    if (sub === undefined) return [];
    const https = url.protocol === 'https:';
    const path = url.pathname || '/';
    const now = this.now();
    const selected: Entry[] = [];
    for (const [id, e] of sub) {
      if (e.persistent && e.expires <= now) {
        sub.delete(id);
        this.count--;
        continue;
      }
      if (!this.shouldSend(e, https, host, path)) continue;
      e.lastAccess = now;
      selected.push(e);
    }
    if (sub.size === 0) this.entries.delete(key);
    selected.sort((a, b) => b.path.length - a.path.length || a.creation - b.creation || a.seq - b.seq);
    return selected.map((e) => new Cookie({ name: e.name, value: e.value, quoted: e.quoted }));
  }

  private shouldSend(e: Entry, https: boolean, host: string, path: string): boolean {
    const domainOK = e.domain === host || (!e.hostOnly && hasDotSuffix(host, e.domain));
    if (!domainOK || !pathMatch(e.path, path)) return false;
    if (!e.secure || https) return true;
    if (isLocalhost(e.domain)) return true;
    const ip = parseIP(e.domain);
    return ip !== null && ip.isLoopback();
  }

  /** Drops expired cookies, then the least recently used, until the bounds hold. */
  private enforceLimits(key: string, now: number): void {
    const sub = this.entries.get(key);
    if (sub !== undefined && sub.size > this.maxCookiesPerDomain) this.evict([sub], sub.size - this.maxCookiesPerDomain, now);
    if (this.count > this.maxCookies) this.evict([...this.entries.values()], this.count - this.maxCookies, now);
    for (const [k, m] of this.entries) if (m.size === 0) this.entries.delete(k);
  }

  private evict(maps: Map<string, Entry>[], n: number, now: number): void {
    const all: [Map<string, Entry>, string, Entry][] = [];
    for (const m of maps) for (const [id, e] of m) all.push([m, id, e]);
    all.sort(([, , a], [, , b]) => {
      const ea = a.persistent && a.expires <= now ? 0 : 1;
      const eb = b.persistent && b.expires <= now ? 0 : 1;
      return ea - eb || a.lastAccess - b.lastAccess || a.seq - b.seq;
    });
    for (let i = 0; i < n && i < all.length; i++) {
      const [m, id] = all[i]!;
      if (m.delete(id)) this.count--;
    }
  }
}

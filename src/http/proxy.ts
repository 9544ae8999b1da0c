// Choosing a proxy from the environment: HTTP_PROXY / HTTPS_PROXY / NO_PROXY with Go's
// httpproxy matching rules. Names are never resolved here: NO_PROXY and the loopback rule look
// only at the URL's text (host names, IP literals).
//
// Where gonet differs from Go, on purpose (each is covered by test/http/proxy-env.test.ts):
// - The lowercase variable wins over the uppercase one when both are set (curl's order; Go reads
//   the uppercase one first). `preferUppercase: true` restores Go's order.
// - In a CGI process (REQUEST_METHOD set) the uppercase HTTP_PROXY is ignored: a client can
//   inject it with a `Proxy:` request header. Go fails the request instead; lowercase
//   http_proxy, which no request header can set, is still honoured.
// - A proxy value that does not parse, or names a scheme no Transport can speak, is an error
//   (InvalidProxyURLError) when it would be used; Go silently goes direct.
// - `[v6addr]` in NO_PROXY (brackets, no port) matches that address; Go never matches it.
// - URL hosts are the WHATWG parser's (lowercased, punycoded, IPv4 normalised), so `LOCALHOST`
//   and `0x7f.1` count as loopback, where Go compares the raw text.

import { domainToASCII } from 'node:url';
import { parseCIDR, parseIP, type IP, type IPNet } from '../net/ip.js';
import { splitHostPort } from '../net/hostport.js';

/** The environment to read: `process.env` or any name → value map. */
export type ProxyEnv = Readonly<Record<string, string | undefined>>;

/** Decides the proxy for one request URL: a proxy URL, or null to go direct. */
export type ProxyFunc = (url: URL) => URL | null;

/** Options for proxyFuncFromEnv. */
export interface ProxyEnvOptions {
  /** Read HTTP_PROXY before http_proxy (and so on), as Go does. Default false (lowercase wins). */
  preferUppercase?: boolean;
}

/** Proxy URL schemes a Transport can use. */
const PROXY_SCHEMES = new Set(['http:', 'https:', 'socks5:', 'socks5h:']);

// Default ports when a request URL gives none (for NO_PROXY port matching).
const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443', 'socks5:': '1080', 'socks5h:': '1080' };

/**
 * A proxy environment variable holds a value that is not a usable proxy URL:
 * `proxy: invalid HTTPS_PROXY value "ftp://p:21": unsupported proxy scheme "ftp"`.
 */
export class InvalidProxyURLError extends Error {
  override name = 'InvalidProxyURLError';
  readonly timeout = false;
  readonly temporary = false;
  /** The variable the value came from (`HTTPS_PROXY`, `http_proxy`...). */
  readonly variable: string;
  /** The raw value. */
  readonly value: string;
  /** Why it was rejected. */
  readonly reason: string;
  constructor(variable: string, value: string, reason: string, cause?: unknown) {
    super(`proxy: invalid ${variable} value ${JSON.stringify(value)}: ${reason}`, cause === undefined ? undefined : { cause });
    this.variable = variable;
    this.value = value;
    this.reason = reason;
  }
}

const EXPLICIT_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/**
 * Parses one proxy variable's value. A value without `scheme://` (`proxy:3128`, `1.2.3.4:8080`,
 * `user:pw@proxy`) means `http://` + value. Throws InvalidProxyURLError.
 */
export function parseProxyURL(value: string, variable = 'proxy'): URL {
  const text = EXPLICIT_SCHEME.test(value) ? value : 'http://' + value;
  let u: URL;
  try {
    u = new URL(text);
  } catch (e) {
    throw new InvalidProxyURLError(variable, value, 'not a valid URL', e);
  }
  if (!PROXY_SCHEMES.has(u.protocol)) {
    throw new InvalidProxyURLError(variable, value, `unsupported proxy scheme ${JSON.stringify(u.protocol.slice(0, -1))} (want http, https, socks5 or socks5h)`);
  }
  if (u.hostname === '' || u.hostname === '[]') throw new InvalidProxyURLError(variable, value, 'missing proxy host');
  if (u.search !== '' || u.hash !== '') throw new InvalidProxyURLError(variable, value, 'a proxy URL takes no query or fragment');
  return u;
}

type Matcher =
  | { kind: 'cidr'; net: IPNet }
  | { kind: 'ip'; ip: IP; port: string }
  | { kind: 'domain'; suffix: string; port: string; matchHost: boolean };

/** The parsed NO_PROXY list. */
interface NoProxy {
  all: boolean;
  ip: Matcher[];
  domain: Matcher[];
}

function isASCII(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

function toASCIIHost(s: string): string {
  if (isASCII(s)) return s;
  const lead = s.startsWith('.') ? '.' : '';
  const a = domainToASCII(lead ? s.slice(1) : s);
  return a === '' ? s : lead + a;
}

function trySplitHostPort(s: string): [string, string] | null {
  try {
    return splitHostPort(s);
  } catch {
    return null;
  }
}

/** Parses NO_PROXY: entries are trimmed and lowercased; malformed ones are skipped, as Go does. */
function parseNoProxy(list: string): NoProxy {
  const out: NoProxy = { all: false, ip: [], domain: [] };
  for (const raw of list.split(',')) {
    const p = raw.trim().toLowerCase();
    if (p === '') continue;
    if (p === '*') return { all: true, ip: [], domain: [] };
    if (p.includes('/')) {
      try {
        out.ip.push({ kind: 'cidr', net: parseCIDR(p).net });
        continue;
      } catch {
        // not a CIDR: fall through to the host forms
      }
    }
    let host = p;
    let port = '';
    const hp = trySplitHostPort(p);
    if (hp !== null) {
      [host, port] = hp;
      if (host === '') continue;
    } else if (p.startsWith('[') && p.endsWith(']')) {
      host = p.slice(1, -1); // `[::1]` without a port
    }
    const ip = parseIP(host);
    if (ip !== null) {
      out.ip.push({ kind: 'ip', ip, port });
      continue;
    }
    if (host.startsWith('*.')) host = host.slice(1);
    const matchHost = !host.startsWith('.');
    const suffix = toASCIIHost(matchHost ? '.' + host : host);
    out.domain.push({ kind: 'domain', suffix, port, matchHost });
  }
  return out;
}

function matches(m: Matcher, host: string, port: string, ip: IP | null): boolean {
  switch (m.kind) {
    case 'cidr':
      return ip !== null && m.net.contains(ip);
    case 'ip':
      return ip !== null && m.ip.equal(ip) && (m.port === '' || m.port === port);
    case 'domain':
      return (host.endsWith(m.suffix) || (m.matchHost && host === m.suffix.slice(1))) && (m.port === '' || m.port === port);
  }
}

/** Whether a request to host:port goes through the proxy: not localhost, loopback or NO_PROXY. */
function useProxy(np: NoProxy, host: string, port: string): boolean {
  if (host === 'localhost') return false;
  const ip = parseIP(host);
  if (ip !== null && ip.isLoopback()) return false;
  if (np.all) return false;
  if (ip !== null) {
    for (const m of np.ip) if (matches(m, host, port, ip)) return false;
  }
  for (const m of np.domain) if (matches(m, host, port, ip)) return false;
  return true;
}

/** One proxy variable after parsing: the URL, or the error to raise when it would be used. */
type ProxySetting = { url: URL; error: null } | { url: null; error: InvalidProxyURLError } | null;

function setting(env: ProxyEnv, names: readonly string[]): ProxySetting {
  for (const name of names) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    try {
      return { url: parseProxyURL(v, name), error: null };
    } catch (e) {
      return { url: null, error: e as InvalidProxyURLError };
    }
  }
  return null;
}

/**
 * Builds a proxy function from environment variables (`process.env` by default), read now.
 * https URLs use HTTPS_PROXY / https_proxy, http URLs HTTP_PROXY / http_proxy, other schemes
 * never get a proxy. Hosts named by NO_PROXY / no_proxy, `localhost` and loopback IP literals
 * go direct. The function throws InvalidProxyURLError when the applicable value is malformed.
 */
export function proxyFuncFromEnv(env: ProxyEnv = process.env, opts: ProxyEnvOptions = {}): ProxyFunc {
  const order = (upper: string): string[] => (opts.preferUppercase ? [upper, upper.toLowerCase()] : [upper.toLowerCase(), upper]);
  const cgi = (env.REQUEST_METHOD ?? '') !== '';
  const httpNames = cgi ? ['http_proxy'] : order('HTTP_PROXY');
  const http = setting(env, httpNames);
  const https = setting(env, order('HTTPS_PROXY'));
  const noProxyNames = order('NO_PROXY');
  const noProxyValue = noProxyNames.map((n) => env[n]).find((v) => v !== undefined && v !== '') ?? '';
  const np = parseNoProxy(noProxyValue);
  return (url: URL): URL | null => {
    const s = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : null;
    if (s === null) return null;
    let host = url.hostname;
    if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
    host = toASCIIHost(host.toLowerCase());
    const port = url.port || DEFAULT_PORTS[url.protocol] || '';
    if (!useProxy(np, host, port)) return null;
    if (s.error !== null) throw s.error;
    return new URL(s.url.href);
  };
}

let fromEnv: ProxyFunc | null = null;

/**
 * Go's ProxyFromEnvironment: the proxy for `req.url` per proxyFuncFromEnv(process.env). The
 * environment is read once, at the first call; reloadProxyEnvironment() reads it again.
 */
export function proxyFromEnvironment(req: { readonly url: URL }): URL | null {
  fromEnv ??= proxyFuncFromEnv(process.env);
  return fromEnv(req.url);
}

/** Makes the next proxyFromEnvironment call read the environment again (Go cannot; #22079). */
export function reloadProxyEnvironment(): void {
  fromEnv = null;
}

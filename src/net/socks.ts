// A SOCKS5 client (RFC 1928, CONNECT only) with username/password authentication (RFC 1929).
// The tunnel is an ordinary Conn obtained from a forward dialer (gonet's Dialer by default), so
// it works over anything that dials; the result is a Conn too, so HTTP or TLS can run on it.
//
// Every failure is an OpError `socks connect <net> <proxy>-><target>: <cause>` whose cause says
// what went wrong: the proxy could not be reached (the forward dialer's OpError), the server
// refused the request (SOCKSReplyError: "connection refused by the SOCKS server"...), rejected
// the credentials (SOCKSAuthError) or spoke something that is not SOCKS5 (SOCKSProtocolError).
// Timeouts and the caller's signal cover the proxy dial and the whole handshake.

import type { Conn } from './conn.js';
import { ConnBase, hasChunkReader } from './conn.js';
import { AddrError, OpError, UnsupportedError, type Addr, type NetError } from './errors.js';
import { IP, parseIPZone } from './ip.js';
import { joinHostPort, splitHostPort } from './hostport.js';
import { lookupPortSync } from './port.js';
import { defaultResolver, type HostResolver, type IPNetwork } from './lookup.js';
import { raceSignal, withDeadline } from './context.js';
import { Dialer } from './dial.js';

const VERSION = 5;
const CMD_CONNECT = 1;
const ATYP_IPV4 = 1;
const ATYP_FQDN = 3;
const ATYP_IPV6 = 4;
const METHOD_NONE = 0x00;
const METHOD_USERPASS = 0x02;
const METHOD_NO_ACCEPTABLE = 0xff;
const USERPASS_VERSION = 1;

/** Credentials for RFC 1929 username/password authentication (each at most 255 bytes). */
export interface SOCKS5Auth {
  username: string;
  password: string;
}

/** Anything that dials like gonet's Dialer: the hop that reaches the SOCKS server. */
export interface ContextDialer {
  dial(network: string, address: string, opts?: { signal?: AbortSignal }): Promise<Conn>;
}

/** SOCKS5Dialer settings. */
export interface SOCKS5DialerOptions {
  /** The SOCKS server, `host:port`. */
  proxyAddress: string;
  /** Network used to reach the server (default `tcp`). */
  proxyNetwork?: string;
  /** Username/password; without it only "no authentication" is offered. */
  auth?: SOCKS5Auth | null;
  /** Dials the server (default: a plain gonet Dialer). */
  forward?: ContextDialer;
  /**
   * true: names are resolved here and the server gets an IP address (`socks5://`);
   * false: the server gets the name and resolves it (`socks5h://`). IP literals are always sent as is.
   */
  resolveLocally: boolean;
  /** Resolver for resolveLocally (default: the process-wide default resolver). */
  resolver?: HostResolver;
  /** Bound in ms on each dial, proxy connect and handshake included (0 = none). */
  timeout?: number;
}

/** A SOCKS endpoint: a name or an IP, and a port (Go's socks.Addr). */
export class SOCKSAddr implements Addr {
  readonly network = 'socks';
  constructor(readonly name: string, readonly ip: IP | null, readonly port: number) {}
  toString(): string {
    return joinHostPort(this.ip !== null ? this.ip.toString() : this.name, String(this.port));
  }
}

// The proxy's address as configured, for error messages.
class ConfiguredAddr implements Addr {
  constructor(readonly network: string, private readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const REPLY_TEXT: Record<number, string> = {
  0x01: 'general SOCKS server failure',
  0x02: 'connection not allowed by ruleset',
  0x03: 'network unreachable',
  0x04: 'host unreachable',
  0x05: 'connection refused by the SOCKS server',
  0x06: 'TTL expired',
  0x07: 'command not supported',
  0x08: 'address type not supported',
};

const REPLY_CODE: Record<number, string> = {
  0x01: 'ESOCKSFAILURE',
  0x02: 'EACCES',
  0x03: 'ENETUNREACH',
  0x04: 'EHOSTUNREACH',
  0x05: 'ECONNREFUSED',
  0x06: 'ETIMEDOUT',
  0x07: 'ENOTSUP',
  0x08: 'EAFNOSUPPORT',
};

/** The SOCKS server answered the CONNECT with a failure reply (RFC 1928 §6). */
export class SOCKSReplyError extends Error implements NetError {
  override name = 'SOCKSReplyError';
  readonly timeout = false;
  readonly temporary = false;
  /** The REP byte (1..255). */
  readonly reply: number;
  /** An errno-like code: ECONNREFUSED for 5, EHOSTUNREACH for 4, ENETUNREACH for 3... */
  readonly code: string;
  constructor(reply: number) {
    super(REPLY_TEXT[reply] ?? `unknown SOCKS reply code 0x${reply.toString(16).padStart(2, '0')}`);
    this.reply = reply;
    this.code = REPLY_CODE[reply] ?? 'ESOCKSREPLY';
  }
}

/** Authentication failed: credentials rejected, or no method both sides accept. */
export class SOCKSAuthError extends Error implements NetError {
  override name = 'SOCKSAuthError';
  readonly timeout = false;
  readonly temporary = false;
  readonly code = 'ESOCKSAUTH';
}

/** The server's bytes are not valid SOCKS5: wrong version, unknown values, or cut short. */
export class SOCKSProtocolError extends Error implements NetError {
  override name = 'SOCKSProtocolError';
  readonly timeout = false;
  readonly temporary = false;
  readonly code = 'EPROTO';
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function checkAuth(auth: SOCKS5Auth): void {
  const u = byteLength(auth.username);
  const p = byteLength(auth.password);
  if (u < 1 || u > 255) throw new SOCKSAuthError(`invalid username/password: the username must be 1 to 255 bytes, not ${u}`);
  if (p > 255) throw new SOCKSAuthError(`invalid username/password: the password must be at most 255 bytes, not ${p}`);
}

/** Reads exactly n bytes; EOF first is a SOCKSProtocolError naming the message. */
async function readFull(c: Conn, n: number, what: string): Promise<Uint8Array> {
  const b = new Uint8Array(n);
  let off = 0;
  while (off < n) {
    const k = await c.read(b.subarray(off));
    if (k === null) {
      throw new SOCKSProtocolError(off === 0 && what === 'method selection reply'
        ? 'the SOCKS server closed the connection without replying'
        : `unexpected EOF in the SOCKS ${what} (got ${off} of ${n} bytes)`);
    }
    off += k;
  }
  return b;
}

function methodName(m: number): string {
  return m === METHOD_NONE ? 'no authentication' : m === METHOD_USERPASS ? 'username/password' : `0x${m.toString(16).padStart(2, '0')}`;
}

/** The destination as it goes into the CONNECT request. */
type Target = { ip: IP } | { name: string };

function encodeRequest(t: Target, port: number): Uint8Array {
  let addr: Uint8Array;
  let atyp: number;
  if ('ip' in t) {
    const v4 = t.ip.to4();
    if (v4 !== null) {
      atyp = ATYP_IPV4;
      addr = v4.bytes;
    } else {
      atyp = ATYP_IPV6;
      addr = t.ip.to16()!.bytes;
    }
  } else {
    const name = Buffer.from(t.name, 'utf8');
    atyp = ATYP_FQDN;
    addr = new Uint8Array(1 + name.length);
    addr[0] = name.length;
    addr.set(name, 1);
  }
  const b = new Uint8Array(4 + addr.length + 2);
  b[0] = VERSION;
  b[1] = CMD_CONNECT;
  b[2] = 0;
  b[3] = atyp;
  b.set(addr, 4);
  b[4 + addr.length] = port >> 8;
  b[5 + addr.length] = port & 0xff;
  return b;
}

/** Runs the client side of the handshake on `c`; resolves with the server's bound address. */
async function handshake(c: Conn, auth: SOCKS5Auth | null, target: Target, port: number): Promise<SOCKSAddr> {
  const methods = auth ? [METHOD_NONE, METHOD_USERPASS] : [METHOD_NONE];
  await c.write(Uint8Array.of(VERSION, methods.length, ...methods));
  const sel = await readFull(c, 2, 'method selection reply');
  if (sel[0] !== VERSION) {
    throw new SOCKSProtocolError(`unexpected protocol version ${sel[0]} in the SOCKS method selection reply (want 5; not a SOCKS5 server?)`);
  }
  const method = sel[1]!;
  if (method === METHOD_NO_ACCEPTABLE) {
    throw new SOCKSAuthError(`no acceptable authentication methods (offered: ${methods.map(methodName).join(', ')})`);
  }
  if (!methods.includes(method)) {
    throw new SOCKSProtocolError(`the SOCKS server chose authentication method ${methodName(method)}, which was not offered`);
  }
  if (method === METHOD_USERPASS && auth) {
    const u = Buffer.from(auth.username, 'utf8');
    const p = Buffer.from(auth.password, 'utf8');
    await c.write(Buffer.concat([Uint8Array.of(USERPASS_VERSION, u.length), u, Uint8Array.of(p.length), p]));
    const r = await readFull(c, 2, 'authentication reply');
    if (r[0] !== USERPASS_VERSION) {
      throw new SOCKSProtocolError(`unexpected username/password subnegotiation version ${r[0]} in the SOCKS authentication reply (want 1)`);
    }
    if (r[1] !== 0) throw new SOCKSAuthError('username/password authentication failed');
  }
  await c.write(encodeRequest(target, port));
  const h = await readFull(c, 4, 'connect reply');
  if (h[0] !== VERSION) throw new SOCKSProtocolError(`unexpected protocol version ${h[0]} in the SOCKS connect reply (want 5)`);
  if (h[1] !== 0) throw new SOCKSReplyError(h[1]!);
  let bound: SOCKSAddr;
  switch (h[3]) {
    case ATYP_IPV4: {
      const b = await readFull(c, 6, 'connect reply');
      bound = new SOCKSAddr('', IP.v4(b[0]!, b[1]!, b[2]!, b[3]!), (b[4]! << 8) | b[5]!);
      break;
    }
    case ATYP_IPV6: {
      const b = await readFull(c, 18, 'connect reply');
      bound = new SOCKSAddr('', new IP(b.slice(0, 16)), (b[16]! << 8) | b[17]!);
      break;
    }
    case ATYP_FQDN: {
      const len = (await readFull(c, 1, 'connect reply'))[0]!;
      const b = await readFull(c, len + 2, 'connect reply');
      bound = new SOCKSAddr(Buffer.from(b.subarray(0, len)).toString('latin1'), null, (b[len]! << 8) | b[len + 1]!);
      break;
    }
    default:
      throw new SOCKSProtocolError(`unknown address type 0x${h[3]!.toString(16).padStart(2, '0')} in the SOCKS connect reply`);
  }
  return bound;
}

/**
 * A Conn tunnelled through a SOCKS server. `remoteAddr` is the SOCKS server (the real TCP
 * peer), `targetAddr` the destination asked for, `boundAddr` the address the server reported.
 */
export class SOCKSConn extends ConnBase implements Conn {
  constructor(readonly conn: Conn, readonly targetAddr: SOCKSAddr, readonly boundAddr: SOCKSAddr) {
    super();
  }
  /** The conn to the SOCKS server, under the name wrappers use (the HTTP pool unrefs through it). */
  get inner(): Conn {
    return this.conn;
  }
  read(p: Uint8Array): Promise<number | null> {
    return this.conn.read(p);
  }
  override readChunk(): Promise<Uint8Array | null> {
    return hasChunkReader(this.conn) ? this.conn.readChunk() : super.readChunk();
  }
  write(p: Uint8Array): Promise<number> {
    return this.conn.write(p);
  }
  close(): void {
    this.conn.close();
  }
  closeWrite(): Promise<void> {
    return this.conn.closeWrite();
  }
  get localAddr(): Addr {
    return this.conn.localAddr;
  }
  get remoteAddr(): Addr {
    return this.conn.remoteAddr;
  }
  override setDeadline(t: Date | null): void {
    this.conn.setDeadline(t);
  }
  setReadDeadline(t: Date | null): void {
    this.conn.setReadDeadline(t);
  }
  setWriteDeadline(t: Date | null): void {
    this.conn.setWriteDeadline(t);
  }
}

const TCP_NETWORKS = new Set(['tcp', 'tcp4', 'tcp6']);

/** Go's proxy.SOCKS5 dialer: `dial(network, address, { signal })` → a Conn through the server. */
export class SOCKS5Dialer implements ContextDialer {
  readonly proxyAddress: string;
  readonly proxyNetwork: string;
  readonly auth: SOCKS5Auth | null;
  readonly forward: ContextDialer;
  readonly resolveLocally: boolean;
  readonly resolver: HostResolver | undefined;
  readonly timeout: number;

  constructor(opts: SOCKS5DialerOptions) {
    this.proxyAddress = opts.proxyAddress;
    this.proxyNetwork = opts.proxyNetwork ?? 'tcp';
    this.auth = opts.auth ?? null;
    if (this.auth) checkAuth(this.auth);
    this.forward = opts.forward ?? new Dialer();
    this.resolveLocally = opts.resolveLocally;
    this.resolver = opts.resolver;
    this.timeout = opts.timeout ?? 0;
  }

  /**
   * Connects to `address` (`host:port`) through the SOCKS server. Only TCP networks exist in
   * SOCKS CONNECT. With resolveLocally and several addresses for the name, each is tried in
   * turn (a fresh proxy conn each) while the server answers with a failure reply.
   */
  async dial(network: string, address: string, opts: { signal?: AbortSignal } = {}): Promise<SOCKSConn> {
    const proxy = new ConfiguredAddr(this.proxyNetwork, this.proxyAddress);
    let dst: Addr = new ConfiguredAddr('socks', address);
    const fail = (cause: unknown): OpError => new OpError({
      op: 'socks connect', net: network, source: proxy, addr: dst, cause: cause instanceof Error ? cause : new Error(String(cause)),
    });
    const scope = withDeadline(opts.signal, this.timeout !== 0 ? Date.now() + this.timeout : 0);
    try {
      if (!TCP_NETWORKS.has(network)) throw fail(new UnsupportedError(`network ${network} is not supported through SOCKS5 (CONNECT carries TCP only)`));
      let host: string;
      let port: number;
      try {
        [host, port] = this.splitTarget(network, address);
      } catch (e) {
        throw fail(e);
      }
      const literal = parseIPZone(host)?.ip ?? null;
      const target = new SOCKSAddr(literal === null ? host : '', literal, port);
      dst = target;
      let targets: Target[];
      if (literal !== null) targets = [{ ip: literal }];
      else if (!this.resolveLocally) targets = [{ name: host }];
      else {
        try {
          const fam: IPNetwork = network === 'tcp4' ? 'ip4' : network === 'tcp6' ? 'ip6' : 'ip';
          const addrs = await (this.resolver ?? defaultResolver()).lookupIPAddr(host, { network: fam, signal: scope.signal });
          targets = addrs.map((a) => ({ ip: a.ip }));
        } catch (e) {
          throw fail(e);
        }
      }
      let firstErr: unknown = null;
      for (const t of targets) {
        let c: Conn;
        try {
          c = await this.forward.dial(this.proxyNetwork, this.proxyAddress, { signal: scope.signal });
        } catch (e) {
          throw fail(e);
        }
        try {
          const bound = await raceSignal(handshake(c, this.auth, t, port), scope.signal);
          return new SOCKSConn(c, 'ip' in t ? new SOCKSAddr(host, t.ip, port) : target, bound);
        } catch (e) {
          c.close();
          if (!(e instanceof SOCKSReplyError)) throw fail(e);
          firstErr ??= e;
        }
      }
      throw fail(firstErr ?? new AddrError('no addresses', host));
    } finally {
      scope.done();
    }
  }

  private splitTarget(network: string, address: string): [string, number] {
    const [host, service] = splitHostPort(address);
    if (host === '') throw new AddrError('missing host in address', address);
    if (parseIPZone(host) === null && byteLength(host) > 255) throw new AddrError('host name too long for SOCKS5 (at most 255 bytes)', address);
    const port = lookupPortSync(network, service);
    if (port === 0) throw new AddrError('port 0 is not a valid destination', address);
    return [host, port];
  }
}

/** Options for socksDialerFromURL, beside what the URL says. */
export interface SOCKSURLOptions {
  forward?: ContextDialer;
  resolver?: HostResolver;
  timeout?: number;
}

/**
 * A SOCKS5Dialer from a proxy URL: `socks5://[user:pass@]host[:port]` resolves names here,
 * `socks5h://...` lets the server resolve them. The port defaults to 1080; user and password
 * are percent-decoded. Throws AddrError for any other scheme or a URL without a host.
 */
export function socksDialerFromURL(url: URL | string, opts: SOCKSURLOptions = {}): SOCKS5Dialer {
  const u = typeof url === 'string' ? new URL(url) : url;
  if (u.protocol !== 'socks5:' && u.protocol !== 'socks5h:') {
    throw new AddrError(`unsupported SOCKS proxy scheme ${JSON.stringify(u.protocol.slice(0, -1))} (want socks5 or socks5h)`, u.href);
  }
  let host = u.hostname;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  else host = decodeURIComponent(host);
  if (host === '') throw new AddrError('missing host in SOCKS proxy URL', u.href);
  const username = decodeURIComponent(u.username);
  const auth = username !== '' ? { username, password: decodeURIComponent(u.password) } : null;
  return new SOCKS5Dialer({
    proxyAddress: joinHostPort(host, u.port || '1080'),
    auth,
    forward: opts.forward,
    resolver: opts.resolver,
    timeout: opts.timeout,
    resolveLocally: u.protocol === 'socks5:',
  });
}

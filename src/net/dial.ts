// The Dialer: Go's DialContext pipeline. Each step is its own function:
//   scope (signal + timeout + deadline) → parse network → resolve the address list →
//   race (RFC 8305 staggered attempts, families interleaved) or serial → dialSingle.

import { Socket } from 'node:net';
import type { Conn } from './conn.js';
import { AddrError, OpError, fromNodeError, type Addr } from './errors.js';
import { TCPAddr, UDPAddr, UnixAddr, parseNetwork, resolveUnixAddr } from './addr.js';
import { filterByLocal, interleaveFamilies, internetAddrList, isIPv4, type InetAddr } from './ipsock.js';
import { defaultResolver, type HostResolver } from './lookup.js';
import { abortCause, withDeadline, type Scope } from './context.js';
import { TCPConn, UnixConn, type SocketConnOptions } from './sockconn.js';
import { openUDP, type UDPConn } from './packet.js';
import { DEFAULT_KEEP_ALIVE_MS, unixPath } from './listen.js';
import { UnsupportedError } from './errors.js';

/** Go's default delay before the next address is tried while an attempt is still pending. */
export const DEFAULT_FALLBACK_DELAY_MS = 300;

// Go never gives a serial attempt less than this of the remaining time (unless less remains).
const MIN_SERIAL_SHARE_MS = 2000;

// The signal of a dial with neither a caller signal nor a deadline: it can never fire, so the
// steps skip creating controllers and registering abort listeners for it (a measurable share
// of a loopback dial), and nothing ever adds listeners to this shared instance.
const NEVER = new AbortController().signal;
const NEVER_SCOPE: Scope = { signal: NEVER, deadline: 0, done: () => {} };

/** Go's Dialer.Control: runs per attempt with the Node socket before it connects. */
export type DialControl = (network: string, address: string, socket: Socket) => void | Promise<void>;

/** Dialer settings, Go's field names in camelCase; times in milliseconds. */
export interface DialerOptions {
  /** Bound on the whole dial, DNS included. 0 = none. Any non-zero value, even negative, applies. */
  timeout?: number;
  /** Absolute bound; the earliest of this, timeout and the signal wins. */
  deadline?: Date | null;
  /** Local address to bind before connecting (a TCPAddr, UDPAddr or UnixAddr). */
  localAddr?: Addr | null;
  /** Stagger between attempts (0 → 300 ms); negative disables the race: addresses in turn. */
  fallbackDelay?: number;
  /** TCP keep-alive idle: 0 → 15 s (default); > 0 → that, rounded up to seconds; < 0 → OS default. */
  keepAlive?: number;
  /** Resolves host names (default: the process-wide default resolver). */
  resolver?: HostResolver;
  control?: DialControl;
  /** Per-conn read queue bound (bytes) for the conns this dialer returns. */
  readQueueLimit?: number;
}

/** Options for one dial call. */
export interface DialCallOptions {
  signal?: AbortSignal;
}

/** Go's net.Dialer. One Dialer can serve any number of concurrent dials. */
export class Dialer {
  timeout: number;
  deadline: Date | null;
  localAddr: Addr | null;
  fallbackDelay: number;
  keepAlive: number;
  resolver: HostResolver | undefined;
  control: DialControl | undefined;
  readQueueLimit: number | undefined;

  constructor(opts: DialerOptions = {}) {
    this.timeout = opts.timeout ?? 0;
    this.deadline = opts.deadline ?? null;
    this.localAddr = opts.localAddr ?? null;
    this.fallbackDelay = opts.fallbackDelay ?? 0;
    this.keepAlive = opts.keepAlive ?? 0;
    this.resolver = opts.resolver;
    this.control = opts.control;
    this.readQueueLimit = opts.readQueueLimit;
  }

  /** The effective deadline in ms since the epoch (0 = none): earliest of timeout and deadline. */
  private deadlineMs(now: number): number {
    let d = this.timeout !== 0 ? now + this.timeout : 0;
    const abs = this.deadline?.getTime();
    if (abs !== undefined && !Number.isNaN(abs) && (d === 0 || abs < d)) d = abs;
    return d;
  }

  /**
   * Connects to `address` on `network` (`tcp`, `tcp4`, `tcp6`, `udp*`, `unix`).
   * Errors are OpErrors: `dial tcp 127.0.0.1:1: connect: connection refused`.
   */
  dial(network: 'tcp' | 'tcp4' | 'tcp6', address: string, opts?: DialCallOptions): Promise<TCPConn>;
  dial(network: 'udp' | 'udp4' | 'udp6', address: string, opts?: DialCallOptions): Promise<UDPConn>;
  dial(network: 'unix', address: string, opts?: DialCallOptions): Promise<UnixConn>;
  dial(network: string, address: string, opts?: DialCallOptions): Promise<Conn>;
  async dial(network: string, address: string, opts: DialCallOptions = {}): Promise<Conn | UDPConn> {
    const dl = this.deadlineMs(Date.now());
    const scope = opts.signal === undefined && dl === 0 ? NEVER_SCOPE : withDeadline(opts.signal, dl);
    try {
      const { afnet } = parseNetworkForDial(network);
      const addrs = await this.resolveAddrList(network, afnet, address, scope.signal);
      const single = (ra: Addr, signal: AbortSignal): Promise<Conn | UDPConn> => this.dialSingle(network, afnet, ra, signal);
      if (afnet.startsWith('tcp') && this.fallbackDelay >= 0 && addrs.length > 1) {
        return await dialParallel(interleaveFamilies(addrs as InetAddr[]), this.fallbackDelay || DEFAULT_FALLBACK_DELAY_MS, scope.signal, single);
      }
      return await dialSerial(addrs, scope, single, (ra, cause) => this.opError(network, ra, cause));
    } finally {
      scope.done();
    }
  }

  private opError(network: string, addr: Addr | null, cause: Error): OpError {
    return new OpError({ op: 'dial', net: network, source: this.localAddr, addr, cause });
  }

  // Step 3: address string → endpoints. Failures carry no remote address, as in Go.
  private async resolveAddrList(network: string, afnet: string, address: string, signal: AbortSignal): Promise<Addr[]> {
    try {
      if (signal.aborted) throw abortCause(signal);
      if (address === '') throw new AddrError('missing address', '');
      if (afnet.startsWith('unix')) {
        const ua = resolveUnixAddr(afnet, address);
        const la = this.localAddr;
        if (la !== null && !(la instanceof UnixAddr && la.network === ua.network)) {
          throw new AddrError('mismatched local address type', la.toString());
        }
        return [ua];
      }
      const la = this.localAddr;
      if (la !== null && !matchesLocal(afnet, la)) throw new AddrError('mismatched local address type', la.toString());
      const list = await internetAddrList(afnet, address, this.resolver ?? defaultResolver(), signal === NEVER ? undefined : signal);
      return filterByLocal(list, la, address);
    } catch (e) {
      throw this.opError(network, null, e instanceof Error ? e : new Error(String(e)));
    }
  }

  // Step 7: one attempt against one endpoint, wrapped in the dial OpError.
  private async dialSingle(network: string, afnet: string, ra: Addr, signal: AbortSignal): Promise<Conn | UDPConn> {
    try {
      if (signal.aborted) throw abortCause(signal);
      if (ra instanceof TCPAddr) return await this.dialTCP(ra, signal);
      if (ra instanceof UDPAddr) return await openUDP({ afnet, local: (this.localAddr as UDPAddr | null) ?? null, remote: ra, signal: signal === NEVER ? undefined : signal });
      if (ra instanceof UnixAddr) return await this.dialUnix(ra, signal);
      throw new UnsupportedError(`dialing ${afnet} is not available in Node.js (no raw IP sockets)`);
    } catch (e) {
      throw this.opError(network, ra, e instanceof Error ? e : new Error(String(e)));
    }
  }

  private connOpts(): SocketConnOptions {
    return { readQueueLimit: this.readQueueLimit };
  }

  private async dialTCP(ra: TCPAddr, signal: AbortSignal): Promise<TCPConn> {
    const la = this.localAddr as TCPAddr | null;
    // A connect to our own ephemeral port can succeed by itself on loopback; Go retries it.
    for (let tries = 0; ; tries++) {
      const family = ra.ip === null || isIPv4(ra.ip) ? 4 : 6;
      const host = ra.ip === null ? (family === 4 ? '127.0.0.1' : '::1') : ra.zone ? `${ra.ip.toString()}%${ra.zone}` : ra.ip.toString();
      const sock = new Socket({ allowHalfOpen: true });
      try {
        if (this.control) await this.control(family === 4 ? 'tcp4' : 'tcp6', ra.toString(), sock);
        await connectSocket(sock, {
          host, port: ra.port, family,
          localAddress: la?.ip && !la.ip.isUnspecified() ? la.ip.toString() : undefined,
          localPort: la?.port || undefined,
        }, signal);
      } catch (e) {
        sock.destroy();
        const retry = (e as { code?: string }).code === 'EADDRNOTAVAIL' && !la?.port && tries < 2;
        if (retry) continue;
        throw e;
      }
      // The peer is the address we connected to (unless we dialed the local system or a zone,
      // where the kernel's spelling is the one to report), so skip the getpeername.
      const known = ra.ip !== null && ra.zone === '' ? ra : undefined;
      const c = new TCPConn(sock, { readQueueLimit: this.readQueueLimit, remoteAddr: known });
      const self = c.localAddr.port === c.remoteAddr.port && c.localAddr.ip !== null && c.remoteAddr.ip !== null && c.localAddr.ip.equal(c.remoteAddr.ip);
      if (self && !la?.port && tries < 2) {
        c.close();
        continue;
      }
      if (this.keepAlive >= 0) c.setKeepAlivePeriod(this.keepAlive === 0 ? DEFAULT_KEEP_ALIVE_MS : this.keepAlive);
      return c;
    }
  }

  private async dialUnix(ra: UnixAddr, signal: AbortSignal): Promise<UnixConn> {
    if (ra.network !== 'unix') throw new UnsupportedError(`${ra.network} sockets are not available in Node.js`);
    const sock = new Socket({ allowHalfOpen: true });
    try {
      if (this.control) await this.control('unix', ra.name, sock);
      await connectSocket(sock, { path: unixPath(ra.name) }, signal);
    } catch (e) {
      sock.destroy();
      throw e;
    }
    return new UnixConn(sock, (this.localAddr as UnixAddr | null)?.name ?? '', ra.name, this.connOpts());
  }
}

function parseNetworkForDial(network: string): { afnet: string } {
  try {
    return parseNetwork(network, true);
  } catch (e) {
    throw new OpError({ op: 'dial', net: network, cause: e as Error });
  }
}

function matchesLocal(afnet: string, la: Addr): boolean {
  if (afnet.startsWith('tcp')) return la instanceof TCPAddr;
  if (afnet.startsWith('udp')) return la instanceof UDPAddr;
  return false;
}

type ConnectTarget = { host: string; port: number; family: number; localAddress?: string; localPort?: number } | { path: string };

/** Connects a fresh Node socket, or destroys it as soon as the signal fires. */
function connectSocket(sock: Socket, target: ConnectTarget, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      if (signal !== NEVER) signal.removeEventListener('abort', onAbort);
      sock.off('connect', onConnect);
      sock.off('error', onError);
    };
    const onAbort = (): void => {
      cleanup();
      sock.destroy();
      reject(abortCause(signal));
    };
    const onConnect = (): void => {
      cleanup();
      resolve();
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(fromNodeError(err, 'connect'));
    };
    if (signal !== NEVER) signal.addEventListener('abort', onAbort, { once: true });
    sock.once('connect', onConnect);
    sock.once('error', onError);
    sock.connect(target);
  });
}

/**
 * RFC 8305 connection racing: attempt i starts `delay` ms after attempt i-1, or at once when
 * every running attempt has failed. The first conn wins; the rest are cancelled and any late
 * conn is closed. If all fail, the first address's error is reported, as Go does.
 */
export function dialParallel<T extends { close(): void }>(
  addrs: readonly Addr[], delay: number, signal: AbortSignal,
  single: (ra: Addr, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const race = new AbortController();
    const onAbort = (): void => race.abort(signal.reason);
    if (signal !== NEVER) signal.addEventListener('abort', onAbort, { once: true });
    const errors: Error[] = [];
    let next = 0;
    let running = 0;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      settled = true;
      clearTimeout(timer);
      if (signal !== NEVER) signal.removeEventListener('abort', onAbort);
      race.abort();
    };
    const start = (): void => {
      clearTimeout(timer);
      if (settled || next >= addrs.length) return;
      const i = next++;
      running++;
      single(addrs[i]!, race.signal).then((conn) => {
        running--;
        if (settled) {
          conn.close();
          return;
        }
        finish();
        resolve(conn);
      }, (err: Error) => {
        running--;
        errors[i] = err;
        if (settled) return;
        if (next < addrs.length) start();
        else if (running === 0) {
          finish();
          reject(errors[0] ?? err);
        }
      });
      if (next < addrs.length) timer = setTimeout(start, delay);
    };
    start();
  });
}

/**
 * Tries each address in turn. With a deadline, each gets an equal share of the time left,
 * but at least 2 s (or all that remains), as Go does. Reports the first address's error.
 */
export async function dialSerial<T>(
  addrs: readonly Addr[], scope: Scope,
  single: (ra: Addr, signal: AbortSignal) => Promise<T>,
  wrap: (ra: Addr, cause: Error) => Error,
): Promise<T> {
  let firstErr: Error | null = null;
  for (let i = 0; i < addrs.length; i++) {
    const ra = addrs[i]!;
    if (scope.signal.aborted) throw firstErr ?? wrap(ra, abortCause(scope.signal));
    let sub: Scope | null = null;
    if (scope.deadline !== 0) {
      const now = Date.now();
      const left = scope.deadline - now;
      let share = left / (addrs.length - i);
      if (share < MIN_SERIAL_SHARE_MS) share = Math.min(left, MIN_SERIAL_SHARE_MS);
      sub = withDeadline(scope.signal, now + Math.max(share, 1));
    }
    try {
      return await single(ra, sub?.signal ?? scope.signal);
    } catch (e) {
      firstErr ??= e as Error;
    } finally {
      sub?.done();
    }
  }
  throw firstErr ?? wrap(new UnixAddr(''), new AddrError('missing address', ''));
}

const defaultDialer = new Dialer();

/** Dials with a Dialer built from `opts` (or the default one). See Dialer.dial. */
export function dial(network: 'tcp' | 'tcp4' | 'tcp6', address: string, opts?: DialerOptions & DialCallOptions): Promise<TCPConn>;
export function dial(network: 'udp' | 'udp4' | 'udp6', address: string, opts?: DialerOptions & DialCallOptions): Promise<UDPConn>;
export function dial(network: 'unix', address: string, opts?: DialerOptions & DialCallOptions): Promise<UnixConn>;
export function dial(network: string, address: string, opts?: DialerOptions & DialCallOptions): Promise<Conn>;
export function dial(network: string, address: string, opts: DialerOptions & DialCallOptions = {}): Promise<Conn | UDPConn> {
  const d = Object.keys(opts).some((k) => k !== 'signal') ? new Dialer(opts) : defaultDialer;
  return d.dial(network, address, { signal: opts.signal });
}

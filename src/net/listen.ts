// Stream listeners (Go's TCPListener, UnixListener) over node:net servers, with a pull-based
// accept: connections wait, not yet reading, until the program accepts them.

import { createServer, type Server, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import type { Conn } from './conn.js';
import { Deadline } from './deadline.js';
import {
  AddrError, DeadlineExceededError, ErrClosed, OpError, UnsupportedError, fromNodeError, type Addr,
} from './errors.js';
import { TCPAddr, UDPAddr, UnixAddr, parseNetwork, resolveUnixAddr } from './addr.js';
import { openUDP, type UDPConn } from './packet.js';
import { internetAddrList, isIPv4, type InetAddr } from './ipsock.js';
import { TCPConn, UnixConn, type SocketConnOptions } from './sockconn.js';
import { abortCause } from './context.js';
import { parseIPZone } from './ip.js';

/** Go's default TCP keep-alive idle time for dialed and accepted conns. */
export const DEFAULT_KEEP_ALIVE_MS = 15_000;

/** A stream listener: accept conns one at a time, or iterate them. */
export interface Listener extends AsyncIterable<Conn>, AsyncDisposable {
  /** Waits for the next connection. After close, rejects with an OpError wrapping ErrClosed. */
  accept(): Promise<Conn>;
  /** Stops listening; pending accepts fail, conns already accepted stay open. Idempotent. */
  close(): void;
  readonly addr: Addr;
  /** Bounds pending and future accepts; `null` clears. */
  setDeadline(t: Date | null): void;
}

/** Options shared by listen and ListenConfig. */
export interface ListenOptions {
  /** Bounds only the address resolution, as in Go. */
  signal?: AbortSignal;
  /** Pending-connection queue length (default: /proc/sys/net/core/somaxconn, as Go). */
  backlog?: number;
  /** Keep-alive idle for accepted TCP conns in ms: 0 → 15 s (default), < 0 → leave the OS default. */
  keepAlive?: number;
  /** Called with the Node server before it binds (Go's Control hook). */
  control?: (network: string, address: string, server: Server) => void;
  /** Per-conn read queue bound (bytes). */
  readQueueLimit?: number;
  /** Datagrams a packet socket queues before dropping new ones (default 4096). */
  packetQueueLimit?: number;
}

let somaxconn: number | undefined;

/** The kernel's listen backlog cap, which Go uses as its backlog. */
function defaultBacklog(): number {
  if (somaxconn === undefined) {
    try {
      const n = parseInt(readFileSync('/proc/sys/net/core/somaxconn', 'latin1'), 10);
      somaxconn = n > 0 ? Math.min(n, 65535) : 128;
    } catch {
      somaxconn = 128;
    }
  }
  return somaxconn;
}

interface AcceptWaiter {
  resolve(c: Conn): void;
  reject(e: Error): void;
}

/** Accept queue and lifecycle shared by TCP and unix listeners. */
abstract class StreamListener implements Listener {
  abstract readonly addr: Addr;
  protected abstract readonly netName: string;
  protected readonly server: Server;
  protected readonly connOpts: SocketConnOptions;
  private readonly ready: Socket[] = [];
  private waiters: AcceptWaiter[] = [];
  private closed = false;
  private readonly backlog: number;
  private readonly dl: Deadline;

  constructor(server: Server, backlog: number, connOpts: SocketConnOptions) {
    this.server = server;
    this.backlog = backlog;
    this.connOpts = connOpts;
    this.dl = new Deadline(() => this.failWaiters(this.opError(new DeadlineExceededError())));
    server.on('connection', (s: Socket) => this.onConnection(s));
  }

  protected abstract wrap(s: Socket): Conn;

  private opError(cause: Error): OpError {
    return new OpError({ op: 'accept', net: this.netName, addr: this.addr, cause });
  }

  private onConnection(s: Socket): void {
    if (this.closed) {
      s.destroy();
      return;
    }
    const w = this.waiters.shift();
    if (w) {
      w.resolve(this.wrap(s));
      return;
    }
    // Node accepts eagerly; past the backlog we refuse rather than hold sockets without bound.
    if (this.ready.length >= this.backlog) {
      s.resetAndDestroy();
      return;
    }
    s.on('error', noop); // until wrapped, a reset must not crash the process
    this.ready.push(s);
  }

  private failWaiters(e: Error): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w.reject(e);
  }

  accept(): Promise<Conn> {
    if (this.closed) return Promise.reject(this.opError(new ErrClosed()));
    if (this.dl.expired) return Promise.reject(this.opError(new DeadlineExceededError()));
    while (this.ready.length > 0) {
      const s = this.ready.shift()!;
      s.off('error', noop);
      if (s.destroyed) continue;
      return Promise.resolve(this.wrap(s));
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.dl.dispose();
    this.server.close();
    for (const s of this.ready.splice(0)) s.destroy();
    this.failWaiters(this.opError(new ErrClosed()));
  }

  setDeadline(t: Date | null): void {
    if (this.closed) throw new OpError({ op: 'set', net: this.netName, addr: this.addr, cause: new ErrClosed() });
    this.dl.set(t);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Conn> {
    while (true) {
      let c: Conn;
      try {
        c = await this.accept();
      } catch (e) {
        if (this.closed) return;
        throw e;
      }
      yield c;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}

function noop(): void {}

/** Go's TCPListener. */
export class TCPListener extends StreamListener {
  protected readonly netName = 'tcp';
  readonly addr: TCPAddr;
  private readonly keepAlive: number;

  constructor(server: Server, addr: TCPAddr, backlog: number, keepAlive: number, connOpts: SocketConnOptions) {
    super(server, backlog, connOpts);
    this.addr = addr;
    this.keepAlive = keepAlive;
  }

  protected wrap(s: Socket): TCPConn {
    const c = new TCPConn(s, this.connOpts);
    if (this.keepAlive >= 0) c.setKeepAlivePeriod(this.keepAlive === 0 ? DEFAULT_KEEP_ALIVE_MS : this.keepAlive);
    s.resume();
    return c;
  }
}

/** Go's UnixListener; its socket file is removed on close (abstract `@` names have none). */
export class UnixListener extends StreamListener {
  protected readonly netName = 'unix';
  readonly addr: UnixAddr;

  constructor(server: Server, addr: UnixAddr, backlog: number, connOpts: SocketConnOptions) {
    super(server, backlog, connOpts);
    this.addr = addr;
  }

  protected wrap(s: Socket): UnixConn {
    const c = new UnixConn(s, this.addr.name, '', this.connOpts);
    s.resume();
    return c;
  }
}

/** Node wants abstract unix names with a leading NUL byte; Go writes them with `@`. */
export function unixPath(name: string): string {
  return name.startsWith('@') ? '\0' + name.slice(1) : name;
}

function bind(server: Server, opts: { host?: string; port?: number; path?: string; backlog: number; ipv6Only?: boolean }): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen({ ...opts, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** The one address a listener binds: a name gives its first IPv4 address if it has one. */
async function localAddrFor(afnet: string, address: string, signal: AbortSignal | undefined): Promise<InetAddr> {
  const addrs = await internetAddrList(afnet, address, undefined, signal);
  return addrs.find((a) => isIPv4(a.ip)) ?? addrs[0]!;
}

/** Go's ListenConfig: the options for listen and listenPacket, reusable across calls. */
export class ListenConfig {
  backlog?: number;
  keepAlive: number;
  control?: ListenOptions['control'];
  readQueueLimit?: number;
  packetQueueLimit?: number;

  constructor(opts: Omit<ListenOptions, 'signal'> = {}) {
    this.backlog = opts.backlog;
    this.keepAlive = opts.keepAlive ?? 0;
    this.control = opts.control;
    this.readQueueLimit = opts.readQueueLimit;
    this.packetQueueLimit = opts.packetQueueLimit;
  }

  /**
   * Listens on a stream network (`tcp`, `tcp4`, `tcp6`, `unix`). An empty or unspecified host
   * with `tcp` gives one dual-stack socket, printed as `[::]:port`, as Go does.
   */
  async listen(network: string, address: string, opts: { signal?: AbortSignal } = {}): Promise<Listener> {
    const fail = (cause: Error, addr: Addr | null = null): OpError => new OpError({ op: 'listen', net: network, addr, cause });
    let afnet: string;
    try {
      ({ afnet } = parseNetwork(network, true));
    } catch (e) {
      throw fail(e as Error);
    }
    const backlog = this.backlog ?? defaultBacklog();
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true });
    const connOpts = { readQueueLimit: this.readQueueLimit };

    if (afnet === 'unix' || afnet === 'unixgram' || afnet === 'unixpacket') {
      const la = resolveUnixAddr(afnet, address);
      if (afnet !== 'unix') throw fail(new UnsupportedError(`${afnet} sockets are not available in Node.js`), la);
      this.control?.(afnet, address, server);
      try {
        await bind(server, { path: unixPath(address), backlog });
      } catch (e) {
        throw fail(fromNodeError(e, 'bind'), la);
      }
      return new UnixListener(server, la, backlog, connOpts);
    }
    if (!afnet.startsWith('tcp')) {
      const la = afnet.startsWith('udp') || afnet.startsWith('ip') ? address : null;
      throw fail(new AddrError('unexpected address type', address), la === null ? null : { network, toString: () => address });
    }
    if (opts.signal?.aborted) throw fail(abortCause(opts.signal));
    let la: TCPAddr;
    try {
      la = (await localAddrFor(afnet, address, opts.signal)) as TCPAddr;
    } catch (e) {
      throw fail(e as Error);
    }
    const wildcard = la.ip === null || la.ip.isUnspecified();
    let host: string | undefined;
    let ipv6Only = false;
    if (wildcard) {
      if (afnet === 'tcp4') host = '0.0.0.0';
      else if (afnet === 'tcp6') [host, ipv6Only] = ['::', true];
      // For plain tcp Node picks `::` dual-stack, or 0.0.0.0 on hosts without IPv6.
    } else {
      host = la.zone ? `${la.ip!.toString()}%${la.zone}` : la.ip!.toString();
      ipv6Only = !isIPv4(la.ip);
    }
    this.control?.(afnet, la.toString(), server);
    try {
      await bind(server, { host, port: la.port, backlog, ipv6Only });
    } catch (e) {
      throw fail(fromNodeError(e, 'bind'), la);
    }
    const bound = server.address();
    let addr = la;
    if (bound && typeof bound === 'object') {
      const p = parseIPZone(bound.address);
      addr = new TCPAddr(p?.ip ?? null, bound.port, p?.zone ?? '');
    }
    return new TCPListener(server, addr, backlog, this.keepAlive, connOpts);
  }

  /**
   * Opens a packet socket (`udp`, `udp4`, `udp6`). `udp` on a wildcard host is one dual-stack
   * socket. `unixgram` and raw `ip:proto` parse but fail: Node has no such sockets.
   */
  async listenPacket(network: string, address: string, opts: { signal?: AbortSignal } = {}): Promise<UDPConn> {
    const fail = (cause: Error, addr: Addr | null = null): OpError => new OpError({ op: 'listen', net: network, addr, cause });
    let afnet: string;
    try {
      ({ afnet } = parseNetwork(network, true));
    } catch (e) {
      throw fail(e as Error);
    }
    if (afnet === 'unixgram' || afnet.startsWith('ip')) {
      throw fail(new UnsupportedError(`${network} sockets are not available in Node.js`), { network, toString: () => address });
    }
    if (!afnet.startsWith('udp')) throw fail(new AddrError('unexpected address type', address));
    let la: UDPAddr;
    try {
      la = (await localAddrFor(afnet, address, opts.signal)) as UDPAddr;
    } catch (e) {
      throw fail(e as Error);
    }
    try {
      return await openUDP({ afnet, local: la, remote: null, queueLimit: this.packetQueueLimit });
    } catch (e) {
      throw fail(e as Error, la);
    }
  }
}

/** Opens a packet socket; see ListenConfig.listenPacket. */
export function listenPacket(network: string, address: string, opts: ListenOptions = {}): Promise<UDPConn> {
  return new ListenConfig(opts).listenPacket(network, address, { signal: opts.signal });
}

/** Listens on a stream network; see ListenConfig.listen. */
export function listen(network: string, address: string, opts: ListenOptions = {}): Promise<Listener> {
  return new ListenConfig(opts).listen(network, address, { signal: opts.signal });
}

// UDP sockets (Go's UDPConn, a PacketConn) over node:dgram. Node pushes datagrams; a bounded
// queue holds them for readFrom, and like a kernel buffer it drops new ones when full.

import { createSocket, type RemoteInfo, type Socket as DgramSocket } from 'node:dgram';
import { ConnBase } from './conn.js';
import { Deadline } from './deadline.js';
import {
  AddrError, DeadlineExceededError, ErrClosed, ErrWriteToConnected, OpError, SyscallError,
  UnsupportedError, fromNodeError, type Addr,
} from './errors.js';
import { UDPAddr } from './addr.js';
import { parseIPZone } from './ip.js';
import { isIPv4 } from './ipsock.js';

/** Datagrams queued before new ones are dropped (as a full socket buffer would). */
export const DEFAULT_PACKET_QUEUE_LIMIT = 4096;

/** Go's PacketConn: datagrams with their peer addresses. */
export interface PacketConn extends AsyncDisposable {
  /** Reads one datagram into `p`; a longer datagram is truncated and the rest lost, as in Go. */
  readFrom(p: Uint8Array): Promise<{ n: number; addr: Addr }>;
  /** Sends `p` as one datagram to `addr`. */
  writeTo(p: Uint8Array, addr: Addr): Promise<number>;
  close(): void;
  readonly localAddr: Addr;
  setDeadline(t: Date | null): void;
  setReadDeadline(t: Date | null): void;
  setWriteDeadline(t: Date | null): void;
}

interface Datagram {
  msg: Buffer;
  from: UDPAddr;
}

interface DatagramWaiter {
  p: Uint8Array | null;
  resolve(d: { n: number; addr: UDPAddr; msg: Uint8Array }): void;
  reject(e: Error): void;
}

function udpAddrOf(address: string, port: number): UDPAddr {
  const p = parseIPZone(address);
  return new UDPAddr(p ? p.ip : null, port, p ? p.zone : '');
}

/** A UDP socket; connected (by dial) or not (by listenPacket). */
export class UDPConn extends ConnBase implements PacketConn {
  /** The Node socket underneath, for options this class does not cover (multicast, TTL...). */
  readonly socket: DgramSocket;
  readonly localAddr: UDPAddr;
  /** The connected peer, or null for a socket from listenPacket. */
  readonly remoteAddr: UDPAddr | null;
  /** Datagrams dropped because the queue was full. */
  dropped = 0;
  private queue: Datagram[] = [];
  private readers: DatagramWaiter[] = [];
  private pendingErr: Error | null = null;
  private closed = false;
  private readonly limit: number;
  private readonly rd: Deadline;
  private readonly wd: Deadline;
  private readonly writers = new Set<(e: Error) => void>();

  constructor(socket: DgramSocket, remote: UDPAddr | null, opts: { queueLimit?: number } = {}) {
    super();
    this.socket = socket;
    const a = socket.address();
    this.localAddr = udpAddrOf(a.address, a.port);
    this.remoteAddr = remote;
    this.limit = opts.queueLimit ?? DEFAULT_PACKET_QUEUE_LIMIT;
    this.rd = new Deadline(() => this.failReaders(this.opError('read', new DeadlineExceededError())));
    this.wd = new Deadline(() => {
      const e = this.opError('write', new DeadlineExceededError());
      for (const fail of [...this.writers]) fail(e);
    });
    socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => this.onMessage(msg, rinfo));
    socket.on('error', (err: Error) => this.onError(err));
  }

  private opError(op: string, cause: Error, addr: Addr | null = this.remoteAddr): OpError {
    return new OpError({ op, net: 'udp', source: this.localAddr, addr, cause });
  }

  private onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    const from = udpAddrOf(rinfo.address, rinfo.port);
    const w = this.readers.shift();
    if (w) {
      w.resolve({ n: w.p ? copyTrunc(w.p, msg) : msg.length, addr: from, msg });
      return;
    }
    if (this.queue.length >= this.limit) {
      this.dropped++;
      return;
    }
    this.queue.push({ msg, from });
  }

  private onError(err: Error): void {
    const e = this.opError('read', fromNodeError(err, 'read'));
    const w = this.readers.shift();
    if (w) w.reject(e);
    else this.pendingErr = e;
  }

  private failReaders(e: Error): void {
    const rs = this.readers;
    this.readers = [];
    for (const w of rs) w.reject(e);
  }

  private next(p: Uint8Array | null): Promise<{ n: number; addr: UDPAddr; msg: Uint8Array }> {
    if (this.closed) return Promise.reject(this.opError('read', new ErrClosed()));
    if (this.rd.expired) return Promise.reject(this.opError('read', new DeadlineExceededError()));
    const d = this.queue.shift();
    if (d) return Promise.resolve({ n: p ? copyTrunc(p, d.msg) : d.msg.length, addr: d.from, msg: d.msg });
    if (this.pendingErr) {
      const e = this.pendingErr;
      this.pendingErr = null;
      return Promise.reject(e);
    }
    return new Promise((resolve, reject) => this.readers.push({ p, resolve, reject }));
  }

  async readFrom(p: Uint8Array): Promise<{ n: number; addr: UDPAddr }> {
    const { n, addr } = await this.next(p);
    return { n, addr };
  }

  /** Reads one datagram (from any sender on an unconnected socket). */
  async read(p: Uint8Array): Promise<number> {
    return (await this.next(p)).n;
  }

  /** The next datagram whole, without a copy. */
  override async readChunk(): Promise<Uint8Array> {
    return (await this.next(null)).msg;
  }

  private send(p: Uint8Array, to: UDPAddr | null): Promise<number> {
    if (this.closed) return Promise.reject(this.opError('write', new ErrClosed(), to ?? this.remoteAddr));
    if (this.wd.expired) return Promise.reject(this.opError('write', new DeadlineExceededError(), to ?? this.remoteAddr));
    return new Promise((resolve, reject) => {
      const fail = (e: Error): void => {
        if (this.writers.delete(fail)) reject(e);
      };
      this.writers.add(fail);
      const done = (err: Error | null): void => {
        if (!this.writers.delete(fail)) return;
        if (err) reject(this.opError('write', fromNodeError(err, 'sendmsg'), to ?? this.remoteAddr));
        else resolve(p.length);
      };
      try {
        if (to) this.socket.send(p, to.port, hostOf(to), done);
        else this.socket.send(p, done);
      } catch (e) {
        done(e as Error);
      }
    });
  }

  /** Sends `p` to the connected peer. */
  write(p: Uint8Array): Promise<number> {
    if (this.remoteAddr === null) {
      return Promise.reject(this.opError('write', new SyscallError('write', 'EDESTADDRREQ'), null));
    }
    return this.send(p, null);
  }

  writeTo(p: Uint8Array, addr: Addr): Promise<number> {
    if (this.remoteAddr !== null) return Promise.reject(this.opError('write', new ErrWriteToConnected(), addr));
    if (!(addr instanceof UDPAddr) || addr.ip === null) {
      return Promise.reject(this.opError('write', new SyscallError('write', 'EINVAL'), addr));
    }
    return this.send(p, addr);
  }

  /** UDP has no half-close; Go's UDPConn has no CloseWrite either. */
  closeWrite(): Promise<void> {
    return Promise.reject(this.opError('close', new UnsupportedError('UDP conns cannot be half-closed')));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.rd.dispose();
    this.wd.dispose();
    this.queue = [];
    this.failReaders(this.opError('read', new ErrClosed()));
    const e = this.opError('write', new ErrClosed());
    for (const fail of [...this.writers]) fail(e);
    this.socket.close();
  }

  setReadDeadline(t: Date | null): void {
    if (this.closed) throw this.opError('set', new ErrClosed());
    this.rd.set(t);
  }

  setWriteDeadline(t: Date | null): void {
    if (this.closed) throw this.opError('set', new ErrClosed());
    this.wd.set(t);
  }
}

function copyTrunc(p: Uint8Array, msg: Uint8Array): number {
  const n = Math.min(p.length, msg.length);
  p.set(n === msg.length ? msg : msg.subarray(0, n));
  return n;
}

function hostOf(a: UDPAddr): string {
  const ip = a.ip!.toString();
  return a.zone ? `${ip}%${a.zone}` : ip;
}

/** How to open a UDP socket: local address (null ip = wildcard), optional peer to connect. */
export interface UDPSocketSpec {
  afnet: string;
  local: UDPAddr | null;
  remote: UDPAddr | null;
  signal?: AbortSignal;
  queueLimit?: number;
}

/**
 * Opens, binds and optionally connects a UDP socket. `udp` on a wildcard local address is one
 * dual-stack IPv6 socket, as Go does; a remote IPv4 peer picks an IPv4 socket.
 */
export async function openUDP(spec: UDPSocketSpec): Promise<UDPConn> {
  const { afnet, local, remote } = spec;
  const ref = remote?.ip ?? local?.ip ?? null;
  const v4 = afnet === 'udp4' || (afnet !== 'udp6' && ref !== null && isIPv4(ref) && !(ref.isUnspecified() && remote === null && afnet === 'udp'));
  const sock = createSocket({ type: v4 ? 'udp4' : 'udp6', ipv6Only: afnet === 'udp6' });
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      const host = local?.ip && !local.ip.isUnspecified() ? hostOf(local) : v4 ? '0.0.0.0' : '::';
      sock.bind({ address: host, port: local?.port ?? 0, exclusive: true }, () => {
        sock.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    sock.close();
    throw fromNodeError(e, 'bind');
  }
  if (remote) {
    if (remote.ip === null) {
      sock.close();
      throw new AddrError('missing address', remote.toString());
    }
    try {
      await new Promise<void>((resolve, reject) => {
        sock.once('error', reject);
        sock.connect(remote.port, hostOf(remote), () => {
          sock.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      sock.close();
      throw fromNodeError(e, 'connect');
    }
  }
  return new UDPConn(sock, remote, { queueLimit: spec.queueLimit });
}

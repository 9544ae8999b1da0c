// Conns over Node stream sockets (TCP and unix). Node pushes chunks; we queue them and hand
// them to pull-based reads, pausing the socket once the queue passes a bound so a slow reader
// never costs unbounded memory.

import type { Socket } from 'node:net';
import { ConnBase } from './conn.js';
import { Deadline } from './deadline.js';
import { DeadlineExceededError, ErrClosed, OpError, SyscallError, fromNodeError } from './errors.js';
import { TCPAddr, UnixAddr, type UnixNetwork } from './addr.js';
import { parseIPZone } from './ip.js';

/** Bytes a conn queues from the socket before it stops reading (until the reader catches up). */
export const DEFAULT_READ_QUEUE_LIMIT = 256 * 1024;

interface ReadWaiter {
  /** Destination for read(p); null for readChunk(). */
  p: Uint8Array | null;
  resolve(v: number | Uint8Array | null): void;
  reject(e: Error): void;
}

interface WriteWaiter {
  resolve(n: number): void;
  reject(e: Error): void;
  n: number;
}

/** Options for wrapping an accepted or dialed socket. */
export interface SocketConnOptions {
  /** Read queue bound in bytes; the socket pauses above it (default 256 KiB). */
  readQueueLimit?: number;
  /**
   * The peer's address when the caller already knows it (a dialer connected to it), which
   * spares a getpeername per conn. TCP only.
   */
  remoteAddr?: TCPAddr;
}

/** Shared machinery for TCPConn and UnixConn. */
export abstract class SocketConn extends ConnBase {
  /** The Node socket underneath; for options Node exposes that this class does not. */
  readonly socket: Socket;
  protected abstract readonly netName: string;
  private queue: Buffer[] = [];
  private queued = 0;
  private readonly limit: number;
  private paused = false;
  private eof = false;
  private closed = false;
  private writeShut = false;
  private sockErr: Error | null = null;
  private readers: ReadWaiter[] = [];
  /**
   * One entry per socket.write whose callback is still due, in call order (Node calls them in
   * order): the waiter, or null once answered (early, or failed by failWriters).
   */
  private wq: (WriteWaiter | null)[] = [];
  /** Non-null entries of wq: writes still waiting for an answer. */
  private writing = 0;
  /** The one callback every socket.write gets (no closure per write). */
  private readonly afterWrite = (err?: Error | null): void => {
    const w = this.wq.shift();
    if (w === undefined || w === null) return;
    this.writing--;
    if (err) w.reject(this.opError('write', this.sockErr ?? fromNodeError(err, 'write')));
    else w.resolve(w.n);
  };
  private readonly rd: Deadline;
  private readonly wd: Deadline;
  protected lingerSec = -1;

  constructor(socket: Socket, opts: SocketConnOptions = {}) {
    super();
    this.socket = socket;
    this.limit = opts.readQueueLimit ?? DEFAULT_READ_QUEUE_LIMIT;
    this.rd = new Deadline(() => this.failReaders(this.opError('read', new DeadlineExceededError())));
    this.wd = new Deadline(() => this.failWriters(this.opError('write', new DeadlineExceededError())));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('error', (err: Error) => this.onError(err));
    socket.on('close', () => this.onEnd());
  }

  protected opError(op: string, cause: Error): OpError {
    const src = this.localAddr;
    return new OpError({ op, net: this.netName, source: src.toString() === '' ? null : src, addr: this.remoteAddr, cause });
  }

  private onData(chunk: Buffer): void {
    let off = 0;
    while (this.readers.length > 0 && off < chunk.length) {
      const w = this.readers.shift()!;
      if (w.p === null) {
        w.resolve(off === 0 ? chunk : chunk.subarray(off));
        off = chunk.length;
      } else {
        const n = Math.min(w.p.length, chunk.length - off);
        w.p.set(off === 0 && n === chunk.length ? chunk : chunk.subarray(off, off + n));
        off += n;
        w.resolve(n);
      }
    }
    if (off < chunk.length) {
      this.queue.push(off === 0 ? chunk : chunk.subarray(off));
      this.queued += chunk.length - off;
      if (this.queued >= this.limit && !this.paused) {
        this.paused = true;
        this.socket.pause();
      }
    }
  }

  private onEnd(): void {
    if (this.eof) return;
    this.eof = true;
    if (this.queued === 0) {
      const rs = this.readers;
      this.readers = [];
      for (const w of rs) {
        if (this.sockErr) w.reject(this.opError('read', this.sockErr));
        else w.resolve(null);
      }
    }
    // A socket that closed under a pending write without an error event still owes an answer.
    if (this.writing > 0) this.failWriters(this.opError('write', this.sockErr ?? new SyscallError('write', 'EPIPE')));
  }

  private onError(err: Error): void {
    const syscall = (err as NodeJS.ErrnoException).syscall ?? 'read';
    this.sockErr ??= fromNodeError(err, syscall);
    if (this.queued === 0) this.failReaders(this.opError('read', this.sockErr));
    this.failWriters(this.opError('write', this.sockErr));
  }

  private failReaders(e: Error): void {
    const rs = this.readers;
    this.readers = [];
    for (const w of rs) w.reject(e);
  }

  private failWriters(e: Error): void {
    // Entries stay (as null) so later callbacks still line up with their writes.
    const q = this.wq;
    this.writing = 0;
    for (let i = 0; i < q.length; i++) {
      const w = q[i];
      if (w === null || w === undefined) continue;
      q[i] = null;
      w.reject(e);
    }
  }

  private readBlocked(): Error | null {
    if (this.closed) return this.opError('read', new ErrClosed());
    if (this.rd.expired) return this.opError('read', new DeadlineExceededError());
    return null;
  }

  // Copies queued bytes into p; the caller checked the queue is non-empty.
  private drainInto(p: Uint8Array): number {
    let n = 0;
    while (n < p.length && this.queue.length > 0) {
      const head = this.queue[0]!;
      const take = Math.min(head.length, p.length - n);
      p.set(take === head.length ? head : head.subarray(0, take), n);
      n += take;
      if (take === head.length) this.queue.shift();
      else this.queue[0] = head.subarray(take);
    }
    this.consumed(n);
    return n;
  }

  private consumed(n: number): void {
    this.queued -= n;
    if (this.paused && this.queued <= this.limit >> 1) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private endOfQueue(): Promise<null> {
    return this.sockErr ? Promise.reject(this.opError('read', this.sockErr)) : Promise.resolve(null);
  }

  read(p: Uint8Array): Promise<number | null> {
    const blocked = this.readBlocked();
    if (blocked) return Promise.reject(blocked);
    if (p.length === 0) return Promise.resolve(0);
    if (this.queued > 0 && this.readers.length === 0) return Promise.resolve(this.drainInto(p));
    if (this.eof) return this.endOfQueue();
    return new Promise((resolve, reject) => {
      this.readers.push({ p, resolve: resolve as (v: number | Uint8Array | null) => void, reject });
    });
  }

  override readChunk(): Promise<Uint8Array | null> {
    const blocked = this.readBlocked();
    if (blocked) return Promise.reject(blocked);
    if (this.queued > 0 && this.readers.length === 0) {
      const head = this.queue.shift()!;
      this.consumed(head.length);
      return Promise.resolve(head);
    }
    if (this.eof) return this.endOfQueue();
    return new Promise((resolve, reject) => {
      this.readers.push({ p: null, resolve: resolve as (v: number | Uint8Array | null) => void, reject });
    });
  }

  write(p: Uint8Array): Promise<number> {
    if (this.closed) return Promise.reject(this.opError('write', new ErrClosed()));
    if (this.wd.expired) return Promise.reject(this.opError('write', new DeadlineExceededError()));
    if (this.sockErr) return Promise.reject(this.opError('write', this.sockErr));
    if (this.writeShut || this.socket.writableEnded) return Promise.reject(this.opError('write', new SyscallError('write', 'EPIPE')));
    if (p.length === 0) return Promise.resolve(0);
    const n = p.length;
    this.socket.write(p, this.afterWrite);
    // Node copied nothing and queued nothing: the kernel took every byte already, so the
    // caller may reuse p now instead of waiting a tick for the callback.
    if (this.socket.writableLength === 0) {
      this.wq.push(null);
      return Promise.resolve(n);
    }
    return new Promise((resolve, reject) => {
      this.wq.push({ resolve, reject, n });
      this.writing++;
    });
  }

  /** Bytes written but still held by Node (not yet taken by the kernel). */
  get writePending(): number {
    return this.socket.writableLength;
  }

  closeWrite(): Promise<void> {
    if (this.closed) return Promise.reject(this.opError('close', new ErrClosed()));
    if (this.writeShut) return Promise.resolve();
    this.writeShut = true;
    return new Promise((resolve, reject) => {
      const onErr = (err: Error): void => reject(this.opError('close', fromNodeError(err, 'shutdown')));
      this.socket.once('error', onErr);
      this.socket.end(() => {
        this.socket.off('error', onErr);
        resolve();
      });
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.rd.dispose();
    this.wd.dispose();
    // Errors capture stacks: build them only for calls that are actually pending.
    if (this.readers.length > 0 || this.writing > 0) {
      const err = new ErrClosed();
      if (this.readers.length > 0) this.failReaders(this.opError('read', err));
      if (this.writing > 0) this.failWriters(this.opError('write', err));
    }
    this.queue = [];
    this.queued = 0;
    const s = this.socket;
    if (this.lingerSec === 0) {
      s.resetAndDestroy();
    } else if (this.lingerSec > 0 && s.writableLength > 0) {
      // Emulates SO_LINGER > 0: flush what Node still holds, but reset if that takes too long.
      const t = setTimeout(() => s.resetAndDestroy(), this.lingerSec * 1000);
      t.unref();
      s.end(() => {
        clearTimeout(t);
        s.destroy();
      });
    } else {
      s.destroy();
    }
  }

  setReadDeadline(t: Date | null): void {
    if (this.closed) throw this.opError('set', new ErrClosed());
    this.rd.set(t);
  }

  setWriteDeadline(t: Date | null): void {
    if (this.closed) throw this.opError('set', new ErrClosed());
    this.wd.set(t);
  }

  /** Bytes received and queued but not yet read. */
  get buffered(): number {
    return this.queued;
  }
}

function tcpAddrOf(address: string | undefined, port: number | undefined): TCPAddr {
  const p = address ? parseIPZone(address) : null;
  return new TCPAddr(p ? p.ip : null, port ?? 0, p ? p.zone : '');
}

/** A TCP conn: Go's TCPConn. No-delay is on by default, as in Go. */
export class TCPConn extends SocketConn {
  protected readonly netName = 'tcp';
  readonly localAddr: TCPAddr;
  readonly remoteAddr: TCPAddr;

  constructor(socket: Socket, opts: SocketConnOptions = {}) {
    super(socket, opts);
    // Captured now: Node forgets the peer's address once the socket is destroyed.
    this.localAddr = tcpAddrOf(socket.localAddress, socket.localPort);
    this.remoteAddr = opts.remoteAddr ?? tcpAddrOf(socket.remoteAddress, socket.remotePort);
    socket.setNoDelay(true);
  }

  /** Turns Nagle's algorithm off (true, the default) or on. */
  setNoDelay(noDelay: boolean): void {
    this.socket.setNoDelay(noDelay);
  }

  /** Enables or disables TCP keep-alive probes. */
  setKeepAlive(enable: boolean): void {
    this.socket.setKeepAlive(enable);
  }

  /** Sets the idle time before keep-alive probes start (rounded up to whole seconds) and enables them. */
  setKeepAlivePeriod(ms: number): void {
    this.socket.setKeepAlive(true, Math.ceil(ms / 1000) * 1000);
  }

  /**
   * What close does with unsent data: < 0 (default) lets the kernel send it in the background;
   * 0 discards it and resets the conn (RST); > 0 waits up to that many seconds, then resets.
   */
  setLinger(sec: number): void {
    this.lingerSec = sec;
  }
}

/** A unix stream conn: Go's UnixConn for network `unix`. */
export class UnixConn extends SocketConn {
  protected readonly netName: UnixNetwork = 'unix';
  readonly localAddr: UnixAddr;
  readonly remoteAddr: UnixAddr;

  constructor(socket: Socket, local: string, remote: string, opts: SocketConnOptions = {}) {
    super(socket, opts);
    this.localAddr = new UnixAddr(local);
    this.remoteAddr = new UnixAddr(remote);
  }
}

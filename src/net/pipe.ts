// net.Pipe: two in-memory conns joined back to back. Nothing is buffered: a write stays pending
// until the other end's reads have taken all of its bytes, so the writer's own buffer is the
// only storage. Every hand-over resolves promises directly; the only timers are the deadlines'.

import { ConnBase } from './conn.js';
import type { Conn } from './conn.js';
import { Deadline, deadlineError } from './deadline.js';
import { ErrClosedPipe, OpError } from './errors.js';
import type { Addr } from './errors.js';

/** The address of either end of a pipe: network and text are both `pipe`, as in Go. */
export class PipeAddr implements Addr {
  readonly network = 'pipe';
  toString(): string {
    return 'pipe';
  }
}

/**
 * What a failed pipe write carries besides its cause: `written` is how many bytes of `p` the
 * other end had already taken (Go returns that count next to the error; a promise cannot).
 */
export interface PipeWriteFailure {
  readonly written: number;
}

// readChunk copies (see there), so one chunk is bounded to keep a huge write from being
// duplicated in memory all at once.
const MAX_CHUNK = 256 * 1024;

interface PendingWrite {
  readonly buf: Uint8Array;
  off: number;
  resolve(n: number): void;
  reject(err: Error): void;
}

type PendingRead =
  | { readonly buf: Uint8Array; resolve(n: number | null): void; reject(err: Error): void }
  | { readonly buf: null; resolve(chunk: Uint8Array | null): void; reject(err: Error): void };

/** One direction of the pipe: the writes of one end waiting for the reads of the other. */
class Channel {
  // FIFO; writes[0] is the one being consumed, the rest wait their turn whole.
  writes: PendingWrite[] = [];
  reads: PendingRead[] = [];
  /** The writing end closed or shut down: once `writes` drains, reads see EOF. */
  eof = false;

  /** Matches waiting reads against waiting writes; afterwards one of the two queues is empty. */
  pump(): void {
    while (this.reads.length > 0) {
      if (this.writes.length === 0) {
        if (this.eof) {
          const reads = this.reads;
          this.reads = [];
          for (const r of reads) r.resolve(null);
        }
        return;
      }
      const r = this.reads.shift() as PendingRead;
      if (r.buf === null) r.resolve(this.takeChunk());
      else r.resolve(this.take(r.buf));
    }
  }

  /** Copies what fits of writes[0] into `p`; the caller ensures a write is waiting. */
  take(p: Uint8Array): number {
    const w = this.writes[0] as PendingWrite;
    const n = Math.min(p.length, w.buf.length - w.off);
    if (n > 0) p.set(w.buf.subarray(w.off, w.off + n));
    w.off += n;
    this.settleHead(w);
    return n;
  }

  takeChunk(): Uint8Array {
    const w = this.writes[0] as PendingWrite;
    const end = Math.min(w.buf.length, w.off + MAX_CHUNK);
    // A copy, not a view: once the write resolves the writer may reuse its buffer, and the
    // ChunkReader contract gives the chunk to the reader for good.
    const chunk = w.buf.slice(w.off, end);
    w.off = end;
    this.settleHead(w);
    return chunk;
  }

  // A 0-byte write completes on the first read that sees it, which is what Go does.
  private settleHead(w: PendingWrite): void {
    if (w.off === w.buf.length) {
      this.writes.shift();
      w.resolve(w.buf.length);
    }
  }

  failWrites(make: () => Error): void {
    const writes = this.writes;
    this.writes = [];
    for (const w of writes) w.reject(Object.assign(make(), { written: w.off }));
  }

  failReads(make: () => Error): void {
    const reads = this.reads;
    this.reads = [];
    for (const r of reads) r.reject(make());
  }
}

const ADDR = new PipeAddr();

function closedWrite(): Error & PipeWriteFailure {
  return Object.assign(new ErrClosedPipe(), { written: 0 });
}

/**
 * One end of a pipe. Reads return at most the rest of one pending write of the other end;
 * writes resolve once the other end has read every byte. Failed writes carry `written`
 * (see PipeWriteFailure). Close errors are the bare ErrClosedPipe, as in Go; deadline
 * expiry is an OpError whose `timeout` is true.
 */
export class PipeConn extends ConnBase {
  readonly localAddr: Addr = ADDR;
  readonly remoteAddr: Addr = ADDR;
  private readonly tx: Channel;
  private readonly rx: Channel;
  private peer!: PipeConn;
  private closed = false;
  private writeShut = false;
  private readonly readDeadline: Deadline;
  private readonly writeDeadline: Deadline;

  private constructor(tx: Channel, rx: Channel) {
    super();
    this.tx = tx;
    this.rx = rx;
    this.readDeadline = new Deadline(() => this.rx.failReads(() => this.timeoutError('read')));
    this.writeDeadline = new Deadline(() => this.tx.failWrites(() => this.timeoutError('write')));
  }

  /** The two ends of a new pipe, typed as PipeConn; `pipe()` is the usual way in. */
  static pair(): [PipeConn, PipeConn] {
    const ab = new Channel();
    const ba = new Channel();
    const a = new PipeConn(ab, ba);
    const b = new PipeConn(ba, ab);
    a.peer = b;
    b.peer = a;
    return [a, b];
  }

  read(p: Uint8Array): Promise<number | null> {
    const err = this.readError();
    if (err !== undefined) return err === null ? Promise.resolve(null) : Promise.reject(err);
    const ch = this.rx;
    // Waiting writes imply no waiting reads (pump leaves one queue empty), so FIFO holds.
    if (ch.writes.length > 0) return Promise.resolve(ch.take(p));
    return new Promise<number | null>((resolve, reject) => {
      ch.reads.push({ buf: p, resolve, reject });
    });
  }

  /**
   * The rest of the other end's pending write (up to 256 KiB) in one exactly-sized copy,
   * instead of the 64 KiB scratch buffer per call that ConnBase's default would allocate.
   */
  override readChunk(): Promise<Uint8Array | null> {
    const err = this.readError();
    if (err !== undefined) return err === null ? Promise.resolve(null) : Promise.reject(err);
    const ch = this.rx;
    if (ch.writes.length > 0) return Promise.resolve(ch.takeChunk());
    return new Promise<Uint8Array | null>((resolve, reject) => {
      ch.reads.push({ buf: null, resolve, reject });
    });
  }

  // undefined: go ahead; null: EOF; an Error: fail with it. The order follows Go: a closed
  // local end wins, then the peer's EOF, then an expired deadline.
  private readError(): Error | null | undefined {
    if (this.closed) return new ErrClosedPipe();
    if (this.rx.eof && this.rx.writes.length === 0) return null;
    if (this.readDeadline.expired) return this.timeoutError('read');
    return undefined;
  }

  write(p: Uint8Array): Promise<number> {
    if (this.closed || this.writeShut || this.peer.closed) return Promise.reject(closedWrite());
    if (this.writeDeadline.expired) {
      return Promise.reject(Object.assign(this.timeoutError('write'), { written: 0 }));
    }
    const ch = this.tx;
    return new Promise<number>((resolve, reject) => {
      ch.writes.push({ buf: p, off: 0, resolve, reject });
      ch.pump();
    });
  }

  /**
   * Idempotent. Our pending and later reads and writes fail with ErrClosedPipe; the peer's
   * reads see EOF and its writes fail with ErrClosedPipe.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.readDeadline.dispose();
    this.writeDeadline.dispose();
    this.peer.readDeadline.dispose();
    this.peer.writeDeadline.dispose();
    this.tx.eof = true;
    this.tx.failWrites(() => new ErrClosedPipe());
    this.tx.pump();
    this.rx.failReads(() => new ErrClosedPipe());
    this.rx.failWrites(() => new ErrClosedPipe());
  }

  /**
   * A gonet addition (Go's pipe has no half-close): writes already pending are still
   * delivered, then the peer reads EOF; our later writes fail with ErrClosedPipe and our reads
   * go on. Resolves at once rather than waiting for the peer to drain the pending writes.
   */
  closeWrite(): Promise<void> {
    if (this.closed) return Promise.reject(new ErrClosedPipe());
    if (!this.writeShut) {
      this.writeShut = true;
      this.tx.eof = true;
      this.tx.pump();
    }
    return Promise.resolve();
  }

  /** Throws ErrClosedPipe once either end is closed, as Go does. */
  setReadDeadline(t: Date | null): void {
    this.checkOpen();
    this.readDeadline.set(t);
  }

  /** Throws ErrClosedPipe once either end is closed, as Go does. */
  setWriteDeadline(t: Date | null): void {
    this.checkOpen();
    this.writeDeadline.set(t);
  }

  private checkOpen(): void {
    if (this.closed || this.peer.closed) throw new ErrClosedPipe();
  }

  private timeoutError(op: 'read' | 'write'): OpError {
    return new OpError({ op, net: 'pipe', source: this.localAddr, addr: this.remoteAddr, cause: deadlineError() });
  }
}

/**
 * Go's net.Pipe: two connected in-memory conns, full duplex and synchronous. What one end
 * writes the other reads, with no buffering in between.
 */
export function pipe(): [Conn, Conn] {
  return PipeConn.pair();
}

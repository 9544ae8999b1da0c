// The connection pool as a state machine of its own, apart from the conns it holds (as hyper
// keeps its pool apart from its connections). Per key — (proxy, scheme, host:port) — it tracks
// idle conns (most recent last), conns being dialed, conns in use, and requests waiting.
//
// getConn: an idle conn if one is usable (LIFO, expired or broken ones dropped); else the
// request waits and, unless maxConnsPerHost is reached, a dial starts for it. Whatever comes
// first — that dial, or a conn another request puts back — serves the oldest waiter ("late
// binding"); a dial that finds no waiter left parks its conn as idle. A waiter that gives up
// cancels the surplus dial nobody else waits for.

/** What the pool needs from a conn. */
export interface PoolConn {
  readonly key: string;
  /** Set by the pool: when the conn went idle (ms since the epoch). */
  idleSince: number;
  /** The conn can no longer carry a request (closed, peer gone, protocol error). */
  readonly broken: boolean;
  /** Closes the conn for good. */
  close(reason: Error | null): void;
  /** The conn became idle (start watching for the peer closing it). */
  onIdle(): void;
  /** The conn leaves the idle list to serve a request. */
  onActive(): void;
}

/** Pool limits (see Transport for their meaning). */
export interface PoolLimits {
  maxIdleConns: number;
  /** < 0: never pool; 0: no per-host cap (bounded by maxIdleConns); > 0: Go's cap. */
  maxIdleConnsPerHost: number;
  maxConnsPerHost: number;
  /** ms; 0 = idle conns never expire. */
  idleConnTimeout: number;
}

/** Per-host figures from `stats()`. */
export interface HostStats {
  idle: number;
  /** Conns serving a request. */
  active: number;
  dialing: number;
  /** Requests waiting for a conn. */
  waiting: number;
}

/** How a request got its conn. */
export interface Acquired<C> {
  conn: C;
  /** Taken from the idle list. */
  wasIdle: boolean;
  /** ms spent idle. */
  idleTime: number;
}

/** A dial in progress: its controller, and the phase it is in (for cancellation errors). */
export interface DialHandle {
  readonly controller: AbortController;
  phase: string;
}

interface Waiter<C> {
  resolve(a: Acquired<C>): void;
  reject(e: unknown): void;
  /** The dial started for this waiter, if any (its phase names the cancellation). */
  dial: DialHandle | null;
  done: boolean;
}

class HostPool<C extends PoolConn> {
  readonly idle: C[] = [];
  readonly dials = new Set<DialHandle>();
  readonly waiters: Waiter<C>[] = [];
  /** dialing + active + idle. */
  total = 0;
  /** The dialer the last request for this key brought (used to serve waiters when a slot frees). */
  dialFn: Dialer<PoolConn> | null = null;
  constructor(readonly key: string) {}
}

/** Reasons a conn is refused by `put`. */
export class PoolRefusal extends Error {
  override name = 'PoolRefusal';
}

/** Creates a conn for a key; `handle.phase` should follow its progress. */
export type Dialer<C> = (key: string, handle: DialHandle) => Promise<C>;

export class Pool<C extends PoolConn> {
  private readonly hosts = new Map<string, HostPool<C>>();
  private idleCount = 0;
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweepAt = 0;
  /** Bumped by closeIdle: conns from an earlier generation are not pooled again. */
  private generation = 0;

  constructor(private readonly limits: PoolLimits) {}

  private host(key: string): HostPool<C> {
    let h = this.hosts.get(key);
    if (h === undefined) {
      h = new HostPool<C>(key);
      this.hosts.set(key, h);
    }
    return h;
  }

  private gc(h: HostPool<C>): void {
    if (h.total === 0 && h.waiters.length === 0 && h.dials.size === 0) this.hosts.delete(h.key);
  }

  /** Current generation (stamp conns with it when created). */
  get gen(): number {
    return this.generation;
  }

  /**
   * A conn for `key`: an idle one, or one dialed with `dial` (or freed by another request
   * first). `signal` aborts the wait; `canceled(phase, cause)` builds the rejection.
   */
  get(key: string, dial: Dialer<C>, signal: AbortSignal | undefined,
    canceled: (phase: string, signal: AbortSignal) => Error): Promise<Acquired<C>> {
    const h = this.host(key);
    const now = Date.now();
    const timeout = this.limits.idleConnTimeout;
    while (h.idle.length > 0) {
      const c = h.idle.pop()!;
      this.idleCount--;
      if (c.broken || (timeout > 0 && now - c.idleSince >= timeout)) {
        this.dropConn(h, c, null);
        continue;
      }
      c.onActive();
      return Promise.resolve({ conn: c, wasIdle: true, idleTime: now - c.idleSince });
    }
    if (signal?.aborted) return Promise.reject(canceled('waiting for connection', signal));
    return new Promise<Acquired<C>>((resolve, reject) => {
      const w: Waiter<C> = { resolve, reject, dial: null, done: false };
      let onAbort: (() => void) | null = null;
      if (signal !== undefined) {
        onAbort = () => {
          if (w.done) return;
          w.done = true;
          const i = h.waiters.indexOf(w);
          if (i >= 0) h.waiters.splice(i, 1);
          reject(canceled(w.dial?.phase ?? 'waiting for connection', signal));
          this.cancelSurplusDials(h);
          this.gc(h);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        const sig = signal;
        w.resolve = (a) => {
          sig.removeEventListener('abort', onAbort!);
          resolve(a);
        };
        w.reject = (e) => {
          sig.removeEventListener('abort', onAbort!);
          reject(e);
        };
      }
      h.waiters.push(w);
      this.maybeDial(h, dial, w);
    });
  }

  /** Starts a dial if waiters outnumber dials and the per-host limit allows. */
  private maybeDial(h: HostPool<C>, dial: Dialer<C>, forWaiter: Waiter<C> | null): void {
    const max = this.limits.maxConnsPerHost;
    if (h.waiters.length <= h.dials.size) return;
    if (max > 0 && h.total >= max) return;
    const w = forWaiter ?? h.waiters.find((x) => x.dial === null) ?? null;
    const handle: DialHandle = { controller: new AbortController(), phase: 'dialing' };
    if (w !== null) w.dial = handle;
    h.total++;
    h.dials.add(handle);
    h.dialFn = dial as Dialer<PoolConn>;
    dial(h.key, handle).then((c) => {
      h.dials.delete(handle);
      if (w !== null && w.dial === handle) w.dial = null;
      if (handle.controller.signal.aborted) {
        h.total--;
        c.close(null);
        this.gc(h);
        return;
      }
      this.deliver(h, c, false);
    }, (e: unknown) => {
      h.dials.delete(handle);
      h.total--;
      if (w !== null && w.dial === handle) w.dial = null;
      if (handle.controller.signal.aborted) {
        this.wake(h);
        this.gc(h);
        return;
      }
      // The error goes to the request that asked for this dial, if it still waits; else to the
      // oldest waiter without a dial of its own.
      let target: Waiter<C> | undefined;
      if (w !== null && !w.done) target = w;
      else if (h.waiters.length > h.dials.size) target = h.waiters.find((x) => x.dial === null);
      if (target !== undefined) {
        target.done = true;
        h.waiters.splice(h.waiters.indexOf(target), 1);
        target.reject(e);
      }
      this.wake(h);
      this.gc(h);
    });
  }

  /** A slot or conn freed up: start a dial for waiters still without one. */
  private wake(h: HostPool<C>): void {
    const dial = h.dialFn as Dialer<C> | null;
    while (dial !== null && h.waiters.length > h.dials.size) {
      const before = h.dials.size;
      this.maybeDial(h, dial, null);
      if (h.dials.size === before) break;
    }
  }

  private cancelSurplusDials(h: HostPool<C>): void {
    if (h.dials.size <= h.waiters.length) return;
    // Cancel the dials no remaining waiter asked for first.
    const owned = new Set(h.waiters.map((w) => w.dial));
    for (const d of [...h.dials].reverse()) {
      if (h.dials.size <= h.waiters.length) break;
      if (owned.has(d)) continue;
      h.dials.delete(d);
      d.controller.abort();
    }
  }

  /** Hands a conn to the oldest waiter, or parks it idle. */
  private deliver(h: HostPool<C>, c: C, reused: boolean): void {
    while (h.waiters.length > 0) {
      const w = h.waiters.shift()!;
      if (w.done) continue;
      w.done = true;
      const idleTime = 0;
      c.onActive();
      w.resolve({ conn: c, wasIdle: reused, idleTime });
      return;
    }
    this.park(h, c);
  }

  private park(h: HostPool<C>, c: C): boolean {
    const perHost = this.limits.maxIdleConnsPerHost;
    if (perHost < 0 || (perHost > 0 && h.idle.length >= perHost)) {
      this.dropConn(h, c, null);
      return false;
    }
    c.idleSince = Date.now();
    h.idle.push(c);
    this.idleCount++;
    c.onIdle();
    if (this.idleCount > this.limits.maxIdleConns) this.evictOldest();
    this.armSweep(c.idleSince);
    return true;
  }

  /**
   * A conn finished a request. Reusable conns serve the next waiter or go idle; others are
   * closed. Resolves what putIdleConn reports: null when pooled, else why not.
   */
  put(c: C, reusable: boolean, gen: number): Error | null {
    const h = this.hosts.get(c.key);
    if (h === undefined) {
      c.close(null);
      return new PoolRefusal('http: conn from an unknown pool');
    }
    if (!reusable || c.broken) {
      this.dropConn(h, c, null);
      return new PoolRefusal('http: connection not reusable');
    }
    if (gen !== this.generation && h.waiters.length === 0) {
      this.dropConn(h, c, null);
      return new PoolRefusal('http: CloseIdleConnections called');
    }
    if (h.waiters.length > 0) {
      this.deliver(h, c, true);
      return null;
    }
    return this.park(h, c) ? null : new PoolRefusal('http: too many idle connections for host');
  }

  /** A busy conn leaves the pool for good (a protocol switch): free its slot, do not close it. */
  detach(c: C): void {
    const h = this.hosts.get(c.key);
    if (h === undefined) return;
    h.total--;
    this.wake(h);
    this.gc(h);
  }

  /** An idle conn died (the peer closed it): forget it. */
  removeIdle(c: C): void {
    const h = this.hosts.get(c.key);
    if (h === undefined) return;
    const i = h.idle.indexOf(c);
    if (i < 0) return;
    h.idle.splice(i, 1);
    this.idleCount--;
    this.dropConn(h, c, null);
  }

  /** Closes and forgets `c` (not in the idle list), freeing its slot. */
  private dropConn(h: HostPool<C>, c: C, reason: Error | null): void {
    h.total--;
    c.close(reason);
    this.wake(h);
    this.gc(h);
  }

  private evictOldest(): void {
    let oldest: HostPool<C> | null = null;
    for (const h of this.hosts.values()) {
      if (h.idle.length > 0 && (oldest === null || h.idle[0]!.idleSince < oldest.idle[0]!.idleSince)) oldest = h;
    }
    if (oldest === null) return;
    const c = oldest.idle.shift()!;
    this.idleCount--;
    this.dropConn(oldest, c, null);
  }

  private armSweep(idleSince: number): void {
    const t = this.limits.idleConnTimeout;
    if (t <= 0 || this.sweepTimer !== null) return;
    this.sweepAt = idleSince + t;
    this.sweepTimer = setTimeout(() => this.sweep(), Math.max(1, this.sweepAt - Date.now()));
    this.sweepTimer.unref();
  }

  private sweep(): void {
    this.sweepTimer = null;
    const t = this.limits.idleConnTimeout;
    const now = Date.now();
    let next = Infinity;
    for (const h of [...this.hosts.values()]) {
      while (h.idle.length > 0 && now - h.idle[0]!.idleSince >= t) {
        const c = h.idle.shift()!;
        this.idleCount--;
        this.dropConn(h, c, null);
      }
      if (h.idle.length > 0) next = Math.min(next, h.idle[0]!.idleSince);
    }
    if (next !== Infinity) this.armSweep(next);
  }

  /** Closes every idle conn (never busy ones); dials nobody waits for are cancelled. */
  closeIdle(): void {
    this.generation++;
    for (const h of [...this.hosts.values()]) {
      while (h.idle.length > 0) {
        const c = h.idle.pop()!;
        this.idleCount--;
        this.dropConn(h, c, null);
      }
      this.cancelSurplusDials(h);
    }
  }

  /** Per-key figures. */
  stats(): Record<string, HostStats> {
    const out: Record<string, HostStats> = {};
    for (const h of this.hosts.values()) {
      out[h.key] = {
        idle: h.idle.length,
        dialing: h.dials.size,
        active: h.total - h.idle.length - h.dials.size,
        waiting: h.waiters.filter((w) => !w.done).length,
      };
    }
    return out;
  }

  /** Idle conns across all keys. */
  get idleTotal(): number {
    return this.idleCount;
  }
}

// The resolver's optional answer cache (Go has none; see DESIGN.md). Keyed by question (rooted
// lower-cased name + type). Positive answers live for the smallest TTL in their answer section;
// NXDOMAIN and NODATA live for the RFC 2308 §5 negative TTL (min of the SOA's TTL and MINIMUM)
// and are not cached at all without an SOA. Bounded: eviction is CLOCK (second chance), an
// LRU approximation whose hits only set a flag instead of reordering the table.

import { negativeTTL, type Message } from './message.js';

/** Cache settings. Times are seconds, as in DNS. */
export interface CacheOptions {
  /** Most entries kept (default 10000). */
  maxEntries?: number;
  /** Upper bound on any entry's lifetime (default 86400 s). */
  maxTTL?: number;
  /** Cache NXDOMAIN / NODATA answers (default true). */
  negative?: boolean;
  /** Upper bound on a negative entry's lifetime (default 10800 s, RFC 2308 §5's suggestion). */
  maxNegativeTTL?: number;
  /** Clock in ms (tests inject one; default Date.now). */
  now?: () => number;
}

/** A cached answer: the message itself, or the negative outcome. */
export type CacheEntry =
  | { kind: 'answer'; msg: Message; server: string; expires: number; used: boolean }
  | { kind: 'nxdomain' | 'nodata'; server: string; expires: number; used: boolean };

/** Counters for tests and monitoring. */
export interface CacheStats {
  hits: number;
  misses: number;
  size: number;
  evictions: number;
}

/** The cache key for a question. */
export function cacheKey(name: string, type: number): string {
  return `${type}:${name.toLowerCase()}`;
}

/** A bounded TTL cache of DNS answers. */
export class DNSCache {
  readonly maxEntries: number;
  readonly maxTTL: number;
  readonly negative: boolean;
  readonly maxNegativeTTL: number;
  private readonly now: () => number;
  private readonly map = new Map<string, CacheEntry>();
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(opts: CacheOptions = {}) {
    this.maxEntries = Math.max(1, Math.floor(opts.maxEntries ?? 10000));
    this.maxTTL = Math.max(0, opts.maxTTL ?? 86400);
    this.negative = opts.negative ?? true;
    this.maxNegativeTTL = Math.max(0, opts.maxNegativeTTL ?? 10800);
    this.now = opts.now ?? Date.now;
  }

  /** The live entry for `key`, or null (an expired one is dropped). */
  get(key: string): CacheEntry | null {
    const e = this.map.get(key);
    if (e === undefined) {
      this.misses++;
      return null;
    }
    if (e.expires <= this.now()) {
      this.map.delete(key);
      this.misses++;
      return null;
    }
    e.used = true;
    this.hits++;
    return e;
  }

  /** Stores a positive answer for its smallest answer TTL (nothing if that is 0). */
  putAnswer(key: string, msg: Message, server: string): void {
    let ttl = this.maxTTL;
    for (const rr of msg.answers) if (rr.ttl < ttl) ttl = rr.ttl;
    if (msg.answers.length === 0 || ttl <= 0) return;
    this.put(key, { kind: 'answer', msg, server, expires: this.now() + ttl * 1000, used: false });
  }

  /** Stores NXDOMAIN / NODATA per RFC 2308 (only with an SOA in the authority section). */
  putNegative(key: string, kind: 'nxdomain' | 'nodata', msg: Message, server: string): void {
    if (!this.negative) return;
    const soaTTL = negativeTTL(msg);
    if (soaTTL === null) return;
    const ttl = Math.min(soaTTL, this.maxNegativeTTL, this.maxTTL);
    if (ttl <= 0) return;
    this.put(key, { kind, server, expires: this.now() + ttl * 1000, used: false });
  }

  private put(key: string, e: CacheEntry): void {
    this.map.delete(key);
    // Second chance: an entry used since it was last passed over moves to the back once.
    let spins = this.map.size;
    while (this.map.size >= this.maxEntries) {
      const [oldest, old] = this.map.entries().next().value as [string, CacheEntry];
      this.map.delete(oldest);
      if (old.used && spins-- > 0 && old.expires > this.now()) {
        old.used = false;
        this.map.set(oldest, old);
        continue;
      }
      this.evictions++;
    }
    this.map.set(key, e);
  }

  /** Drops every entry. */
  clear(): void {
    this.map.clear();
  }

  stats(): CacheStats {
    return { hits: this.hits, misses: this.misses, size: this.map.size, evictions: this.evictions };
  }
}

// /etc/hosts, read the way Go's hosts.go reads it: forward and reverse tables, names folded to
// lower case and rooted when they contain a dot, re-read at most every 5 s and only when the
// file's mtime or size changed.

import { readFileSync, statSync } from 'node:fs';
import { parseIPZone } from '../ip.js';

/** One name's entry: addresses in file order and the canonical name (first name of its first line). */
export interface HostsEntry {
  addrs: string[];
  canonical: string;
}

/** A parsed hosts file. */
export interface HostsTable {
  /** Lower-cased name (rooted if it has a dot) → entry. */
  byName: Map<string, HostsEntry>;
  /** Canonical address text (zone kept) → names as written (rooted if dotted), file order. */
  byAddr: Map<string, string[]>;
}

// Go's absDomainName: names with a dot get a trailing one; `localhost` stays as it is.
function absDomainName(s: string): string {
  return s.includes('.') && !s.endsWith('.') ? s + '.' : s;
}

function lowerASCII(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

/**
 * The canonical text of an address literal (zone allowed), or '' if `s` is not one. IPv4
 * literals print dotted; an IPv4-mapped IPv6 literal keeps its `::ffff:` form, as Go's
 * netip does, so the two stay distinct keys.
 */
export function canonicalAddr(s: string): string {
  const p = parseIPZone(s);
  if (p === null) return '';
  let text = p.ip.toString();
  if (s.includes(':') && !text.includes(':')) text = '::ffff:' + text;
  return p.zone ? `${text}%${p.zone}` : text;
}

/** Parses hosts-file text with Go's rules (comments, fields, invalid lines skipped). */
export function parseHosts(text: string): HostsTable {
  const byName = new Map<string, HostsEntry>();
  const byAddr = new Map<string, string[]>();
  for (let line of text.split('\n')) {
    const hash = line.indexOf('#');
    if (hash >= 0) line = line.slice(0, hash);
    const f = line.split(/[ \t\r]+/).filter((s) => s !== '');
    if (f.length < 2) continue;
    const addr = canonicalAddr(f[0]!);
    if (addr === '') continue;
    let canonical = '';
    for (let i = 1; i < f.length; i++) {
      const name = absDomainName(f[i]!);
      const key = absDomainName(lowerASCII(f[i]!));
      if (i === 1) canonical = key;
      const names = byAddr.get(addr);
      if (names) names.push(name);
      else byAddr.set(addr, [name]);
      const e = byName.get(key);
      if (e) e.addrs.push(addr);
      else byName.set(key, { addrs: [addr], canonical });
    }
  }
  return { byName, byAddr };
}

/** Options for HostsFile. */
export interface HostsFileOptions {
  /** Clock in ms (injectable for tests; default Date.now). */
  now?: () => number;
  /** How long a read stays trusted before the file is re-stat'ed, ms (default 5000, as Go). */
  maxAge?: number;
}

const EMPTY: HostsTable = { byName: new Map(), byAddr: new Map() };

/**
 * A hosts file with Go's caching: re-stat'ed at most every `maxAge` ms and re-read only when
 * its mtime or size changed. A missing or unreadable-by-permission file is an empty table;
 * any other read error keeps the previous table. Results are copies.
 */
export class HostsFile {
  readonly path: string;
  private readonly now: () => number;
  private readonly maxAge: number;
  private hosts: HostsTable = EMPTY;
  private loaded = false;
  private expire = 0;
  private mtime = -1;
  private size = -1;

  constructor(path = '/etc/hosts', opts: HostsFileOptions = {}) {
    this.path = path;
    this.now = opts.now ?? Date.now;
    this.maxAge = opts.maxAge ?? 5000;
  }

  /** The current table, refreshed first if due. */
  table(): HostsTable {
    const now = this.now();
    if (this.loaded && now < this.expire) return this.hosts;
    let mtime = -1;
    let size = -1;
    try {
      const st = statSync(this.path);
      mtime = st.mtimeMs;
      size = st.size;
      if (this.loaded && mtime === this.mtime && size === this.size) {
        this.expire = now + this.maxAge;
        return this.hosts;
      }
    } catch {
      // fall through: the read below decides between "empty" and "keep"
    }
    let text = '';
    try {
      text = readFileSync(this.path, 'latin1');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EACCES' && code !== 'EPERM') return this.hosts;
    }
    this.hosts = text === '' ? EMPTY : parseHosts(text);
    this.loaded = true;
    this.mtime = mtime;
    this.size = size;
    this.expire = now + this.maxAge;
    return this.hosts;
  }

  /** The entry for `host` (case-insensitive; `a.example` and `a.example.` match), or null. */
  lookupStaticHost(host: string): HostsEntry | null {
    const t = this.table();
    if (t.byName.size === 0) return null;
    const e = t.byName.get(absDomainName(lowerASCII(host)));
    return e ? { addrs: e.addrs.slice(), canonical: e.canonical } : null;
  }

  /** Addresses for `host` in file order (empty if none). */
  lookupStatic(host: string): string[] {
    return this.lookupStaticHost(host)?.addrs ?? [];
  }

  /** The canonical name for `host` (the first name on its first line), or null. */
  canonical(host: string): string | null {
    return this.lookupStaticHost(host)?.canonical ?? null;
  }

  /** Names for an address literal in file order (empty if none or not an address). */
  lookupStaticAddr(addr: string): string[] {
    const key = canonicalAddr(addr);
    if (key === '') return [];
    return this.table().byAddr.get(key)?.slice() ?? [];
  }
}

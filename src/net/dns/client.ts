// One DNS exchange with one server, as Go's dnsclient_unix.go does it: a query with a random ID
// (and EDNS0 advertising 1232 bytes) over a fresh connected UDP socket; replies that fail to
// parse or do not match ID, question and QR bit are ignored while waiting; a truncated (TC)
// answer is asked again over TCP with its own timeout; `useTCP` goes straight to TCP.
// Transport comes from gonet's own dial (DESIGN layering), or from a caller-supplied dial.
// UDPSocketPool shares UDP sockets between queries (Resolver `udpReuse`, on by default; see
// there and at UDPSocketPool for why gonet does not open a socket per query as Go does).
// tryOneName runs one question over every server and attempt and judges each reply's header.

import { randomFillSync } from 'node:crypto';
import { createSocket, type RemoteInfo } from 'node:dgram';
import type { Conn } from '../conn.js';
import { hasChunkReader } from '../conn.js';
import { CanceledError, DeadlineExceededError, DNSError, ErrClosed, errorIs, fromNodeError, OpError } from '../errors.js';
import { UDPAddr } from '../addr.js';
import { splitHostPort } from '../hostport.js';
import { parseIPZone } from '../ip.js';
import { abortCause } from '../context.js';
import { dial as netDial } from '../dial.js';
import { buildQuery, DNSMessageError, decodeMessage, extendedRCode, isResponseTo, RCode, type Message } from './message.js';
import { cacheKey, type DNSCache } from './cache.js';
import { isLoopbackServer } from './names.js';

/** Go's EDNS0 advertised UDP payload size (the DNS Flag Day 2020 value). */
export const EDNS_UDP_SIZE = 1232;
const EDNS_OPT = { udpSize: EDNS_UDP_SIZE } as const;

/** Reasons an exchange fails, worded as Go words them. */
export const ErrText = {
  noSuchHost: 'no such host',
  lameReferral: 'lame referral',
  cannotUnmarshal: 'cannot unmarshal DNS message',
  cannotMarshal: 'cannot marshal DNS message',
  serverMisbehaving: 'server misbehaving',
  invalidResponse: 'invalid DNS response',
  noAnswer: 'no answer from DNS server',
  timeout: 'i/o timeout',
  canceled: 'operation was canceled',
  malformedRecords: 'DNS response contained records which contain invalid names',
  unrecognizedAddress: 'unrecognized address',
} as const;

/**
 * How the resolver reaches a server: `network` is `udp` or `tcp`, `address` is `ip:port`.
 * Go's Resolver.Dial. The returned conn must be connected to `address`.
 */
export type DNSDialFunc = (network: 'udp' | 'tcp', address: string, opts: { signal: AbortSignal }) => Promise<Conn>;

/** The default transport: gonet's own dial. */
export const defaultDNSDial: DNSDialFunc = (network, address, opts) => netDial(network, address, { signal: opts.signal }) as Promise<Conn>;

/** One question to one server. */
export interface ExchangeRequest {
  /** `ip:port` / `[ip6]:port`. */
  server: string;
  /** Rooted name to ask. */
  name: string;
  type: number;
  /** Timeout for the UDP round trip, and again for a TCP one (ms). */
  timeout: number;
  /** Always use TCP (resolv.conf `use-vc`). */
  useTCP?: boolean;
  /** Set AD in the query (resolv.conf `trust-ad`). */
  trustAD?: boolean;
  /** Add the EDNS0 OPT record (default true). */
  edns?: boolean;
  /** The caller's cancellation. */
  signal?: AbortSignal;
  dial?: DNSDialFunc;
  /** Share UDP sockets between queries through this pool (without: one socket per query, as Go). */
  pool?: UDPSocketPool | null;
}

/** A matching reply and how it came. */
export interface ExchangeResult {
  msg: Message;
  server: string;
  tcp: boolean;
}

const idPool = new Uint16Array(4096);
let idNext = idPool.length;

/** A random 16-bit query ID (crypto-random, drawn from a refilled pool). */
export function randomID(): number {
  if (idNext >= idPool.length) {
    randomFillSync(idPool);
    idNext = 0;
  }
  return idPool[idNext++]!;
}

function dnsError(err: string, name: string, server: string, extra: Partial<DNSError> = {}, cause?: unknown): DNSError {
  return new DNSError({
    err, name, server, isTimeout: extra.isTimeout, isTemporary: extra.isTemporary, isNotFound: extra.isNotFound, cause,
  });
}

/** The DNSError for a caller whose signal fired. */
export function abortError(signal: AbortSignal, name: string, server = ''): DNSError {
  const c = abortCause(signal);
  return c instanceof DeadlineExceededError
    ? dnsError(ErrText.timeout, name, server, { isTimeout: true }, c)
    : dnsError(ErrText.canceled, name, server, {}, c);
}

// Turns a transport failure into the DNSError Go reports: timeouts are IsTimeout, socket
// errors IsTemporary (Go marks every *OpError temporary).
function transportError(e: unknown, name: string, server: string): DNSError {
  if (e instanceof DNSError) return e;
  if (errorIs(e, DeadlineExceededError)) return dnsError(ErrText.timeout, name, server, { isTimeout: true, isTemporary: true }, e);
  if (errorIs(e, CanceledError)) return dnsError(ErrText.canceled, name, server, {}, e);
  const msg = e instanceof Error ? e.message : String(e);
  return dnsError(msg, name, server, { isTemporary: e instanceof OpError || !(e instanceof DNSMessageError) }, e);
}

/**
 * Runs one exchange. Resolves with the first matching reply (the TCP one after a TC bit);
 * rejects with a DNSError naming `req.name` and `req.server`.
 */
export async function exchange(req: ExchangeRequest): Promise<ExchangeResult> {
  const { server, name, signal } = req;
  if (signal?.aborted) throw abortError(signal, name, server);
  const id = randomID();
  const q = { id, name, type: req.type };
  let query: Uint8Array;
  try {
    query = buildQuery({
      id, name, type: req.type, ad: req.trustAD ?? false, edns: req.edns === false ? null : EDNS_OPT, tcp: true,
    });
  } catch (e) {
    throw dnsError(ErrText.cannotMarshal, name, server, {}, e);
  }
  const dial = req.dial ?? defaultDNSDial;
  if (!req.useTCP) {
    const msg = req.pool
      ? await req.pool.roundTrip(server, query.subarray(2), q, req.timeout, signal)
      : await roundTrip('udp', dial, server, query.subarray(2), q, req.timeout, signal);
    if (!msg.header.tc) return { msg, server, tcp: false };
  }
  const msg = await roundTrip('tcp', dial, server, query, q, req.timeout, signal);
  return { msg, server, tcp: true };
}

type Q = { id: number; name: string; type: number };

async function roundTrip(
  network: 'udp' | 'tcp', dial: DNSDialFunc, server: string, query: Uint8Array, q: Q, timeout: number, signal: AbortSignal | undefined,
): Promise<Message> {
  const ctl = new AbortController();
  const onAbort = (): void => ctl.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => ctl.abort(new DeadlineExceededError()), timeout);
  let conn: Conn | null = null;
  const closeOnAbort = (): void => conn?.close();
  ctl.signal.addEventListener('abort', closeOnAbort, { once: true });
  try {
    conn = await dial(network, server, { signal: ctl.signal });
    // The timer above closes the conn when the attempt's time is up, which ends any pending
    // read or write; no per-conn deadline timers are needed on top.
    if (ctl.signal.aborted) throw abortCause(ctl.signal);
    return network === 'udp' ? await udpRoundTrip(conn, query, q, server) : await tcpRoundTrip(conn, query, q, server);
  } catch (e) {
    if (signal?.aborted) throw abortError(signal, q.name, server);
    if (ctl.signal.aborted) throw dnsError(ErrText.timeout, q.name, server, { isTimeout: true, isTemporary: true }, abortCause(ctl.signal));
    throw transportError(e, q.name, server);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    ctl.signal.removeEventListener('abort', closeOnAbort);
    conn?.close();
  }
}

async function udpRoundTrip(conn: Conn, query: Uint8Array, q: Q, server: string): Promise<Message> {
  await conn.write(query);
  const buf = hasChunkReader(conn) ? null : new Uint8Array(65536);
  for (;;) {
    let packet: Uint8Array;
    if (buf === null) {
      const c = await (conn as unknown as { readChunk(): Promise<Uint8Array | null> }).readChunk();
      if (c === null) throw dnsError(ErrText.noAnswer, q.name, server, { isTemporary: true });
      packet = c;
    } else {
      const n = await conn.read(buf);
      if (n === null) throw dnsError(ErrText.noAnswer, q.name, server, { isTemporary: true });
      packet = buf.subarray(0, n);
    }
    // Anything that is not the answer to this query is ignored, not an error: an off-path
    // attacker must not be able to end the wait with a forged or garbled packet.
    let msg: Message;
    try {
      msg = decodeMessage(packet);
    } catch {
      continue;
    }
    if (isResponseTo(msg, q)) return msg;
  }
}

/** How long UDP sockets may be shared (see UDPSocketPool). */
export interface UDPReuseOptions {
  /** Queries one socket carries before it is retired for a fresh one (default 100). */
  maxQueries?: number;
  /** Age after which a socket takes no new queries, ms (default 10000). */
  maxAgeMs?: number;
  /** An idle socket is closed after this long, ms (default 1000). */
  idleMs?: number;
}

interface Waiter {
  q: Q;
  resolve(m: Message): void;
  fail(e: unknown): void;
  /** When the query times out (performance.now() ms). */
  deadline: number;
  server: string;
}

/** The packet side of a shared socket: gonet's UDPConn from a dial, or node:dgram directly. */
interface Link {
  send(p: Uint8Array): void | Promise<unknown>;
  close(): void;
  ref(): void;
  unref(): void;
}

/**
 * One connected UDP socket carrying several queries, told apart by ID and question (and, on
 * the direct path, the reply's source address, which the connected socket also enforces).
 */
class SharedSocket {
  link: Link | null = null;
  readonly ready: Promise<Link>;
  readonly waiters = new Map<number, Waiter>();
  used = 0;
  readonly born = Date.now();
  retired = false;
  closed = false;
  private idle: NodeJS.Timeout | undefined;
  // One timer per socket for its queries' deadlines, at the earliest one (a timer per query
  // cost a measurable share of a lookup).
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweepAt = Infinity;

  constructor(private readonly pool: UDPSocketPool, readonly server: string, dial: DNSDialFunc | null) {
    this.ready = (dial === null ? this.openDirect() : this.openConn(dial)).then((l) => {
      this.link = l;
      if (this.closed) l.close();
      else if (this.idle !== undefined) l.unref();
      return l;
    });
    this.ready.catch(() => this.close());
  }

  // The fast path for the default transport: a node:dgram socket connected to the server, its
  // datagrams matched as they arrive (no UDPConn queue, no read promise per packet). An internal
  // shortcut the DESIGN allows; errors are worded as UDPConn words them.
  private openDirect(): Promise<Link> {
    const [host, portText] = splitHostPort(this.server);
    const ip = parseIPZone(host);
    const port = Number(portText);
    const remote = new UDPAddr(ip?.ip ?? null, port, ip?.zone ?? '');
    const sock = createSocket(ip !== null && !ip.ip.is4() ? 'udp6' : 'udp4');
    let local: UDPAddr | null = null;
    return new Promise<Link>((resolve, reject) => {
      const opError = (e: Error, op: string): OpError => new OpError({ op, net: 'udp', source: local, addr: remote, cause: fromNodeError(e, op) });
      sock.on('error', (e: Error) => {
        const err = opError(e, local === null ? 'dial' : 'read');
        reject(err);
        this.failAll(err);
      });
      sock.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
        if (rinfo.port !== port || !sameHost(rinfo.address, host)) return;
        this.deliver(msg);
      });
      sock.connect(port, host, () => {
        const a = sock.address();
        const l = parseIPZone(a.address);
        local = new UDPAddr(l?.ip ?? null, a.port, l?.zone ?? '');
        resolve({
          send: (p) => sock.send(p),
          close: () => {
            try {
              sock.close();
            } catch {
              // already closed
            }
          },
          ref: () => sock.ref(),
          unref: () => sock.unref(),
        });
      });
    });
  }

  // A caller-supplied dial: the conn it returns, read in a loop.
  private async openConn(dial: DNSDialFunc): Promise<Link> {
    const conn = await dial('udp', this.server, { signal: new AbortController().signal });
    if (!this.closed) void this.readLoop(conn);
    // The Node socket under a gonet UDPConn, so an idle shared socket does not keep the process alive.
    const h = (conn as { socket?: { ref?(): void; unref?(): void } }).socket;
    return { send: (p) => conn.write(p), close: () => conn.close(), ref: () => h?.ref?.(), unref: () => h?.unref?.() };
  }

  private async readLoop(conn: Conn): Promise<void> {
    const buf = hasChunkReader(conn) ? null : new Uint8Array(65536);
    for (;;) {
      let packet: Uint8Array;
      try {
        if (buf === null) {
          const c = await (conn as unknown as { readChunk(): Promise<Uint8Array | null> }).readChunk();
          if (c === null) throw dnsError(ErrText.noAnswer, '', this.server, { isTemporary: true });
          packet = c;
        } else {
          const n = await conn.read(buf);
          if (n === null) throw dnsError(ErrText.noAnswer, '', this.server, { isTemporary: true });
          packet = buf.subarray(0, n);
        }
      } catch (e) {
        this.failAll(e);
        return;
      }
      this.deliver(packet);
    }
  }

  // The socket failed (an ICMP error, or it was closed): every query on it fails.
  private failAll(e: unknown): void {
    for (const w of [...this.waiters.values()]) w.fail(e);
    this.close();
  }

  /** Hands a datagram to the query it answers; anything else is dropped unread. */
  private deliver(packet: Uint8Array): void {
    // Only a packet whose ID belongs to a query in flight is worth decoding.
    if (packet.length < 12) return;
    const w = this.waiters.get((packet[0]! << 8) | packet[1]!);
    if (w === undefined) return;
    let msg: Message;
    try {
      msg = decodeMessage(packet);
    } catch {
      return;
    }
    if (isResponseTo(msg, w.q)) w.resolve(msg);
  }

  /** Adds a query in flight and makes sure its deadline is watched. */
  add(w: Waiter): void {
    this.waiters.set(w.q.id, w);
    if (w.deadline < this.sweepAt) this.armSweep(w.deadline);
  }

  private armSweep(at: number): void {
    if (this.sweepTimer !== undefined) clearTimeout(this.sweepTimer);
    this.sweepAt = at;
    this.sweepTimer = setTimeout(() => this.sweep(), Math.max(0, at - performance.now()));
  }

  // Fails the queries whose time is up and re-arms for the next deadline.
  private sweep(): void {
    this.sweepTimer = undefined;
    this.sweepAt = Infinity;
    const t = performance.now();
    let next = Infinity;
    const expired: Waiter[] = [];
    for (const w of this.waiters.values()) {
      if (w.deadline <= t + 1) expired.push(w);
      else if (w.deadline < next) next = w.deadline;
    }
    for (const w of expired) {
      w.fail(dnsError(ErrText.timeout, w.q.name, w.server, { isTimeout: true, isTemporary: true }, new DeadlineExceededError()));
    }
    if (next !== Infinity && this.waiters.size > 0 && next < this.sweepAt) this.armSweep(next);
  }

  /** Registers interest; stops the idle clock. */
  busy(): void {
    if (this.idle !== undefined) {
      clearTimeout(this.idle);
      this.idle = undefined;
      this.link?.ref();
    }
  }

  /** Called when a query leaves: close once retired and empty, or after a quiet spell. */
  settle(): void {
    if (this.waiters.size > 0 || this.closed) return;
    if (this.sweepTimer !== undefined) {
      clearTimeout(this.sweepTimer);
      this.sweepTimer = undefined;
      this.sweepAt = Infinity;
    }
    if (this.retired) {
      this.close();
      return;
    }
    if (this.idle !== undefined) return;
    this.idle = setTimeout(() => this.close(), this.pool.idleMs);
    this.idle.unref();
    this.link?.unref();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.retired = true;
    this.busy();
    if (this.sweepTimer !== undefined) clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    this.pool.forget(this);
    this.link?.close();
    if (this.waiters.size > 0) {
      const e = new ErrClosed();
      for (const w of [...this.waiters.values()]) w.fail(e);
    }
  }
}

function sameHost(a: string, b: string): boolean {
  if (a === b) return true;
  const x = parseIPZone(a);
  const y = parseIPZone(b);
  return x !== null && y !== null && x.ip.equal(y.ip);
}

/**
 * Shares connected UDP sockets between queries to the same server: each socket (a fresh
 * kernel-chosen ephemeral port) carries up to `maxQueries` queries or lives `maxAgeMs`, then is
 * replaced. Replies are matched by ID (crypto-random, unique among the socket's queries in
 * flight), question and QR bit, and must come from the server's address; anything else is
 * ignored. The Resolver uses this by default.
 *
 * Why not a socket per query, as Go does: opening, connecting and closing a socket costs a
 * handful of syscalls and, in Node, several objects and event-loop turns per query, which made
 * lookups several times slower than c-ares (which by default keeps one socket per server for
 * any number of queries). Sharing a socket for a bounded number of queries and time keeps most
 * of the spoofing resistance: an off-path attacker still has to guess a 16-bit random ID for a
 * question in flight and hit a port that changes every 100 queries / 10 s, and a forged reply
 * with a wrong question or source is ignored without ending the wait. `udpReuse: false` brings
 * back Go's socket per query.
 */
export class UDPSocketPool {
  readonly maxQueries: number;
  readonly maxAgeMs: number;
  readonly idleMs: number;
  private readonly byServer = new Map<string, SharedSocket>();
  private readonly dial: DNSDialFunc | null;

  /** `dial` null or gonet's default dial: node:dgram sockets directly. */
  constructor(dial: DNSDialFunc | null, opts: UDPReuseOptions = {}) {
    this.dial = dial === defaultDNSDial ? null : dial;
    this.maxQueries = Math.max(1, Math.floor(opts.maxQueries ?? 100));
    this.maxAgeMs = Math.max(0, opts.maxAgeMs ?? 10000);
    this.idleMs = Math.max(0, opts.idleMs ?? 1000);
  }

  /** Sockets currently open or opening. */
  get size(): number {
    return this.byServer.size;
  }

  /** @internal */
  forget(s: SharedSocket): void {
    if (this.byServer.get(s.server) === s) this.byServer.delete(s.server);
  }

  private acquire(server: string): SharedSocket {
    let s = this.byServer.get(server);
    if (s && (s.retired || s.used >= this.maxQueries || Date.now() - s.born >= this.maxAgeMs)) {
      s.retired = true;
      this.byServer.delete(server);
      if (s.waiters.size === 0) s.close();
      s = undefined;
    }
    if (!s) {
      s = new SharedSocket(this, server, this.dial);
      this.byServer.set(server, s);
    }
    s.used++;
    s.busy();
    return s;
  }

  /** One UDP round trip on a shared socket; errors as roundTrip's. */
  roundTrip(server: string, query: Uint8Array, q: Q, timeout: number, signal: AbortSignal | undefined): Promise<Message> {
    if (signal?.aborted) return Promise.reject(abortError(signal, q.name, server));
    const s = this.acquire(server);
    // Keep IDs unique among this socket's queries in flight.
    while (s.waiters.has(q.id)) q.id = randomID();
    query[0] = q.id >> 8;
    query[1] = q.id & 0xff;
    return new Promise<Message>((resolve, reject) => {
      let onAbort: (() => void) | undefined;
      const done = (): void => {
        if (onAbort) signal!.removeEventListener('abort', onAbort);
        if (s.waiters.get(q.id) === w) s.waiters.delete(q.id);
        s.settle();
      };
      const w: Waiter = {
        q,
        deadline: performance.now() + timeout,
        server,
        resolve: (m) => {
          done();
          resolve(m);
        },
        fail: (e) => {
          done();
          reject(transportError(e, q.name, server));
        },
      };
      s.add(w);
      if (signal) {
        onAbort = () => w.fail(abortError(signal, q.name, server));
        signal.addEventListener('abort', onAbort, { once: true });
      }
      const send = (l: Link): void => {
        if (s.waiters.get(q.id) !== w) return;
        const r = l.send(query);
        if (r) r.catch((e: unknown) => w.fail(e));
      };
      if (s.link) send(s.link);
      else s.ready.then(send, (e: unknown) => w.fail(e));
    });
  }

  /** Closes every socket; queries in flight on them fail. */
  close(): void {
    for (const s of [...this.byServer.values()]) s.close();
  }
}

async function readFull(conn: Conn, p: Uint8Array): Promise<boolean> {
  let off = 0;
  while (off < p.length) {
    const n = await conn.read(p.subarray(off));
    if (n === null) return false;
    off += n;
  }
  return true;
}

async function tcpRoundTrip(conn: Conn, query: Uint8Array, q: Q, server: string): Promise<Message> {
  await conn.write(query);
  const lenBuf = new Uint8Array(2);
  if (!(await readFull(conn, lenBuf))) throw dnsError(ErrText.noAnswer, q.name, server, { isTemporary: true });
  const len = (lenBuf[0]! << 8) | lenBuf[1]!;
  const body = new Uint8Array(len);
  if (!(await readFull(conn, body))) throw dnsError(ErrText.noAnswer, q.name, server, { isTemporary: true });
  let msg: Message;
  try {
    msg = decodeMessage(body);
  } catch (e) {
    throw dnsError(ErrText.cannotUnmarshal, q.name, server, {}, e);
  }
  // On a stream nobody else can inject, a mismatch is the server's fault: an error.
  if (!isResponseTo(msg, q)) throw dnsError(ErrText.invalidResponse, q.name, server);
  return msg;
}

/** The DNSError for a name that does not exist (or has no record of the asked type). */
export function notFound(name: string, server = ''): DNSError {
  return new DNSError({ err: ErrText.noSuchHost, name, server, isNotFound: true });
}

/** What a reply says, judged the way Go's checkHeader and skipToAnswer judge it. */
export type Verdict = 'answer' | 'nxdomain' | 'nodata' | 'lame' | 'servfail' | 'misbehaving';

/**
 * NXDOMAIN ends the search for this name; a lame referral (no AA, no RA, nothing in any
 * section), SERVFAIL (temporary) and other rcodes (extended through OPT) send us to the next
 * server; NOERROR without a record of the asked type is NODATA (CNAMEs alone do not count).
 */
export function judge(msg: Message, qtype: number): Verdict {
  const rcode = extendedRCode(msg);
  if (rcode === RCode.NameError) return 'nxdomain';
  if (rcode === RCode.Success && !msg.header.aa && !msg.header.ra && msg.answers.length === 0 && msg.additionals.length === 0) return 'lame';
  if (rcode === RCode.ServerFailure) return 'servfail';
  if (rcode !== RCode.Success) return 'misbehaving';
  return msg.answers.some((rr) => rr.type === qtype) ? 'answer' : 'nodata';
}

/** The servers to ask and how (one lookup's view of the configuration). */
export interface AskOptions {
  servers: readonly string[];
  /** Index of the first server (advanced per lookup with `rotate`). */
  start: number;
  attempts: number;
  timeout: number;
  useTCP: boolean;
  trustAD: boolean;
  dial: DNSDialFunc;
  /** Refuse servers off loopback (no packet is sent to them). */
  loopbackOnly: boolean;
  /** Where answers and RFC 2308 negative answers are stored, if anywhere. */
  cache: DNSCache | null;
  /** Shared UDP sockets, if the resolver uses them. */
  pool?: UDPSocketPool | null;
  signal?: AbortSignal;
}

/** A usable reply and the server that gave it. */
export interface ExchangeAnswer {
  msg: Message;
  server: string;
}

/**
 * Go's tryOneName: `attempts` rounds over the servers from `start`, each exchange with its own
 * timeout. Resolves with the first answer holding a record of `qtype`; rejects at once with
 * "no such host" for NXDOMAIN/NODATA, or with the last error when every try failed.
 */
export async function tryOneName(o: AskOptions, fqdn: string, qtype: number): Promise<ExchangeAnswer> {
  const { servers, signal } = o;
  const n = servers.length;
  if (n === 0) throw new DNSError({ err: ErrText.noAnswer, name: fqdn });
  const key = o.cache ? cacheKey(fqdn, qtype) : '';
  let lastErr: DNSError | null = null;
  for (let attempt = 0; attempt < o.attempts; attempt++) {
    for (let j = 0; j < n; j++) {
      const server = servers[(o.start + j) % n]!;
      if (o.loopbackOnly && !isLoopbackServer(server)) {
        lastErr = new DNSError({ err: 'nameserver is not on loopback and the resolver is loopback-only', name: fqdn, server });
        continue;
      }
      let msg: Message;
      try {
        ({ msg } = await exchange({
          server, name: fqdn, type: qtype, timeout: o.timeout, useTCP: o.useTCP, trustAD: o.trustAD, signal, dial: o.dial, pool: o.pool,
        }));
      } catch (e) {
        if (signal?.aborted) throw abortError(signal, fqdn, server);
        lastErr = e instanceof DNSError ? e : new DNSError({ err: String(e), name: fqdn, server, isTemporary: true, cause: e });
        continue;
      }
      const verdict = judge(msg, qtype);
      switch (verdict) {
        case 'answer':
          o.cache?.putAnswer(key, msg, server);
          return { msg, server };
        case 'nxdomain':
        case 'nodata':
          o.cache?.putNegative(key, verdict, msg, server);
          throw notFound(fqdn, server);
        case 'lame':
          lastErr = new DNSError({ err: ErrText.lameReferral, name: fqdn, server });
          break;
        case 'servfail':
          lastErr = new DNSError({ err: ErrText.serverMisbehaving, name: fqdn, server, isTemporary: true });
          break;
        case 'misbehaving':
          lastErr = new DNSError({ err: ErrText.serverMisbehaving, name: fqdn, server });
          break;
      }
    }
  }
  throw lastErr ?? new DNSError({ err: ErrText.noAnswer, name: fqdn });
}

// The threadpool demonstration (issue 3): 200 concurrent lookups of slow names (the DNS server
// answers each query after DELAY_MS) while 100 fs.readFile calls run, once with Node's
// dns.lookup and once with gonet's Resolver, printing how long the file reads took in each
// case. dns.lookup runs getaddrinfo on libuv's 4-thread pool, so the reads queue behind the
// lookups; gonet's resolver never touches the pool.
//
//   dns/threadpool-readfile   ms until all 100 reads finished (lower is better; ratio node/gonet)
//
// No query may reach this machine's real nameserver (/etc/resolv.conf names one off loopback)
// and getaddrinfo reads /etc/resolv.conf. So both halves run in a child process inside its own
// mount + network namespace (`unshare -mn`): the only interface is lo, and /etc/resolv.conf and
// /etc/nsswitch.conf are bind-mounted (privately, in that namespace) to files naming 127.0.0.1
// and `hosts: files dns`. The slow DNS server listens on 127.0.0.1:53 inside the same child
// (on a worker thread). Besides the reads, it times one quick lookup started behind the slow
// ones: getaddrinfo queues it in the pool (libuv lets DNS work use at most half the 4 threads,
// which is why the file reads themselves suffer less than one might expect).
// Before timing anything the child checks that it sees exactly those files, only lo, and no
// nscd / systemd-resolved socket that could carry a lookup out of the namespace; otherwise it
// exits without sending a query. Needs root (or user namespaces), util-linux unshare and ip.
//
// Run alone: node dist/bench/dns-threadpool.js (prints both figures), or through run.ts.

import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns/promises';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Resolver } from '../src/net/dns/resolver.js';
import { Type } from '../src/net/dns/message.js';
import { median, now, type RunOptions, type Workload } from './workload.js';

const DELAY_MS = 200;
const LOOKUPS = 200;
const READS = 100;
const CHILD_TIMEOUT_MS = 120_000;

const RESOLV_CONF = 'nameserver 127.0.0.1\noptions timeout:2 attempts:3\n';
const NSSWITCH = 'hosts: files dns\n';

/** What one child run measured. */
interface ChildResult {
  mode: 'node' | 'gonet';
  readMs: number;
  /** The same reads with no lookups running, just before. */
  aloneMs: number;
  /** One lookup of a name the server answers at once, started after the slow ones. */
  fastMs: number;
  lookupMs: number;
  resolved: number;
  queries: number;
}

// ---- the child: runs inside the namespace ----

function fail(msg: string): never {
  process.stderr.write(`dns-threadpool child: ${msg}\n`);
  process.exit(3);
}

/** Refuses to go on unless this process is isolated as the parent set it up. */
function checkIsolation(resolvPath: string, nssPath: string): void {
  const want = readFileSync(resolvPath, 'utf8');
  if (readFileSync('/etc/resolv.conf', 'utf8') !== want) fail('/etc/resolv.conf is not the bind-mounted file');
  const a = statSync('/etc/resolv.conf');
  const b = statSync(resolvPath);
  if (a.ino !== b.ino || a.dev !== b.dev) fail('/etc/resolv.conf is not the bind-mounted inode');
  if (readFileSync('/etc/nsswitch.conf', 'utf8') !== readFileSync(nssPath, 'utf8')) fail('/etc/nsswitch.conf is not the bind-mounted file');
  const ifs = Object.keys(networkInterfaces());
  if (ifs.length !== 1 || ifs[0] !== 'lo') fail(`network interfaces other than lo: ${ifs.join(', ')}`);
  for (const p of ['/run/nscd/socket', '/var/run/nscd/socket', '/run/systemd/resolve/io.systemd.Resolve']) {
    if (existsSync(p)) fail(`${p} exists: a lookup could leave the namespace through it`);
  }
}

/**
 * A DNS server on 127.0.0.1:53 answering every A query after DELAY_MS (AAAA: NODATA). It runs
 * on a worker thread with its own event loop, so it keeps reading while the main thread sends
 * a burst of queries (gonet sends all 400 at once; an unread burst would overflow the socket).
 */
function serverThread(): void {
  const port = parentPort!;
  const sock = createSocket('udp4');
  let n = 0;
  sock.on('message', (raw, rinfo) => {
    const reply = slowReply(raw);
    if (reply === null) return;
    n++;
    // Names under fast.test are answered at once (warm-up, and the one quick lookup timed
    // behind the slow ones); the rest after DELAY_MS.
    if (reply.fast) sock.send(reply.bytes, rinfo.port, rinfo.address);
    else setTimeout(() => sock.send(reply.bytes, rinfo.port, rinfo.address), DELAY_MS);
  });
  sock.once('error', (e) => port.postMessage({ error: String(e) }));
  sock.bind({ port: 53, address: '127.0.0.1' }, () => {
    try {
      sock.setRecvBufferSize(4 << 20); // the kernel caps it at net.core.rmem_max
    } catch {
      // keep the default
    }
    port.postMessage({ ready: true });
  });
  port.on('message', () => {
    sock.close();
    port.postMessage({ queries: n });
    port.close();
  });
}

/**
 * The reply to a one-question query, built from its bytes (cheap: the server must keep up with
 * a burst of 400 queries on a 2-CPU box without stealing the CPU it is there to show): the
 * question echoed, QR+AA+RA set, and for an A question one A record 192.0.2.7 (AAAA: NODATA).
 */
function slowReply(q: Buffer): { bytes: Buffer; fast: boolean } | null {
  if (q.length < 17 || (q[2]! & 0x80) !== 0 || q.readUInt16BE(4) !== 1) return null;
  let p = 12;
  const labels: string[] = [];
  while (p < q.length && q[p]! !== 0) {
    const len = q[p]!;
    if (len > 63 || p + 1 + len >= q.length) return null;
    labels.push(q.toString('latin1', p + 1, p + 1 + len).toLowerCase());
    p += 1 + len;
  }
  const qend = p + 5;
  if (qend > q.length) return null;
  const type = q.readUInt16BE(p + 1);
  const isA = type === Type.A;
  const out = Buffer.alloc(qend + (isA ? 16 : 0));
  q.copy(out, 0, 0, qend);
  out[2] = 0x84 | (q[2]! & 0x01); // QR, AA, RD echoed
  out[3] = 0x80; // RA, NOERROR
  out.writeUInt16BE(isA ? 1 : 0, 6);
  out.writeUInt32BE(0, 8); // NS and AR counts: the client's OPT is not echoed
  if (isA) Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 7]).copy(out, qend);
  const fast = labels.length >= 2 && labels[labels.length - 2] === 'fast' && labels[labels.length - 1] === 'test';
  return { bytes: out, fast };
}

async function slowServer(): Promise<{ stop: () => Promise<number> }> {
  const w = new Worker(fileURLToPath(import.meta.url), { workerData: { slowServer: true } });
  await new Promise<void>((resolve, reject) => {
    w.once('error', reject);
    w.once('message', (m: { ready?: boolean; error?: string }) => (m.ready ? resolve() : reject(new Error(m.error))));
  });
  return {
    stop: () => new Promise<number>((resolve) => {
      w.once('message', (m: { queries: number }) => {
        resolve(m.queries);
        void w.terminate();
      });
      w.postMessage('stop');
    }),
  };
}

async function childMain(mode: 'node' | 'gonet', resolvPath: string, nssPath: string, lookups: number): Promise<void> {
  checkIsolation(resolvPath, nssPath);
  const server = await slowServer();
  const dir = mkdtempSync(join(tmpdir(), 'gonet-tp-'));
  const file = join(dir, 'data');
  writeFileSync(file, Buffer.alloc(64 * 1024, 7));
  // pure: resolv.conf, hosts and nsswitch are read from /etc, which here are the namespace's.
  const resolver = new Resolver({ mode: 'pure', loopbackOnly: true });
  const lookupOne = mode === 'node'
    ? (name: string) => dnsLookup(name).then((r) => r.address)
    : (name: string) => resolver.lookupHost(name).then((r) => r[0]!);
  // Distinct names, so neither side can share one in-flight query between callers.
  // Quick lookups first, so neither side is timed loading its configuration or compiling
  // (gonet's code is JavaScript; getaddrinfo needs no warming but gets the same).
  for (let i = 0; i < 5; i++) {
    const got = await Promise.all(Array.from({ length: 100 }, (_, k) => lookupOne(`w${i}-${k}.fast.test`)));
    if (got.some((a) => a !== '192.0.2.7')) fail('a warm-up lookup gave the wrong address');
  }
  // The reads alone first (also warms the file cache): the figure the others compare with.
  const b0 = now();
  await Promise.all(Array.from({ length: READS }, () => readFile(file)));
  const aloneMs = now() - b0;
  const t0 = now();
  const pending = Array.from({ length: lookups }, (_, i) => lookupOne(`n${i}.slow.test`));
  const reads = Promise.all(Array.from({ length: READS }, () => readFile(file))).then(() => now() - t0);
  const fast = lookupOne('fast.test').then((a) => (a === '192.0.2.7' ? now() - t0 : -1));
  const readMs = await reads;
  const got = await Promise.all(pending);
  const lookupMs = now() - t0;
  const fastMs = await fast;
  const resolved = got.filter((a) => a === '192.0.2.7').length + (fastMs >= 0 ? 1 : 0) - 1;
  if (fastMs < 0) fail('the fast lookup gave the wrong address');
  resolver.close();
  const queries = await server.stop();
  rmSync(dir, { recursive: true, force: true });
  const out: ChildResult = { mode, readMs, aloneMs, fastMs, lookupMs, resolved, queries };
  process.stdout.write(JSON.stringify(out) + '\n');
}

// ---- the parent ----

/** Whether this sandbox can make the namespaces (and has the tools); the reason if not. */
function namespacesUnavailable(): string | null {
  for (const tool of ['/usr/bin/unshare', '/usr/sbin/ip']) if (!existsSync(tool)) return `${tool} is missing`;
  const r = spawnSync('/usr/bin/unshare', ['-mn', 'true'], { timeout: 10_000 });
  if (r.status !== 0) return `unshare -mn failed: ${(r.stderr?.toString() ?? '').trim() || r.error?.message || `status ${r.status}`}`;
  return null;
}

/** Runs one half in a fresh child inside its own mount + network namespace. */
function runChild(mode: 'node' | 'gonet', lookups: number): Promise<ChildResult> {
  const dir = mkdtempSync(join(tmpdir(), 'gonet-tp-ns-'));
  const resolv = join(dir, 'resolv.conf');
  const nss = join(dir, 'nsswitch.conf');
  writeFileSync(resolv, RESOLV_CONF);
  writeFileSync(nss, NSSWITCH);
  const script = fileURLToPath(import.meta.url);
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const inner = [
    'set -e',
    'ip link set lo up',
    `mount --bind ${q(resolv)} /etc/resolv.conf`,
    `mount --bind ${q(nss)} /etc/nsswitch.conf`,
    `exec ${q(process.execPath)} ${q(script)} child ${mode} ${q(resolv)} ${q(nss)} ${lookups}`,
  ].join('\n');
  const env = { ...process.env };
  delete env.UV_THREADPOOL_SIZE; // libuv's default 4 threads, as an application gets
  const child = spawn('/usr/bin/unshare', ['-mn', '/bin/sh', '-c', inner], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  return new Promise<ChildResult>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('error', reject);
    child.on('exit', (code, sig) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || line === '') {
        reject(new Error(`dns-threadpool child (${mode}) ended with ${sig ?? code}: ${err.trim()}`));
        return;
      }
      const r = JSON.parse(line) as ChildResult;
      if (r.resolved !== lookups) reject(new Error(`dns-threadpool child (${mode}): ${r.resolved} of ${lookups} lookups resolved`));
      else resolve(r);
    });
  });
}

function describe(r: ChildResult, lookups: number): string {
  const name = r.mode === 'node' ? 'dns.lookup' : 'gonet     ';
  return `${name}: ${READS} readFile done in ${r.readMs.toFixed(0)} ms (alone: ${r.aloneMs.toFixed(0)} ms); a fast lookup behind them in ${r.fastMs.toFixed(0)} ms; `
    + `${lookups} slow lookups (server delay ${DELAY_MS} ms) in ${r.lookupMs.toFixed(0)} ms, ${r.queries} queries`;
}

/** The demonstration as a bench workload (figures: ms until the 100 reads finished). */
export const dnsThreadpoolWorkload: Workload = {
  name: 'dns/threadpool-readfile',
  unit: 'ms',
  lowerIsBetter: true,
  async run(o: RunOptions) {
    const why = namespacesUnavailable();
    if (why !== null) throw new Error(`dns/threadpool-readfile needs a private mount+network namespace (${why}); not run rather than let getaddrinfo use the real resolv.conf`);
    const lookups = o.quick ? 40 : LOOKUPS;
    // Each dns.lookup trial takes about lookups/4 × DELAY_MS: a few trials are enough.
    const trials = Math.max(1, Math.min(o.trials, o.quick ? 1 : 3));
    const ours: number[] = [];
    const node: number[] = [];
    for (let i = 0; i < trials; i++) {
      const g = await runChild('gonet', lookups);
      const n = await runChild('node', lookups);
      process.stderr.write(`bench:   ${describe(n, lookups)}\nbench:   ${describe(g, lookups)}\n`);
      ours.push(g.readMs);
      node.push(n.readMs);
    }
    return { ours: median(ours), node: median(node), samples: { ours, node }, ratio: { node: median(node.map((n, i) => n / ours[i]!)) } };
  },
};

// `node dist/bench/dns-threadpool.js child <mode> <resolv> <nss> <lookups>` is the child; run
// directly without arguments it runs the demonstration once and prints both lines.
const isMain = isMainThread && process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url;
if (!isMainThread && (workerData as { slowServer?: boolean } | null)?.slowServer === true) {
  serverThread();
} else if (isMain && process.argv[2] === 'child') {
  const [, , , mode, resolv, nss, n] = process.argv;
  if (mode !== 'node' && mode !== 'gonet') fail(`bad mode ${mode}`);
  childMain(mode, resolv!, nss!, Number(n)).catch((e: unknown) => fail(String(e instanceof Error ? e.stack : e)));
} else if (isMain) {
  const why = namespacesUnavailable();
  if (why !== null) {
    process.stderr.write(`dns-threadpool: cannot isolate getaddrinfo (${why}); not running\n`);
    process.exit(2);
  }
  const g = await runChild('gonet', LOOKUPS);
  const n = await runChild('node', LOOKUPS);
  console.log(describe(n, LOOKUPS));
  console.log(describe(g, LOOKUPS));
}

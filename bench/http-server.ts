// http/server-hello: a hello-world handler on gonet's Server vs node:http under wrk (64
// keep-alive conns, one thread). Each server is forked into its own process pinned to core 0
// (`taskset -a -cp 0`), wrk runs pinned to core 1; trials alternate ours, node, ours, ...
// Two rows come out of the same runs: req/s (gonet/node) and p99 latency in ms (lower is
// better, so its ratio is node/gonet). The server's CPU time per request goes to the samples,
// a steadier figure than req/s on a busy machine.
//   node dist/bench/http-server.js server <gonet|node>   (peer: prints { port })
// wrk and taskset are required (Debian: apt-get install wrk util-linux; .ci/run does it): the
// workload fails with an ERROR row without them rather than measuring something else.

import { execFile, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { listen } from '../src/net/index.js';
import { Server } from '../src/http/server.js';
import type { ResponseWriter } from '../src/http/handler.js';
import { median, withPeer, type Figures, type Peer, type RunOptions, type Workload } from './workload.js';

const SCRIPT = 'http-server.js';
const CONNS = 64;
const BODY = 'Hello, World!';
const SERVER_CPU = '0';
const WRK_CPU = '1';

function ready(info: Record<string, unknown>): void {
  process.send!(info);
  process.on('message', (m) => {
    if (m === 'stop') process.exit(0);
    // CPU time used so far (µs), so the parent can charge it to the requests wrk counted.
    if (m === 'cpu') {
      const u = process.cpuUsage();
      process.send!({ cpu: u.user + u.system });
    }
  });
  process.on('disconnect', () => process.exit(0));
}

// --- servers -------------------------------------------------------------------------------

async function serveGonet(): Promise<void> {
  const ln = await listen('tcp', '127.0.0.1:0');
  const srv = new Server({
    handler: (w: ResponseWriter) => {
      w.header().set('Content-Type', 'text/plain');
      return w.write(BODY);
    },
  });
  void srv.serve(ln).catch(() => undefined);
  ready({ port: (ln.addr as unknown as { port: number }).port });
}

function serveNode(): void {
  const srv = createServer((_req, res) => {
    res.setHeader('Content-Type', 'text/plain');
    res.end(BODY);
  });
  srv.listen(0, '127.0.0.1', () => {
    const a = srv.address();
    ready({ port: typeof a === 'object' && a !== null ? a.port : 0 });
  });
}

// --- wrk -----------------------------------------------------------------------------------

/** Throws with install advice when a tool the workload needs is missing. */
function need(tool: string, args: string[], pkg: string): void {
  const r = spawnSync(tool, args, { stdio: 'ignore' });
  if (r.error !== undefined) {
    throw new Error(`${tool} not found (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}): install it (apt-get install ${pkg}; .ci/run does)`);
  }
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${err.message}${stderr ? ': ' + stderr.trim() : ''}`));
      else resolve(stdout);
    });
  });
}

const UNIT_MS: Record<string, number> = { us: 1e-3, ms: 1, s: 1000, m: 60_000 };

interface WrkResult {
  rps: number;
  p99: number;
  requests: number;
}

/** The figures out of `wrk --latency` output. */
export function parseWrk(out: string): WrkResult {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(out);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s|m)\b/m.exec(out);
  const n = /^\s+(\d+) requests in /m.exec(out);
  if (rps === null || p99 === null || n === null) throw new Error('wrk: unexpected output: ' + JSON.stringify(out));
  const errs = /Non-2xx or 3xx responses: \d+/.exec(out);
  if (errs !== null) throw new Error('wrk: server replied with errors: ' + errs[0]);
  return { rps: Number(rps[1]), p99: Number(p99[1]) * UNIT_MS[p99[2]!]!, requests: Number(n[1]) };
}

function wrk(port: number, secs: number): Promise<WrkResult> {
  return run('taskset', ['-c', WRK_CPU, 'wrk', '-t1', `-c${CONNS}`, `-d${secs}s`, '--latency', `http://127.0.0.1:${port}/`]).then(parseWrk);
}

function cpuOf(peer: Peer): Promise<number> {
  return new Promise((resolve) => {
    const on = (m: unknown): void => {
      if (typeof m === 'object' && m !== null && 'cpu' in m) {
        peer.child.off('message', on);
        resolve((m as { cpu: number }).cpu);
      }
    };
    peer.child.on('message', on);
    peer.child.send('cpu');
  });
}

interface TrialResult extends WrkResult {
  /** Server CPU time per request, µs. */
  cpuPerReq: number;
}

function trial(impl: 'gonet' | 'node', o: RunOptions): Promise<TrialResult> {
  const warm = 1;
  const span = o.quick ? 1 : 5;
  return withPeer(SCRIPT, ['server', impl], async (srv) => {
    await run('taskset', ['-a', '-cp', SERVER_CPU, String(srv.child.pid)]);
    await wrk(srv.info.port, warm);
    const c0 = await cpuOf(srv);
    const r = await wrk(srv.info.port, span);
    const c1 = await cpuOf(srv);
    return { ...r, cpuPerReq: (c1 - c0) / r.requests };
  });
}

interface Measured {
  rps: Figures;
  p99: Figures;
}

/** Both rows come from one set of runs, measured once per bench invocation. */
const measured = new WeakMap<RunOptions, Promise<Measured>>();

async function measure(o: RunOptions): Promise<Measured> {
  need('wrk', ['--version'], 'wrk');
  need('taskset', ['--version'], 'util-linux');
  const s: Record<string, number[]> = {
    ours: [], node: [], 'ours-p99-ms': [], 'node-p99-ms': [], 'ours-cpu-us/req': [], 'node-cpu-us/req': [],
  };
  for (let i = 0; i < o.trials; i++) {
    for (const impl of ['gonet', 'node'] as const) {
      const r = await trial(impl, o);
      const k = impl === 'gonet' ? 'ours' : 'node';
      s[k]!.push(r.rps);
      s[k + '-p99-ms']!.push(r.p99);
      s[k + '-cpu-us/req']!.push(r.cpuPerReq);
    }
  }
  const pairs = (a: number[], b: number[]): number => median(a.map((x, i) => x / b[i]!));
  return {
    rps: { ours: median(s.ours!), node: median(s.node!), samples: s, ratio: { node: pairs(s.ours!, s.node!) } },
    // Lower is better: the ratio is node/gonet, so >= 1 means gonet's p99 is at or under node's.
    p99: {
      ours: median(s['ours-p99-ms']!), node: median(s['node-p99-ms']!), samples: s,
      ratio: { node: pairs(s['node-p99-ms']!, s['ours-p99-ms']!) },
    },
  };
}

function measureOnce(o: RunOptions): Promise<Measured> {
  let m = measured.get(o);
  if (m === undefined) {
    m = measure(o);
    measured.set(o, m);
  }
  return m;
}

export const httpServerWorkloads: Workload[] = [{
  name: 'http/server-hello',
  unit: 'req/s',
  target: 1.0,
  run: async (o) => (await measureOnce(o)).rps,
}, {
  name: 'http/server-hello p99',
  unit: 'ms',
  lowerIsBetter: true,
  target: 1.0,
  run: async (o) => (await measureOnce(o)).p99,
}];

// Peer entry point (only when run as a script, not when run.ts imports the workload).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [role = '', a = ''] = process.argv.slice(2);
  const die = (e: unknown): never => {
    console.error(`http-server peer ${role}:`, e);
    process.exit(1);
  };
  if (role === 'server') {
    if (a === 'gonet') serveGonet().catch(die);
    else if (a === 'node') serveNode();
    else die(`unknown impl ${a}`);
  } else {
    die(`unknown role ${role}`);
  }
}

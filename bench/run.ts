// `npm run bench`: runs every registered workload and prints gonet's figure beside Node core's
// (and undici's where it does the same job), with ratios. Results also go to
// bench/results/latest.json (quick runs: bench/results/quick.json).
//   node dist/bench/run.js [--filter substr]... [--quick] [--json] [--trials n] [--peer same|node]
// To add a workload: export a Workload (see workload.ts) from a module in bench/ and list it
// in `registry` below.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { netWorkloads } from './net.js';
import { httpClientWorkloads } from './http-client.js';
import { httpServerWorkloads } from './http-server.js';
import { dnsWorkloads } from './dns.js';
import type { RunOptions, Workload } from './workload.js';

/** Every workload, in the order they run. */
const registry: Workload[] = [
  ...netWorkloads,
  ...httpClientWorkloads,
  ...httpServerWorkloads,
  ...(await import('./http2.js')).http2Workloads,
  ...dnsWorkloads,
];

interface Args {
  filter: string[];
  quick: boolean;
  json: boolean;
  trials: number | undefined;
  peer: 'same' | 'node';
}

function usage(msg: string): never {
  console.error(`bench: ${msg}\nusage: node dist/bench/run.js [--filter substr]... [--quick] [--json] [--trials n] [--peer same|node]`);
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const a: Args = { filter: [], quick: false, json: false, trials: undefined, peer: 'same' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) usage(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--filter': a.filter.push(value()); break;
      case '--quick': a.quick = true; break;
      case '--json': a.json = true; break;
      case '--peer': {
        const v = value();
        if (v !== 'same' && v !== 'node') usage('--peer wants same or node');
        a.peer = v;
        break;
      }
      case '--trials': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1) usage('--trials wants a positive integer');
        a.trials = n;
        break;
      }
      default: usage(flag === '-h' || flag === '--help' ? 'help' : `unknown argument ${arg}`);
    }
  }
  return a;
}

/** Workloads a module only knows once it has run (it measures them all in one go). */
interface Group {
  /** Matched by `--filter` as a workload name is; its members are matched too. */
  name: string;
  load(opts: RunOptions): Promise<Workload[]>;
}

function isWorkload(w: unknown): w is Workload {
  return typeof w === 'object' && w !== null && typeof (w as Workload).name === 'string' && typeof (w as Workload).run === 'function';
}

/**
 * The HTTP codec benchmark lives in bench/http-codec.ts (another owner). When present, its
 * `benchCodec()` yields a Workload or a list of them (already measured ones simply return
 * their figures from `run`). It measures everything in one call, so it is a Group.
 */
async function optionalGroups(): Promise<Group[]> {
  const url = new URL('./http-codec.js', import.meta.url);
  if (!existsSync(fileURLToPath(url))) return [];
  const mod = (await import(url.href)) as { benchCodec?: () => unknown };
  const benchCodec = mod.benchCodec;
  if (typeof benchCodec !== 'function') return [];
  return [{
    name: 'http/codec',
    async load() {
      const v = await benchCodec();
      const ws = (Array.isArray(v) ? v : [v]).filter(isWorkload);
      if (ws.length === 0) throw new Error('benchCodec() returned no workloads');
      return ws;
    },
  }];
}

interface Row {
  name: string;
  unit: string;
  ours: number;
  node: number;
  undici: number | null;
  vsNode: number;
  vsUndici: number | null;
  target: number | null;
  met: boolean | null;
  /** Lower is better (latency): the ratios are node/gonet. */
  lowerIsBetter?: boolean;
  samples?: Record<string, number[]>;
  error?: string;
}

function errorRow(name: string, unit: string, target: number | undefined, e: unknown): Row {
  const error = e instanceof Error ? e.message : String(e);
  return { name, unit, ours: NaN, node: NaN, undici: null, vsNode: NaN, vsUndici: null, target: target ?? null, met: null, error };
}

function fmt(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '-';
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  return n.toPrecision(3);
}

const ratio = (n: number | null): string => (n === null || !Number.isFinite(n) ? '-' : `${n.toFixed(2)}x`);

function table(rows: Row[]): string {
  const head = ['workload', 'unit', 'gonet', 'node', 'undici', 'gonet/node', 'gonet/undici', 'target'];
  const body = rows.map((r) => r.error
    ? [r.name, r.unit, 'ERROR', r.error, '', '', '', '']
    : [r.name, r.unit, fmt(r.ours), fmt(r.node), fmt(r.undici), ratio(r.vsNode) + (r.lowerIsBetter ? '*' : ''), ratio(r.vsUndici),
      r.target === null ? '-' : `>=${r.target.toFixed(2)}x ${r.met ? 'ok' : 'MISS'}`]);
  const all = [head, ...body];
  const width = head.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  const numeric = new Set([2, 3, 4, 5, 6]);
  const line = (row: string[]): string => row.map((c, i) => (numeric.has(i) ? c.padStart(width[i]!) : c.padEnd(width[i]!))).join('  ').trimEnd();
  const out = [line(head), width.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
  if (rows.some((r) => r.lowerIsBetter && !r.error)) out.push('', '* lower is better (latency): the ratio is node/gonet, >= 1 means gonet is at or under node');
  return out.join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const opts: RunOptions = { quick: args.quick, trials: args.trials ?? (args.quick ? 3 : 5), peer: args.peer };
  const groups = await optionalGroups();
  const matches = (name: string): boolean => args.filter.length === 0 || args.filter.some((f) => name.includes(f));
  const chosen: (Workload | Group)[] = [...registry, ...groups].filter((w) => matches(w.name));
  if (chosen.length === 0) {
    usage(`no workload matches ${args.filter.join(', ')} (have: ${[...registry, ...groups].map((w) => w.name).join(', ')})`);
  }

  const rows: Row[] = [];
  const queue = [...chosen];
  while (queue.length > 0) {
    const w = queue.shift()!;
    if (!('run' in w)) {
      if (!args.json) process.stderr.write(`bench: ${w.name} ...\n`);
      try {
        const members = await w.load(opts);
        const pick = matches(w.name) ? members : members.filter((m) => matches(m.name));
        queue.unshift(...pick);
      } catch (e) {
        process.exitCode = 1;
        rows.push(errorRow(w.name, '', undefined, e));
      }
      continue;
    }
    if (!args.json) process.stderr.write(`bench: ${w.name} ...\n`);
    try {
      const f = await w.run(opts);
      const vsNode = f.ratio?.node ?? (w.lowerIsBetter ? f.node / f.ours : f.ours / f.node);
      const vsUndici = f.undici == null ? null : f.ratio?.undici ?? f.ours / f.undici;
      rows.push({
        name: w.name, unit: w.unit, ours: f.ours, node: f.node, undici: f.undici ?? null, vsNode, vsUndici,
        target: w.target ?? null, met: w.target === undefined ? null : vsNode >= w.target, samples: f.samples,
        ...(w.lowerIsBetter ? { lowerIsBetter: true } : {}),
      });
    } catch (e) {
      process.exitCode = 1;
      rows.push(errorRow(w.name, w.unit, w.target, e));
    }
  }

  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? '',
    loadavg: loadavg(),
    quick: opts.quick,
    trials: opts.trials,
    peer: opts.peer,
    results: rows,
  };
  const dir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}${opts.quick ? 'quick' : 'latest'}.json`, JSON.stringify(report, null, 2) + '\n');

  if (args.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } else {
    const mode = opts.quick ? 'quick' : 'full';
    const peers = opts.peer === 'node' ? 'gonet against raw node peers' : 'each side against a peer of its own kind';
    console.log(`gonet bench (${mode}; figures: median of ${opts.trials} interleaved trials, ratios: median of the trial pairs;`);
    console.log(`node ${process.version}, ${report.cpus} CPUs, load ${loadavg()[0]!.toFixed(1)}; peers in separate processes, ${peers})\n`);
    console.log(table(rows));
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

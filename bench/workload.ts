// The shape every benchmark workload has, and the helpers they share: repeated trials with a
// median, and peers forked into their own process so client and server run on separate cores.

import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** How a workload should run. */
export interface RunOptions {
  /** Short runs (smoke tests): small transfers, short windows. */
  quick: boolean;
  /** Trials per side; the median is reported. */
  trials: number;
  /**
   * Who gonet talks to where a workload has a peer: `same` (default) a gonet peer, so gonet
   * runs end to end as Node does; `node` the raw Node peer, isolating gonet's client side.
   */
  peer: 'same' | 'node';
}

/** One workload's figures, in its unit; higher is better. */
export interface Figures {
  /** gonet's figure. */
  ours: number;
  /** Node core's figure (raw node:net socket, node:http, ...). */
  node: number;
  /** undici's figure, where undici does the same job. */
  undici?: number;
  /** Every trial's figure per side, in the order run. */
  samples?: Record<string, number[]>;
  /**
   * gonet/node and gonet/undici as the median of back-to-back trial pairs, which a busy
   * machine's swings affect far less than a quotient of two medians. Defaults to ours/node.
   */
  ratio?: { node: number; undici?: number };
}

/** A benchmark: a module in bench/ exports one (or a list) and run.ts registers it. */
export interface Workload {
  /** Unique, filterable with `--filter`; `area/what`, e.g. `net/pingpong-64B`. */
  name: string;
  /** Unit of the figures, e.g. `MiB/s`, `req/s`. */
  unit: string;
  /** Lowest acceptable gonet/node ratio, when the project set one. */
  target?: number;
  /**
   * The unit is a cost (latency, ms): lower is better, and the ratio (and its target) is
   * node/gonet, so >= 1 still means gonet is at least as good.
   */
  lowerIsBetter?: boolean;
  run(opts: RunOptions): Promise<Figures>;
}

/** One side of a comparison: runs a single trial and returns its figure. */
export type Trial = () => Promise<number>;

/** The median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Runs each side `opts.trials` times, interleaved (ours, node, undici, ours, ...) so drift in
 * the machine's speed hits every side alike, and reports each side's median and the median
 * ratio of each round's pair.
 */
export async function compare(opts: RunOptions, sides: { ours: Trial; node: Trial; undici?: Trial }): Promise<Figures> {
  const names = (['ours', 'node', 'undici'] as const).filter((k) => sides[k] !== undefined);
  const samples: Record<string, number[]> = {};
  for (const k of names) samples[k] = [];
  for (let i = 0; i < opts.trials; i++) {
    for (const k of names) samples[k]!.push(await sides[k]!());
  }
  const paired = (other: number[]): number => median(samples.ours!.map((x, i) => x / other[i]!));
  const out: Figures = { ours: median(samples.ours!), node: median(samples.node!), samples, ratio: { node: paired(samples.node!) } };
  if (samples.undici) {
    out.undici = median(samples.undici);
    out.ratio!.undici = paired(samples.undici);
  }
  return out;
}

/** High-resolution clock in milliseconds. */
export function now(): number {
  return performance.now();
}

/** A peer process: a small server forked from a compiled script in bench/. */
export interface Peer {
  /** The first message the peer sent (by convention `{ port }` once it listens). */
  readonly info: { port: number } & Record<string, unknown>;
  readonly child: ChildProcess;
  /** Asks the peer to exit and waits for it (killing it if it lingers). */
  stop(): Promise<void>;
}

const PEER_START_MS = 10_000;

/**
 * Forks `script` (a path relative to this directory, e.g. `net-peer.js`) with `args` and waits
 * for its ready message. Peers exit when they get `'stop'` or lose the IPC channel.
 */
export async function startPeer(script: string, args: string[]): Promise<Peer> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = fork(path, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = once(child, 'exit');
  const info = await new Promise<Peer['info']>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`bench peer ${script} ${args.join(' ')}: no ready message in ${PEER_START_MS} ms`)), PEER_START_MS);
    child.once('message', (m) => {
      clearTimeout(t);
      resolve(m as Peer['info']);
    });
    child.once('exit', (code, sig) => {
      clearTimeout(t);
      reject(new Error(`bench peer ${script} ${args.join(' ')} exited before it was ready (${sig ?? code})`));
    });
  });
  return {
    info,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.send('stop');
      const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
      try {
        await exited;
      } finally {
        clearTimeout(t);
      }
    },
  };
}

/** Runs `fn` against a fresh peer, stopping the peer afterwards whatever happens. */
export async function withPeer<T>(script: string, args: string[], fn: (peer: Peer) => Promise<T>): Promise<T> {
  const peer = await startPeer(script, args);
  try {
    return await fn(peer);
  } finally {
    await peer.stop();
  }
}

// Smoke test of the benchmark harness: `run.js --quick --filter net` runs every net workload
// and prints a table with numeric figures and ratios. Timing thresholds are not asserted:
// figures on a shared CI machine say nothing about correctness.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const RUN = fileURLToPath(new URL('../bench/run.js', import.meta.url));
const TIMEOUT_MS = 60_000;
const NET_WORKLOADS = ['net/bulk-read', 'net/bulk-chunk', 'net/pingpong-64B', 'net/dial-close', 'net/dial-close-tuned'];

interface Result { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

async function runBench(args: string[]): Promise<Result> {
  const child = spawn(process.execPath, [RUN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
  child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
  try {
    const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
    return { code, signal, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

const NUMBER = /^\d{1,3}(,\d{3})*$|^\d+(\.\d+)?$/;
const RATIO = /^\d+\.\d\dx$/;

test('bench --quick --filter net prints every net workload with figures and ratios', { timeout: TIMEOUT_MS + 5_000 }, async () => {
  const r = await runBench(['--quick', '--filter', 'net', '--trials', '1']);
  assert.equal(r.signal, null, `bench killed after ${TIMEOUT_MS} ms; stderr:\n${r.stderr}`);
  assert.equal(r.code, 0, `bench exited ${r.code}; stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);

  const lines = r.stdout.split('\n');
  const header = lines.find((l) => l.startsWith('workload'));
  assert.ok(header, `no table header in:\n${r.stdout}`);
  assert.deepEqual(header.trim().split(/\s{2,}/), ['workload', 'unit', 'gonet', 'node', 'undici', 'gonet/node', 'gonet/undici', 'target']);

  for (const name of NET_WORKLOADS) {
    const row = lines.find((l) => l.startsWith(name + ' '));
    assert.ok(row, `no row for ${name} in:\n${r.stdout}`);
    const cells = row.trim().split(/\s{2,}/);
    const [, unit, ours, node, undici, vsNode, vsUndici] = cells;
    assert.match(unit!, /\/s$/, row);
    assert.match(ours!, NUMBER, `gonet figure of ${name}: ${row}`);
    assert.match(node!, NUMBER, `node figure of ${name}: ${row}`);
    assert.equal(undici, '-', row);
    assert.match(vsNode!, RATIO, `gonet/node ratio of ${name}: ${row}`);
    assert.equal(vsUndici, '-', row);
    assert.ok(Number(ours!.replaceAll(',', '')) > 0 && Number(node!.replaceAll(',', '')) > 0, row);
  }
  assert.ok(!lines.some((l) => l.startsWith('http/')), 'the filter should leave out non-net workloads');
});

test('bench --json writes the same workloads as structured results', { timeout: TIMEOUT_MS + 5_000 }, async () => {
  const r = await runBench(['--quick', '--filter', 'net/pingpong', '--trials', '1', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { quick: boolean; results: { name: string; unit: string; ours: number; node: number; vsNode: number }[] };
  assert.equal(report.quick, true);
  assert.deepEqual(report.results.map((x) => x.name), ['net/pingpong-64B']);
  const [row] = report.results;
  assert.ok(row!.ours > 0 && row!.node > 0 && Number.isFinite(row!.vsNode));
  assert.equal(row!.unit, 'rt/s');
});

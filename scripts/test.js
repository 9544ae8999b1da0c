// Runs every compiled test file with Node's test runner. Node 20's `--test` takes no globs,
// so the file list is gathered here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function collect(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) collect(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const filter = process.argv.slice(2);
let files = collect('dist/test', []);
if (filter.length) files = files.filter((f) => filter.some((s) => f.includes(s)));
const args = ['--test', '--test-concurrency=2', '--test-timeout=120000'];
// Node 20's coverage reporter can crash on source maps and turn a green run red; use it from 22 on.
const major = Number(process.versions.node.split('.')[0]);
if (!filter.length && major >= 22) args.push('--experimental-test-coverage');
const r = spawnSync(process.execPath, [...args, ...files], { stdio: 'inherit' });
process.exitCode = r.status ?? 1;

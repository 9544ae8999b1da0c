import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../../bin/gonet.js', import.meta.url));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('gonet demo walks every step, plain text when not a terminal, exit 0', async () => {
  const { code, stdout, stderr } = await run(['demo']);
  assert.equal(stderr, '');
  assert.equal(code, 0);
  assert.ok(!stdout.includes('\u001b['), 'no color codes in a pipe');
  const titles = [...stdout.matchAll(/^(\d+)\. (.*) \([\d.]+ ms\)$/gm)].map((m) => `${m[1]}. ${m[2]!.split(' ')[0]}`);
  assert.deepEqual(titles, ['1. listen', '2. parse', '3. resolve', '4. dial', '5. write,', '6. read', '7. close']);
  assert.match(stdout, /listening on 127\.0\.0\.1:(\d+)/);
  assert.match(stdout, /tried (127\.0\.0\.1|\[::1\]):\d+/);
  assert.match(stdout, /read "hello from gonet\\n" then EOF/);
  assert.match(stdout, /done: every byte came back/);
});

test('gonet with no command prints usage and exits 2; an unknown command is a usage error', async () => {
  const none = await run([]);
  assert.equal(none.code, 2);
  assert.match(none.stdout, /^usage: gonet <command>/);
  const bad = await run(['frobnicate']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^gonet: unknown command "frobnicate"/);
});

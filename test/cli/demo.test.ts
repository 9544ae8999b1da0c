import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cliEnv, run } from './helpers.js';

test('gonet demo walks every step, net then HTTP, plain text when not a terminal, exit 0', async () => {
  const { code, stdout: out, stderr } = await run(['demo']);
  const stdout = out.toString();
  assert.equal(stderr, '');
  assert.equal(code, 0);
  assert.ok(!stdout.includes('\u001b['), 'no color codes in a pipe');
  const titles = [...stdout.matchAll(/^(\d+)\. (.*) \([\d.]+ ms\)$/gm)].map((m) => `${m[1]}. ${m[2]!.split(' ').slice(0, 2).join(' ')}`);
  assert.deepEqual(titles, [
    '1. listen tcp', '2. parse network', '3. resolve "localhost"', '4. dial tcp', '5. write, then', '6. read the', '7. close the',
    '8. start an', '9. write a', '10. read the', '11. a second', '12. graceful shutdown:',
  ]);
  assert.match(stdout, /listening on 127\.0\.0\.1:(\d+)/);
  assert.match(stdout, /resolver: gonet Resolver, auto mode: "localhost"/);
  assert.match(stdout, /tried (127\.0\.0\.1|\[::1\]):\d+/);
  assert.match(stdout, /read "hello from gonet\\n" then EOF/);
  assert.match(stdout, /every byte came back/);
  assert.match(stdout, /serving http:\/\/127\.0\.0\.1:\d+\/hello/);
  assert.match(stdout, /> GET \/hello HTTP\/1\.1, Host: localhost:\d+, User-Agent: gonet-demo/);
  assert.match(stdout, /connect tcp4? 127\.0\.0\.1:\d+\n/);
  assert.match(stdout, /reused: false/);
  assert.match(stdout, /< HTTP\/1\.1 200 OK, Content-Type: text\/plain; charset=utf-8, Content-Length: 18\n {3}< body "hello, gonet-demo\\n"/);
  // The second request rides the first conn: same local port, reused, no dial.
  const first = stdout.match(/conn 127\.0\.0\.1:(\d+) → .*reused: false/)!;
  const second = stdout.match(/< 200 OK; conn 127\.0\.0\.1:(\d+) → .*reused: true, idle for [\d.]+ ms \(no new dial\)/);
  assert.ok(second, stdout);
  assert.equal(second[1], first[1]);
  assert.match(stdout, /server conn states: new → active → idle → active → idle → closed; serve\(\) returned ErrServerClosed/);
  assert.match(stdout, /\ndone: every step worked\n$/);
});

test('gonet with no command prints usage and exits 2; an unknown command is a usage error', async () => {
  const none = await run([]);
  assert.equal(none.code, 2);
  assert.match(none.stdout.toString(), /^usage: gonet <command>/);
  const bad = await run(['frobnicate']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, 'gonet: unknown command "frobnicate" (see "gonet --help")\n');
  const extra = await run(['demo', 'now']);
  assert.equal(extra.code, 2);
  assert.equal(extra.stderr, 'gonet demo: unexpected argument "now" (see "gonet demo --help")\n');
});

test('gonet demo is colored when stdout is a terminal, unless NO_COLOR is set', async () => {
  const main = new URL('../../src/cli/main.js', import.meta.url).href;
  const code = `process.stdout.isTTY = true; const { main } = await import(${JSON.stringify(main)}); process.exitCode = await main(['demo']);`;
  const go = (env: Record<string, string | undefined>): Promise<{ code: number; stdout: string }> => new Promise((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', code], { timeout: 30_000, env: { ...cliEnv(), NO_COLOR: undefined, ...env } }, (err, stdout) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout });
    });
  });
  const tty = await go({});
  assert.equal(tty.code, 0);
  const esc = '\u001b';
  const firstLine = tty.stdout.split('\n')[0]!;
  assert.ok(firstLine.startsWith(`${esc}[1;36m1. listen tcp 127.0.0.1:0 `), JSON.stringify(firstLine));
  assert.match(firstLine.split(`${esc}[0m ${esc}[2m`)[1] ?? '', /^\([\d.]+ ms\)/);
  assert.ok(tty.stdout.endsWith(`${esc}[32mdone: every step worked${esc}[0m\n`));
  const plain = await go({ NO_COLOR: '1' });
  assert.equal(plain.code, 0);
  assert.ok(!plain.stdout.includes('\u001b['));
});

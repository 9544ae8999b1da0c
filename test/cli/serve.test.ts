import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePKI } from '../support/nginx.js';
import { Cli, lines, run } from './helpers.js';

let dir = '';
let root = '';

function curl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('/usr/bin/curl', ['-sS', '--noproxy', '*', '--max-time', '10', ...args], { encoding: 'latin1', timeout: 15_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'gonet-cli-serve-'));
  root = join(dir, 'www');
  mkdirSync(join(root, 'sub'), { recursive: true });
  writeFileSync(join(root, 'hello.txt'), 'hello from gonet serve\n');
  writeFileSync(join(root, 'digits.txt'), '0123456789abcdefghij');
  writeFileSync(join(root, 'sub', 'index.html'), '<h1>sub</h1>\n');
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('serve answers curl: a file, a Range request, a directory index, a 404; an access-log line each; SIGINT shuts down gracefully', async () => {
  const s = new Cli(['serve', root, '--addr', '127.0.0.1:0']);
  const port = await s.port();
  assert.match(s.stderr, new RegExp(`^serving ${root.replace(/[/.]/g, '\\$&')} on http://127\\.0\\.0\\.1:${port}/ \\(listening on 127\\.0\\.0\\.1:${port}\\)\\n`));
  const url = `http://127.0.0.1:${port}`;

  const file = await curl(['-D', '-', `${url}/hello.txt`]);
  assert.equal(file.code, 0, file.stderr);
  assert.match(file.stdout, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(file.stdout, /\r\nContent-Type: text\/plain; charset=utf-8\r\n/);
  assert.match(file.stdout, /\r\nContent-Length: 23\r\n/);
  assert.ok(file.stdout.endsWith('\r\n\r\nhello from gonet serve\n'));

  const range = await curl(['-D', '-', '-r', '5-9', `${url}/digits.txt`]);
  assert.match(range.stdout, /^HTTP\/1\.1 206 Partial Content\r\n/);
  assert.match(range.stdout, /\r\nContent-Range: bytes 5-9\/20\r\n/);
  assert.ok(range.stdout.endsWith('\r\n\r\n56789'));

  const idx = await curl([`${url}/sub/`]);
  assert.equal(idx.stdout, '<h1>sub</h1>\n');

  const missing = await curl(['-o', '/dev/null', '-w', '%{http_code}', `${url}/nope.txt`]);
  assert.equal(missing.stdout, '404');

  // Our own client against our own server, keep-alive and all.
  const g = await run(['get', `${url}/hello.txt`]);
  assert.equal(g.stdout.toString(), 'hello from gonet serve\n');

  await s.until('5 log lines', () => lines(s.stderr).length >= 6);
  s.kill('SIGINT');
  const r = await s.exited;
  assert.equal(r.code, 0, r.stderr);
  const l = lines(r.stderr);
  assert.match(l[1]!, /^127\.0\.0\.1:\d+ "GET \/hello\.txt HTTP\/1\.1" 200 23 [\d.]+ms$/);
  assert.match(l[2]!, /^127\.0\.0\.1:\d+ "GET \/digits\.txt HTTP\/1\.1" 206 5 [\d.]+ms$/);
  assert.match(l[3]!, /^127\.0\.0\.1:\d+ "GET \/sub\/ HTTP\/1\.1" 200 13 [\d.]+ms$/);
  assert.match(l[4]!, /^127\.0\.0\.1:\d+ "GET \/nope\.txt HTTP\/1\.1" 404 19 [\d.]+ms$/);
  assert.match(l[5]!, /^127\.0\.0\.1:\d+ "GET \/hello\.txt HTTP\/1\.1" 200 23 [\d.]+ms$/);
  assert.match(l[6]!, /^SIGINT: shutting down \(waiting up to 10000 ms for \d+ conn\(s\)\)$/);
  assert.equal(l[7], 'shut down cleanly');
  assert.equal(l.length, 8);
});

test('serve --tls: HTTPS with the given certificate, verified by curl against its CA', async () => {
  const pki = makePKI(mkdtempSync(join(dir, 'pki-')));
  const s = new Cli(['serve', root, '--addr', '127.0.0.1:0', '--tls', pki.serverCert, pki.serverKey]);
  const port = await s.port();
  assert.match(s.stderr, /on https:\/\/127\.0\.0\.1:\d+\//);
  const ok = await curl(['--cacert', join(pki.dir, 'ca.crt'), `https://localhost:${port}/hello.txt`, '--resolve', `localhost:${port}:127.0.0.1`]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, 'hello from gonet serve\n');
  const g = await run(['get', '--cacert', join(pki.dir, 'ca.crt'), `https://127.0.0.1:${port}/digits.txt`]);
  assert.equal(g.stdout.toString(), '0123456789abcdefghij', g.stderr);
  s.kill('SIGTERM');
  const r = await s.exited;
  assert.equal(r.code, 0);
  assert.match(r.stderr, /^SIGTERM: shutting down/m);
});

test('serve: a missing directory is exit 1, a busy port exit 4, each one line', async () => {
  const missing = await run(['serve', join(dir, 'nope'), '--addr', '127.0.0.1:0']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, `gonet serve: serve ${join(dir, 'nope')}: no such directory\n`);
  const s = new Cli(['serve', root, '--addr', '127.0.0.1:0']);
  const port = await s.port();
  const busy = await run(['serve', root, '--addr', `127.0.0.1:${port}`]);
  s.kill('SIGTERM');
  await s.exited;
  assert.equal(busy.code, 4);
  assert.match(busy.stderr, new RegExp(`^gonet serve: listen tcp 127\\.0\\.0\\.1:${port}: .*address already in use\\n$`));
});

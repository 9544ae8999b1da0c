import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listen, type Listener } from '../../src/net/index.js';
import { Server, ServeMux, redirect } from '../../src/http/index.js';
import { fileBytes, freePort, startNginx, type Nginx } from '../support/nginx.js';
import { Squid } from '../support/squid.js';
import { makeTestPKI } from '../support/tls.js';
import { BIN, cliEnv, lines, run } from './helpers.js';

let server: Server;
let ln: Listener;
let base = '';
let nginx: Nginx;
let dir = '';
const hung: Listener[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gonet-cli-get-'));
  const mux = new ServeMux();
  mux.handleFunc('GET /hello', (w) => {
    w.header().set('X-Test', 'yes');
    w.header().set('Content-Type', 'text/plain; charset=utf-8');
    return w.write('hello\n');
  });
  mux.handleFunc('/echo', async (w, r) => {
    const body = await r.body.text();
    return w.write(`${r.method} ct=${r.header.get('Content-Type')} x=${r.header.get('X-Thing')} ua=${r.header.get('User-Agent')} body=${body}\n`);
  });
  mux.handleFunc('GET /redirect', (w, r) => redirect(w, r, '/hello', 302));
  mux.handleFunc('GET /missing', (w) => {
    w.writeHeader(404);
    return w.write('not here\n');
  });
  mux.handleFunc('GET /big', (w) => w.write(fileBytes(1 << 20)));
  server = new Server({ handler: mux });
  ln = await listen('tcp', '127.0.0.1:0');
  void server.serve(ln).catch(() => undefined);
  base = `http://${ln.addr}`;
  nginx = await startNginx({ files: { 'big.bin': 3 << 20, 'small.txt': 'from nginx\n' } });
});

after(async () => {
  server.close();
  for (const h of hung) h.close();
  await nginx.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('get prints the body; -v shows request and response heads and the timing breakdown on stderr', async () => {
  const plain = await run(['get', `${base}/hello`]);
  assert.equal(plain.stdout.toString(), 'hello\n');
  assert.equal(plain.stderr, '');
  assert.equal(plain.code, 0);

  const r = await run(['get', '-v', `${base}/hello`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), 'hello\n');
  const l = lines(r.stderr);
  const port = ln.addr.toString().split(':')[1];
  for (const want of ['> GET /hello HTTP/1.1', `> Host: 127.0.0.1:${port}`, '> User-Agent: gonet/0.1.0', '> Accept: */*', '> Accept-Encoding: gzip, br',
    '< HTTP/1.1 200 OK', '< X-Test: yes', '< Content-Type: text/plain; charset=utf-8', '< Content-Length: 6']) {
    assert.ok(l.includes(want), `${want} in\n${r.stderr}`);
  }
  assert.ok(l.indexOf('> GET /hello HTTP/1.1') < l.indexOf('< HTTP/1.1 200 OK'));
  assert.ok(l.some((x) => new RegExp(`^\\* connected tcp4? 127\\.0\\.0\\.1:${port} \\([\\d.]+ ms\\)$`).test(x)), r.stderr);
  assert.match(r.stderr, /^\* 6 bytes of body in [\d.]+ ms$/m);
  assert.match(r.stderr, /^\* timing: dns -, connect [\d.]+ ms, tls -, first byte [\d.]+ ms, transfer [\d.]+ ms, total [\d.]+ ms$/m);
});

test('get -i / -I write the response head to stdout', async () => {
  const i = await run(['get', '-i', `${base}/hello`]);
  assert.equal(i.code, 0);
  const out = i.stdout.toString();
  assert.match(out, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(out, /\r\nX-Test: yes\r\n/);
  assert.ok(out.endsWith('\r\n\r\nhello\n'));
  const head = await run(['get', '-I', `${nginx.base}/small.txt`]);
  assert.equal(head.code, 0, head.stderr);
  assert.match(head.stdout.toString(), /^HTTP\/1\.1 200 OK\r\n[^]*Content-Length: 11\r\n[^]*\r\n\r\n$/);
});

test('get -o writes a file identical to what the server has (our server and nginx), nothing on stdout', async () => {
  const ours = join(dir, 'ours.bin');
  const r = await run(['get', '-o', ours, `${base}/big`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.length, 0);
  assert.equal(r.stderr, '', 'no progress bar when stderr is not a terminal');
  assert.ok(readFileSync(ours).equals(fileBytes(1 << 20)));

  const theirs = join(dir, 'nginx.bin');
  const n = await run(['get', '-o', theirs, `${nginx.base}/big.bin`]);
  assert.equal(n.code, 0, n.stderr);
  assert.ok(readFileSync(theirs).equals(readFileSync(join(nginx.root, 'big.bin'))));
  assert.equal(readFileSync(theirs).length, 3 << 20);

  const bad = await run(['get', '-o', join(dir, 'no', 'such', 'dir'), `${base}/hello`]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^gonet get: open .*no\/such\/dir: ENOENT/);
});

test('get -o on a terminal draws a progress bar on stderr; -s turns it off', async () => {
  const main = new URL('../../src/cli/main.js', import.meta.url).href;
  const file = join(dir, 'progress.bin');
  const go = (extra: string[]): Promise<{ code: number; stderr: string }> => new Promise((resolve) => {
    const code = `process.stderr.isTTY = true; process.stderr.columns = 80; const { main } = await import(${JSON.stringify(main)}); ` +
      `process.exitCode = await main(${JSON.stringify(['get', ...extra, '-o', file, `${nginx.base}/big.bin`])});`;
    execFile(process.execPath, ['--input-type=module', '-e', code], { timeout: 30_000, env: cliEnv() }, (err, _out, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stderr });
    });
  });
  const r = await go([]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stderr.startsWith('\r['), JSON.stringify(r.stderr.slice(0, 80)));
  assert.ok(r.stderr.endsWith(`[${'#'.repeat(40)}] 100% 3.0 MiB / 3.0 MiB\n`), JSON.stringify(r.stderr.slice(-80)));
  assert.ok(readFileSync(file).equals(readFileSync(join(nginx.root, 'big.bin'))));
  const quiet = await go(['-s']);
  assert.equal(quiet.code, 0);
  assert.equal(quiet.stderr, '');
});

test('a reader that closes the pipe early ends get quietly', async () => {
  const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const c = spawn('/bin/sh', ['-c', `"${process.execPath}" "${BIN}" get ${nginx.base}/big.bin | head -c 10 > /dev/null`], { env: cliEnv() });
    let stderr = '';
    c.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    c.once('close', (code) => resolve({ code, stderr }));
  });
  assert.equal(r.code, 0);
  assert.equal(r.stderr, '');
});

test('redirects: the 3xx itself without -L, followed with -L (our server and nginx)', async () => {
  const no = await run(['get', '-i', `${base}/redirect`]);
  assert.equal(no.code, 0);
  assert.match(no.stdout.toString(), /^HTTP\/1\.1 302 Found\r\n[^]*Location: \/hello\r\n/);
  const yes = await run(['get', '-L', '-v', `${base}/redirect`]);
  assert.equal(yes.code, 0, yes.stderr);
  assert.equal(yes.stdout.toString(), 'hello\n');
  assert.match(yes.stderr, new RegExp(`^\\* following redirect to ${base.replace(/\./g, '\\.')}/hello$`, 'm'));
  assert.equal(yes.stderr.match(/^> GET /gm)?.length, 2);
  const ng = await run(['get', '-L', `${nginx.base}/r301`]);
  assert.equal(ng.code, 0, ng.stderr);
  assert.equal(ng.stdout.toString(), 'GET  \n');
  const loop = await run(['get', '-L', `${nginx.base}/loop`]);
  assert.equal(loop.code, 6);
  assert.equal(loop.stderr, `gonet get: Get "${nginx.base}/loop": stopped after 10 redirects\n`);
});

test('--fail: status >= 400 prints no body, one line, exit 22; without it the body and exit 0', async () => {
  const f = await run(['get', '--fail', `${base}/missing`]);
  assert.equal(f.code, 22);
  assert.equal(f.stdout.length, 0);
  assert.equal(f.stderr, `gonet get: GET ${base}/missing: server returned 404 Not Found\n`);
  const ng = await run(['get', '-f', `${nginx.base}/nothing-here`]);
  assert.equal(ng.code, 22);
  const nf = await run(['get', `${base}/missing`]);
  assert.equal(nf.code, 0);
  assert.equal(nf.stdout.toString(), 'not here\n');
});

test('-X, -H, -d and -d @file send what they say', async () => {
  const r = await run(['get', '-d', 'a=1&b=2', '-H', 'X-Thing: one', `${base}/echo`]);
  assert.equal(r.stdout.toString(), 'POST ct=application/x-www-form-urlencoded x=one ua=gonet/0.1.0 body=a=1&b=2\n');
  const f = join(dir, 'body.json');
  writeFileSync(f, '{"k":"v"}');
  const p = await run(['get', '-X', 'PUT', '-d', `@${f}`, '-H', 'Content-Type: application/json', '-A', 'tester/1', `${base}/echo`]);
  assert.equal(p.stdout.toString(), 'PUT ct=application/json x= ua=tester/1 body={"k":"v"}\n');
  const m = await run(['get', '-d', '@/nonexistent/file', `${base}/echo`]);
  assert.equal(m.code, 1);
  assert.match(m.stderr, /^gonet get: read \/nonexistent\/file: ENOENT/);
});

test('https against nginx: --cacert verifies, no CA is a TLS failure (exit 5), -k skips verification', async () => {
  const ca = join(nginx.pki.dir, 'ca.crt');
  const ok = await run(['get', '-v', '--cacert', ca, `${nginx.tlsBase}/hello`]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout.toString(), 'hello, world\n');
  assert.match(ok.stderr, /^\* TLS TLSv1\.[23] \S+, ALPN http\/1\.1 \([\d.]+ ms\)$/m);
  assert.match(ok.stderr, /^\* timing: dns [\d.]+ ms, connect [\d.]+ ms, tls [\d.]+ ms, first byte/m);
  const bad = await run(['get', `${nginx.tlsBase}/hello`]);
  assert.equal(bad.code, 5);
  assert.match(bad.stderr, /^gonet get: Get "https:\/\/localhost:\d+\/hello": tls: failed to verify certificate for "localhost": .+\n$/);
  const k = await run(['get', '-k', `${nginx.tlsBase}/hello`]);
  assert.equal(k.code, 0, k.stderr);
  assert.equal(k.stdout.toString(), 'hello, world\n');
});

test('failure kinds: refused is exit 4, --max-time is exit 7, a plain-HTTP reply to TLS is exit 5', async () => {
  const port = await freePort();
  const refused = await run(['get', `http://127.0.0.1:${port}/`]);
  assert.equal(refused.code, 4);
  assert.equal(refused.stderr, `gonet get: Get "http://127.0.0.1:${port}/": dial tcp 127.0.0.1:${port}: connect: connection refused\n`);

  const h = await listen('tcp', '127.0.0.1:0');
  hung.push(h);
  const held: unknown[] = [];
  void (async () => {
    for await (const c of h) held.push(c);
  })();
  const t = await run(['get', '--max-time', '300ms', `http://${h.addr}/`]);
  assert.equal(t.code, 7);
  assert.match(t.stderr, /^gonet get: Get "http:\/\/127\.0\.0\.1:\d+\/": .*Client\.Timeout.*\n$/);

  const tls = await run(['get', `https://127.0.0.1:${nginx.port}/hello`]);
  assert.equal(tls.code, 5, tls.stderr);
  assert.equal(lines(tls.stderr).length, 1);
});

test('--dns-server: names resolved by gonet\'s Resolver against dnsmasq; an unknown name is exit 3', async () => {
  const port = await freePort();
  const dm: ChildProcess = spawn('/usr/sbin/dnsmasq', [
    '-k', '--no-resolv', '--no-hosts', `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces', '--user=root',
    `--pid-file=${join(dir, 'dm.pid')}`, '--local=/test/', '--host-record=site.test,127.0.0.1',
  ], { stdio: ['ignore', 'ignore', 'ignore'] });
  try {
    const url = `http://site.test:${ln.addr.toString().split(':')[1]}/hello`;
    let r;
    for (const until = Date.now() + 10_000; ;) {
      r = await run(['get', '-v', '--dns-server', `127.0.0.1:${port}`, url]);
      if (r.code === 0 || Date.now() > until) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), 'hello\n');
    assert.match(r.stderr, /^\* resolved to 127\.0\.0\.1 \([\d.]+ ms\)$/m);
    const nx = await run(['get', '--dns-server', `127.0.0.1:${port}`, 'http://nowhere.test/']);
    assert.equal(nx.code, 3);
    assert.equal(nx.stderr, `gonet get: Get "http://nowhere.test/": dial tcp: lookup nowhere.test on 127.0.0.1:${port}: no such host\n`);
  } finally {
    const gone = new Promise((res) => dm.once('exit', res));
    dm.kill('SIGTERM');
    await gone;
  }
});

test('--proxy through squid: absolute-form for http, a CONNECT tunnel for https; HTTP_PROXY from the environment too', async () => {
  const squid = await Squid.start({ hosts: ['origin.test'] });
  try {
    const port = ln.addr.toString().split(':')[1];
    const r = await run(['get', '-v', '--proxy', squid.url().href, `http://origin.test:${port}/hello`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), 'hello\n');
    assert.match(r.stderr, new RegExp(`^> GET http://origin\\.test:${port}/hello HTTP/1\\.1$`, 'm'));
    assert.match(r.stderr, new RegExp(`^\\* getConn 127\\.0\\.0\\.1:${squid.port} \\(proxy\\)$`, 'm'));
    await squid.waitAccess(new RegExp(`GET http://origin\\.test:${port}/hello`));

    const ca = join(nginx.pki.dir, 'ca.crt');
    const s = await run(['get', '--proxy', squid.address, '--cacert', ca, `${nginx.tlsBase}/hello`]);
    assert.equal(s.code, 0, s.stderr);
    assert.equal(s.stdout.toString(), 'hello, world\n');
    await squid.waitAccess(new RegExp(`CONNECT localhost:${nginx.tlsPort}`));

    const env = await run(['get', `http://origin.test:${port}/hello`], { env: { HTTP_PROXY: squid.url().href } });
    assert.equal(env.code, 0, env.stderr);
    assert.equal(env.stdout.toString(), 'hello\n');
  } finally {
    await squid.stop();
  }
});

test('--http2 negotiates h2 with our TLS server; --http1.1 stays on HTTP/1.1; both together is a usage error', async () => {
  const pki = makeTestPKI();
  const mux = new ServeMux();
  mux.handleFunc('GET /proto', (w, r) => w.write(`${r.proto}\n`));
  const tlsSrv = new Server({ handler: mux });
  const tln = await listen('tcp', '127.0.0.1:0');
  void tlsSrv.serveTLS(tln, pki.cert, pki.key).catch(() => undefined);
  try {
    const url = `https://${tln.addr}/proto`;
    const h2 = await run(['get', '-v', '--http2', '--cacert', pki.caCertFile, url]);
    assert.equal(h2.code, 0, h2.stderr);
    assert.equal(h2.stdout.toString(), 'HTTP/2.0\n');
    assert.match(h2.stderr, /ALPN h2/);
    assert.match(h2.stderr, /^< HTTP\/2\.0 200/m);
    const h1 = await run(['get', '--http1.1', '--cacert', pki.caCertFile, url]);
    assert.equal(h1.code, 0, h1.stderr);
    assert.equal(h1.stdout.toString(), 'HTTP/1.1\n');
    const both = await run(['get', '--http2', '--http1.1', url]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /^gonet get: --http2 and --http1\.1 exclude each other/);
  } finally {
    tlsSrv.close();
    pki.cleanup();
  }
});

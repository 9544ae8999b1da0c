// HTTP/2 against other implementations on loopback: our client against nghttpd (files, many
// streams on one conn, large bodies both ways with --echo-upload, server push configured), and
// nghttp and curl --http2 against our server. Children are time-bounded and killed in after().

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dial, listen } from '../../src/net/index.js';
import { Request } from '../../src/http/request.js';
import type { TLSConn } from '../../src/http/tls.js';
import { makeTestPKI, type TestPKI } from '../support/tls.js';
import { pattern } from '../support/net.js';
import { H2TestClient, startH2, type H2TestServer } from './h2-support.js';
import { CURL, delay, killChildren, run } from './server-support.js';

const NGHTTPD = '/usr/sbin/nghttpd';
const NGHTTP = '/usr/bin/nghttp';

let pki: TestPKI;
const procs = new Set<ChildProcess>();
before(() => {
  pki = makeTestPKI();
});
after(() => {
  for (const p of procs) p.kill('SIGKILL');
  killChildren();
  pki?.cleanup();
});

function hex(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

async function freePort(): Promise<number> {
  const ln = await listen('tcp', '127.0.0.1:0');
  const port = (ln.addr as unknown as { port: number }).port;
  ln.close();
  return port;
}

/** Starts nghttpd on a free loopback port and waits until it accepts. */
async function nghttpd(args: string[]): Promise<{ port: number; proc: ChildProcess; stderr: () => string }> {
  const port = await freePort();
  const proc = spawn(NGHTTPD, ['-a', '127.0.0.1', ...args, String(port), pki.keyFile, pki.certFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  procs.add(proc);
  const errs: Buffer[] = [];
  proc.stderr!.on('data', (d: Buffer) => errs.push(d));
  const killer = setTimeout(() => proc.kill('SIGKILL'), 120_000);
  killer.unref();
  proc.on('exit', () => {
    clearTimeout(killer);
    procs.delete(proc);
  });
  for (let i = 0; i < 100; i++) {
    try {
      const c = await dial('tcp', `127.0.0.1:${port}`);
      c.close();
      return { port, proc, stderr: () => Buffer.concat(errs).toString() };
    } catch {
      await delay(50);
    }
  }
  proc.kill('SIGKILL');
  throw new Error(`nghttpd did not start: ${Buffer.concat(errs).toString()}`);
}

describe('our client against nghttpd', () => {
  let port: number;
  let cli: H2TestClient;
  const big = pattern(32 << 20, 0, 11);
  const index = Buffer.from('<html><head><link rel="stylesheet" href="/style.css"></head><body>nghttpd index</body></html>\n');
  const css = Buffer.from('body { color: red }\n');

  before(async () => {
    const docs = join(pki.dir, 'htdocs');
    mkdirSync(docs, { recursive: true });
    writeFileSync(join(docs, 'index.html'), index);
    writeFileSync(join(docs, 'style.css'), css);
    writeFileSync(join(docs, 'big.bin'), big);
    for (let i = 0; i < 10; i++) writeFileSync(join(docs, `f${i}.txt`), `file number ${i}\n`.repeat(i + 1));
    const d = await nghttpd(['-d', docs, '--echo-upload', '-p', '/index.html=/style.css']);
    port = d.port;
    cli = new H2TestClient(port, pki);
  });
  after(() => cli?.close());

  test('h2 is negotiated and a file is served', async () => {
    const out = await cli.outcome(new Request('GET', cli.url('/index.html')));
    assert.ok(out.res !== null);
    const res = out.res;
    assert.equal((out.conn.conn as TLSConn).connectionState().negotiatedProtocol, 'h2');
    assert.equal(res.proto, 'HTTP/2.0');
    assert.equal(res.statusCode, 200);
    assert.equal(res.header.get('Server').startsWith('nghttpd'), true);
    assert.equal(res.contentLength, index.length);
    assert.deepEqual(Buffer.from(await res.bytes()), index);
  });

  test('a pushed stream (nghttpd -p) is refused without harm; the session keeps working', async () => {
    // Push is off in our SETTINGS; nghttpd honours that. The page and its asset still load.
    for (let i = 0; i < 3; i++) {
      const res = await cli.get('/index.html');
      assert.deepEqual(Buffer.from(await res.bytes()), index);
      const res2 = await cli.get('/style.css');
      assert.deepEqual(Buffer.from(await res2.bytes()), css);
    }
    assert.equal(cli.dials, 1);
  });

  test('200 requests, 100 in flight at once, on one connection', async () => {
    const before = cli.dials;
    const want = Array.from({ length: 10 }, (_, i) => `file number ${i}\n`.repeat(i + 1));
    let next = 0;
    let peak = 0;
    let inFlight = 0;
    const worker = async (): Promise<void> => {
      while (next < 200) {
        const i = next++;
        inFlight++;
        peak = Math.max(peak, inFlight);
        const res = await cli.get(`/f${i % 10}.txt`);
        assert.equal(res.statusCode, 200);
        assert.equal(await res.text(), want[i % 10]);
        inFlight--;
      }
    };
    await Promise.all(Array.from({ length: 100 }, worker));
    assert.equal(peak, 100);
    assert.equal(cli.dials - before, 0, 'no new connection: nghttpd allows 100 concurrent streams');
    assert.equal(cli.pool.stats()[cli.key]!.sessions, 1);
  });

  test('a 32 MiB download and a 16 MiB streamed upload (--echo-upload) arrive intact', async () => {
    const res = await cli.get('/big.bin');
    assert.equal(res.contentLength, big.length);
    const h = createHash('sha256');
    let n = 0;
    for await (const c of res.body) {
      h.update(c);
      n += c.length;
    }
    assert.equal(n, big.length);
    assert.equal(h.digest('hex'), hex(big));

    const up = pattern(16 << 20, 0, 29);
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let off = 0; off < up.length; off += 1 << 20) yield up.subarray(off, off + (1 << 20));
    }
    const res2 = await cli.rt(new Request('POST', cli.url('/echo'), { body: chunks() }));
    assert.equal(res2.statusCode, 200);
    const back = await res2.bytes();
    assert.equal(back.length, up.length);
    assert.equal(hex(back), hex(up));
  });

  test('404 from nghttpd is a plain response', async () => {
    const res = await cli.get('/missing');
    assert.equal(res.statusCode, 404);
    assert.match(await res.text(), /404/);
  });
});

describe('nghttp and curl --http2 against our server', () => {
  let srv: H2TestServer;
  const upload = pattern(4 << 20, 0, 41);
  before(async () => {
    writeFileSync(join(pki.dir, 'upload.bin'), upload);
    srv = await startH2(pki, async (w, r) => {
      if (r.method === 'POST' || r.method === 'PUT') {
        const h = createHash('sha256');
        let n = 0;
        for await (const c of r.body) {
          h.update(c);
          n += c.length;
        }
        await w.write(`${r.proto} ${r.method} ${n} ${h.digest('hex')}\n`);
        return;
      }
      if (r.url.pathname === '/big') {
        for (let i = 0; i < 64; i++) await w.write(pattern(128 * 1024, i * 128 * 1024));
        return;
      }
      w.header().set('X-Seen-Path', r.url.pathname);
      w.header().set('Content-Type', 'text/plain; charset=utf-8');
      await w.write(`${r.proto} ${r.method} ${r.url.pathname}${r.url.search} host=${r.host} ua=${r.header.get('User-Agent').split('/')[0]}\n`);
    });
  });
  after(() => srv?.close());

  test('curl --http2: status line, headers and body', async () => {
    const r = await run(CURL, ['-sS', '--max-time', '20', '--http2', '--cacert', pki.caCertFile, '-D', '-', `https://localhost:${srv.port}/hello?x=1`], 25_000);
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout.toString();
    const [head, body] = out.split('\r\n\r\n');
    assert.match(head!, /^HTTP\/2 200 ?\r\n/);
    assert.match(head!, /\r\nx-seen-path: \/hello/);
    assert.match(head!, /\r\ncontent-type: text\/plain; charset=utf-8/);
    assert.match(head!, /\r\ncontent-length: \d+/);
    assert.equal(body, `HTTP/2.0 GET /hello?x=1 host=localhost:${srv.port} ua=curl\n`);
  });

  test('curl --http2: a 4 MiB upload and a 8 MiB download', async () => {
    const r = await run(CURL, ['-sS', '--max-time', '20', '--http2', '--cacert', pki.caCertFile, '--data-binary', `@${join(pki.dir, 'upload.bin')}`,
      `https://localhost:${srv.port}/up`], 25_000);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), `HTTP/2.0 POST ${upload.length} ${hex(upload)}\n`);
    const d = await run(CURL, ['-sS', '--max-time', '20', '--http2', '--cacert', pki.caCertFile, `https://localhost:${srv.port}/big`], 25_000);
    assert.equal(d.code, 0, d.stderr);
    assert.equal(d.stdout.length, 8 << 20);
    assert.equal(hex(d.stdout), hex(pattern(8 << 20)));
  });

  test('nghttp: 20 concurrent streams on one connection, and an upload', async () => {
    const r = await run(NGHTTP, ['-s', '-m', '20', `https://localhost:${srv.port}/multi`], 25_000);
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout.toString();
    const bodies = out.split('\n').filter((l) => l.startsWith('HTTP/2.0 GET /multi'));
    assert.equal(bodies.length, 20, out);
    assert.match(out, /ua=nghttp2/);
    // -s prints one stats row per stream, all on the one connection nghttp opened.
    assert.equal(srv.accepted >= 1, true);
    const u = await run(NGHTTP, ['-d', join(pki.dir, 'upload.bin'), `https://localhost:${srv.port}/up`], 25_000);
    assert.equal(u.code, 0, u.stderr);
    assert.equal(u.stdout.toString(), `HTTP/2.0 POST ${upload.length} ${hex(upload)}\n`);
  });
});

// curl (and Node's own http client) as clients of our Server on loopback.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request as nodeRequest } from 'node:http';
import type { Conn } from '../../src/net/index.js';
import type { ConnState, Request } from '../../src/http/index.js';
import type { ResponseWriter } from '../../src/http/handler.js';
import { curl, killChildren, startServer, type TestServer } from './server-support.js';
import { pattern } from '../support/net.js';

const BIG = 8 * 1024 * 1024 + 123;
const bigBody = pattern(BIG);

let dir = '';
let ts: TestServer;
const states: [string, ConnState][] = [];
const uploads: { te: string[]; cl: number; sha: string; len: number }[] = [];

function sha(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

async function handler(w: ResponseWriter, r: unknown): Promise<void> {
  const req = r as Request;
  const path = req.url.pathname;
  const h = w.header();
  switch (path) {
    case '/hello':
      h.set('Content-Type', 'text/plain; charset=utf-8');
      h.set('X-Path', path);
      await w.write('hello, ' + req.method);
      return;
    case '/echo': {
      const body = await req.bytes();
      uploads.push({ te: req.transferEncoding, cl: req.contentLength, sha: sha(body), len: body.length });
      h.set('X-Len', String(body.length));
      h.set('X-Sha256', sha(body));
      await w.write(body);
      return;
    }
    case '/big':
      // Streamed in 1 MiB pieces: no Content-Length, chunked on 1.1, close-delimited on 1.0.
      for (let off = 0; off < BIG; off += 1 << 20) await w.write(bigBody.subarray(off, Math.min(BIG, off + (1 << 20))));
      return;
    case '/big-cl':
      h.set('Content-Length', String(BIG));
      await w.write(bigBody);
      return;
    case '/refuse':
      // Does not read the body: with Expect: 100-continue no 100 goes out.
      w.writeHeader(403);
      await w.write('no');
      return;
    default:
      w.writeHeader(404);
      await w.write('404 page not found\n');
  }
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gonet-server-curl-'));
  ts = await startServer({
    handler,
    connState: (c: Conn, s: ConnState) => states.push([c.remoteAddr.toString(), s]),
  });
});

after(async () => {
  killChildren();
  await ts?.close();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

/** Splits `curl -i` / `-D -` output into status line, headers and body. */
function parse(out: Buffer): { status: string; headers: Map<string, string>; body: Buffer }[] {
  const res: { status: string; headers: Map<string, string>; body: Buffer }[] = [];
  let rest = out;
  while (rest.length > 0 && rest.subarray(0, 5).toString() === 'HTTP/') {
    const end = rest.indexOf('\r\n\r\n');
    const lines = rest.subarray(0, end).toString('latin1').split('\r\n');
    const headers = new Map<string, string>();
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      headers.set(l.slice(0, i).toLowerCase(), l.slice(i + 1).trim());
    }
    rest = rest.subarray(end + 4);
    const status = lines[0]!;
    let body: Buffer = Buffer.alloc(0);
    if (!/^HTTP\/1\.[01] 1\d\d/.test(status)) {
      const cl = headers.get('content-length');
      const n = cl === undefined ? rest.length : Number(cl);
      body = rest.subarray(0, n);
      rest = rest.subarray(n);
    }
    res.push({ status, headers, body });
  }
  return res;
}

describe('curl as the client', () => {
  test('GET: status, Content-Length computed, Date, handler headers, body', async () => {
    const r = await curl(['-i', ts.url + '/hello']);
    assert.equal(r.code, 0, r.stderr);
    const [res] = parse(r.stdout);
    assert.equal(res!.status, 'HTTP/1.1 200 OK');
    assert.equal(res!.headers.get('content-length'), '10');
    assert.equal(res!.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(res!.headers.get('x-path'), '/hello');
    assert.match(res!.headers.get('date') ?? '', /^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$/);
    assert.equal(res!.headers.has('transfer-encoding'), false);
    assert.equal(res!.body.toString(), 'hello, GET');
  });

  test('HEAD: headers only, same Content-Length as GET', async () => {
    const r = await curl(['-I', ts.url + '/hello']);
    assert.equal(r.code, 0, r.stderr);
    const text = r.stdout.toString('latin1');
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(text, /\r\nContent-Length: 11\r\n/, 'HEAD counts the bytes the handler wrote ("hello, HEAD")');
    assert.ok(text.endsWith('\r\n\r\n'), 'no body after the head');
  });

  test('POST -d and --data-binary @file round-trip', async () => {
    let r = await curl(['-i', '-d', 'a=1&b=2', ts.url + '/echo']);
    assert.equal(r.code, 0, r.stderr);
    let [res] = parse(r.stdout);
    assert.equal(res!.status, 'HTTP/1.1 200 OK');
    assert.equal(res!.body.toString(), 'a=1&b=2');
    assert.equal(uploads.at(-1)!.cl, 7);

    const file = join(dir, 'upload.bin');
    const data = pattern(300_000, 0, 11);
    writeFileSync(file, data);
    r = await curl(['-i', '--data-binary', '@' + file, ts.url + '/echo']);
    assert.equal(r.code, 0, r.stderr);
    [res] = parse(r.stdout);
    assert.equal(res!.headers.get('x-sha256'), sha(data));
    assert.equal(res!.headers.get('transfer-encoding'), 'chunked', 'a 300 kB reply is streamed');
    assert.equal(uploads.at(-1)!.len, data.length);
  });

  test('chunked upload (-H "Transfer-Encoding: chunked")', async () => {
    const file = join(dir, 'chunked.bin');
    const data = pattern(150_001, 5, 1);
    writeFileSync(file, data);
    const r = await curl(['-o', '/dev/null', '-D', '-', '-H', 'Transfer-Encoding: chunked', '--data-binary', '@' + file, ts.url + '/echo']);
    assert.equal(r.code, 0, r.stderr);
    const up = uploads.at(-1)!;
    assert.deepEqual(up.te, ['chunked']);
    assert.equal(up.cl, -1);
    assert.equal(up.len, data.length);
    assert.equal(up.sha, sha(data));
    assert.match(r.stdout.toString('latin1'), new RegExp(`\r\nX-Sha256: ${sha(data)}\r\n`));
  });

  test('--http1.0: HTTP/1.0 status line, closes; streamed body is close-delimited', async () => {
    let r = await curl(['--http1.0', '-i', ts.url + '/hello']);
    assert.equal(r.code, 0, r.stderr);
    const [res] = parse(r.stdout);
    assert.equal(res!.status, 'HTTP/1.0 200 OK');
    assert.equal(res!.headers.get('content-length'), '10');
    assert.equal(res!.headers.has('connection'), false, 'HTTP/1.0 closes by default; Go does not say so');

    r = await curl(['--http1.0', '-D', join(dir, 'h10.txt'), '-o', join(dir, 'big10.bin'), '-w', '%{size_download}', ts.url + '/big']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), String(BIG));
    const head = (await import('node:fs')).readFileSync(join(dir, 'h10.txt'), 'latin1');
    assert.doesNotMatch(head, /Transfer-Encoding/i);
    assert.doesNotMatch(head, /Content-Length/i);

    // 1.0 keep-alive is honoured when the length is known.
    r = await curl(['--http1.0', '-v', '-H', 'Connection: keep-alive', ts.url + '/hello', ts.url + '/hello']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /< Connection: keep-alive/);
    assert.match(r.stderr, /Re-using existing connection/);
  });

  test('keep-alive: one conn for several URLs (curl -v reports the reuse)', async () => {
    const before = states.length;
    const r = await curl(['-v', ts.url + '/hello', ts.url + '/hello?2', ts.url + '/nope']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), 'hello, GEThello, GET404 page not found\n');
    assert.equal((r.stderr.match(/Re-using existing connection/g) ?? []).length, 2, r.stderr);
    // Wait for the server to notice the close.
    for (let i = 0; i < 50 && !states.slice(before).some(([, s]) => s === 'closed'); i++) await new Promise((res) => setTimeout(res, 20));
    const mine = states.slice(before);
    assert.equal(mine.filter(([, s]) => s === 'new').length, 1, JSON.stringify(mine));
    assert.deepEqual(mine.map(([, s]) => s), ['new', 'active', 'idle', 'active', 'idle', 'active', 'idle', 'closed']);
  });

  test('Expect: 100-continue is answered on the first body read', async () => {
    const file = join(dir, 'expect.bin');
    const data = pattern(20_000, 1, 2);
    writeFileSync(file, data);
    const r = await curl(['-v', '-H', 'Expect: 100-continue', '--expect100-timeout', '10', '--data-binary', '@' + file, ts.url + '/echo']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /< HTTP\/1\.1 100 Continue/);
    assert.match(r.stderr, /< HTTP\/1\.1 200 OK/);
    assert.equal(r.stdout.length, data.length);
    assert.equal(sha(r.stdout), sha(data));
  });

  test('Expect: 100-continue with a handler that never reads: final status, no 100, conn closed', async () => {
    const file = join(dir, 'expect2.bin');
    writeFileSync(file, pattern(20_000));
    const r = await curl(['-v', '-H', 'Expect: 100-continue', '--expect100-timeout', '10', '--data-binary', '@' + file, ts.url + '/refuse']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /100 Continue/);
    assert.match(r.stderr, /< HTTP\/1\.1 403 Forbidden/);
    assert.match(r.stderr, /< Connection: close/);
    assert.equal(r.stdout.toString(), 'no');
  });

  test('large download, chunked and with Content-Length, byte for byte', async () => {
    for (const path of ['/big', '/big-cl']) {
      const out = join(dir, 'dl' + path.replace('/', '-'));
      const r = await curl(['-D', '-', '-o', out, ts.url + path], 60_000);
      assert.equal(r.code, 0, r.stderr);
      const head = r.stdout.toString('latin1');
      if (path === '/big') assert.match(head, /\r\nTransfer-Encoding: chunked\r\n/);
      else assert.match(head, new RegExp(`\r\nContent-Length: ${BIG}\r\n`));
      const got = (await import('node:fs')).readFileSync(out);
      assert.equal(got.length, BIG);
      assert.ok(got.equals(bigBody), `${path}: bytes differ`);
    }
  });
});

describe("Node's http client as a second client", () => {
  test('keep-alive GET and POST over one agent socket', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const go = (method: string, path: string, body?: string): Promise<{ status: number; body: string; raw: Buffer; headers: Record<string, unknown>; reused: boolean }> =>
      new Promise((resolve, reject) => {
        const rq = nodeRequest({ host: '127.0.0.1', port: ts.port, method, path, agent }, (res) => {
          const parts: Buffer[] = [];
          res.on('data', (d: Buffer) => parts.push(d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString(), raw: Buffer.concat(parts), headers: res.headers, reused: rq.reusedSocket }));
          res.on('error', reject);
        });
        rq.on('error', reject);
        rq.setTimeout(10_000, () => rq.destroy(new Error('timeout')));
        rq.end(body);
      });
    try {
      const a = await go('GET', '/hello');
      assert.equal(a.status, 200);
      assert.equal(a.body, 'hello, GET');
      const b = await go('POST', '/echo', 'payload from node');
      assert.equal(b.status, 200);
      assert.equal(b.body, 'payload from node');
      assert.equal(b.reused, true, 'the agent reused the keep-alive socket');
      const c = await go('GET', '/big');
      assert.ok(c.raw.equals(bigBody));
      assert.equal(c.headers['transfer-encoding'], 'chunked');
    } finally {
      agent.destroy();
    }
  });
});

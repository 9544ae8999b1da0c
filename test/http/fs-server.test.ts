// ServeMux + fileServer behind the real Server, with curl as the client on loopback.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServeMux } from '../../src/http/mux.js';
import { fileServer } from '../../src/http/fs.js';
import { stripPrefix } from '../../src/http/handler.js';
import { curl, killChildren, startServer, type TestServer } from './server-support.js';

let base = '';
let ts: TestServer;
const BIG = 5 * 1024 * 1024 + 7;
const big = Buffer.alloc(BIG);
for (let i = 0; i < BIG; i++) big[i] = (i * 31 + (i >> 8)) & 0xff;
const MTIME = new Date('2024-03-05T06:07:08Z');

before(async () => {
  base = mkdtempSync(join(tmpdir(), 'gonet-fs-srv-'));
  const root = join(base, 'root');
  mkdirSync(root);
  mkdirSync(join(root, 'docs'));
  writeFileSync(join(base, 'secret.txt'), 'TOPSECRET');
  writeFileSync(join(root, 'hello.txt'), 'hello, world\n');
  writeFileSync(join(root, 'docs', 'a.md'), '# a');
  writeFileSync(join(root, 'big.bin'), big);
  utimesSync(join(root, 'hello.txt'), MTIME, MTIME);
  const mux = new ServeMux();
  mux.handle('/static/', stripPrefix('/static', fileServer(root)));
  mux.handle('GET /items/{id}', (w, r) => w.write(`item ${r.pathValue('id')}`));
  mux.handle('POST /items', async (w, r) => {
    const body = await r.body.text();
    w.writeHeader(201);
    await w.write(`created ${body}`);
  });
  ts = await startServer({ handler: mux });
});

after(async () => {
  killChildren();
  await ts?.close();
  rmSync(base, { recursive: true, force: true });
});

/** Parses `curl -i` output: the status code, headers (lower-cased names) and body of the last reply. */
function parse(out: Buffer): { code: number; headers: Map<string, string>; body: Buffer } {
  const end = out.indexOf('\r\n\r\n');
  const head = out.subarray(0, end).toString('latin1').split('\r\n');
  const headers = new Map<string, string>();
  for (const line of head.slice(1)) {
    const i = line.indexOf(':');
    headers.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
  }
  return { code: Number(head[0].split(' ')[1]), headers, body: out.subarray(end + 4) };
}

describe('fileServer and ServeMux over the Server, curl as client', () => {
  test('GET a file: length, type, Last-Modified, body', async () => {
    const r = parse((await curl(['-s', '-i', ts.url + '/static/hello.txt'])).stdout);
    assert.equal(r.code, 200);
    assert.equal(r.headers.get('content-length'), '13');
    assert.equal(r.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(r.headers.get('last-modified'), 'Tue, 05 Mar 2024 06:07:08 GMT');
    assert.equal(r.headers.get('accept-ranges'), 'bytes');
    assert.equal(r.body.toString(), 'hello, world\n');
  });

  test('HEAD: headers with the full length, no body', async () => {
    const res = await curl(['-s', '-I', ts.url + '/static/big.bin']);
    const r = parse(res.stdout);
    assert.equal(r.code, 200);
    assert.equal(r.headers.get('content-length'), String(BIG));
    assert.equal(r.body.length, 0);
  });

  test('big file download is byte-exact', async () => {
    const res = await curl(['-s', ts.url + '/static/big.bin'], 60_000);
    assert.equal(res.stdout.length, BIG);
    assert.equal(createHash('sha256').update(res.stdout).digest('hex'), createHash('sha256').update(big).digest('hex'));
  });

  test('single range', async () => {
    const r = parse((await curl(['-s', '-i', '-r', '100-199', ts.url + '/static/big.bin'])).stdout);
    assert.equal(r.code, 206);
    assert.equal(r.headers.get('content-range'), `bytes 100-199/${BIG}`);
    assert.deepEqual(r.body, big.subarray(100, 200));
  });

  test('multipart ranges', async () => {
    const r = parse((await curl(['-s', '-i', '-r', '0-9,1000-1009,-5', ts.url + '/static/big.bin'])).stdout);
    assert.equal(r.code, 206);
    const m = /boundary=([0-9a-f]+)$/.exec(r.headers.get('content-type') ?? '');
    assert.ok(m);
    assert.equal(Number(r.headers.get('content-length')), r.body.length);
    const parts = r.body.toString('latin1').split(`--${m[1]}`).slice(1, -1);
    assert.equal(parts.length, 3);
    const want: [number, number][] = [[0, 9], [1000, 1009], [BIG - 5, BIG - 1]];
    parts.forEach((p, i) => {
      const [a, b] = want[i];
      assert.match(p, new RegExp(`Content-Range: bytes ${a}-${b}/${BIG}\r\n`));
      const data = Buffer.from(p.slice(p.indexOf('\r\n\r\n') + 4, -2), 'latin1');
      assert.deepEqual(data, big.subarray(a, b + 1));
    });
  });

  test('unsatisfiable range → 416', async () => {
    const r = parse((await curl(['-s', '-i', '-r', `${BIG}-`, ts.url + '/static/big.bin'])).stdout);
    assert.equal(r.code, 416);
    assert.equal(r.headers.get('content-range'), `bytes */${BIG}`);
  });

  test('If-Modified-Since → 304', async () => {
    const r = parse((await curl(['-s', '-i', '-H', 'If-Modified-Since: Tue, 05 Mar 2024 06:07:08 GMT', ts.url + '/static/hello.txt'])).stdout);
    assert.equal(r.code, 304);
    assert.equal(r.body.length, 0);
  });

  test('directory redirect and listing', async () => {
    const r = parse((await curl(['-s', '-i', ts.url + '/static/docs'])).stdout);
    assert.equal(r.code, 301);
    assert.equal(r.headers.get('location'), 'docs/');
    const followed = await curl(['-s', '-L', '-o', '/dev/null', '-w', '%{http_code} %{url_effective}', ts.url + '/static/docs']);
    assert.equal(followed.stdout.toString(), `200 ${ts.url}/static/docs/`);
    const l = parse((await curl(['-s', '-i', ts.url + '/static/docs/'])).stdout);
    assert.equal(l.code, 200);
    assert.match(l.body.toString(), /<a href="a.md">a.md<\/a>/);
  });

  test('mux redirects /static → /static/ and cleans paths sent as-is', async () => {
    const a = parse((await curl(['-s', '-i', ts.url + '/static'])).stdout);
    assert.equal(a.code, 301);
    assert.equal(a.headers.get('location'), '/static/');
    const b = parse((await curl(['-s', '-i', '--path-as-is', ts.url + '/static/../static/hello.txt'])).stdout);
    assert.equal(b.code, 301);
    assert.equal(b.headers.get('location'), '/static/hello.txt');
  });

  test('no escape from the root, raw or encoded', async () => {
    for (const p of ['/static/../secret.txt', '/static/../../secret.txt', '/static/%2e%2e/secret.txt',
      '/static/..%2fsecret.txt', '/static/%2e%2e%2f%2e%2e%2fsecret.txt', '//static/../secret.txt']) {
      const res = await curl(['-s', '-i', '--path-as-is', ts.url + p]);
      const r = parse(res.stdout);
      assert.ok(r.code === 404 || r.code === 301, `${p}: ${r.code}`);
      assert.ok(!res.stdout.toString('latin1').includes('TOPSECRET'), p);
    }
  });

  test('path values, 405 with Allow, POST body', async () => {
    const a = parse((await curl(['-s', '-i', ts.url + '/items/42'])).stdout);
    assert.equal(a.code, 200);
    assert.equal(a.body.toString(), 'item 42');
    const b = parse((await curl(['-s', '-i', '-X', 'DELETE', ts.url + '/items/42'])).stdout);
    assert.equal(b.code, 405);
    assert.equal(b.headers.get('allow'), 'GET, HEAD');
    const c = parse((await curl(['-s', '-i', '-d', 'x=1', ts.url + '/items'])).stdout);
    assert.equal(c.code, 201);
    assert.equal(c.body.toString(), 'created x=1');
  });

  test('several URLs on one keep-alive connection', async () => {
    const res = await curl(['-s', '-o', '/dev/null', '-o', '/dev/null', '-o', '/dev/null', '-w', '%{http_code} %{num_connects}\n',
      ts.url + '/static/hello.txt', ts.url + '/items/1', ts.url + '/static/big.bin']);
    assert.deepEqual(res.stdout.toString().trim().split('\n'), ['200 1', '200 0', '200 0']);
  });
});

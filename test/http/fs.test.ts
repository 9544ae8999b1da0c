import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync, utimesSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync, spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import {
  fileServer, serveContent, serveFile, dir, mapFS, parseRange, parseHTTPTime, RangeParseError, RangeNoOverlapError,
  type FS, type File,
} from '../../src/http/fs.js';
import { ResponseRecorder, newRequest, type NewRequestInit } from '../../src/http/httptest.js';
import type { HandlerFunc, ResponseWriter } from '../../src/http/handler.js';
import { Header } from '../../src/http/header.js';

let base: string;
let root: string;
const MTIME = new Date('2024-03-05T06:07:08.000Z');
const data = Buffer.alloc(1000);
for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;

before(() => {
  base = mkdtempSync(join(tmpdir(), 'gonet-fs-'));
  root = join(base, 'root');
  mkdirSync(root);
  writeFileSync(join(base, 'outside-secret.txt'), 'TOPSECRET');
  writeFileSync(join(root, 'hello.txt'), 'hello, world\n');
  writeFileSync(join(root, 'data.bin'), data);
  writeFileSync(join(root, 'noext'), '  <html><body>hi</body></html>');
  writeFileSync(join(root, 'binnoext'), Buffer.from([0, 1, 2, 3, 4]));
  writeFileSync(join(root, 'empty.txt'), '');
  writeFileSync(join(root, '.hidden'), 'dotfile');
  writeFileSync(join(root, 'style.css'), 'body{}');
  mkdirSync(join(root, 'sub'));
  mkdirSync(join(root, 'sub', 'b'));
  for (const n of ['a.txt', 'c:d.txt', 'q?#.txt', 'sp ace.txt', 'we<ird>&\'".txt', 'é.txt']) writeFileSync(join(root, 'sub', n), n);
  mkdirSync(join(root, 'site'));
  writeFileSync(join(root, 'site', 'index.html'), '<h1>index</h1>');
  mkdirSync(join(root, 'noindex'));
  mkdirSync(join(root, 'noindex', 'index.html')); // a directory named index.html is not an index page
  symlinkSync(join(base, 'outside-secret.txt'), join(root, 'link-out'));
  symlinkSync(join(root, 'hello.txt'), join(root, 'link-in'));
  writeFileSync(join(root, 'big.bin'), Buffer.alloc(3 * 1024 * 1024 + 17, 0x61));
  for (const n of ['hello.txt', 'data.bin', 'empty.txt', 'sub', 'site/index.html']) utimesSync(join(root, n), MTIME, MTIME);
});

after(() => rmSync(base, { recursive: true, force: true }));

async function get(h: HandlerFunc, target: string, init?: NewRequestInit & { method?: string }): Promise<ResponseRecorder> {
  const w = new ResponseRecorder();
  await h(w, newRequest(init?.method ?? 'GET', target, init));
  return w;
}

describe('fileServer basics', () => {
  test('serves a file with type, length, Last-Modified and Accept-Ranges', async () => {
    const w = await get(fileServer(root), '/hello.txt');
    assert.equal(w.code, 200);
    assert.equal(w.bodyText, 'hello, world\n');
    assert.equal(w.header().get('Content-Type'), 'text/plain; charset=utf-8');
    assert.equal(w.header().get('Content-Length'), '13');
    assert.equal(w.header().get('Accept-Ranges'), 'bytes');
    assert.equal(w.header().get('Last-Modified'), 'Tue, 05 Mar 2024 06:07:08 GMT');
  });

  test('HEAD: headers only', async () => {
    const w = await get(fileServer(root), '/hello.txt', { method: 'HEAD' });
    assert.equal(w.code, 200);
    assert.equal(w.header().get('Content-Length'), '13');
    assert.equal(w.body.length, 0);
  });

  const types: [string, string][] = [
    ['/noext', 'text/html; charset=utf-8'],
    ['/binnoext', 'application/octet-stream'],
    ['/style.css', 'text/css; charset=utf-8'],
    ['/data.bin', 'application/octet-stream'],
    ['/empty.txt', 'text/plain; charset=utf-8'],
    ['/.hidden', 'text/plain; charset=utf-8'],
  ];
  for (const [p, ct] of types) {
    test(`Content-Type of ${p} is ${ct}`, async () => {
      const w = await get(fileServer(root), p);
      assert.equal(w.code, 200);
      assert.equal(w.header().get('Content-Type'), ct);
    });
  }

  test('dotfiles are served, as Go does', async () => {
    const w = await get(fileServer(root), '/.hidden');
    assert.equal(w.bodyText, 'dotfile');
  });

  test('missing file: 404 without details', async () => {
    const w = await get(fileServer(root), '/missing.txt');
    assert.equal(w.code, 404);
    assert.equal(w.bodyText, '404 page not found\n');
    assert.equal(w.header().get('Content-Type'), 'text/plain; charset=utf-8');
    assert.equal(w.header().get('X-Content-Type-Options'), 'nosniff');
  });

  test('a file used as a directory is not found (ENOTDIR)', async () => {
    const w = await get(fileServer(root), '/hello.txt/x');
    assert.equal(w.code, 404);
  });

  test('empty file with a Range: 200, empty', async () => {
    const w = await get(fileServer(root), '/empty.txt', { header: { Range: 'bytes=0-' } });
    assert.equal(w.code, 200);
    assert.equal(w.header().get('Content-Length'), '0');
    assert.equal(w.body.length, 0);
  });
});

describe('redirects', () => {
  const cases: [string, string][] = [
    ['/sub', 'sub/'],
    ['/sub?x=1', 'sub/?x=1'],
    ['/sub/b', 'b/'],
    ['/hello.txt/', '../hello.txt'],
    ['/hello.txt/?q=2', '../hello.txt?q=2'],
    ['/site', 'site/'],
    ['/site/index.html', './'],
    ['/site/index.html?a=b', './?a=b'],
    ['/index.html', './'],
    ['/nothing/index.html', './'],
  ];
  for (const [target, location] of cases) {
    test(`${target} → 301 ${location}`, async () => {
      const w = await get(fileServer(root), target);
      assert.equal(w.code, 301);
      assert.equal(w.header().get('Location'), location);
      assert.equal(w.bodyText, '');
    });
  }

  test('directory with index.html serves it', async () => {
    const w = await get(fileServer(root), '/site/');
    assert.equal(w.code, 200);
    assert.equal(w.bodyText, '<h1>index</h1>');
    assert.equal(w.header().get('Content-Type'), 'text/html; charset=utf-8');
    assert.equal(w.header().get('Last-Modified'), 'Tue, 05 Mar 2024 06:07:08 GMT');
  });

  test('an index.html directory does not count as an index page', async () => {
    const w = await get(fileServer(root), '/noindex/');
    assert.equal(w.code, 200);
    assert.match(w.bodyText, /<a href="index.html\/">index.html\/<\/a>/);
  });
});

describe('directory listing', () => {
  test('sorted, names HTML-escaped, hrefs URL-escaped, dirs with /', async () => {
    const w = await get(fileServer(root), '/sub/');
    assert.equal(w.code, 200);
    assert.equal(w.header().get('Content-Type'), 'text/html; charset=utf-8');
    assert.equal(w.header().get('Last-Modified'), 'Tue, 05 Mar 2024 06:07:08 GMT');
    assert.equal(w.bodyText,
      '<!doctype html>\n<meta name="viewport" content="width=device-width">\n<pre>\n' +
      '<a href="a.txt">a.txt</a>\n' +
      '<a href="b/">b/</a>\n' +
      '<a href="./c:d.txt">c:d.txt</a>\n' +
      '<a href="q%3F%23.txt">q?#.txt</a>\n' +
      '<a href="sp%20ace.txt">sp ace.txt</a>\n' +
      '<a href="we%3Cird%3E&%27%22.txt">we&lt;ird&gt;&amp;&#39;&#34;.txt</a>\n' +
      '<a href="%C3%A9.txt">é.txt</a>\n' +
      '</pre>\n');
  });

  test('listing honours If-Modified-Since', async () => {
    const w = await get(fileServer(root), '/sub/', { header: { 'If-Modified-Since': 'Tue, 05 Mar 2024 06:07:08 GMT' } });
    assert.equal(w.code, 304);
    assert.equal(w.bodyText, '');
  });

  test('an escaped name in the listing is served back', async () => {
    const w = await get(fileServer(root), '/sub/we%3Cird%3E&%27%22.txt');
    assert.equal(w.code, 200);
    assert.equal(w.bodyText, 'we<ird>&\'".txt');
    const w2 = await get(fileServer(root), '/sub/q%3F%23.txt');
    assert.equal(w2.bodyText, 'q?#.txt');
  });
});

describe('no path leaves the root', () => {
  const attempts = [
    '/../outside-secret.txt', '/../../etc/passwd', '/%2e%2e/outside-secret.txt', '/%2E%2E/outside-secret.txt',
    '/sub/%2e%2e/%2e%2e/outside-secret.txt', '/..%2foutside-secret.txt', '/..%2Foutside-secret.txt',
    '/sub/..%2f..%2foutside-secret.txt', '/%2e%2e%2foutside-secret.txt', '/..%5coutside-secret.txt',
    '/.%2e/outside-secret.txt', '//../outside-secret.txt', '/sub/../../outside-secret.txt',
    '/hello.txt%00', '/%00/../outside-secret.txt',
  ];
  for (const target of attempts) {
    test(target, async () => {
      const w = await get(fileServer(root), target);
      assert.ok(w.code === 404 || w.code === 301, `status ${w.code}`);
      assert.ok(!w.bodyText.includes('TOPSECRET'));
      assert.ok(!w.bodyText.includes(base), 'no file system path in the reply');
    });
  }

  test('dot segments inside the root are cleaned and served', async () => {
    const w = await get(fileServer(root), '/sub/../hello.txt');
    assert.equal(w.code, 200);
    assert.equal(w.bodyText, 'hello, world\n');
  });

  test('dir().open cleans names itself', async () => {
    await assert.rejects(() => dir(root).open('/../outside-secret.txt'), { code: 'ENOENT' });
    await assert.rejects(() => dir(root).open('../../outside-secret.txt'), { code: 'ENOENT' });
    await assert.rejects(() => dir(root).open('/a\0b'), { message: 'http: invalid or unsafe file path' });
    const f = await dir(root).open('/sub/../hello.txt');
    assert.equal((await f.stat()).size, 13);
    await f.close();
  });

  test('symlinks out of the root are not found by default', async () => {
    const w = await get(fileServer(root), '/link-out');
    assert.equal(w.code, 404);
    assert.ok(!w.bodyText.includes('TOPSECRET'));
  });

  test('symlinks out of the root are served with followSymlinksOutside (Go behaviour)', async () => {
    const w = await get(fileServer(root, { followSymlinksOutside: true }), '/link-out');
    assert.equal(w.code, 200);
    assert.equal(w.bodyText, 'TOPSECRET');
  });

  test('symlinks inside the root are served', async () => {
    const w = await get(fileServer(root), '/link-in');
    assert.equal(w.code, 200);
    assert.equal(w.bodyText, 'hello, world\n');
  });
});

describe('errors map to statuses without leaking', () => {
  const failing = (code: string): FS => ({
    open: async () => { throw Object.assign(new Error(`open /srv/secret/path: ${code}`), { code }); },
  });
  const cases: [string, number, string][] = [
    ['ENOENT', 404, '404 page not found\n'],
    ['ENOTDIR', 404, '404 page not found\n'],
    ['EACCES', 403, '403 Forbidden\n'],
    ['EPERM', 403, '403 Forbidden\n'],
    ['EIO', 500, '500 Internal Server Error\n'],
    ['EMFILE', 500, '500 Internal Server Error\n'],
  ];
  for (const [code, status, body] of cases) {
    test(`${code} → ${status}`, async () => {
      const w = await get(fileServer(failing(code)), '/x');
      assert.equal(w.code, status);
      assert.equal(w.bodyText, body);
    });
  }

  test('unreadable file on disk → 403 (as root, checked in a child running as nobody)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gonet-perm-'));
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'noperm.txt'), 'x');
    chmodSync(join(dir, 'noperm.txt'), 0);
    writeFileSync(join(dir, 'ok.txt'), 'fine');
    chmodSync(join(dir, 'ok.txt'), 0o644);
    // The compiled modules are copied beside the files: the clone may sit where nobody can read.
    cpSync(new URL('../../src/', import.meta.url), join(dir, 'src'), { recursive: true });
    execFileSync('chmod', ['-R', 'a+rX', join(dir, 'src')]);
    const base = pathToFileURL(join(dir, 'src', 'http')).href + '/';
    const script = `
      const { fileServer } = await import(${JSON.stringify(base + 'fs.js')});
      const { ResponseRecorder, newRequest } = await import(${JSON.stringify(base + 'httptest.js')});
      const out = [];
      for (const p of ['/noperm.txt', '/ok.txt']) {
        const w = new ResponseRecorder();
        await fileServer(${JSON.stringify(dir)})(w, newRequest('GET', p));
        out.push([w.code, w.bodyText]);
      }
      process.stdout.write(JSON.stringify(out));`;
    const asRoot = process.getuid?.() === 0;
    try {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8', timeout: 20_000, ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
      });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), [[403, '403 Forbidden\n'], [200, 'fine']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Splits a multipart/byteranges body into its parts. */
function parseMultipart(body: Buffer, boundary: string): { headers: Record<string, string>; data: Buffer }[] {
  const parts: { headers: Record<string, string>; data: Buffer }[] = [];
  const text = body.toString('latin1');
  const delim = `--${boundary}`;
  assert.ok(text.startsWith(delim + '\r\n'), 'body starts with the boundary');
  assert.ok(text.endsWith(`\r\n${delim}--\r\n`), 'body ends with the closing boundary');
  const inner = text.slice(delim.length + 2, text.length - (`\r\n${delim}--\r\n`).length);
  for (const chunk of inner.split(`\r\n${delim}\r\n`)) {
    const sep = chunk.indexOf('\r\n\r\n');
    const headers: Record<string, string> = {};
    for (const line of chunk.slice(0, sep).split('\r\n')) {
      const i = line.indexOf(': ');
      headers[line.slice(0, i)] = line.slice(i + 2);
    }
    parts.push({ headers, data: Buffer.from(chunk.slice(sep + 4), 'latin1') });
  }
  return parts;
}

describe('ranges', () => {
  const single: [string, number, number][] = [
    ['bytes=0-9', 0, 9], ['bytes=-10', 990, 999], ['bytes=990-', 990, 999], ['bytes=995-2000', 995, 999],
    ['bytes=-2000', 0, 999], ['bytes=500-500', 500, 500], ['bytes= 3 - 7 ', 3, 7], ['bytes=1000-,0-0', 0, 0],
    ['bytes=,5-6,', 5, 6], ['bytes=0-', 0, 999],
  ];
  for (const [range, a, b] of single) {
    test(`${range} → 206 ${a}-${b}`, async () => {
      const w = await get(fileServer(root), '/data.bin', { header: { Range: range } });
      assert.equal(w.code, 206);
      assert.equal(w.header().get('Content-Range'), `bytes ${a}-${b}/1000`);
      assert.equal(w.header().get('Content-Length'), String(b - a + 1));
      assert.equal(w.header().get('Content-Type'), 'application/octet-stream');
      assert.deepEqual(w.body, data.subarray(a, b + 1));
    });
  }

  const bad: [string, string, boolean][] = [
    ['bytes=1000-', 'invalid range: failed to overlap', true],
    ['bytes=5000-6000', 'invalid range: failed to overlap', true],
    ['bytes=1000-,2000-', 'invalid range: failed to overlap', true],
    ['bytes=abc', 'invalid range', false],
    ['bytes=5-1', 'invalid range', false],
    ['bytes=-', 'invalid range', false],
    ['bytes=--5', 'invalid range', false],
    ['bytes=1-2-3', 'invalid range', false],
    ['bytes=x-5', 'invalid range', false],
    ['items=0-1', 'invalid range', false],
    ['bytes=0-1,bad', 'invalid range', false],
  ];
  for (const [range, msg, withContentRange] of bad) {
    test(`${range} → 416 ${msg}`, async () => {
      const w = await get(fileServer(root), '/data.bin', { header: { Range: range } });
      assert.equal(w.code, 416);
      assert.equal(w.bodyText, msg + '\n');
      assert.equal(w.header().get('Content-Range'), withContentRange ? 'bytes */1000' : '');
      assert.equal(w.header().has('Last-Modified'), false, 'error replies drop validators');
    });
  }

  test('several ranges: multipart/byteranges, exact length, parts parsed back', async () => {
    const w = await get(fileServer(root), '/data.bin', { header: { Range: 'bytes=0-4,10-14,990-,-3' } });
    assert.equal(w.code, 206);
    const ct = w.header().get('Content-Type');
    const m = /^multipart\/byteranges; boundary=([0-9a-f]{60})$/.exec(ct);
    assert.ok(m, ct);
    assert.equal(w.header().get('Content-Length'), String(w.body.length));
    assert.equal(w.header().has('Content-Range'), false);
    const parts = parseMultipart(w.body, m[1]);
    const want: [number, number][] = [[0, 4], [10, 14], [990, 999], [997, 999]];
    assert.equal(parts.length, want.length);
    parts.forEach((p, i) => {
      const [a, b] = want[i];
      assert.deepEqual(p.headers, { 'Content-Range': `bytes ${a}-${b}/1000`, 'Content-Type': 'application/octet-stream' });
      assert.deepEqual(p.data, data.subarray(a, b + 1));
    });
  });

  test('ranges adding up to more than the file are ignored (200)', async () => {
    const w = await get(fileServer(root), '/data.bin', { header: { Range: 'bytes=0-999,0-999' } });
    assert.equal(w.code, 200);
    assert.equal(w.body.length, 1000);
    assert.equal(w.header().has('Content-Range'), false);
  });

  test('HEAD with a range: 206 headers, no body', async () => {
    const w = await get(fileServer(root), '/data.bin', { method: 'HEAD', header: { Range: 'bytes=0-9' } });
    assert.equal(w.code, 206);
    assert.equal(w.header().get('Content-Length'), '10');
    assert.equal(w.body.length, 0);
  });

  test('multipart HEAD: length announced, nothing sent', async () => {
    const w = await get(fileServer(root), '/data.bin', { method: 'HEAD', header: { Range: 'bytes=0-1,5-6' } });
    assert.equal(w.code, 206);
    assert.ok(Number(w.header().get('Content-Length')) > 4);
    assert.equal(w.body.length, 0);
  });

  test('parseRange directly', () => {
    assert.deepEqual(parseRange('', 10), []);
    assert.deepEqual(parseRange('bytes=0-0,-1', 10), [{ start: 0, length: 1 }, { start: 9, length: 1 }]);
    assert.deepEqual(parseRange('bytes=-0', 10), [{ start: 10, length: 0 }]);
    assert.deepEqual(parseRange('bytes=+1-+2', 10), [{ start: 1, length: 2 }]);
    assert.throws(() => parseRange('bytes=10-', 10), RangeNoOverlapError);
    assert.throws(() => parseRange('bytes=-1-2', 10), RangeParseError);
    assert.throws(() => parseRange('bytes=0-99999999999999999999', 10), RangeParseError);
  });
});

describe('conditional requests (serveContent)', () => {
  const mod = new Date('2024-03-05T06:07:08.500Z'); // sub-second part is ignored
  type Case = { name: string; method?: string; etag?: string; header: Record<string, string>; code: number; range?: string };
  const cases: Case[] = [
    { name: 'no conditions', header: {}, code: 200 },
    { name: 'If-None-Match hit → 304', etag: '"v1"', header: { 'If-None-Match': '"v1"' }, code: 304 },
    { name: 'If-None-Match list hit', etag: '"v1"', header: { 'If-None-Match': '"a", "b" ,"v1"' }, code: 304 },
    { name: 'If-None-Match weak compare', etag: '"v1"', header: { 'If-None-Match': 'W/"v1"' }, code: 304 },
    { name: 'If-None-Match weak etag both sides', etag: 'W/"v1"', header: { 'If-None-Match': '"v1"' }, code: 304 },
    { name: 'If-None-Match * → 304', header: { 'If-None-Match': '*' }, code: 304 },
    { name: 'If-None-Match miss → 200', etag: '"v1"', header: { 'If-None-Match': '"v2"' }, code: 200 },
    { name: 'If-None-Match hit on POST → 412', method: 'POST', etag: '"v1"', header: { 'If-None-Match': '"v1"' }, code: 412 },
    { name: 'If-None-Match hit on HEAD → 304', method: 'HEAD', etag: '"v1"', header: { 'If-None-Match': '"v1"' }, code: 304 },
    { name: 'If-None-Match garbage → no match', etag: '"v1"', header: { 'If-None-Match': 'v1' }, code: 200 },
    { name: 'If-Match strong hit → 200', etag: '"v1"', header: { 'If-Match': '"v1"' }, code: 200 },
    { name: 'If-Match list hit', etag: '"v1"', header: { 'If-Match': '"x", "v1"' }, code: 200 },
    { name: 'If-Match * → 200', header: { 'If-Match': '*' }, code: 200 },
    { name: 'If-Match miss → 412', etag: '"v1"', header: { 'If-Match': '"v2"' }, code: 412 },
    { name: 'If-Match weak never matches → 412', etag: 'W/"v1"', header: { 'If-Match': 'W/"v1"' }, code: 412 },
    { name: 'If-Match with no ETag → 412', header: { 'If-Match': '"v1"' }, code: 412 },
    { name: 'If-Match beats If-Unmodified-Since', etag: '"v1"', header: { 'If-Match': '"v1"', 'If-Unmodified-Since': 'Mon, 01 Jan 2024 00:00:00 GMT' }, code: 200 },
    { name: 'If-Unmodified-Since before → 412', header: { 'If-Unmodified-Since': 'Mon, 01 Jan 2024 00:00:00 GMT' }, code: 412 },
    { name: 'If-Unmodified-Since equal → 200', header: { 'If-Unmodified-Since': 'Tue, 05 Mar 2024 06:07:08 GMT' }, code: 200 },
    { name: 'If-Unmodified-Since unparsable → ignored', header: { 'If-Unmodified-Since': 'yesterday' }, code: 200 },
    { name: 'If-Modified-Since equal → 304', header: { 'If-Modified-Since': 'Tue, 05 Mar 2024 06:07:08 GMT' }, code: 304 },
    { name: 'If-Modified-Since later → 304', header: { 'If-Modified-Since': 'Wed, 06 Mar 2024 00:00:00 GMT' }, code: 304 },
    { name: 'If-Modified-Since earlier → 200', header: { 'If-Modified-Since': 'Tue, 05 Mar 2024 06:07:07 GMT' }, code: 200 },
    { name: 'If-Modified-Since RFC 850', header: { 'If-Modified-Since': 'Tuesday, 05-Mar-24 06:07:08 GMT' }, code: 304 },
    { name: 'If-Modified-Since asctime', header: { 'If-Modified-Since': 'Tue Mar  5 06:07:08 2024' }, code: 304 },
    { name: 'If-Modified-Since unparsable → 200', header: { 'If-Modified-Since': '2024-03-05' }, code: 200 },
    { name: 'If-Modified-Since ignored for POST', method: 'POST', header: { 'If-Modified-Since': 'Wed, 06 Mar 2024 00:00:00 GMT' }, code: 200 },
    { name: 'If-None-Match miss overrides If-Modified-Since', etag: '"v1"', header: { 'If-None-Match': '"v2"', 'If-Modified-Since': 'Wed, 06 Mar 2024 00:00:00 GMT' }, code: 200 },
    { name: 'If-Range etag hit → 206', etag: '"v1"', header: { Range: 'bytes=0-1', 'If-Range': '"v1"' }, code: 206, range: 'bytes 0-1/10' },
    { name: 'If-Range etag miss → 200', etag: '"v1"', header: { Range: 'bytes=0-1', 'If-Range': '"v2"' }, code: 200 },
    { name: 'If-Range weak etag → 200', etag: 'W/"v1"', header: { Range: 'bytes=0-1', 'If-Range': 'W/"v1"' }, code: 200 },
    { name: 'If-Range date equal → 206', header: { Range: 'bytes=2-3', 'If-Range': 'Tue, 05 Mar 2024 06:07:08 GMT' }, code: 206, range: 'bytes 2-3/10' },
    { name: 'If-Range date differs → 200', header: { Range: 'bytes=2-3', 'If-Range': 'Tue, 05 Mar 2024 06:07:09 GMT' }, code: 200 },
    { name: 'If-Range garbage → 200', header: { Range: 'bytes=2-3', 'If-Range': 'nope' }, code: 200 },
    { name: 'If-Range makes a bad Range harmless', etag: '"v1"', header: { Range: 'bytes=zzz', 'If-Range': '"v2"' }, code: 200 },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const w = new ResponseRecorder();
      if (c.etag !== undefined) w.header().set('Etag', c.etag);
      const r = newRequest(c.method ?? 'GET', '/f', { header: c.header });
      await serveContent(w, r, 'f.txt', mod, '0123456789');
      assert.equal(w.code, c.code);
      if (c.code === 304) {
        assert.equal(w.header().has('Content-Type'), false);
        assert.equal(w.header().has('Content-Length'), false);
        assert.equal(w.header().has('Last-Modified'), c.etag === undefined, 'Last-Modified dropped when an ETag is set');
        assert.equal(w.bodyText, '');
      } else if (c.code === 412) {
        assert.equal(w.bodyText, '');
      } else if (c.code === 206) {
        assert.equal(w.header().get('Content-Range'), c.range);
      } else {
        assert.equal(w.bodyText, c.method === 'HEAD' ? '' : '0123456789');
        assert.equal(w.header().get('Last-Modified'), 'Tue, 05 Mar 2024 06:07:08 GMT');
      }
    });
  }

  test('zero and epoch modtimes: no Last-Modified, date conditions ignored', async () => {
    for (const t of [null, new Date(0)]) {
      const w = new ResponseRecorder();
      await serveContent(w, newRequest('GET', '/', { header: { 'If-Modified-Since': 'Wed, 06 Mar 2024 00:00:00 GMT' } }), 'x.txt', t, 'abc');
      assert.equal(w.code, 200);
      assert.equal(w.header().has('Last-Modified'), false);
    }
  });

  test('Content-Type: preset kept, preset empty not sniffed, extension, sniffed', async () => {
    const run = async (name: string, preset: string | null, body: string | Uint8Array): Promise<string[] | undefined> => {
      const w = new ResponseRecorder();
      if (preset !== null) w.header().set('Content-Type', preset);
      await serveContent(w, newRequest('GET', '/'), name, null, body);
      return w.header().raw('Content-Type');
    };
    assert.deepEqual(await run('a.txt', 'application/x-mine', 'x'), ['application/x-mine']);
    assert.deepEqual(await run('a.txt', '', '<html>'), ['']);
    assert.deepEqual(await run('a.JSON', null, 'x'), ['application/json']);
    assert.deepEqual(await run('a', null, '<!DOCTYPE html><p>'), ['text/html; charset=utf-8']);
    assert.deepEqual(await run('a', null, Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0])), ['image/png']);
  });

  test('Content-Encoding without a range: no Content-Length', async () => {
    const w = new ResponseRecorder();
    w.header().set('Content-Encoding', 'gzip');
    await serveContent(w, newRequest('GET', '/'), 'a.gz', null, 'zz');
    assert.equal(w.header().has('Content-Length'), false);
    const w2 = new ResponseRecorder();
    w2.header().set('Content-Encoding', 'gzip');
    await serveContent(w2, newRequest('GET', '/', { header: { Range: 'bytes=0-0' } }), 'a.gz', null, 'zz');
    assert.equal(w2.header().get('Content-Length'), '1');
  });

  test('custom random-access source', async () => {
    const reads: number[] = [];
    const src = {
      size: 1 << 20,
      async readAt(p: Uint8Array, pos: number) {
        reads.push(pos);
        p.fill(0x7a);
        return Math.min(p.length, (1 << 20) - pos);
      },
    };
    const w = new ResponseRecorder();
    await serveContent(w, newRequest('GET', '/', { header: { Range: 'bytes=1048570-' } }), 'z.bin', null, src);
    assert.equal(w.code, 206);
    assert.equal(w.bodyText, 'zzzzzz');
    assert.deepEqual(reads, [1048570]);
  });
});

describe('streaming', () => {
  test('large files go out in chunks, each write awaited', async () => {
    let pending = 0;
    let maxPending = 0;
    let writes = 0;
    let total = 0;
    const h = new Header();
    let status = 0;
    const w: ResponseWriter = {
      header: () => h,
      writeHeader: (c) => { status = c; },
      write: async (chunk) => {
        pending++;
        maxPending = Math.max(maxPending, pending);
        writes++;
        total += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
        await new Promise((r) => setImmediate(r));
        pending--;
      },
    };
    await fileServer(root)(w, newRequest('GET', '/big.bin'));
    assert.equal(status, 200);
    assert.equal(total, 3 * 1024 * 1024 + 17);
    assert.equal(h.get('Content-Length'), String(total));
    assert.ok(writes >= 48, `writes ${writes}`);
    assert.equal(maxPending, 1);
  });
});

describe('serveFile', () => {
  test('serves the named file whatever the URL', async () => {
    const w = new ResponseRecorder();
    await serveFile(w, newRequest('GET', '/whatever/x.png'), join(root, 'hello.txt'));
    assert.equal(w.code, 200);
    assert.equal(w.bodyText, 'hello, world\n');
    assert.equal(w.header().get('Content-Type'), 'text/plain; charset=utf-8');
  });

  test('a .. element in the request path → 400', async () => {
    const w = new ResponseRecorder();
    await serveFile(w, newRequest('GET', '/x/..%5cy'), join(root, 'hello.txt'));
    assert.equal(w.code, 400);
    assert.equal(w.bodyText, 'invalid URL path\n');
  });

  test('a raw /../ in the request path → 400', async () => {
    const w = new ResponseRecorder();
    await serveFile(w, newRequest('GET', '/x/../y'), join(root, 'hello.txt'));
    assert.equal(w.code, 400);
  });

  test('index.html in the request path redirects', async () => {
    const w = new ResponseRecorder();
    await serveFile(w, newRequest('GET', '/a/index.html'), join(root, 'site', 'index.html'));
    assert.equal(w.code, 301);
    assert.equal(w.header().get('Location'), './');
  });

  test('a directory needs a trailing slash, then lists', async () => {
    const w = new ResponseRecorder();
    await serveFile(w, newRequest('GET', '/d'), join(root, 'sub'));
    assert.equal(w.code, 301);
    assert.equal(w.header().get('Location'), 'd/');
    const w2 = new ResponseRecorder();
    await serveFile(w2, newRequest('GET', '/d/'), join(root, 'sub'));
    assert.equal(w2.code, 200);
    assert.match(w2.bodyText, /<a href="a.txt">a.txt<\/a>/);
  });
});

describe('mapFS and custom FS', () => {
  const mfs = mapFS({
    'index.html': '<p>home</p>',
    'docs/a.md': '# A',
    'docs/img/logo.png': { data: Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), modTime: MTIME },
  });
  test('root index, files, listing', async () => {
    const h = fileServer(mfs);
    const home = await get(h, '/');
    assert.equal(home.bodyText, '<p>home</p>');
    const md = await get(h, '/docs/a.md');
    assert.equal(md.header().get('Content-Type'), 'text/markdown; charset=utf-8');
    assert.equal(md.bodyText, '# A');
    const list = await get(h, '/docs/');
    assert.match(list.bodyText, /<a href="a.md">a.md<\/a>\n<a href="img\/">img\/<\/a>\n/);
    const png = await get(h, '/docs/img/logo.png', { header: { 'If-Modified-Since': MTIME.toUTCString() } });
    assert.equal(png.code, 304);
    assert.equal((await get(h, '/nope')).code, 404);
    assert.equal((await get(h, '/docs')).header().get('Location'), 'docs/');
  });

  test('files are closed after serving', async () => {
    let opened = 0;
    let closed = 0;
    const counting: FS = {
      async open(name) {
        const f: File = await mfs.open(name);
        opened++;
        return { ...f, close: async () => { closed++; } };
      },
    };
    const h = fileServer(counting);
    await get(h, '/docs/a.md');
    await get(h, '/');
    await get(h, '/docs/');
    await get(h, '/docs/a.md', { header: { Range: 'bytes=9-' } });
    assert.ok(opened >= 4);
    assert.equal(closed, opened);
  });
});

describe('parseHTTPTime', () => {
  const ok: [string, string][] = [
    ['Sun, 06 Nov 1994 08:49:37 GMT', '1994-11-06T08:49:37.000Z'],
    ['Sunday, 06-Nov-94 08:49:37 GMT', '1994-11-06T08:49:37.000Z'],
    ['Sun Nov  6 08:49:37 1994', '1994-11-06T08:49:37.000Z'],
    ['Thu, 01 Jan 1970 00:00:00 GMT', '1970-01-01T00:00:00.000Z'],
  ];
  for (const [s, iso] of ok) test(s, () => assert.equal(parseHTTPTime(s)?.toISOString(), iso));
  for (const s of ['', 'Sun, 06 Nov 1994 08:49:37 UTC', 'Sun, 6 Nov 1994 08:49:37 GMT', 'Sun, 31 Feb 1994 08:49:37 GMT',
    'Xyz, 06 Nov 1994 08:49:37 GMT', 'Sun, 06 Nov 1994 25:49:37 GMT', '1994-11-06T08:49:37Z']) {
    test(`rejects ${JSON.stringify(s)}`, () => assert.equal(parseHTTPTime(s), null));
  }
});

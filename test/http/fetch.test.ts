// fetch() on top of the Client: web Response, headers, bodies of each kind, redirect modes,
// abort, and errors shaped like undici's (TypeError 'fetch failed' with the cause).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { fetch, fetchWith } from '../../src/http/fetch.js';
import { Transport } from '../../src/http/transport.js';
import { URLError } from '../../src/http/client.js';
import { rawServer, reply, type RawServer } from '../support/nginx.js';

const servers: RawServer[] = [];
const transport = new Transport();
after(() => {
  for (const s of servers) s.close();
  transport.closeIdleConnections();
});
const f = fetchWith({ transport });

async function echoServer(): Promise<RawServer> {
  const s = await rawServer(async (x) => {
    const p = x.req.url.pathname;
    if (p === '/redirect') {
      await x.conn.write(reply('', { status: '302 Found', headers: ['Location: /dest'] }));
      return undefined;
    }
    if (p === '/gz') {
      await x.conn.write(reply(gzipSync('zipped'), { headers: ['Content-Encoding: gzip', 'Content-Type: text/plain'] }));
      return undefined;
    }
    if (p === '/hold') return 'hold';
    const b = await x.body();
    const te = x.req.header.get('Transfer-Encoding') || x.req.transferEncoding.join(',');
    await x.conn.write(reply(JSON.stringify({
      method: x.req.method, path: p, body: b.toString(), ct: x.req.header.get('Content-Type'), cl: x.req.header.get('Content-Length'), te, x: x.req.header.get('X-Test'),
    }), { headers: ['Content-Type: application/json', 'Set-Cookie: a=1', 'Set-Cookie: b=2'] }));
    return undefined;
  });
  servers.push(s);
  return s;
}

test('GET: status, headers, json, url', async () => {
  const s = await echoServer();
  const res = await f(s.url + '/x?q=1', { headers: { 'X-Test': 'yes' } });
  assert.ok(res instanceof globalThis.Response);
  assert.equal(res.status, 200);
  assert.equal(res.ok, true);
  assert.equal(res.statusText, 'OK');
  assert.equal(res.headers.get('content-type'), 'application/json');
  assert.deepEqual(res.headers.getSetCookie(), ['a=1', 'b=2']);
  assert.equal(res.url, s.url + '/x?q=1');
  assert.equal(res.redirected, false);
  assert.deepEqual(await res.json(), { method: 'GET', path: '/x', body: '', ct: '', cl: '', te: '', x: 'yes' });
});

test('bodies: string, bytes, URLSearchParams, Blob, FormData, ReadableStream', async () => {
  const s = await echoServer();
  const post = async (body: BodyInit): Promise<Record<string, string>> => (await (await f(s.url + '/p', { method: 'POST', body })).json()) as Record<string, string>;
  let r = await post('hello');
  assert.equal(r.body, 'hello');
  assert.equal(r.ct, 'text/plain;charset=UTF-8');
  assert.equal(r.cl, '5');
  r = await post(new Uint8Array([65, 66]));
  assert.equal(r.body, 'AB');
  assert.equal(r.cl, '2');
  r = await post(new URLSearchParams({ a: 'b c' }));
  assert.equal(r.body, 'a=b+c');
  assert.equal(r.ct, 'application/x-www-form-urlencoded;charset=UTF-8');
  r = await post(new Blob(['blob!'], { type: 'text/x-blob' }));
  assert.equal(r.body, 'blob!');
  assert.equal(r.ct, 'text/x-blob');
  const fd = new FormData();
  fd.set('field', 'value');
  r = await post(fd);
  assert.match(r.ct!, /^multipart\/form-data; boundary=/);
  assert.match(r.body!, /name="field"\r\n\r\nvalue\r\n/);
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode('str'));
      c.enqueue(new TextEncoder().encode('eam'));
      c.close();
    },
  });
  r = await post(stream);
  assert.equal(r.body, 'stream');
  assert.equal(r.te, 'chunked');
  await assert.rejects(f(s.url, { method: 'GET', body: 'x' }), TypeError);
});

test('redirects: follow (default), manual, error', async () => {
  const s = await echoServer();
  const res = await f(s.url + '/redirect');
  assert.equal(res.redirected, true);
  assert.equal(res.url, s.url + '/dest');
  assert.equal(((await res.json()) as { path: string }).path, '/dest');
  const manual = await f(s.url + '/redirect', { redirect: 'manual' });
  assert.equal(manual.status, 302);
  assert.equal(manual.headers.get('location'), '/dest');
  await manual.arrayBuffer();
  await assert.rejects(f(s.url + '/redirect', { redirect: 'error' }), (e: unknown) => e instanceof TypeError && e.message === 'fetch failed' && (e.cause as Error) instanceof URLError);
});

test('gzip decoded; abort rejects with the signal reason; network errors are TypeError with a cause', async () => {
  const s = await echoServer();
  const gz = await f(s.url + '/gz');
  assert.equal(await gz.text(), 'zipped');
  assert.equal(gz.headers.get('content-encoding'), null);
  const ctl = new AbortController();
  setTimeout(() => ctl.abort(new Error('stop it')), 50);
  await assert.rejects(f(s.url + '/hold', { signal: ctl.signal }), (e: unknown) => (e as Error).message === 'stop it');
  await assert.rejects(f('http://127.0.0.1:1/'), (e: unknown) => {
    assert.ok(e instanceof TypeError);
    assert.equal(e.message, 'fetch failed');
    assert.match((e.cause as Error).message, /connection refused/);
    return true;
  });
  // The package-level fetch works too (default client; loopback is never proxied).
  const res = await fetch(s.url + '/plain');
  assert.equal(res.status, 200);
  await res.arrayBuffer();
});

// Transport against scripted raw servers (gonet's own listener): the adversarial cases —
// stale keep-alive conns, retries, timeouts, cancellation in each phase, the wait queue, idle
// expiry, 100-continue, content decoding, request body framing on the wire, bad servers.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { Transport, TransportError, RequestCanceledError, upgradedConn } from '../../src/http/transport.js';
import { Request } from '../../src/http/request.js';
import { ProtocolError } from '../../src/http/wire/head.js';
import type { ClientTrace } from '../../src/http/trace.js';
import { rawServer, reply, type RawServer } from '../support/nginx.js';
import { HungListener } from '../support/net.js';

const servers: RawServer[] = [];
const transports: Transport[] = [];
after(() => {
  for (const s of servers) s.close();
  for (const t of transports) t.closeIdleConnections();
});

async function server(h: Parameters<typeof rawServer>[0]): Promise<RawServer> {
  const s = await rawServer(h);
  servers.push(s);
  return s;
}

function transport(o: ConstructorParameters<typeof Transport>[0] = {}): Transport {
  const t = new Transport(o);
  transports.push(t);
  return t;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function recorder(): { trace: ClientTrace; events: string[] } {
  const events: string[] = [];
  const trace: ClientTrace = {
    getConn: (hp) => events.push(`getConn ${hp}`),
    gotConn: (i) => events.push(`gotConn reused=${i.reused} wasIdle=${i.wasIdle}`),
    putIdleConn: (e) => events.push(`putIdleConn ${e === null ? 'ok' : e.message}`),
    connectStart: (n, a) => events.push(`connectStart ${n} ${a}`),
    connectDone: (n, a, e) => events.push(`connectDone ${n} ${a} ${e === null ? 'ok' : e.message}`),
    wroteHeaders: () => events.push('wroteHeaders'),
    wait100Continue: () => events.push('wait100Continue'),
    got100Continue: () => events.push('got100Continue'),
    got1xxResponse: (c) => events.push(`got1xx ${c}`),
    wroteRequest: (i) => events.push(`wroteRequest ${i.err === null ? 'ok' : i.err.message}`),
    gotFirstResponseByte: () => events.push('gotFirstResponseByte'),
  };
  return { trace, events };
}

test('a GET that meets a conn the server dropped is retried on a new conn', async () => {
  const s = await server(async (x) => {
    // The second request on a conn is read and the conn closed without a reply.
    if (x.reqIndex === 1) return 'close';
    await x.conn.write(reply(`hello from conn ${x.connIndex}`));
    return undefined;
  });
  const t = transport();
  const r1 = await t.roundTrip(new Request('GET', s.url + '/a'));
  assert.equal(await r1.text(), 'hello from conn 0');
  const { trace, events } = recorder();
  const r2 = await t.roundTrip(new Request('GET', s.url + '/b'), { trace });
  assert.equal(r2.statusCode, 200);
  assert.equal(await r2.text(), 'hello from conn 1');
  assert.equal(s.conns, 2);
  const got = events.filter((e) => e.startsWith('gotConn'));
  assert.deepEqual(got, ['gotConn reused=true wasIdle=true', 'gotConn reused=false wasIdle=false']);
});

test('a POST without Idempotency-Key on a dropped conn is not retried and says why', async () => {
  const s = await server(async (x) => {
    await x.body();
    if (x.reqIndex === 1) return 'close';
    await x.conn.write(reply('ok'));
    return undefined;
  });
  const t = transport();
  await (await t.roundTrip(new Request('POST', s.url, { body: 'one' }))).text();
  await assert.rejects(t.roundTrip(new Request('POST', s.url, { body: 'two' })), (e: unknown) => {
    assert.ok(e instanceof TransportError);
    assert.equal(e.code, 'ERR_HTTP_SERVER_CLOSED_IDLE');
    assert.match(e.message, /server closed idle connection before sending a response/);
    assert.match(e.message, /POST is not idempotent; set an Idempotency-Key header/);
    return true;
  });
  assert.equal(s.conns, 1, 'no second conn: not retried');
  // With an Idempotency-Key it is retried.
  await (await t.roundTrip(new Request('POST', s.url, { body: 'three' }))).text();
  const r = await t.roundTrip(new Request('POST', s.url, { body: 'four', header: { 'Idempotency-Key': 'k1' } }));
  assert.equal(await r.text(), 'ok');
  assert.equal(s.conns, 3);
  assert.match(s.received[2]!.map((b) => b.toString('latin1')).join(''), /Idempotency-Key: k1\r\n\r\nfour$/);
});

test('an idle conn the server closes is dropped from the pool, not handed out', async () => {
  const s = await server(async (x) => {
    await x.conn.write(reply('x'));
    await sleep(30);
    return 'close';
  });
  const t = transport();
  await (await t.roundTrip(new Request('GET', s.url))).text();
  await s.closed[0];
  await sleep(50);
  const key = Object.keys(t.stats())[0];
  assert.equal(key, undefined, `pool forgot the dead conn: ${JSON.stringify(t.stats())}`);
  const { trace, events } = recorder();
  const r = await t.roundTrip(new Request('GET', s.url), { trace });
  assert.equal(await r.text(), 'x');
  assert.ok(events.includes('gotConn reused=false wasIdle=false'));
});

test('responseHeaderTimeout fails the request and closes the conn', async () => {
  const s = await server(async () => 'hold');
  const t = transport({ responseHeaderTimeout: 150 });
  const t0 = Date.now();
  await assert.rejects(t.roundTrip(new Request('GET', s.url)), (e: unknown) => {
    assert.ok(e instanceof TransportError);
    assert.equal(e.code, 'ERR_HTTP_HEADER_TIMEOUT');
    assert.equal(e.message, 'net/http: timeout awaiting response headers');
    assert.equal(e.timeout, true);
    return true;
  });
  assert.ok(Date.now() - t0 >= 140);
  await s.closed[0];
  assert.deepEqual(t.stats(), {});
});

test('maxConnsPerHost queues requests; a waiter honours its signal', async () => {
  const s = await server(async (x) => {
    await sleep(300);
    await x.conn.write(reply(`r${x.reqIndex}`));
  });
  const t = transport({ maxConnsPerHost: 1 });
  const first = t.roundTrip(new Request('GET', s.url));
  await sleep(50);
  const ctl = new AbortController();
  const second = t.roundTrip(new Request('GET', s.url), { signal: ctl.signal });
  const third = t.roundTrip(new Request('GET', s.url));
  await sleep(50);
  const st = Object.values(t.stats())[0]!;
  assert.deepEqual(st, { idle: 0, active: 1, dialing: 0, waiting: 2 });
  ctl.abort();
  await assert.rejects(second, (e: unknown) => {
    assert.ok(e instanceof RequestCanceledError);
    assert.equal(e.phase, 'waiting for connection');
    assert.equal(e.message, 'net/http: request canceled while waiting for connection');
    return true;
  });
  assert.equal(Object.values(t.stats())[0]!.waiting, 1);
  assert.equal(await (await first).text(), 'r0');
  assert.equal(await (await third).text(), 'r1');
  assert.equal(s.conns, 1);
  assert.deepEqual(Object.values(t.stats())[0], { idle: 1, active: 0, dialing: 0, waiting: 0 });
});

test('cancel while dialing names the phase', async () => {
  const hung = await HungListener.start('127.0.0.1');
  try {
    const t = transport();
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 100);
    await assert.rejects(t.roundTrip(new Request('GET', `http://${hung.address}/`), { signal: ctl.signal }), (e: unknown) => {
      assert.ok(e instanceof RequestCanceledError, String(e));
      assert.equal(e.phase, 'dialing');
      assert.equal(e.message, 'net/http: request canceled while dialing');
      return true;
    });
    await sleep(20);
    assert.deepEqual(t.stats(), {});
  } finally {
    hung.stop();
  }
});

test('cancel during the TLS handshake names the phase and closes the conn', async () => {
  const s = await server(async () => 'hold');
  const t = transport();
  const ctl = new AbortController();
  setTimeout(() => ctl.abort(), 100);
  await assert.rejects(t.roundTrip(new Request('GET', `https://127.0.0.1:${s.port}/`), { signal: ctl.signal }), (e: unknown) => {
    assert.ok(e instanceof RequestCanceledError, String(e));
    assert.equal(e.phase, 'TLS handshake');
    return true;
  });
  await s.closed[0];
});

test('tlsHandshakeTimeout bounds a silent server', async () => {
  const s = await server(async () => 'hold');
  const t = transport({ tlsHandshakeTimeout: 100 });
  await assert.rejects(t.roundTrip(new Request('GET', `https://127.0.0.1:${s.port}/`)), (e: unknown) => {
    assert.equal((e as Error).message, 'net/http: TLS handshake timeout');
    assert.equal((e as { timeout: boolean }).timeout, true);
    return true;
  });
  await s.closed[0];
});

test('cancel while awaiting headers and while reading the body', async () => {
  const s = await server(async (x) => {
    if (x.req.url.pathname === '/body') {
      await x.conn.write(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789'));
    }
    return 'hold';
  });
  const t = transport();
  const ctl = new AbortController();
  setTimeout(() => ctl.abort(), 80);
  await assert.rejects(t.roundTrip(new Request('GET', s.url + '/head'), { signal: ctl.signal }), (e: unknown) => {
    assert.ok(e instanceof RequestCanceledError);
    assert.equal(e.phase, 'awaiting response headers');
    return true;
  });
  await s.closed[0];

  const ctl2 = new AbortController();
  const res = await t.roundTrip(new Request('GET', s.url + '/body'), { signal: ctl2.signal });
  assert.equal(Buffer.from((await res.body.readChunk())!).toString(), '0123456789');
  const pending = res.body.readChunk();
  ctl2.abort();
  await assert.rejects(pending, (e: unknown) => {
    assert.ok(e instanceof RequestCanceledError);
    assert.equal(e.phase, 'reading body');
    assert.equal(e.message, 'net/http: request canceled while reading body');
    return true;
  });
  await s.closed[1];
  assert.deepEqual(t.stats(), {});
});

test('cancel while writing a streamed body', async () => {
  const s = await server(async () => 'hold');
  const t = transport();
  async function* slow(): AsyncGenerator<Uint8Array> {
    yield Buffer.from('part');
    await new Promise(() => {}); // never ends (and holds no timer)
  }
  const ctl = new AbortController();
  setTimeout(() => ctl.abort(), 100);
  await assert.rejects(t.roundTrip(new Request('POST', s.url, { body: slow() }), { signal: ctl.signal }), (e: unknown) => {
    assert.ok(e instanceof RequestCanceledError);
    assert.equal(e.phase, 'writing request');
    return true;
  });
  await s.closed[0];
});

test('idle conns expire after idleConnTimeout', async () => {
  const s = await server(async (x) => {
    await x.conn.write(reply('x'));
  });
  const t = transport({ idleConnTimeout: 100 });
  await (await t.roundTrip(new Request('GET', s.url))).text();
  assert.equal(Object.values(t.stats())[0]!.idle, 1);
  await s.closed[0];
  assert.deepEqual(t.stats(), {});
});

test('100-continue: body waits for the interim reply', async () => {
  const s = await server(async (x) => {
    await sleep(50);
    assert.equal(x.raw().toString('latin1').endsWith('\r\n\r\n'), true, 'only the head arrived before 100');
    await x.conn.write(Buffer.from('HTTP/1.1 100 Continue\r\n\r\n'));
    const b = await x.body();
    await x.conn.write(reply(`got ${b.toString()}`));
  });
  const t = transport({ expectContinueTimeout: 5000 });
  const { trace, events } = recorder();
  const res = await t.roundTrip(new Request('PUT', s.url, { body: 'payload', header: { Expect: '100-continue' } }), { trace });
  assert.equal(await res.text(), 'got payload');
  const order = events.filter((e) => !e.startsWith('connect') && !e.startsWith('getConn') && !e.startsWith('gotConn') && !e.startsWith('putIdle'));
  assert.deepEqual(order, ['wroteHeaders', 'wait100Continue', 'gotFirstResponseByte', 'got100Continue', 'got1xx 100', 'wroteRequest ok']);
});

test('100-continue: the body goes after expectContinueTimeout when the server stays silent', async () => {
  const s = await server(async (x) => {
    const b = await x.body();
    await x.conn.write(reply(`late ${b.toString()}`));
  });
  const t = transport({ expectContinueTimeout: 200 });
  const t0 = Date.now();
  const res = await t.roundTrip(new Request('POST', s.url, { body: 'data', header: { Expect: '100-continue' } }));
  assert.equal(await res.text(), 'late data');
  assert.ok(Date.now() - t0 >= 190, 'waited for the timer');
});

test('100-continue: a 417 with Connection: close skips the body and the conn is not reused', async () => {
  const s = await server(async (x) => {
    await x.conn.write(reply('no', { status: '417 Expectation Failed', headers: ['Connection: close'] }));
    await sleep(100);
    return 'close';
  });
  const t = transport({ expectContinueTimeout: 5000 });
  const res = await t.roundTrip(new Request('POST', s.url, { body: 'never-sent', header: { Expect: '100-continue' } }));
  assert.equal(res.statusCode, 417);
  assert.equal(await res.text(), 'no');
  await s.closed[0];
  assert.ok(!Buffer.concat(s.received[0]!).toString().includes('never-sent'));
  assert.deepEqual(t.stats(), {});
});

test('100-continue: an early final reply on a keep-alive conn still gets the body, and the conn is reused', async () => {
  const s = await server(async (x) => {
    await x.conn.write(reply(`early ${x.reqIndex}`, { status: '403 Forbidden' }));
    // The codec drains the body before the next request; it must arrive.
    const b = await x.body();
    assert.equal(b.toString(), x.reqIndex === 0 ? 'sent-anyway' : '');
    return undefined;
  });
  const t = transport({ expectContinueTimeout: 5000 });
  const res = await t.roundTrip(new Request('POST', s.url, { body: 'sent-anyway', header: { Expect: '100-continue' } }));
  assert.equal(res.statusCode, 403);
  assert.equal(await res.text(), 'early 0');
  await sleep(20);
  const again = await t.roundTrip(new Request('GET', s.url));
  assert.equal(await again.text(), 'early 1');
  assert.equal(s.conns, 1);
  assert.ok(Buffer.concat(s.received[0]!).toString().includes('\r\n\r\nsent-anyway'));
});

test('gzip and brotli replies are decoded when we asked; not when the caller did', async () => {
  const text = 'compressible '.repeat(1000);
  const s = await server(async (x) => {
    const p = x.req.url.pathname;
    const body = p === '/br' ? brotliCompressSync(text) : gzipSync(text);
    await x.conn.write(reply(body, { headers: [`Content-Encoding: ${p === '/br' ? 'br' : 'gzip'}`, `X-Accept: ${x.req.header.get('Accept-Encoding')}`] }));
  });
  const t = transport();
  for (const p of ['/gzip', '/br']) {
    const res = await t.roundTrip(new Request('GET', s.url + p));
    assert.equal(res.header.get('X-Accept'), 'gzip, br');
    assert.equal(res.uncompressed, true);
    assert.equal(res.header.get('Content-Encoding'), '');
    assert.equal(res.header.get('Content-Length'), '');
    assert.equal(res.contentLength, -1);
    assert.equal(await res.text(), text);
  }
  const res = await t.roundTrip(new Request('GET', s.url + '/gzip', { header: { 'Accept-Encoding': 'gzip' } }));
  assert.equal(res.uncompressed, false);
  assert.equal(res.header.get('Content-Encoding'), 'gzip');
  assert.deepEqual(Buffer.from(await res.bytes()), gzipSync(text));
  assert.equal(s.conns, 1, 'decoded bodies read to the end return the conn');
});

test('a corrupt gzip body is a DecodeError', async () => {
  const s = await server(async (x) => {
    await x.conn.write(reply(Buffer.from('not gzip at all'), { headers: ['Content-Encoding: gzip'] }));
  });
  const t = transport();
  const res = await t.roundTrip(new Request('GET', s.url));
  await assert.rejects(res.text(), (e: unknown) => (e as Error).name === 'DecodeError' && /gzip response body/.test((e as Error).message));
});

test('request bodies: Content-Length when known, chunked otherwise (bytes on the wire)', async () => {
  const s = await server(async (x) => {
    await x.body();
    await x.conn.write(reply('ok'));
  });
  const t = transport();
  const wire = async (body: ConstructorParameters<typeof Request>[2]): Promise<string> => {
    const before = Buffer.concat(s.received[0] ?? []).length;
    const res = await t.roundTrip(new Request('POST', s.url + '/p', body));
    await res.text();
    return Buffer.concat(s.received[0]!).subarray(before).toString('latin1');
  };
  const bytes = await wire({ body: new Uint8Array([104, 105]) });
  assert.match(bytes, /^POST \/p HTTP\/1\.1\r\nHost: 127\.0\.0\.1:\d+\r\nUser-Agent: Go-http-client\/1\.1\r\nContent-Length: 2\r\nAccept-Encoding: gzip, br\r\n\r\nhi$/);
  const utf = await wire({ body: 'héllo' });
  assert.match(utf, /\r\nContent-Length: 6\r\n/);
  assert.ok(utf.endsWith('\r\n\r\nh\xc3\xa9llo'));
  async function* gen(): AsyncGenerator<Uint8Array> {
    yield Buffer.from('xx');
    yield Buffer.from('yyy');
  }
  const chunked = await wire({ body: gen() });
  assert.match(chunked, /\r\nTransfer-Encoding: chunked\r\n/);
  assert.ok(!chunked.includes('Content-Length'));
  assert.ok(chunked.endsWith('\r\n\r\n2\r\nxx\r\n3\r\nyyy\r\n0\r\n\r\n'), JSON.stringify(chunked));
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode('web'));
      c.enqueue(new TextEncoder().encode('stream'));
      c.close();
    },
  });
  const ws = await wire({ body: stream });
  assert.ok(ws.endsWith('\r\n\r\n3\r\nweb\r\n6\r\nstream\r\n0\r\n\r\n'), JSON.stringify(ws));
  const known = await wire({ body: gen(), contentLength: 5 });
  assert.match(known, /\r\nContent-Length: 5\r\n/);
  assert.ok(known.endsWith('\r\n\r\nxxyyy'));
  assert.equal(s.conns, 1);
});

test('bad servers: each failure is typed and the next request works', async () => {
  const s = await server(async (x) => {
    const p = x.req.url.pathname;
    if (p === '/badstatus') {
      await x.conn.write(Buffer.from('HTTP/1.1 2x0 Nope\r\n\r\n'));
      return 'close';
    }
    if (p === '/hugeheaders') {
      await x.conn.write(Buffer.from('HTTP/1.1 200 OK\r\n' + Array.from({ length: 100 }, (_, i) => `X-H${i}: ${'a'.repeat(100)}\r\n`).join('') + '\r\n'));
      return 'close';
    }
    if (p === '/short') {
      await x.conn.write(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'));
      return 'close';
    }
    if (p === '/midchunk') {
      await x.conn.write(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel'));
      return 'close';
    }
    await x.conn.write(reply('fine'));
    return undefined;
  });
  const t = transport({ maxResponseHeaderBytes: 4096 });
  await assert.rejects(t.roundTrip(new Request('GET', s.url + '/badstatus')), (e: unknown) => e instanceof ProtocolError && /status/i.test(e.message));
  await assert.rejects(t.roundTrip(new Request('GET', s.url + '/hugeheaders')), (e: unknown) =>
    e instanceof ProtocolError && e.message === 'server response headers exceeded 4096 bytes; aborted');
  const short = await t.roundTrip(new Request('GET', s.url + '/short'));
  await assert.rejects(short.text(), (e: unknown) => e instanceof ProtocolError && e.code === 'ERR_HTTP_UNEXPECTED_EOF');
  const mid = await t.roundTrip(new Request('GET', s.url + '/midchunk'));
  await assert.rejects(mid.text(), (e: unknown) => e instanceof ProtocolError && e.code === 'ERR_HTTP_UNEXPECTED_EOF');
  const ok = await t.roundTrip(new Request('GET', s.url + '/ok'));
  assert.equal(await ok.text(), 'fine');
  assert.deepEqual(Object.values(t.stats()), [{ idle: 1, active: 0, dialing: 0, waiting: 0 }]);
});

test('1xx replies: got1xxResponse per reply, and too many of them fail', async () => {
  const s = await server(async (x) => {
    const n = x.req.url.pathname === '/many' ? 6 : 2;
    for (let i = 0; i < n; i++) await x.conn.write(Buffer.from('HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n'));
    await x.conn.write(reply('final'));
  });
  const t = transport();
  const { trace, events } = recorder();
  const res = await t.roundTrip(new Request('GET', s.url + '/two'), { trace });
  assert.equal(await res.text(), 'final');
  assert.equal(events.filter((e) => e === 'got1xx 103').length, 2);
  await assert.rejects(t.roundTrip(new Request('GET', s.url + '/many')), (e: unknown) =>
    e instanceof TransportError && e.message === 'net/http: too many 1xx informational responses');
});

test('closing a body early closes the conn; reading to the end pools it (putIdleConn)', async () => {
  const s = await server(async (x) => {
    await x.conn.write(reply('0123456789'));
  });
  const t = transport();
  const { trace, events } = recorder();
  const r1 = await t.roundTrip(new Request('GET', s.url), { trace });
  await r1.text();
  assert.ok(events.includes('putIdleConn ok'));
  const r2 = await t.roundTrip(new Request('GET', s.url));
  r2.body.close();
  await s.closed[0];
  assert.deepEqual(t.stats(), {});
  const r3 = await t.roundTrip(new Request('GET', s.url));
  assert.equal(await r3.text(), '0123456789');
  assert.equal(s.conns, 2);
});

test('roundTrip validation errors', async () => {
  const t = transport();
  await assert.rejects(t.roundTrip(new Request('GET', 'http://127.0.0.1:1/', { header: { 'Bad Name': 'x' } })), (e: unknown) =>
    e instanceof TransportError && e.message === 'net/http: invalid header field name "Bad Name"');
  await assert.rejects(t.roundTrip(new Request('GET', 'http://127.0.0.1:1/', { header: { 'X-Inject': 'a\r\nEvil: 1' } })), (e: unknown) =>
    e instanceof TransportError && e.message === 'net/http: invalid header field value for "X-Inject"');
  await assert.rejects(t.roundTrip(new Request('GET', 'ftp://127.0.0.1/')), /unsupported protocol scheme "ftp"/);
  await assert.rejects(t.roundTrip(new Request('BAD METHOD', 'http://127.0.0.1:1/')), /net\/http: invalid method "BAD METHOD"/);
  await assert.rejects(t.roundTrip(new Request('GET', 'http://127.0.0.1:1/')), (e: unknown) => /dial tcp 127\.0\.0\.1:1: connect: connection refused/.test((e as Error).message));
});

test('a plain-HTTP server on an https URL: "server gave HTTP response to HTTPS client"', async () => {
  const { createServer } = await import('node:net');
  const srv = createServer((c) => {
    c.once('data', () => c.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
    c.on('error', () => {});
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    const t = transport();
    const port = (srv.address() as { port: number }).port;
    await assert.rejects(t.roundTrip(new Request('GET', `https://127.0.0.1:${port}/`)), (e: unknown) =>
      (e as Error).message === 'http: server gave HTTP response to HTTPS client' && (e as { code: string }).code === 'ERR_HTTP_SCHEME_MISMATCH');
  } finally {
    srv.close();
  }
});

test('101 Switching Protocols: the conn leaves the pool and belongs to the caller', async () => {
  const s = await server(async (x) => {
    await x.conn.write(Buffer.from('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nfirst'));
    const buf = new Uint8Array(64);
    const n = await x.conn.read(buf);
    await x.conn.write(buf.subarray(0, n ?? 0));
    return 'close';
  });
  const t = transport();
  const res = await t.roundTrip(new Request('GET', s.url, { header: { Connection: 'Upgrade', Upgrade: 'echo' } }));
  assert.equal(res.statusCode, 101);
  const up = upgradedConn(res);
  assert.ok(up !== null);
  assert.equal(Buffer.from(up.buffered).toString(), 'first');
  assert.deepEqual(t.stats(), {});
  await up.conn.write(Buffer.from('ping'));
  const buf = new Uint8Array(16);
  const n = await up.conn.read(buf);
  assert.equal(Buffer.from(buf.subarray(0, n!)).toString(), 'ping');
  up.conn.close();
});

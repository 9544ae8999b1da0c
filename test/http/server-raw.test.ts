// Our own raw-socket clients against the Server: every bad-input status with exact bytes, and
// the conn lifecycle (pipelining, slow clients, shutdown, conn states, hijack, client-gone).

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Conn } from '../../src/net/index.js';
import {
  ClientGoneError, ErrAbortHandler, ErrServerClosed, ProtocolError, type ConnState, type Request,
} from '../../src/http/index.js';
import type { ResponseWriter } from '../../src/http/handler.js';
import type { ServerResponseWriter } from '../../src/http/server.js';
import {
  collect, delay, killChildren, rawConnect, rawExchange, readResponses, startServer, type TestServer,
} from './server-support.js';

after(() => killChildren());

async function hello(w: ResponseWriter, r: unknown): Promise<void> {
  const req = r as Request;
  await w.write('ok ' + req.method + ' ' + req.requestURI);
}

/** Asserts the reply's status line, Connection: close, and that the server closed the conn. */
function assertRefused(res: { data: Buffer; closed: boolean }, statusLine: string, bodyPart?: string): void {
  const text = res.data.toString('latin1');
  assert.ok(text.startsWith(statusLine + '\r\n'), `want ${JSON.stringify(statusLine)}, got ${JSON.stringify(text.slice(0, 120))}`);
  assert.match(text, /\r\nConnection: close\r\n/);
  assert.match(text, /\r\nContent-Type: text\/plain; charset=utf-8\r\n/);
  if (bodyPart !== undefined) assert.ok(text.split('\r\n\r\n')[1]!.includes(bodyPart), `body ${JSON.stringify(text.split('\r\n\r\n')[1])} lacks ${JSON.stringify(bodyPart)}`);
  assert.equal(res.closed, true, 'the server closes the conn');
}

describe('bad requests get the right status and the server keeps serving', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startServer({ handler: hello, maxHeaderBytes: 8192 });
  });
  after(() => ts.close());

  const cases: [string, string | Buffer, string, string?][] = [
    ['missing Host on HTTP/1.1', 'GET / HTTP/1.1\r\n\r\n', 'HTTP/1.1 400 Bad Request', 'missing required Host header'],
    ['malformed request line', 'GARBAGE\r\n\r\n', 'HTTP/1.1 400 Bad Request', 'malformed HTTP request'],
    ['space before the colon', 'GET / HTTP/1.1\r\nHost: a\r\nX-Bad : 1\r\n\r\n', 'HTTP/1.1 400 Bad Request', 'whitespace between header field name and colon'],
    ['conflicting Content-Length', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab', 'HTTP/1.1 400 Bad Request', 'conflicting Content-Length'],
    ['Content-Length with Transfer-Encoding', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 'HTTP/1.1 400 Bad Request'],
    ['bare LF', 'GET / HTTP/1.1\nHost: a\n\n', 'HTTP/1.1 400 Bad Request'],
    ['Content-Length too large', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n', 'HTTP/1.1 413 Request Entity Too Large'],
    ['headers over maxHeaderBytes', 'GET / HTTP/1.1\r\nHost: a\r\n' + 'X-Fill: yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\r\n'.repeat(300) + '\r\n', 'HTTP/1.1 431 Request Header Fields Too Large'],
    ['unsupported Transfer-Encoding', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n', 'HTTP/1.1 501 Not Implemented', 'Unsupported transfer encoding'],
    ['HTTP/2.0 request line', 'GET / HTTP/2.0\r\nHost: a\r\n\r\n', 'HTTP/1.1 505 HTTP Version Not Supported'],
    ['HTTP/3.1 request line', 'GET / HTTP/3.1\r\nHost: a\r\n\r\n', 'HTTP/1.1 505 HTTP Version Not Supported'],
    ['unknown Expect', 'GET / HTTP/1.1\r\nHost: a\r\nExpect: teapot\r\n\r\n', 'HTTP/1.1 417 Expectation Failed'],
  ];
  for (const [name, req, status, body] of cases) {
    test(`${name} → ${status.slice(9)}`, async () => {
      const res = await rawExchange(ts.port, req);
      assertRefused(res, status, body);
      // The next client is served as usual.
      const ok = await rawExchange(ts.port, 'GET /next HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
      assert.match(ok.data.toString('latin1'), /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nok GET \/next$/);
    });
  }

  test('431 with the default 1 MiB limit; 414 for a request line over 64 KiB', async () => {
    const big = await startServer({ handler: hello });
    try {
      assertRefused(await rawExchange(big.port, 'GET /' + 'a'.repeat(70 * 1024) + ' HTTP/1.1\r\nHost: a\r\n\r\n'), 'HTTP/1.1 414 Request URI Too Long');
      const res = await rawExchange(big.port, 'GET / HTTP/1.1\r\nHost: a\r\n' + ('X-Fill: ' + 'z'.repeat(1000) + '\r\n').repeat(1100) + '\r\n', 10_000);
      assertRefused(res, 'HTTP/1.1 431 Request Header Fields Too Large');
      const ok = await rawExchange(big.port, 'GET / HTTP/1.1\r\nHost: a\r\n' + ('X-Fill: ' + 'z'.repeat(1000) + '\r\n').repeat(1000) + 'Connection: close\r\n\r\n');
      assert.match(ok.data.toString('latin1'), /^HTTP\/1\.1 200 OK\r\n/, 'just under 1 MiB is fine');
    } finally {
      await big.close();
    }
  });

  test('a client that goes away mid-head gets no reply', async () => {
    const s = await rawConnect(ts.port);
    const done = collect(s, 3000);
    s.end('GET / HTTP/1.1\r\nHost: a\r\n');
    const res = await done;
    assert.equal(res.data.length, 0);
    assert.equal(res.closed, true);
  });
});

describe('handler failures', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startServer({
      handler: async (w: ResponseWriter, r: unknown) => {
        const req = r as Request;
        if (req.url.pathname === '/throw') throw new Error('kaboom in handler');
        if (req.url.pathname === '/throw-late') {
          w.header().set('Content-Length', '100');
          await (w as ServerResponseWriter).flush();
          await w.write('partial');
          await (w as ServerResponseWriter).flush();
          throw new Error('late kaboom');
        }
        if (req.url.pathname === '/abort') throw new ErrAbortHandler();
        if (req.url.pathname === '/limit') {
          await req.bytes(10);
        }
        await w.write('fine');
      },
    });
  });
  after(() => ts.close());

  test('throw before writing → 500, conn closed, logged with the stack, next request served', async () => {
    const res = await rawExchange(ts.port, 'GET /throw HTTP/1.1\r\nHost: a\r\n\r\nGET /after HTTP/1.1\r\nHost: a\r\n\r\n');
    assertRefused(res, 'HTTP/1.1 500 Internal Server Error');
    assert.doesNotMatch(res.data.toString('latin1'), /fine/, 'the pipelined request is not served on the failed conn');
    assert.ok(ts.logs.some((l) => l.startsWith('http: panic serving 127.0.0.1:') && l.includes('kaboom in handler') && l.includes('    at ')), ts.logs.join('\n'));
    const ok = await rawExchange(ts.port, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    assert.match(ok.data.toString('latin1'), /\r\n\r\nfine$/);
  });

  test('throw after the head went out → the conn is cut short', async () => {
    const res = await rawExchange(ts.port, 'GET /throw-late HTTP/1.1\r\nHost: a\r\n\r\n');
    const text = res.data.toString('latin1');
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(text, /\r\nContent-Length: 100\r\n/);
    assert.ok(text.endsWith('\r\n\r\npartial'), JSON.stringify(text));
    assert.equal(res.closed, true);
  });

  test('ErrAbortHandler: conn closed without a reply or a log line', async () => {
    const before = ts.logs.length;
    const res = await rawExchange(ts.port, 'GET /abort HTTP/1.1\r\nHost: a\r\n\r\n');
    assert.equal(res.closed, true);
    assert.ok(!res.data.toString('latin1').startsWith('HTTP/1.1 5'), 'no 500');
    assert.equal(ts.logs.length, before);
  });

  test('a body over the handler limit (bytes(limit)) → 413', async () => {
    const res = await rawExchange(ts.port, 'POST /limit HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n14\r\n01234567890123456789\r\n0\r\n\r\n');
    assertRefused(res, 'HTTP/1.1 413 Request Entity Too Large');
  });

  test('a malformed chunked body surfaces to the handler and becomes 400', async () => {
    const res = await rawExchange(ts.port, 'POST /limit HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n');
    assertRefused(res, 'HTTP/1.1 400 Bad Request', 'invalid chunk size');
  });
});

describe('responses', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startServer({
      handler: async (w: ResponseWriter, r: unknown) => {
        const req = r as Request;
        const sw = w as ServerResponseWriter;
        switch (req.url.pathname) {
          case '/small': await w.write('x'.repeat(2048)); return;
          case '/over': await w.write('x'.repeat(2049)); return;
          case '/two-writes': await w.write('ab'); await w.write('cd'); return;
          case '/flush': await w.write('ab'); await sw.flush(); await w.write('cd'); return;
          case '/empty': return;
          case '/nocontent': w.writeHeader(204); return;
          case '/notmod': w.header().set('Content-Type', 'text/html'); w.header().set('Etag', '"x"'); w.writeHeader(304); return;
          case '/early':
            w.header().set('Link', '</style.css>; rel=preload');
            w.writeHeader(103);
            w.header().set('Content-Type', 'text/plain');
            await w.write('after hints');
            return;
          case '/trailer':
            w.header().set('Trailer', 'X-Sum');
            await w.write('data');
            w.header().set('X-Sum', '42');
            return;
          case '/nodate': w.header().setRaw('Date', []); await w.write('d'); return;
          case '/html': await w.write('<!DOCTYPE html><p>hi'); return;
          case '/body-after-204': {
            w.writeHeader(204);
            let err: unknown;
            try { await w.write('x'); } catch (e) { err = e; }
            w.header().set('X-Err', '');
            assert.equal((err as Error).name, 'ErrBodyNotAllowed');
            return;
          }
          case '/read-some': {
            const b = new Uint8Array(10);
            await req.body.read(b);
            await w.write('read 10');
            return;
          }
          case '/upgrade':
            w.header().set('Connection', 'Upgrade');
            w.header().set('Upgrade', 'raw');
            w.writeHeader(101);
            return;
          default: await w.write('?');
        }
      },
    });
  });
  after(() => ts.close());

  async function one(req: string): Promise<string> {
    const s = await rawConnect(ts.port);
    try {
      s.write(req);
      return (await readResponses(s, 1))[0]!;
    } finally {
      s.destroy();
    }
  }

  test('≤ 2048 bytes written → Content-Length; more → chunked', async () => {
    let r = await one('GET /small HTTP/1.1\r\nHost: a\r\n\r\n');
    assert.match(r, /\r\nContent-Length: 2048\r\n/);
    assert.doesNotMatch(r, /Transfer-Encoding/);
    r = await one('GET /over HTTP/1.1\r\nHost: a\r\n\r\n');
    assert.match(r, /\r\nTransfer-Encoding: chunked\r\n/);
    assert.ok(r.endsWith('\r\n\r\n801\r\n' + 'x'.repeat(2049) + '\r\n0\r\n\r\n'), r.slice(-40));
  });

  test('head + small body leave in one write', async () => {
    const s = await rawConnect(ts.port);
    const chunks: Buffer[] = [];
    s.on('data', (d: Buffer) => chunks.push(d));
    s.write('GET /two-writes HTTP/1.1\r\nHost: a\r\n\r\n');
    await delay(200);
    s.destroy();
    assert.equal(chunks.length, 1, 'one segment');
    const text = chunks[0]!.toString('latin1');
    assert.match(text, /^HTTP\/1\.1 200 OK\r\nContent-Type: text\/plain; charset=utf-8\r\nDate: .+ GMT\r\nContent-Length: 4\r\n\r\nabcd$/);
  });

  test('flush switches to chunked', async () => {
    const r = await one('GET /flush HTTP/1.1\r\nHost: a\r\n\r\n');
    assert.match(r, /\r\nTransfer-Encoding: chunked\r\n/);
    assert.ok(r.endsWith('\r\n\r\n2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n'), JSON.stringify(r));
  });

  test('empty handler → Content-Length: 0 and no Content-Type', async () => {
    const r = await one('GET /empty HTTP/1.1\r\nHost: a\r\n\r\n');
    assert.match(r, /^HTTP\/1\.1 200 OK\r\nDate: [^\r]+\r\nContent-Length: 0\r\n\r\n$/);
  });

  test('204 and 304 carry no framing fields; 304 drops Content-Type', async () => {
    let r = await one('GET /nocontent HTTP/1.1\r\nHost: a\r\n\r\n');
    assert.match(r, /^HTTP\/1\.1 204 No Content\r\nDate: [^\r]+\r\n\r\n$/);
    r = await one('GET /notmod HTTP/1.1\r\nHost: a\r\n\r\n');
    assert.match(r, /^HTTP\/1\.1 304 Not Modified\r\nEtag: "x"\r\nDate: [^\r]+\r\n\r\n$/);
    r = await one('GET /body-after-204 HTTP/1.1\r\nHost: a\r\n\r\n');
    assert.match(r, /^HTTP\/1\.1 204 No Content\r\n/);
  });

  test('103 Early Hints goes out first with the headers so far, then the final reply', async () => {
    const s = await rawConnect(ts.port);
    s.write('GET /early HTTP/1.1\r\nHost: a\r\n\r\n');
    const [hints, final] = await readResponses(s, 2);
    s.destroy();
    assert.equal(hints, 'HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n');
    assert.match(final!, /^HTTP\/1\.1 200 OK\r\nContent-Type: text\/plain\r\nLink: <\/style.css>; rel=preload\r\nDate: [^\r]+\r\nContent-Length: 11\r\n\r\nafter hints$/);
  });

  test('declared trailers force chunking and are sent after the last chunk', async () => {
    const r = (await rawExchange(ts.port, 'GET /trailer HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n')).data.toString('latin1');
    assert.match(r, /\r\nTrailer: X-Sum\r\n/);
    assert.ok(r.endsWith('\r\n\r\n4\r\ndata\r\n0\r\nX-Sum: 42\r\n\r\n'), JSON.stringify(r));
  });

  test('Date suppressed by an empty key; Content-Type sniffed', async () => {
    let r = await one('GET /nodate HTTP/1.1\r\nHost: a\r\n\r\n');
    assert.doesNotMatch(r, /Date:/);
    r = await one('GET /html HTTP/1.1\r\nHost: a\r\n\r\n');
    assert.match(r, /\r\nContent-Type: text\/html; charset=utf-8\r\n/);
  });

  test('HEAD: no body even when the handler writes one', async () => {
    const s = await rawConnect(ts.port);
    const done = collect(s);
    s.write('HEAD /small HTTP/1.1\r\nHost: a\r\n\r\nGET /two-writes HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    const text = (await done).data.toString('latin1');
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n[^]*\r\nContent-Length: 2048\r\n\r\nHTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nabcd$/, 'the next reply starts right after the HEAD head');
  });

  test('unread small body is drained and the conn reused; a big one closes it', async () => {
    const s = await rawConnect(ts.port);
    const body = 'b'.repeat(100_000);
    s.write(`POST /read-some HTTP/1.1\r\nHost: a\r\nContent-Length: ${body.length}\r\n\r\n${body}GET /small HTTP/1.1\r\nHost: a\r\n\r\n`);
    const [a, b] = await readResponses(s, 2);
    s.destroy();
    assert.match(a!, /\r\n\r\nread 10$/);
    assert.doesNotMatch(a!, /Connection: close/);
    assert.match(b!, /\r\nContent-Length: 2048\r\n/);

    const s2 = await rawConnect(ts.port);
    const done = collect(s2, 5000);
    s2.write(`POST /read-some HTTP/1.1\r\nHost: a\r\nContent-Length: ${1 << 20}\r\n\r\n` + 'c'.repeat(1000));
    const res = await done;
    assert.match(res.data.toString('latin1'), /^HTTP\/1\.1 200 OK\r\n[^]*Connection: close\r\n[^]*read 10$/);
    assert.equal(res.closed, true);
  });

  test('OPTIONS * is answered 200 with an empty body (Go\'s general options handler)', async () => {
    const r = await one('OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n');
    assert.match(r, /^HTTP\/1\.1 200 OK\r\nDate: [^\r]+\r\nContent-Length: 0\r\n\r\n$/);
  });

  test('HTTP/1.0 keep-alive gets Connection: keep-alive and the conn stays open', async () => {
    const s = await rawConnect(ts.port);
    s.write('GET /small HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    const [a] = await readResponses(s, 1);
    assert.match(a!, /^HTTP\/1\.0 200 OK\r\n[^]*Connection: keep-alive\r\n[^]*Content-Length: 2048\r\n/);
    s.write('GET /two-writes HTTP/1.0\r\n\r\n');
    const res = await collect(s);
    assert.match(res.data.toString('latin1'), /^HTTP\/1\.0 200 OK\r\n[^]*\r\n\r\nabcd$/);
    assert.doesNotMatch(res.data.toString('latin1'), /Connection:/);
    assert.equal(res.closed, true, '1.0 without keep-alive closes');
  });

  test('101 Switching Protocols keeps the handler\'s Connection/Upgrade and ends HTTP on the conn', async () => {
    const res = await rawExchange(ts.port, 'GET /upgrade HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: raw\r\n\r\n', 2000);
    const text = res.data.toString('latin1');
    assert.match(text, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    assert.match(text, /\r\nConnection: Upgrade\r\n/);
    assert.match(text, /\r\nUpgrade: raw\r\n/);
    assert.doesNotMatch(text, /Content-Length|Transfer-Encoding|Connection: close/);
    assert.equal(res.closed, true);
  });
});

describe('conn lifecycle', () => {
  test('pipelined requests are answered in order', async () => {
    const ts = await startServer({
      handler: async (w: ResponseWriter, r: unknown) => {
        const req = r as Request;
        const n = Number(req.url.searchParams.get('n'));
        await delay((5 - n) * 20); // later requests finish faster: order must still hold
        const body = await req.text();
        await w.write(`#${n}:${body}`);
      },
    });
    try {
      const s = await rawConnect(ts.port);
      let all = '';
      for (let n = 1; n <= 5; n++) {
        all += n % 2 === 0
          ? `POST /?n=${n} HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nb${n}!`
          : `GET /?n=${n} HTTP/1.1\r\nHost: a\r\n\r\n`;
      }
      s.write(all);
      const rs = await readResponses(s, 5);
      s.destroy();
      assert.deepEqual(rs.map((r) => r.split('\r\n\r\n')[1]), ['#1:', '#2:b2!', '#3:', '#4:b4!', '#5:']);
    } finally {
      await ts.close();
    }
  });

  test('slowloris: one byte a second is cut at readHeaderTimeout while 50 clients are served', async () => {
    const ts = await startServer({ handler: hello, readHeaderTimeout: 1000 });
    try {
      const slow = await rawConnect(ts.port);
      const t0 = Date.now();
      const slowDone = collect(slow, 8000);
      const req = 'GET / HTTP/1.1\r\nHost: a\r\n\r\n';
      let i = 0;
      const drip = setInterval(() => {
        if (i < req.length && !slow.destroyed) slow.write(req[i++]!);
      }, 1000);
      drip.unref();
      slow.write(req[i++]!);
      const others = await Promise.all(Array.from({ length: 50 }, (_, k) =>
        rawExchange(ts.port, `GET /c${k} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`)));
      for (const [k, o] of others.entries()) assert.match(o.data.toString('latin1'), new RegExp(`\r\n\r\nok GET /c${k}$`));
      const res = await slowDone;
      clearInterval(drip);
      const took = Date.now() - t0;
      assert.equal(res.closed, true, 'slow client cut');
      assert.equal(res.data.length, 0, 'no reply to a timed-out head (Go sends none)');
      assert.ok(took >= 900 && took < 3000, `cut after ${took} ms`);
    } finally {
      await ts.close();
    }
  });

  test('idleTimeout closes a quiet keep-alive conn', async () => {
    const ts = await startServer({ handler: hello, idleTimeout: 300 });
    try {
      const s = await rawConnect(ts.port);
      s.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
      await readResponses(s, 1);
      const t0 = Date.now();
      const res = await collect(s, 3000);
      assert.equal(res.closed, true);
      assert.ok(Date.now() - t0 >= 250, 'not before the idle timeout');
    } finally {
      await ts.close();
    }
  });

  test('graceful shutdown: in-flight requests complete, idle conns close, new conns refused', async () => {
    let started = 0;
    const ts = await startServer({
      handler: async (w: ResponseWriter) => {
        started++;
        await delay(300);
        await w.write('done');
      },
    });
    const idle = await rawConnect(ts.port);
    idle.write('GET /idle HTTP/1.1\r\nHost: a\r\n\r\n');
    await readResponses(idle, 1, 5000);
    const idleClosed = collect(idle, 5000);

    const busy = await Promise.all(Array.from({ length: 5 }, () => rawConnect(ts.port)));
    const results = busy.map((s) => collect(s, 5000));
    for (const s of busy) s.write('GET /slow HTTP/1.1\r\nHost: a\r\n\r\n');
    while (started < 6) await delay(5);

    const t0 = Date.now();
    const shut = ts.server.shutdown();
    const idleRes = await idleClosed;
    assert.equal(idleRes.closed, true, 'idle conn closed at once');
    assert.ok(Date.now() - t0 < 250, 'before the busy ones finish');
    await shut;
    assert.ok(Date.now() - t0 >= 200, 'shutdown waited for the handlers');
    for (const r of await Promise.all(results)) {
      const text = r.data.toString('latin1');
      assert.match(text, /^HTTP\/1\.1 200 OK\r\n[^]*Connection: close\r\n[^]*\r\n\r\ndone$/);
      assert.equal(r.closed, true);
    }
    await ts.served; // serve() ended with ErrServerClosed (startServer swallows exactly that)
    await assert.rejects(ts.server.serve(ts.ln), ErrServerClosed);
    await assert.rejects(rawConnect(ts.port), /ECONNREFUSED/);
  });

  test('shutdown honours its signal: rejects with the reason and leaves busy conns', async () => {
    const ts = await startServer({ handler: async (w: ResponseWriter) => { await delay(600); await w.write('late'); } });
    const s = await rawConnect(ts.port);
    const res = collect(s, 5000);
    s.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    await delay(50);
    await assert.rejects(ts.server.shutdown({ signal: AbortSignal.timeout(100) }), (e: unknown) => (e as Error).name === 'TimeoutError');
    assert.equal(ts.server.connCount, 1);
    const r = await res;
    assert.match(r.data.toString('latin1'), /\r\n\r\nlate$/);
    ts.server.close();
  });

  test('close() drops every conn at once', async () => {
    const ts = await startServer({ handler: async (w: ResponseWriter) => { await delay(2000); await w.write('x'); } });
    const s = await rawConnect(ts.port);
    const res = collect(s, 5000);
    s.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    await delay(50);
    const t0 = Date.now();
    await ts.close();
    const r = await res;
    assert.equal(r.closed, true);
    assert.equal(r.data.length, 0);
    assert.ok(Date.now() - t0 < 1000);
  });

  test('connState: new → active → idle → active → idle → closed', async () => {
    const seen: ConnState[] = [];
    let conn: Conn | undefined;
    const ts = await startServer({
      handler: hello,
      connState: (c, s) => {
        conn ??= c;
        assert.equal(c, conn, 'one conn');
        seen.push(s);
      },
    });
    try {
      const s = await rawConnect(ts.port);
      await delay(50);
      assert.deepEqual(seen, ['new']);
      s.write('GET /1 HTTP/1.1\r\nHost: a\r\n\r\n');
      await readResponses(s, 1);
      await delay(20);
      assert.deepEqual(seen, ['new', 'active', 'idle']);
      s.write('GET /2 HTTP/1.1\r\nHost: a\r\n\r\n');
      await readResponses(s, 1);
      s.end();
      for (let i = 0; i < 100 && seen.at(-1) !== 'closed'; i++) await delay(10);
      assert.deepEqual(seen, ['new', 'active', 'idle', 'active', 'idle', 'closed']);
    } finally {
      await ts.close();
    }
  });

  test('hijack: the handler gets the raw conn with the bytes read ahead; state hijacked', async () => {
    const seen: ConnState[] = [];
    const ts = await startServer({
      connState: (_c, s) => seen.push(s),
      handler: async (w: ResponseWriter) => {
        const c = await (w as ServerResponseWriter).hijack();
        await c.write(Buffer.from('RAW HELLO\n'));
        const buf = new Uint8Array(64);
        let got = '';
        while (!got.includes('\n')) {
          const n = await c.read(buf);
          if (n === null) break;
          got += Buffer.from(buf.subarray(0, n)).toString('latin1');
        }
        await c.write(Buffer.from('echo:' + got));
        c.close();
      },
    });
    try {
      const s = await rawConnect(ts.port);
      const res = collect(s, 5000);
      // "extra" bytes arrive with the request: the server's reader has them, hijack hands them over.
      s.write('GET / HTTP/1.1\r\nHost: a\r\n\r\nextra\n');
      const r = await res;
      assert.equal(r.data.toString('latin1'), 'RAW HELLO\necho:extra\n');
      assert.deepEqual(seen, ['new', 'active', 'hijacked']);
      assert.equal(ts.server.connCount, 0, 'hijacked conns are not tracked');
    } finally {
      await ts.close();
    }
  });

  test('hijack while the background read is pending: later client bytes reach the handler', async () => {
    const ts = await startServer({
      handler: async (w: ResponseWriter, r: unknown) => {
        void (r as Request).signal; // taking the signal starts the server's background read
        await delay(50); // the server's background read is waiting by now
        const c = await (w as ServerResponseWriter).hijack();
        await c.write(Buffer.from('ready\n'));
        const buf = new Uint8Array(64);
        const n = await c.read(buf);
        await c.write(Buffer.from('got:' + Buffer.from(buf.subarray(0, n ?? 0)).toString()));
        c.close();
      },
    });
    try {
      const s = await rawConnect(ts.port);
      s.on('data', (d: Buffer) => {
        if (d.toString() === 'ready\n') s.write('ping');
      });
      const done = collect(s, 5000);
      s.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
      const r = await done;
      assert.equal(r.data.toString(), 'ready\ngot:ping');
    } finally {
      await ts.close();
    }
  });

  test('request.signal aborts with ClientGoneError when the client disconnects', async () => {
    let resolveReason!: (v: unknown) => void;
    const reason = new Promise((r) => { resolveReason = r; });
    const ts = await startServer({
      handler: async (_w: ResponseWriter, r: unknown) => {
        const req = r as Request;
        assert.equal(req.remoteAddr.startsWith('127.0.0.1:'), true);
        await new Promise<void>((res) => req.signal!.addEventListener('abort', () => res(), { once: true }));
        resolveReason(req.signal!.reason);
      },
    });
    try {
      const s = await rawConnect(ts.port);
      s.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
      await delay(50);
      s.resetAndDestroy();
      const why = await Promise.race([reason, delay(3000).then(() => 'no abort')]);
      assert.ok(why instanceof ClientGoneError, String(why));
      assert.equal((why as Error).message, 'http: client disconnected');
      await delay(50);
      assert.deepEqual(ts.logs, [], 'a client reset is not logged');
    } finally {
      await ts.close();
    }
  });

  test('request.signal aborts once the handler returns; stays calm while the client waits', async () => {
    let sig: AbortSignal | undefined;
    const ts = await startServer({
      handler: async (w: ResponseWriter, r: unknown) => {
        sig = (r as Request).signal;
        await delay(100);
        assert.equal(sig!.aborted, false);
        await w.write('x');
      },
    });
    try {
      const res = await rawExchange(ts.port, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
      assert.match(res.data.toString('latin1'), /\r\n\r\nx$/);
      assert.equal(sig!.aborted, true);
      assert.equal((sig!.reason as Error).name, 'HandlerDoneError');
    } finally {
      await ts.close();
    }
  });

  test('writeTimeout ends a reply the client will not read', async () => {
    const ts = await startServer({
      writeTimeout: 300,
      handler: async (w: ResponseWriter) => {
        const chunk = Buffer.alloc(1 << 20, 0x61);
        for (let i = 0; i < 512; i++) await w.write(chunk);
      },
    });
    try {
      const s = await rawConnect(ts.port);
      s.pause(); // never read
      s.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
      const t0 = Date.now();
      while (ts.server.connCount > 0 && Date.now() - t0 < 5000) await delay(20);
      assert.equal(ts.server.connCount, 0, 'the conn was dropped');
      s.destroy();
    } finally {
      await ts.close();
    }
  });

  test('protocol errors carry the codec status (sanity of the import)', () => {
    assert.equal(new ProtocolError(431, 'X', 'y').status, 431);
  });
});

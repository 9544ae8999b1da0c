// HTTP/2 end to end with our own two sides: H2Pool / H2ClientConn against H2Server, over
// tlsServer / tlsClient conns on loopback (ALPN h2), h2c over TCP and over in-memory pipes.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { pipe } from '../../src/net/index.js';
import { Request } from '../../src/http/request.js';
import { Header } from '../../src/http/header.js';
import { ErrBodyNotAllowed } from '../../src/http/server/response_writer.js';
import { ClientGoneError, HandlerDoneError } from '../../src/http/server/conn.js';
import { RequestCanceledError, TransportError } from '../../src/http/persistconn.js';
import { H2ClientConn, H2Server, HTTP2Error, StreamGoneError } from '../../src/http/h2.js';
import type { ResponseWriter } from '../../src/http/handler.js';
import { makeTestPKI, type TestPKI } from '../support/tls.js';
import { pattern } from '../support/net.js';
import { H2TestClient, host, startH2, type H2TestServer } from './h2-support.js';
import { delay } from './server-support.js';

let pki: TestPKI;
before(() => {
  pki = makeTestPKI();
});
after(() => pki?.cleanup());

function hex(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

describe('h2: our client against our server over TLS', () => {
  let srv: H2TestServer;
  let cli: H2TestClient;
  const seen: { method: string; proto: string; host: string; uri: string; path: string; query: string; ua: string; cookie: string; remote: string }[] = [];
  let lastSignal: AbortSignal | undefined;
  let resetSeen: Promise<unknown> = Promise.resolve();

  before(async () => {
    srv = await startH2(pki, async (w: ResponseWriter, r: Request) => {
      const u = r.url;
      switch (u.pathname) {
        case '/hello': {
          seen.push({
            method: r.method, proto: r.proto, host: r.host, uri: r.requestURI, path: u.pathname, query: u.search,
            ua: r.header.get('User-Agent'), cookie: r.header.get('Cookie'), remote: r.remoteAddr,
          });
          w.header().set('X-Multi', ['a', 'b']);
          w.header().set('Content-Type', 'text/plain');
          await w.write('hello over h2');
          return;
        }
        case '/sniff':
          await w.write('<!DOCTYPE html><html><body>x</body></html>');
          return;
        case '/big': {
          const n = Number(u.searchParams.get('n'));
          const chunk = 256 * 1024;
          for (let off = 0; off < n; off += chunk) await w.write(pattern(Math.min(chunk, n - off), off));
          return;
        }
        case '/upload': {
          const h = createHash('sha256');
          let total = 0;
          for await (const c of r.body) {
            h.update(c);
            total += c.length;
          }
          w.header().set('X-Trailer-Seen', r.trailer.get('X-Checksum'));
          await w.write(`${total} ${h.digest('hex')} cl=${r.contentLength}`);
          return;
        }
        case '/trailers':
          w.header().set('Trailer', 'X-Sum, X-Count');
          w.writeHeader(200);
          await w.write('body part');
          w.header().set('X-Sum', 'abc');
          w.header().set('X-Count', '3');
          return;
        case '/flush': {
          await w.write('first ');
          await w.flush?.();
          await new Promise<void>((res) => {
            const t = setInterval(() => {
              if (flushGo) {
                clearInterval(t);
                res();
              }
            }, 5);
          });
          await w.write('second');
          return;
        }
        case '/hang': {
          lastSignal = r.signal;
          resetSeen = new Promise((res) => r.signal!.addEventListener('abort', () => res(r.signal!.reason), { once: true }));
          await resetSeen;
          return;
        }
        case '/stream-forever': {
          lastSignal = r.signal;
          let err: unknown = null;
          resetSeen = (async () => {
            try {
              for (let i = 0; i < 100000; i++) await w.write(pattern(64 * 1024, i));
            } catch (e) {
              err = e;
            }
            return err;
          })();
          await resetSeen;
          return;
        }
        case '/nobody':
          w.writeHeader(204);
          try {
            await w.write('x');
          } catch (e) {
            w.header().set('X-Err', (e as Error).name);
          }
          return;
        case '/boom':
          throw new Error('handler exploded');
        case '/status':
          w.writeHeader(Number(u.searchParams.get('c')));
          try {
            await w.write('status body');
          } catch (e) {
            if (!(e instanceof ErrBodyNotAllowed)) throw e;
          }
          return;
        case '/early-hints':
          w.header().set('Link', '</a.css>; rel=preload');
          w.writeHeader(103);
          w.header().del('Link');
          await w.write('after hints');
          return;
        default:
          w.writeHeader(404);
          await w.write('not found');
      }
    });
    cli = new H2TestClient(srv.port, pki);
  });
  after(() => {
    cli?.close();
    srv?.close();
  });
  let flushGo = false;

  test('GET: status, headers, body, proto HTTP/2.0, and what the handler saw', async () => {
    const res = await cli.get('/hello?x=1&y=2', { header: { Cookie: 'a=1' } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.status, '200 OK');
    assert.equal(res.proto, 'HTTP/2.0');
    assert.equal(res.protoMajor, 2);
    assert.equal(res.protoMinor, 0);
    assert.deepEqual(res.header.values('X-Multi'), ['a', 'b']);
    assert.equal(res.header.get('Content-Type'), 'text/plain');
    assert.equal(res.header.get('Content-Length'), '13');
    assert.equal(res.contentLength, 13);
    assert.match(res.header.get('Date'), /GMT$/);
    assert.equal(await res.text(), 'hello over h2');
    const s = seen.at(-1)!;
    assert.deepEqual({ ...s, remote: '' }, {
      method: 'GET', proto: 'HTTP/2.0', host: `localhost:${srv.port}`, uri: '/hello?x=1&y=2', path: '/hello', query: '?x=1&y=2',
      ua: 'Go-http-client/2.0', cookie: 'a=1', remote: '',
    });
    assert.match(s.remote, /^127\.0\.0\.1:\d+$/);
  });

  test('a small reply gets a sniffed Content-Type and a Content-Length', async () => {
    const res = await cli.get('/sniff');
    assert.equal(res.header.get('Content-Type'), 'text/html; charset=utf-8');
    assert.equal(res.header.get('Content-Length'), '42');
    assert.equal(await res.text(), '<!DOCTYPE html><html><body>x</body></html>');
  });

  test('100 concurrent requests share one session', async () => {
    const before = cli.dials;
    const rs = await Promise.all(Array.from({ length: 100 }, (_, i) => cli.get(`/hello?i=${i}`).then((r) => r.text())));
    assert.ok(rs.every((t) => t === 'hello over h2'));
    assert.ok(cli.dials - before <= 1, `dials: ${cli.dials - before}`);
    assert.equal(cli.pool.stats()[cli.key]!.sessions, 1);
  });

  test('a 24 MiB download arrives intact', async () => {
    const n = 24 << 20;
    const res = await cli.get(`/big?n=${n}`);
    assert.equal(res.contentLength, -1);
    const h = createHash('sha256');
    let total = 0;
    for await (const c of res.body) {
      h.update(c);
      total += c.length;
    }
    assert.equal(total, n);
    assert.equal(h.digest('hex'), hex(pattern(n)));
  });

  test('a streamed 12 MiB upload with a trailer, and a known-length one', async () => {
    const n = 12 << 20;
    const data = pattern(n, 5);
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let off = 0; off < n; off += 100_000) yield data.subarray(off, Math.min(n, off + 100_000));
    }
    const req = new Request('POST', cli.url('/upload'), { body: chunks(), trailer: { 'X-Checksum': 'c0ffee' } });
    const res = await cli.rt(req);
    assert.equal(await res.text(), `${n} ${hex(data)} cl=-1`);
    assert.equal(res.header.get('X-Trailer-Seen'), 'c0ffee');

    const small = pattern(70_000, 9);
    const res2 = await cli.rt(new Request('PUT', cli.url('/upload'), { body: small }));
    assert.equal(await res2.text(), `70000 ${hex(small)} cl=70000`);
  });

  test('response trailers are declared, then filled once the body is read', async () => {
    const res = await cli.get('/trailers');
    assert.deepEqual([...res.trailer.keys()].sort(), ['X-Count', 'X-Sum']);
    assert.equal(res.trailer.get('X-Sum'), '');
    assert.equal(await res.text(), 'body part');
    assert.equal(res.trailer.get('X-Sum'), 'abc');
    assert.equal(res.trailer.get('X-Count'), '3');
  });

  test('flush sends what was written before the handler is done', async () => {
    flushGo = false;
    const res = await cli.get('/flush');
    const first = await res.body.readChunk();
    assert.equal(Buffer.from(first!).toString(), 'first ');
    flushGo = true;
    assert.equal(await res.text(), 'second');
  });

  test('aborting the request signal resets the stream; the handler\'s signal aborts with ClientGoneError', async () => {
    const ac = new AbortController();
    const p = cli.get('/hang', { signal: ac.signal });
    await delay(100);
    ac.abort();
    await assert.rejects(p, (e: unknown) => e instanceof RequestCanceledError && e.message === 'net/http: request canceled while awaiting response headers');
    const reason = await resetSeen;
    assert.ok(reason instanceof ClientGoneError, String(reason));
    assert.match((reason as Error).message, /client disconnected/);
    assert.match(String(((reason as Error).cause as Error).message), /stream error: stream ID \d+; CANCEL; received from peer/);
    // The session is still fine.
    assert.equal(await (await cli.get('/hello')).text(), 'hello over h2');
  });

  test('closing a body early resets the stream; the handler\'s writes then fail', async () => {
    const res = await cli.get('/stream-forever');
    assert.ok((await res.body.readChunk()) !== null);
    res.body.close();
    const err = await resetSeen;
    assert.ok(err instanceof StreamGoneError, String(err));
    assert.ok(lastSignal!.aborted);
    assert.equal(await (await cli.get('/hello')).text(), 'hello over h2');
  });

  test('after the handler returns its signal aborts with HandlerDoneError', async () => {
    let sig: AbortSignal | undefined;
    const s2 = await startH2(pki, (w, r) => {
      sig = r.signal;
      w.writeHeader(200);
    });
    const c2 = new H2TestClient(s2.port, pki);
    try {
      const res = await c2.get('/');
      assert.equal(res.statusCode, 200);
      assert.equal(await res.text(), '');
      assert.ok(sig!.aborted && sig!.reason instanceof HandlerDoneError);
    } finally {
      c2.close();
      s2.close();
    }
  });

  test('204 with a write: ErrBodyNotAllowed; a handler that throws: 500 and a log line', async () => {
    const res = await cli.get('/nobody');
    assert.equal(res.statusCode, 204);
    assert.equal(res.header.get('X-Err'), '');
    assert.equal(await res.text(), '');
    const res2 = await cli.get('/boom');
    assert.equal(res2.statusCode, 500);
    assert.equal(await res2.text(), '500 Internal Server Error');
    assert.ok(srv.logs.some((l) => /http: panic serving 127\.0\.0\.1:\d+: Error: handler exploded/.test(l)), srv.logs.join('\n'));
    // ErrBodyNotAllowed is thrown synchronously by write.
    assert.equal(new ErrBodyNotAllowed().message, 'http: request method or response status code does not allow body');
  });

  test('HEAD gets headers only; 304 has no body; 1xx goes to the trace', async () => {
    const res = await cli.rt(new Request('HEAD', cli.url('/hello')));
    assert.equal(res.statusCode, 200);
    assert.equal(res.contentLength, 13);
    assert.equal(await res.text(), '');
    const res2 = await cli.get('/status?c=304');
    assert.equal(res2.statusCode, 304);
    assert.equal(await res2.text(), '');
    const got: [number, string][] = [];
    const res3 = await cli.rt(new Request('GET', cli.url('/early-hints')), { trace: { got1xxResponse: (c, h) => got.push([c, h.get('Link')]) } });
    assert.deepEqual(got, [[103, '</a.css>; rel=preload']]);
    assert.equal(await res3.text(), 'after hints');
  });

  test('trace hooks fire in order', async () => {
    const ev: string[] = [];
    const res = await cli.rt(new Request('GET', cli.url('/hello')), {
      trace: {
        gotConn: (i) => ev.push(`gotConn reused=${i.reused}`),
        wroteHeaders: () => ev.push('wroteHeaders'),
        wroteRequest: (i) => ev.push(`wroteRequest ${i.err}`),
        gotFirstResponseByte: () => ev.push('gotFirstResponseByte'),
      },
    });
    await res.text();
    assert.deepEqual(ev, ['gotConn reused=true', 'wroteHeaders', 'wroteRequest null', 'gotFirstResponseByte']);
  });
});

describe('h2: concurrency limits, idle timeouts, shutdown', () => {
  test('SETTINGS_MAX_CONCURRENT_STREAMS is honoured: more sessions, never more streams each', async () => {
    let inFlight = 0;
    let peak = 0;
    const srv = await startH2(pki, async (w) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await delay(30);
      inFlight--;
      await w.write('ok');
    }, {}, { maxConcurrentStreams: 5 });
    const cli = new H2TestClient(srv.port, pki);
    try {
      const perSession = new Map<unknown, number>();
      let maxPer = 0;
      const rs = await Promise.all(Array.from({ length: 40 }, async () => {
        const req = new Request('GET', cli.url('/'));
        const out = await cli.outcome(req);
        const c = out.res === null ? null : out.conn;
        perSession.set(c, (perSession.get(c) ?? 0) + 1);
        maxPer = Math.max(maxPer, (c as H2ClientConn).active);
        return out.res!.text();
      }));
      assert.ok(rs.every((t) => t === 'ok'));
      assert.ok(maxPer <= 5, `streams on one session: ${maxPer}`);
      assert.ok(perSession.size >= 2, `sessions: ${perSession.size}`);
      assert.ok(cli.dials >= 2);
    } finally {
      cli.close();
      srv.close();
    }
  });

  test('server idleTimeout closes a quiet session; the client dials again', async () => {
    const srv = await startH2(pki, (w) => w.write('x'), { idleTimeout: 150 });
    const cli = new H2TestClient(srv.port, pki);
    try {
      assert.equal(await (await cli.get('/')).text(), 'x');
      assert.equal(cli.pool.stats()[cli.key]?.sessions, 1);
      await delay(400);
      assert.equal(cli.pool.stats()[cli.key]?.sessions ?? 0, 0);
      assert.equal(srv.h2.size, 0);
      assert.equal(await (await cli.get('/')).text(), 'x');
      assert.equal(cli.dials, 2);
    } finally {
      cli.close();
      srv.close();
    }
  });

  test('client idleTimeout closes its own quiet session', async () => {
    const srv = await startH2(pki, (w) => w.write('x'));
    const cli = new H2TestClient(srv.port, pki, { idleTimeout: 100 });
    try {
      await (await cli.get('/')).text();
      await delay(300);
      assert.equal(cli.pool.stats()[cli.key]?.sessions ?? 0, 0);
    } finally {
      cli.close();
      srv.close();
    }
  });

  test('shutdown: GOAWAY, the open stream finishes, the session closes; new requests fail clearly', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const srv = await startH2(pki, async (w, r) => {
      if (r.url.pathname === '/slow') await gate;
      await w.write('done ' + r.url.pathname);
    });
    const cli = new H2TestClient(srv.port, pki);
    try {
      await (await cli.get('/warm')).text();
      const slow = cli.get('/slow');
      await delay(50);
      srv.h2.shutdown();
      await delay(50);
      release();
      assert.equal(await (await slow).text(), 'done /slow');
      await delay(50);
      assert.equal(srv.h2.size, 0);
      assert.equal(cli.pool.stats()[cli.key]?.sessions ?? 0, 0);
      // A server in shutdown answers new sessions with GOAWAY at once: bounded retries, then a clear error.
      await assert.rejects(cli.get('/after'), (e: unknown) => e instanceof HTTP2Error && e.code === 'ERR_HTTP2_NO_SESSION' &&
        /^http2: no usable connection to localhost:\d+ after 6 attempts/.test((e as Error).message));
    } finally {
      cli.close();
      srv.close();
    }
  });

  test('writeTimeout resets a stream whose reply takes too long', async () => {
    const srv = await startH2(pki, async (w) => {
      await w.write('partial');
      await w.flush?.();
      await delay(400);
      try {
        await w.write('late');
      } catch {
        // reset by the timeout
      }
    }, { writeTimeout: 150 });
    const cli = new H2TestClient(srv.port, pki);
    try {
      const res = await cli.get('/');
      await assert.rejects(res.text(), (e: unknown) => e instanceof HTTP2Error && /stream error: stream ID 1; INTERNAL_ERROR; received from peer/.test((e as Error).message));
    } finally {
      cli.close();
      srv.close();
    }
  });

  test('responseHeaderTimeout fails a request whose headers never come', async () => {
    const srv = await startH2(pki, async (w) => {
      await delay(500);
      await w.write('late');
    });
    const cli = new H2TestClient(srv.port, pki, { responseHeaderTimeout: 100 });
    try {
      await assert.rejects(cli.get('/'), (e: unknown) => e instanceof HTTP2Error && e.timeout && e.message === 'net/http: timeout awaiting response headers');
    } finally {
      cli.close();
      srv.close();
    }
  });
});

describe('h2c with prior knowledge', () => {
  test('over TCP', async () => {
    const srv = await startH2(null, (w, r) => w.write(`h2c ${r.proto} ${r.method} ${r.url.pathname}`));
    const cli = new H2TestClient(srv.port, null);
    try {
      const res = await cli.get('/plain');
      assert.equal(res.proto, 'HTTP/2.0');
      assert.equal(await res.text(), 'h2c HTTP/2.0 GET /plain');
    } finally {
      cli.close();
      srv.close();
    }
  });

  test('over an in-memory pipe (a Conn without a Node socket)', async () => {
    const keep = setInterval(() => {}, 1000);
    const [a, b] = pipe();
    const h2 = new H2Server(host((w, r) => w.write(`piped ${r.url.pathname}`)));
    try {
      await h2.serveConn(a);
      const cc = await H2ClientConn.open(b, 'pipe', 'http:');
      const reqs = Array.from({ length: 10 }, (_, i) => {
        cc.reserve();
        return cc.roundTrip(new Request('GET', `http://pipe/p${i}`)).then((r) => r.text());
      });
      assert.deepEqual(await Promise.all(reqs), Array.from({ length: 10 }, (_, i) => `piped /p${i}`));
      cc.close();
    } finally {
      h2.close();
      clearInterval(keep);
    }
  });

  test('a server that only speaks HTTP/1.1 (ALPN): the pool says so and hands back the conn', async () => {
    const srv = await startH2(pki, (w) => w.write('never'));
    const cli = new H2TestClient(srv.port, pki, {}, ['http/1.1']);
    try {
      const out = await cli.outcome(new Request('GET', cli.url('/')));
      assert.equal(out.res, null);
      assert.ok(out.res === null && out.h1 !== null);
      if (out.res === null) out.h1?.close();
      assert.equal(cli.pool.isH1(cli.key), true);
      const again = await cli.outcome(new Request('GET', cli.url('/')));
      assert.ok(again.res === null && again.h1 === null);
    } finally {
      cli.close();
      srv.close();
    }
  });
});

describe('h2: errors are clear', () => {
  test('a session lost mid-request fails a POST with a connection-lost error; a GET is retried', async () => {
    let kills = 0;
    const srv = await startH2(pki, async (w, r) => {
      if (r.url.pathname === '/die' && kills < 2) {
        kills++;
        await delay(20);
        for (const s of (srv.h2 as unknown as { sessions: Set<{ destroy(): void }> }).sessions) s.destroy();
        return;
      }
      await w.write(`ok ${r.method} ${kills}`);
    });
    const cli = new H2TestClient(srv.port, pki);
    try {
      await assert.rejects(cli.rt(new Request('POST', cli.url('/die'), { body: 'payload' })), (e: unknown) =>
        e instanceof TransportError && /^ERR_HTTP2_(CONN_LOST|GOAWAY)$/.test((e as TransportError).code) &&
        /^http2: (client connection lost|server sent GOAWAY and closed the connection; LastStreamID=1, ErrCode=NO_ERROR, debug="")/.test((e as Error).message));
      const res = await cli.get('/die');
      assert.equal(res.statusCode, 200);
      assert.equal(await res.text(), 'ok GET 2');
    } finally {
      cli.close();
      srv.close();
    }
  });

  test('a header is sent as an HTTP/2 field, connection-specific ones are not', async () => {
    let got: Header | null = null;
    const srv = await startH2(pki, (w, r) => {
      got = r.header;
      return w.write('ok');
    });
    const cli = new H2TestClient(srv.port, pki);
    try {
      const res = await cli.get('/', { header: { 'X-A': ['1', '2'], Connection: 'keep-alive', 'Keep-Alive': '5', TE: 'trailers, gzip' } });
      await res.text();
      assert.deepEqual(got!.values('X-A'), ['1', '2']);
      assert.equal(got!.has('Connection'), false);
      assert.equal(got!.has('Keep-Alive'), false);
      assert.equal(got!.get('Te'), 'trailers');
    } finally {
      cli.close();
      srv.close();
    }
  });
});

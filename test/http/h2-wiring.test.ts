// HTTP/2 through the public pieces: the Transport offers ALPN h2 (Go's ForceAttemptHTTP2 rules,
// `http2: false`), decodes gzip as over HTTP/1.1, falls back to HTTP/1.1 on the probe's conn;
// the Server's serveTLS negotiates h2, dispatches by protocol and shuts h2 sessions down with
// GOAWAY. h2c prior knowledge for named hosts.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { listen } from '../../src/net/index.js';
import { Server, ErrServerClosed, Transport, Request, type ServerOptions } from '../../src/http/index.js';
import { makeTestPKI, type TestPKI } from '../support/tls.js';
import { startH2 } from './h2-support.js';
import { CURL, delay, killChildren, run } from './server-support.js';

let pki: TestPKI;
before(() => {
  pki = makeTestPKI();
});
after(() => {
  killChildren();
  pki?.cleanup();
});

async function tlsServer(opts: ServerOptions): Promise<{ server: Server; port: number; states: string[]; done: Promise<void> }> {
  const states: string[] = [];
  const server = new Server({ errorLog: () => {}, connState: (_c, s) => states.push(s), ...opts });
  const ln = await listen('tcp', '127.0.0.1:0');
  const port = (ln.addr as unknown as { port: number }).port;
  const done = server.serveTLS(ln, pki.cert, pki.key).then(() => undefined, (e: unknown) => {
    if (!(e instanceof ErrServerClosed)) throw e;
  });
  return { server, port, states, done };
}

describe('Transport + Server over h2', () => {
  let s: Awaited<ReturnType<typeof tlsServer>>;
  let release: () => void = () => {};
  before(async () => {
    s = await tlsServer({
      handler: async (w, r) => {
        if (r.url.pathname === '/gz') {
          w.header().set('Content-Encoding', 'gzip');
          await w.write(gzipSync(Buffer.from(`compressed ${r.header.get('Accept-Encoding')}`)));
          return;
        }
        if (r.url.pathname === '/slow') await new Promise<void>((res) => {
          release = res;
        });
        await w.write(`${r.proto} ${r.method} ${r.url.pathname}`);
      },
    });
  });
  after(() => s?.server.close());

  test('forceAttemptHTTP2 with a custom TLS config speaks h2; the session is reused', async () => {
    const t = new Transport({ tls: { ca: pki.caCert }, forceAttemptHTTP2: true });
    try {
      const res = await t.roundTrip(new Request('GET', `https://localhost:${s.port}/a`));
      assert.equal(res.proto, 'HTTP/2.0');
      assert.equal(res.tls?.negotiatedProtocol, 'h2');
      assert.equal(await res.text(), 'HTTP/2.0 GET /a');
      let reused: boolean | null = null;
      const res2 = await t.roundTrip(new Request('GET', `https://localhost:${s.port}/b`), { trace: { gotConn: (i) => { reused = i.reused; } } });
      assert.equal(await res2.text(), 'HTTP/2.0 GET /b');
      assert.equal(reused, true);
    } finally {
      t.closeIdleConnections();
    }
  });

  test('gzip replies are decoded as over HTTP/1.1', async () => {
    const t = new Transport({ tls: { ca: pki.caCert }, forceAttemptHTTP2: true });
    try {
      const res = await t.roundTrip(new Request('GET', `https://localhost:${s.port}/gz`));
      assert.equal(res.proto, 'HTTP/2.0');
      assert.equal(res.uncompressed, true);
      assert.equal(res.header.get('Content-Encoding'), '');
      assert.equal(await res.text(), 'compressed gzip, br');
    } finally {
      t.closeIdleConnections();
    }
  });

  test('Go\'s rule: a custom TLS config without forceAttemptHTTP2 stays on HTTP/1.1; so does http2: false', async () => {
    for (const t of [new Transport({ tls: { ca: pki.caCert } }), new Transport({ tls: { ca: pki.caCert }, forceAttemptHTTP2: true, http2: false })]) {
      const res = await t.roundTrip(new Request('GET', `https://localhost:${s.port}/one`));
      assert.equal(res.proto, 'HTTP/1.1');
      assert.equal(res.tls?.negotiatedProtocol, 'http/1.1');
      assert.equal(await res.text(), 'HTTP/1.1 GET /one');
      t.closeIdleConnections();
    }
  });

  test('curl --http2 against Server.serveTLS', async () => {
    const r = await run(CURL, ['-sS', '--max-time', '10', '--http2', '--cacert', pki.caCertFile, '-o', '/dev/null', '-w', '%{http_version} %{http_code}',
      `https://localhost:${s.port}/c`], 15_000);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), '2 200');
  });

  test('shutdown sends GOAWAY, lets the open stream finish, then resolves', async () => {
    const s2 = await tlsServer({ handler: async (w, r) => {
      if (r.url.pathname === '/slow') await new Promise<void>((res) => {
        release = res;
      });
      await w.write(`done ${r.url.pathname}`);
    } });
    const t = new Transport({ tls: { ca: pki.caCert }, forceAttemptHTTP2: true });
    try {
      const slow = t.roundTrip(new Request('GET', `https://localhost:${s2.port}/slow`));
      await delay(100);
      let shut = false;
      const sd = s2.server.shutdown().then(() => {
        shut = true;
      });
      await delay(100);
      assert.equal(shut, false, 'shutdown waits for the open stream');
      release();
      const res = await slow;
      assert.equal(await res.text(), 'done /slow');
      await sd;
      assert.deepEqual(s2.states, ['new', 'active', 'idle', 'closed']);
      await s2.done;
    } finally {
      t.closeIdleConnections();
      s2.server.close();
    }
  });
});

test('a server offering HTTP/1.1 only: the probe conn carries the request (one conn, not two)', async () => {
  const s = await tlsServer({ http2: false, handler: (w, r) => w.write(`${r.proto} ok`) });
  const t = new Transport({ tls: { ca: pki.caCert }, forceAttemptHTTP2: true });
  try {
    const res = await t.roundTrip(new Request('GET', `https://localhost:${s.port}/`));
    assert.equal(res.proto, 'HTTP/1.1');
    assert.equal(await res.text(), 'HTTP/1.1 ok');
    const res2 = await t.roundTrip(new Request('GET', `https://localhost:${s.port}/`));
    assert.equal(await res2.text(), 'HTTP/1.1 ok');
    assert.equal(s.states.filter((x) => x === 'new').length, 1);
  } finally {
    t.closeIdleConnections();
    s.server.close();
  }
});

test('h2c with prior knowledge for a named host', async () => {
  const srv = await startH2(null, (w, r) => w.write(`h2c ${r.proto} ${r.url.pathname}`));
  const t = new Transport({ http2: { priorKnowledge: [`127.0.0.1:${srv.port}`] } });
  try {
    const res = await t.roundTrip(new Request('GET', `http://127.0.0.1:${srv.port}/p`));
    assert.equal(res.proto, 'HTTP/2.0');
    assert.equal(await res.text(), 'h2c HTTP/2.0 /p');
  } finally {
    t.closeIdleConnections();
    srv.close();
  }
});

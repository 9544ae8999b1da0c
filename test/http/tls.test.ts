// TLS over gonet Conns (tlsServer / tlsClient) and HTTPS from our Server with curl --cacert.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tlsConnect } from 'node:tls';
import { pipe, listen, dial, DeadlineExceededError, errorIs, type Conn } from '../../src/net/index.js';
import { Server, ErrServerClosed, tlsClient, tlsServer, TLSConn, type Request } from '../../src/http/index.js';
import type { ResponseWriter } from '../../src/http/handler.js';
import { makeTestPKI, type TestPKI } from '../support/tls.js';
import { readAll } from '../support/net.js';
import { curl, killChildren, rawExchange, delay } from './server-support.js';

let pki: TestPKI;
before(() => {
  pki = makeTestPKI();
});
after(() => {
  killChildren();
  pki?.cleanup();
});

describe('tlsServer / tlsClient over any Conn', () => {
  // In-memory pipes hold no handle: keep the event loop alive while deadlines (unref'd) run.
  let keep: NodeJS.Timeout;
  before(() => {
    keep = setInterval(() => {}, 1000);
  });
  after(() => clearInterval(keep));

  test('handshake over an in-memory pipe, ALPN, echo, half-close', async () => {
    const [a, b] = pipe();
    const [srv, cli] = await Promise.all([
      tlsServer(a, { cert: pki.cert, key: pki.key, ALPNProtocols: ['h2', 'http/1.1'] }),
      tlsClient(b, { ca: pki.caCert, servername: 'localhost', ALPNProtocols: ['http/1.1'] }),
    ]);
    assert.ok(srv instanceof TLSConn && cli instanceof TLSConn);
    const st = cli.connectionState();
    assert.equal(st.negotiatedProtocol, 'http/1.1');
    assert.match(st.version, /^TLSv1\.[23]$/);
    assert.equal(st.verified, true);
    assert.equal(srv.connectionState().serverName, 'localhost');
    assert.equal(cli.remoteAddr.toString(), b.remoteAddr.toString(), 'addresses are the inner conn\'s');

    await cli.write(Buffer.from('over tls'));
    await cli.closeWrite();
    const got = await readAll(srv);
    assert.equal(got.toString(), 'over tls');
    await srv.write(Buffer.from('reply after EOF'));
    srv.close();
    assert.equal((await readAll(cli)).toString(), 'reply after EOF');
    cli.close();
  });

  test('read deadlines work on the TLS conn and it stays usable', async () => {
    const [a, b] = pipe();
    const [srv, cli] = await Promise.all([
      tlsServer(a, { cert: pki.cert, key: pki.key }),
      tlsClient(b, { ca: pki.caCert, servername: 'localhost' }),
    ]);
    srv.setReadDeadline(new Date(Date.now() + 50));
    await assert.rejects(srv.read(new Uint8Array(10)), (e: unknown) => errorIs(e, DeadlineExceededError) && (e as { timeout: boolean }).timeout);
    srv.setReadDeadline(null);
    await cli.write(Buffer.from('late'));
    const buf = new Uint8Array(10);
    const n = await srv.read(buf);
    assert.equal(Buffer.from(buf.subarray(0, n!)).toString(), 'late');
    srv.close();
    cli.close();
  });

  test('an untrusted certificate fails the client handshake with an OpError', async () => {
    const [a, b] = pipe();
    const s = tlsServer(a, { cert: pki.cert, key: pki.key });
    s.catch(() => undefined);
    await assert.rejects(tlsClient(b, { servername: 'localhost' }), (e: unknown) =>
      (e as Error).name === 'OpError' && /tls handshake/.test((e as Error).message) && /certificate/i.test((e as Error).message));
  });

  test('handshakeTimeout bounds a peer that never speaks', async () => {
    const [a, b] = pipe();
    const t0 = Date.now();
    await assert.rejects(tlsServer(a, { cert: pki.cert, key: pki.key, handshakeTimeout: 100 }), (e: unknown) => errorIs(e, DeadlineExceededError));
    assert.ok(Date.now() - t0 < 2000);
    b.close();
  });
});

describe('HTTPS server', () => {
  let server: Server;
  let port = 0;
  let served: Promise<void>;
  const logs: string[] = [];
  before(async () => {
    server = new Server({
      errorLog: (m) => logs.push(m),
      handler: async (w: ResponseWriter, r: unknown) => {
        const req = r as Request;
        if (req.method === 'POST') {
          const body = await req.bytes();
          await w.write(`got ${body.length}`);
          return;
        }
        await w.write('secure ' + req.url.pathname);
      },
    });
    const ln = await listen('tcp', '127.0.0.1:0');
    port = (ln.addr as unknown as { port: number }).port;
    served = server.serveTLS(ln, pki.certFile, pki.keyFile).catch((e: unknown) => {
      if (!(e instanceof ErrServerClosed)) throw e;
    });
  });
  after(async () => {
    server.close();
    await served;
  });

  test('curl --cacert: GET twice over one TLS conn, ALPN http/1.1', async () => {
    const base = `https://localhost:${port}`;
    const r = await curl(['-v', '--cacert', pki.caCertFile, '--resolve', `localhost:${port}:127.0.0.1`, base + '/a', base + '/b']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), 'secure /asecure /b');
    assert.match(r.stderr, /ALPN.*http\/1\.1/);
    assert.match(r.stderr, /SSL certificate verify ok/);
    assert.match(r.stderr, /Re-using existing connection/);
  });

  test('curl --cacert: POST upload over TLS', async () => {
    const r = await curl(['--cacert', pki.caCertFile, '--data-binary', '@' + pki.certFile, `https://127.0.0.1:${port}/up`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), `got ${Buffer.byteLength(pki.cert)}`);
  });

  test('plain HTTP on the TLS port gets Go\'s 400', async () => {
    const res = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    assert.equal(res.data.toString('latin1'), 'HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n');
    assert.equal(res.closed, true);
  });

  test('a failed handshake is logged and the server goes on', async () => {
    const before = logs.length;
    await new Promise<void>((resolve) => {
      const s = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: true });
      s.on('error', () => resolve());
    });
    for (let i = 0; i < 50 && logs.length === before; i++) await delay(10);
    assert.match(logs.slice(before).join('\n'), /^http: TLS handshake error from 127\.0\.0\.1:\d+: /);
    const r = await curl(['--cacert', pki.caCertFile, `https://127.0.0.1:${port}/still`]);
    assert.equal(r.stdout.toString(), 'secure /still');
  });

  test('our tlsClient over our dial talks to our TLS server', async () => {
    const raw: Conn = await dial('tcp', `127.0.0.1:${port}`);
    const c = await tlsClient(raw, { ca: pki.caCert, servername: 'localhost', ALPNProtocols: ['http/1.1'] });
    await c.write(Buffer.from('GET /gonet HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'));
    const text = (await readAll(c)).toString('latin1');
    c.close();
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n[^]*Connection: close\r\n[^]*\r\n\r\nsecure \/gonet$/);
  });
});

test('listenAndServeTLS with PEM text and an addr', async () => {
  const server = new Server({ addr: '127.0.0.1:0', handler: (w: ResponseWriter) => w.write('tls ok') });
  const done = server.listenAndServeTLS(pki.cert, pki.key).catch((e: unknown) => e);
  let addr = '';
  for (let i = 0; i < 100 && addr === ''; i++) {
    addr = server.listenerAddrs[0]?.toString() ?? '';
    if (addr === '') await delay(10);
  }
  const r = await curl(['--cacert', pki.caCertFile, `https://${addr}/`]);
  assert.equal(r.stdout.toString(), 'tls ok');
  await server.shutdown();
  assert.ok((await done) instanceof ErrServerClosed);
});

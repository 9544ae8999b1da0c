// The Transport through a real Dante SOCKS5 server on loopback: http and https targets with
// socks5:// (names resolved by the client, here through a fake resolver) and socks5h:// (Dante
// resolves `localhost`), plain TCP through the proxy dialer, username authentication right and
// wrong, Dante's refusals (a blocked port, a refused port), Dante down, trace hooks, pool keys.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHTTPServer, type IncomingMessage, type Server as NodeServer } from 'node:http';
import { createServer as createHTTPSServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Transport, type TransportOptions } from '../../src/http/transport.js';
import { Request } from '../../src/http/request.js';
import { proxyDialer } from '../../src/http/proxydial.js';
import type { ClientTrace } from '../../src/http/trace.js';
import {
  Dialer, IPAddr, parseIP, listen, OpError, SOCKSConn, SOCKSReplyError, SOCKSAuthError, DNSError,
  type HostResolver, type Listener,
} from '../../src/net/index.js';
import { Dante, ensureSocksUser, SOCKS_PASSWORD, SOCKS_USER } from '../support/dante.js';
import { freePort } from '../support/proc.js';
import { makeTestPKI, type TestPKI } from '../support/tls.js';
import { echo, readAll } from '../support/net.js';

function listenNode(s: NodeServer): Promise<number> {
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));
}

function fakeResolver(table: Record<string, string>): HostResolver & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async lookupIPAddr(host) {
      asked.push(host);
      const ip = table[host];
      if (ip === undefined) throw new DNSError({ err: 'no such host', name: host, isNotFound: true });
      return [new IPAddr(parseIP(ip)!)];
    },
  };
}

let plain: Dante;
let authed: Dante;
let pki: TestPKI;
let httpOrigin: NodeServer;
let httpsOrigin: NodeServer;
let httpPort = 0;
let httpsPort = 0;
let blockedPort = 0;
let echoL: Listener;
let echoPort = 0;
const transports: Transport[] = [];

function transport(o: TransportOptions = {}): Transport {
  const t = new Transport({ tls: { ca: pki.caCert }, ...o });
  transports.push(t);
  return t;
}

before(async () => {
  pki = makeTestPKI();
  const handler = (req: IncomingMessage, res: import('node:http').ServerResponse): void => {
    req.resume();
    req.on('end', () => res.end(`${req.method} ${req.url} host=${req.headers.host} peer=${req.socket.remoteAddress}`));
  };
  httpOrigin = createHTTPServer(handler);
  httpsOrigin = createHTTPSServer({ cert: pki.cert, key: pki.key }, handler);
  echoL = await listen('tcp', '127.0.0.1:0');
  echoPort = Number(echoL.addr.toString().split(':').pop());
  (async () => {
    for await (const c of echoL) void echo(c).catch(() => {});
  })().catch(() => {});
  blockedPort = await freePort();
  // Username auth checks system passwords: the test (run as root in CI) creates the user.
  assert.ok(ensureSocksUser(), 'the SOCKS test user could be created (the proxy tests run as root)');
  [httpPort, httpsPort, plain, authed] = await Promise.all([
    listenNode(httpOrigin),
    listenNode(httpsOrigin),
    Dante.start({ method: 'none', blockPorts: [blockedPort] }),
    Dante.start({ method: 'username' }),
  ]);
});

after(async () => {
  for (const t of transports) t.closeIdleConnections();
  httpOrigin?.closeAllConnections();
  httpsOrigin?.closeAllConnections();
  httpOrigin?.close();
  httpsOrigin?.close();
  echoL?.close();
  await Promise.all([plain?.stop(), authed?.stop()]);
  pki?.cleanup();
});

describe('the Transport through dante', () => {
  test('http target, socks5h: origin-form request through the tunnel, dante resolves localhost', async () => {
    const t = transport({ proxy: () => new URL(`socks5h://${plain.address}`) });
    const res = await t.roundTrip(new Request('GET', `http://localhost:${httpPort}/via/socks?x=1`));
    assert.equal(res.statusCode, 200);
    assert.equal(await res.text(), `GET /via/socks?x=1 host=localhost:${httpPort} peer=127.0.0.1`);
    // The conn to the origin is a SOCKS session (one per target: the key holds the target).
    assert.deepEqual(Object.keys(t.stats()), [`http:|socks5h://${plain.address}|localhost:${httpPort}`]);
  });

  test('http target, socks5: the name is resolved here (the Transport\'s resolver), dante gets the IP', async () => {
    const resolver = fakeResolver({ 'origin.socks.test': '127.0.0.1' });
    const t = transport({ proxy: () => new URL(`socks5://${plain.address}`), dialer: { resolver } });
    const ev: string[] = [];
    const trace: ClientTrace = {
      getConn: (hp) => ev.push(`getConn ${hp}`),
      proxyConnectStart: (p, target) => ev.push(`proxyConnectStart ${p.protocol} ${target}`),
      proxyConnectDone: (_p, _t, e) => ev.push(`proxyConnectDone ${e === null ? 'ok' : e.message}`),
      gotConn: (i) => ev.push(`gotConn ${i.conn instanceof SOCKSConn}`),
    };
    const res = await t.roundTrip(new Request('GET', `http://origin.socks.test:${httpPort}/local`), { trace });
    assert.equal(await res.text(), `GET /local host=origin.socks.test:${httpPort} peer=127.0.0.1`);
    assert.deepEqual(resolver.asked, ['origin.socks.test']);
    assert.deepEqual(ev, [
      `getConn ${plain.address}`,
      `proxyConnectStart socks5: origin.socks.test:${httpPort}`,
      'proxyConnectDone ok',
      'gotConn true',
    ]);
  });

  test('https target through socks5h: TLS to the origin inside the SOCKS tunnel', async () => {
    const t = transport({ proxy: () => new URL(`socks5h://${plain.address}`) });
    const res = await t.roundTrip(new Request('GET', `https://localhost:${httpsPort}/tls`));
    assert.equal(await res.text(), `GET /tls host=localhost:${httpsPort} peer=127.0.0.1`);
    assert.equal(res.tls?.serverName, 'localhost');
    // Reused for the next request.
    const res2 = await t.roundTrip(new Request('GET', `https://localhost:${httpsPort}/tls2`));
    await res2.text();
    const st = Object.values(t.stats());
    assert.equal(st.length, 1);
    assert.equal(st[0]!.idle, 1);
  });

  test('https target through socks5 with an IP literal', async () => {
    const t = transport({ proxy: () => new URL(`socks5://${plain.address}`) });
    const res = await t.roundTrip(new Request('POST', `https://127.0.0.1:${httpsPort}/p`, { body: 'data' }));
    assert.equal(await res.text(), `POST /p host=127.0.0.1:${httpsPort} peer=127.0.0.1`);
  });

  test('username authentication from the proxy URL: right password works', async () => {
    const u = new URL(`socks5h://${plain.address}`);
    u.host = authed.address;
    u.username = SOCKS_USER;
    u.password = encodeURIComponent(SOCKS_PASSWORD);
    const t = transport({ proxy: () => u });
    const res = await t.roundTrip(new Request('GET', `http://127.0.0.1:${httpPort}/authed`));
    assert.equal(await res.text(), `GET /authed host=127.0.0.1:${httpPort} peer=127.0.0.1`);
  });

  test('username authentication: a wrong password is SOCKSAuthError inside a socks connect OpError', async () => {
    const t = transport({ proxy: () => new URL(`socks5://${SOCKS_USER}:wrong@${authed.address}`) });
    await assert.rejects(t.roundTrip(new Request('GET', `http://127.0.0.1:${httpPort}/`)), (e: unknown) => {
      assert.ok(e instanceof OpError, String(e));
      assert.equal(e.op, 'socks connect');
      assert.ok(e.cause instanceof SOCKSAuthError);
      assert.equal(e.message, `socks connect tcp ${authed.address}->127.0.0.1:${httpPort}: username/password authentication failed`);
      return true;
    });
    // No credentials at all: dante accepts no method we offer.
    const t2 = transport({ proxy: () => new URL(`socks5://${authed.address}`) });
    await assert.rejects(t2.roundTrip(new Request('GET', `http://127.0.0.1:${httpPort}/`)),
      (e: unknown) => e instanceof OpError && e.cause instanceof SOCKSAuthError && /no acceptable authentication methods/.test(e.message));
  });

  test('dante refuses a blocked port: "connection not allowed by ruleset"', async () => {
    const t = transport({ proxy: () => new URL(`socks5://${plain.address}`) });
    await assert.rejects(t.roundTrip(new Request('GET', `http://127.0.0.1:${blockedPort}/`)), (e: unknown) => {
      assert.ok(e instanceof OpError && e.cause instanceof SOCKSReplyError, String(e));
      assert.equal(e.cause.reply, 2);
      assert.equal(e.code, 'EACCES');
      assert.match(e.message, /connection not allowed by ruleset$/);
      return true;
    });
  });

  test('a refused port behind dante: "connection refused by the SOCKS server" (ECONNREFUSED)', async () => {
    const port = await freePort();
    const t = transport({ proxy: () => new URL(`socks5h://${plain.address}`) });
    await assert.rejects(t.roundTrip(new Request('GET', `https://127.0.0.1:${port}/`)), (e: unknown) => {
      assert.ok(e instanceof OpError && e.cause instanceof SOCKSReplyError, String(e));
      assert.equal(e.code, 'ECONNREFUSED');
      assert.equal(e.message, `socks connect tcp ${plain.address}->127.0.0.1:${port}: connection refused by the SOCKS server`);
      return true;
    });
    assert.deepEqual(t.stats(), {});
  });

  test('dante down: the dial to the SOCKS server fails with ECONNREFUSED', async () => {
    const port = await freePort();
    const t = transport({ proxy: () => new URL(`socks5://127.0.0.1:${port}`) });
    await assert.rejects(t.roundTrip(new Request('GET', `http://127.0.0.1:${httpPort}/`)), (e: unknown) => {
      assert.ok(e instanceof OpError, String(e));
      assert.equal(e.code, 'ECONNREFUSED');
      assert.match(e.message, new RegExp(`^socks connect tcp 127\\.0\\.0\\.1:${port}->127\\.0\\.0\\.1:${httpPort}: dial tcp 127\\.0\\.0\\.1:${port}: connect: connection refused$`));
      return true;
    });
  });
});

describe('idle SOCKS conns do not keep the process alive', () => {
  test('a child process exits right after its request through dante while the conn sits idle in the pool', async () => {
    const mod = new URL('../../src/http/index.js', import.meta.url).href;
    const code = `import(${JSON.stringify(mod)}).then(async (h) => {
      const t = new h.Transport({ proxy: () => new URL('socks5h://${plain.address}') });
      const r = await t.roundTrip(new h.Request('GET', 'http://127.0.0.1:${httpPort}/idle'));
      process.stdout.write(await r.text());
    });`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const started = Date.now();
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const [exitCode] = (await once(child, 'exit')) as [number | null];
    clearTimeout(kill);
    assert.equal(out, `GET /idle host=127.0.0.1:${httpPort} peer=127.0.0.1`);
    assert.equal(exitCode, 0, 'exited by itself, not killed');
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  });
});

describe('plain TCP through dante with the proxy dialer', () => {
  test('proxyDialer gives a raw conn to an echo server (socks5 and socks5h)', async () => {
    const pd = proxyDialer();
    const d = new Dialer();
    for (const scheme of ['socks5', 'socks5h']) {
      const c = await pd(new URL(`${scheme}://${plain.address}`), { scheme: 'http:', address: `127.0.0.1:${echoPort}`, host: '127.0.0.1' }, {
        signal: new AbortController().signal,
        dial: (n, a, o) => d.dial(n, a, o),
      });
      const msg = Buffer.from(`raw bytes through ${scheme}`);
      await c.write(msg);
      await c.closeWrite();
      assert.equal((await readAll(c)).toString(), msg.toString());
      c.close();
    }
  });
});

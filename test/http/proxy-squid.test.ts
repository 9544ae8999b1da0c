// The Transport through a real Squid on loopback: http targets in absolute form (seen in
// access.log), https targets through a CONNECT tunnel to a local TLS server with a test CA,
// Basic proxy auth (right, wrong, missing), Squid down, CONNECT to a refused port (Squid's 503),
// connect headers and the CONNECT reply hook, trace hooks, pool keys per proxy, and
// proxyFromEnvironment in defaultTransport (environment set in a child process).
// Squid never resolves through DNS: targets are 127.0.0.1 literals, or names from its own hosts
// file (all 127.0.0.1).

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer as createHTTPServer, type IncomingMessage, type Server as NodeServer } from 'node:http';
import { createServer as createHTTPSServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Transport, RequestCanceledError, type TransportOptions } from '../../src/http/transport.js';
import { Request } from '../../src/http/request.js';
import { Header } from '../../src/http/header.js';
import { ProxyConnectError, TunnelConn } from '../../src/http/proxydial.js';
import type { ClientTrace } from '../../src/http/trace.js';
import { OpError } from '../../src/net/index.js';
import { Squid } from '../support/squid.js';
import { freePort } from '../support/proc.js';
import { makeTestPKI, type TestPKI } from '../support/tls.js';

const USER = 'gonet user';
const PASSWORD = 'p@ss:wörd';
const ORIGIN_NAME = 'origin.gonet.test';

interface Seen {
  method: string;
  url: string;
  host: string;
  via: string;
  proxyAuth: string;
  xfwd: string;
}

function describeReq(req: IncomingMessage): Seen {
  return {
    method: req.method ?? '',
    url: req.url ?? '',
    host: req.headers.host ?? '',
    via: String(req.headers.via ?? ''),
    proxyAuth: String(req.headers['proxy-authorization'] ?? ''),
    xfwd: String(req.headers['x-forwarded-for'] ?? ''),
  };
}

/** A leaf certificate for `name`, signed by the test CA (openssl in the PKI's temp dir). */
function leafFor(p: TestPKI, name: string): { cert: string; key: string } {
  const run = (args: string[]): void => {
    execFileSync('openssl', args, { cwd: p.dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
  };
  run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'named.key', '-out', 'named.csr', '-subj', `/CN=${name}`]);
  writeFileSync(join(p.dir, 'named.cnf'), `subjectAltName=DNS:${name}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`);
  run(['x509', '-req', '-in', 'named.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'named.pem', '-days', '2', '-extfile', 'named.cnf']);
  return { cert: readFileSync(join(p.dir, 'named.pem'), 'latin1'), key: readFileSync(join(p.dir, 'named.key'), 'latin1') };
}

function listen(s: NodeServer): Promise<number> {
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));
}

let squid: Squid;
let authSquid: Squid;
let pki: TestPKI;
let httpOrigin: NodeServer;
let httpsOrigin: NodeServer;
/** An https origin whose certificate names ORIGIN_NAME (reached by name through squid only). */
let namedOrigin: NodeServer;
let namedPort = 0;
let httpPort = 0;
let httpsPort = 0;
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
    req.on('end', () => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(describeReq(req)));
    });
  };
  httpOrigin = createHTTPServer(handler);
  httpsOrigin = createHTTPSServer({ cert: pki.cert, key: pki.key }, handler);
  namedOrigin = createHTTPSServer(leafFor(pki, ORIGIN_NAME), handler);
  [httpPort, httpsPort, namedPort, squid, authSquid] = await Promise.all([
    listen(httpOrigin),
    listen(httpsOrigin),
    listen(namedOrigin),
    Squid.start({ hosts: [ORIGIN_NAME] }),
    Squid.start({ auth: { user: USER, password: PASSWORD }, hosts: [ORIGIN_NAME] }),
  ]);
});

after(async () => {
  for (const t of transports) t.closeIdleConnections();
  httpOrigin?.closeAllConnections();
  httpsOrigin?.closeAllConnections();
  namedOrigin?.closeAllConnections();
  httpOrigin?.close();
  httpsOrigin?.close();
  namedOrigin?.close();
  await Promise.all([squid?.stop(), authSquid?.stop()]);
  pki?.cleanup();
});

async function json(res: import('../../src/http/response.js').Response): Promise<Seen> {
  return JSON.parse(await res.text()) as Seen;
}

describe('http targets through squid (absolute form)', () => {
  test('GET goes to squid in absolute form; squid forwards it and logs the absolute URL', async () => {
    const t = transport({ proxy: () => squid.url() });
    const res = await t.roundTrip(new Request('GET', `http://127.0.0.1:${httpPort}/abs/path?q=1`));
    assert.equal(res.statusCode, 200);
    const seen = await json(res);
    assert.equal(seen.method, 'GET');
    assert.equal(seen.url, '/abs/path?q=1');
    assert.equal(seen.host, `127.0.0.1:${httpPort}`);
    assert.match(seen.via, /gonet-squid-test/, 'the origin saw the request through squid');
    const line = await squid.waitAccess(new RegExp(`GET http://127\\.0\\.0\\.1:${httpPort}/abs/path\\?q=1 `));
    assert.match(line, /TCP_MISS\/200/);
  });

  test('a name only squid knows (its hosts file): the client never resolves it', async () => {
    const t = transport({ proxy: () => squid.url() });
    const res = await t.roundTrip(new Request('POST', `http://${ORIGIN_NAME}:${httpPort}/named`, { body: 'x=1' }));
    const seen = await json(res);
    assert.equal(seen.method, 'POST');
    assert.equal(seen.host, `${ORIGIN_NAME}:${httpPort}`);
    await squid.waitAccess(new RegExp(`POST http://${ORIGIN_NAME.replace(/\./g, '\\.')}:${httpPort}/named `));
  });

  test('one conn to squid serves several origins (pool key without the target)', async () => {
    const t = transport({ proxy: () => squid.url() });
    for (const host of ['127.0.0.1', ORIGIN_NAME, '127.0.0.1']) {
      const res = await t.roundTrip(new Request('GET', `http://${host}:${httpPort}/k`));
      await res.text();
    }
    const keys = Object.keys(t.stats());
    assert.deepEqual(keys, [`http:|${squid.url().href}|`]);
    assert.equal(t.stats()[keys[0]!]!.idle, 1);
  });

  test('basic auth: right password from the proxy URL userinfo is sent as Proxy-Authorization', async () => {
    const t = transport({ proxy: () => authSquid.url(USER, PASSWORD) });
    const res = await t.roundTrip(new Request('GET', `http://127.0.0.1:${httpPort}/authed`));
    assert.equal(res.statusCode, 200);
    const seen = await json(res);
    assert.equal(seen.proxyAuth, '', 'squid consumes Proxy-Authorization');
    const line = await authSquid.waitAccess(/GET http:\/\/127\.0\.0\.1:\d+\/authed /);
    assert.match(line, /gonet%20user|gonet user/, 'squid logged the authenticated user');
  });

  test('basic auth: a wrong password or none gets squid\'s 407 as the response (Go: not an error for http targets)', async () => {
    for (const proxy of [authSquid.url(USER, 'wrong'), authSquid.url()]) {
      const t = transport({ proxy: () => proxy });
      const res = await t.roundTrip(new Request('GET', `http://127.0.0.1:${httpPort}/denied`));
      assert.equal(res.statusCode, 407);
      assert.match(res.header.get('Proxy-Authenticate'), /^Basic realm="gonet-test"/);
      await res.text();
    }
  });

  test('squid down: proxyconnect OpError naming the refused dial', async () => {
    const port = await freePort();
    const t = transport({ proxy: () => new URL(`http://127.0.0.1:${port}`) });
    await assert.rejects(t.roundTrip(new Request('GET', `http://127.0.0.1:${httpPort}/`)), (e: unknown) => {
      assert.ok(e instanceof OpError, String(e));
      assert.equal(e.op, 'proxyconnect');
      assert.equal(e.code, 'ECONNREFUSED');
      assert.equal(e.message, `proxyconnect tcp: dial tcp 127.0.0.1:${port}: connect: connection refused`);
      return true;
    });
  });
});

describe('https targets through a squid CONNECT tunnel', () => {
  test('GET over TLS inside the tunnel, certificate checked against the test CA', async () => {
    const t = transport({ proxy: () => squid.url() });
    const res = await t.roundTrip(new Request('GET', `https://127.0.0.1:${httpsPort}/secure?x=y`));
    assert.equal(res.statusCode, 200);
    const seen = await json(res);
    assert.equal(seen.url, '/secure?x=y');
    assert.equal(seen.via, '', 'inside a tunnel squid cannot add Via');
    assert.equal(res.tls?.version.startsWith('TLS'), true);
    // The tunnel is reused for the next request.
    const res2 = await t.roundTrip(new Request('GET', `https://127.0.0.1:${httpsPort}/again`));
    assert.equal((await json(res2)).url, '/again');
    assert.deepEqual(Object.keys(t.stats()), [`https:|${squid.url().href}|127.0.0.1:${httpsPort}`]);
    // Squid logs a tunnel when it closes.
    t.closeIdleConnections();
    const line = await squid.waitAccess(new RegExp(`CONNECT 127\\.0\\.0\\.1:${httpsPort} `));
    assert.match(line, /TCP_TUNNEL\/200/);
  });

  test('localhost as target name: SNI and verification use it; squid resolves it from its hosts file', async () => {
    const t = transport({ proxy: () => squid.url() });
    const res = await t.roundTrip(new Request('GET', `https://localhost:${httpsPort}/named`));
    assert.equal(res.tls?.serverName, 'localhost');
    assert.equal((await json(res)).host, `localhost:${httpsPort}`);
    t.closeIdleConnections();
    await squid.waitAccess(new RegExp(`CONNECT localhost:${httpsPort} `));
  });

  test('trace: getConn(proxy), connect to squid, proxyConnectStart/Done, then the TLS handshake with the target', async () => {
    const t = transport({ proxy: () => squid.url() });
    const ev: string[] = [];
    const trace: ClientTrace = {
      getConn: (hp) => ev.push(`getConn ${hp}`),
      connectStart: (_n, a) => ev.push(`connectStart ${a}`),
      connectDone: (_n, a, e) => ev.push(`connectDone ${a} ${e === null ? 'ok' : e.message}`),
      proxyConnectStart: (p, target) => ev.push(`proxyConnectStart ${p.host} ${target}`),
      proxyConnectDone: (p, target, e) => ev.push(`proxyConnectDone ${p.host} ${target} ${e === null ? 'ok' : e.message}`),
      tlsHandshakeStart: () => ev.push('tlsHandshakeStart'),
      tlsHandshakeDone: (st, e) => ev.push(`tlsHandshakeDone ${e === null ? st?.serverName : e.message}`),
      gotConn: (i) => ev.push(`gotConn ${i.conn instanceof TunnelConn || (i.conn as { inner?: unknown }).inner instanceof TunnelConn}`),
    };
    const res = await t.roundTrip(new Request('GET', `https://localhost:${httpsPort}/t`), { trace });
    await res.text();
    assert.deepEqual(ev, [
      `getConn ${squid.address}`,
      `proxyConnectStart ${squid.address} localhost:${httpsPort}`,
      `connectStart ${squid.address}`,
      `connectDone ${squid.address} ok`,
      `proxyConnectDone ${squid.address} localhost:${httpsPort} ok`,
      'tlsHandshakeStart',
      'tlsHandshakeDone localhost',
      'gotConn true',
    ]);
  });

  test('basic auth: the right password opens the tunnel', async () => {
    const t = transport({ proxy: () => authSquid.url(USER, PASSWORD) });
    const res = await t.roundTrip(new Request('GET', `https://127.0.0.1:${httpsPort}/ok`));
    assert.equal((await json(res)).url, '/ok');
    t.closeIdleConnections();
    const line = await authSquid.waitAccess(new RegExp(`CONNECT 127\\.0\\.0\\.1:${httpsPort} `));
    assert.match(line, /TCP_TUNNEL\/200/);
  });

  test('basic auth: a wrong password is a ProxyConnectError carrying 407, the header and the body', async () => {
    const t = transport({ proxy: () => authSquid.url(USER, 'nope') });
    await assert.rejects(t.roundTrip(new Request('GET', `https://127.0.0.1:${httpsPort}/`)), (e: unknown) => {
      assert.ok(e instanceof ProxyConnectError, String(e));
      assert.equal(e.statusCode, 407);
      assert.equal(e.status, '407 Proxy Authentication Required');
      assert.match(e.header.get('Proxy-Authenticate'), /Basic realm="gonet-test"/);
      assert.match(e.bodyText(), /squid/i);
      assert.equal(e.target, `127.0.0.1:${httpsPort}`);
      assert.equal(e.proxy, `http://gonet%20user:xxxxx@${authSquid.address}`, 'the password is redacted');
      assert.ok(!e.message.includes('nope'));
      assert.equal(e.message, `proxyconnect tcp: CONNECT 127.0.0.1:${httpsPort} via http://gonet%20user:xxxxx@${authSquid.address}: 407 Proxy Authentication Required`);
      return true;
    });
    // The refused conn was closed, not pooled.
    assert.deepEqual(t.stats(), {});
  });

  test('proxyConnectHeader carries the credentials when the URL has none; getProxyConnectHeader replaces it', async () => {
    const good = 'Basic ' + Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
    const t1 = transport({ proxy: () => authSquid.url(), proxyConnectHeader: { 'Proxy-Authorization': good } });
    assert.equal((await json(await t1.roundTrip(new Request('GET', `https://127.0.0.1:${httpsPort}/h1`)))).url, '/h1');
    const asked: string[] = [];
    const t2 = transport({
      proxy: () => authSquid.url(),
      proxyConnectHeader: { 'Proxy-Authorization': good },
      getProxyConnectHeader: (p, target) => {
        asked.push(`${p.host} ${target}`);
        return new Header({ 'Proxy-Authorization': 'Basic ' + Buffer.from(`${USER}:bad`).toString('base64') });
      },
    });
    await assert.rejects(t2.roundTrip(new Request('GET', `https://127.0.0.1:${httpsPort}/h2`)),
      (e: unknown) => e instanceof ProxyConnectError && e.statusCode === 407);
    assert.deepEqual(asked, [`${authSquid.address} 127.0.0.1:${httpsPort}`]);
  });

  test('onProxyConnectResponse sees the reply before the status check; its error aborts as is', async () => {
    const seen: string[] = [];
    const t = transport({
      proxy: () => squid.url(),
      onProxyConnectResponse: (p, req, res) => {
        seen.push(`${p.host} ${req.method} ${req.host} ${res.statusCode}`);
      },
    });
    await (await t.roundTrip(new Request('GET', `https://127.0.0.1:${httpsPort}/`))).text();
    assert.deepEqual(seen, [`${squid.address} CONNECT 127.0.0.1:${httpsPort} 200`]);
    const mine = new Error('refused by policy');
    const t2 = transport({ proxy: () => squid.url(), onProxyConnectResponse: () => Promise.reject(mine) });
    await assert.rejects(t2.roundTrip(new Request('GET', `https://127.0.0.1:${httpsPort}/`)), (e: unknown) => e === mine);
  });

  test('CONNECT to a refused port: squid answers 503, a ProxyConnectError with status 503', async () => {
    const port = await freePort();
    const t = transport({ proxy: () => squid.url() });
    await assert.rejects(t.roundTrip(new Request('GET', `https://127.0.0.1:${port}/`)), (e: unknown) => {
      assert.ok(e instanceof ProxyConnectError, String(e));
      assert.equal(e.statusCode, 503);
      assert.match(e.header.get('X-Squid-Error'), /^ERR_CONNECT_FAIL 111/);
      assert.match(e.message, new RegExp(`CONNECT 127\\.0\\.0\\.1:${port} via http://127\\.0\\.0\\.1:${squid.port}: 503 Service Unavailable$`));
      return true;
    });
  });

  test('the wrong CA: the tunnel opens, the TLS check inside it fails', async () => {
    const t = new Transport({ proxy: () => squid.url() });
    transports.push(t);
    await assert.rejects(t.roundTrip(new Request('GET', `https://127.0.0.1:${httpsPort}/`)),
      (e: unknown) => (e as Error).name === 'TLSVerifyError');
  });

  test('conns are never shared across proxies: two proxy URLs, two pool keys, two tunnels', async () => {
    const t = transport({ proxy: (req) => (req.url.pathname === '/a' ? squid.url() : authSquid.url(USER, PASSWORD)) });
    await (await t.roundTrip(new Request('GET', `https://127.0.0.1:${httpsPort}/a`))).text();
    await (await t.roundTrip(new Request('GET', `https://127.0.0.1:${httpsPort}/b`))).text();
    const keys = Object.keys(t.stats()).sort();
    assert.equal(keys.length, 2);
    assert.ok(keys.every((k) => t.stats()[k]!.idle === 1));
  });

  test('cancelling while squid holds the CONNECT: RequestCanceledError, nothing pooled', async () => {
    const t = transport({ proxy: () => squid.url() });
    const ac = new AbortController();
    const p = t.roundTrip(new Request('GET', `https://127.0.0.1:${httpsPort}/`), {
      signal: ac.signal,
      trace: { proxyConnectStart: () => setImmediate(() => ac.abort()) },
    });
    await assert.rejects(p, (e: unknown) => e instanceof RequestCanceledError && e.phase === 'connecting to proxy' && !e.timeout);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(t.stats(), {});
  });
});

describe('proxyFromEnvironment in defaultTransport (child process)', () => {
  function runChild(env: Record<string, string>, url: string): Promise<{ code: number | null; out: string; err: string }> {
    const mod = new URL('../../src/http/index.js', import.meta.url).href;
    const code = `
      import(${JSON.stringify(mod)}).then(async (h) => {
        try {
          const res = await h.defaultTransport.roundTrip(new h.Request('GET', ${JSON.stringify(url)}));
          process.stdout.write(res.statusCode + ' ' + await res.text());
          process.exit(0);
        } catch (e) {
          process.stdout.write('ERR ' + e.name + ' ' + e.message);
          process.exit(0);
        }
      });`;
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (v !== undefined && !/^(https?|no|all)_proxy$/i.test(k) && k !== 'REQUEST_METHOD') clean[k] = v;
    }
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], { env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
    return new Promise((resolve) => child.on('close', (c) => {
      clearTimeout(kill);
      resolve({ code: c, out, err });
    }));
  }

  test('HTTP_PROXY sends an http request through squid in absolute form', async () => {
    const url = `http://${ORIGIN_NAME}:${httpPort}/from-env`;
    const r = await runChild({ HTTP_PROXY: `http://${squid.address}` }, url);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^200 /, r.out + r.err);
    const seen = JSON.parse(r.out.slice(4)) as Seen;
    assert.equal(seen.url, '/from-env');
    assert.match(seen.via, /gonet-squid-test/);
    await squid.waitAccess(new RegExp(`GET http://${ORIGIN_NAME.replace(/\./g, '\\.')}:${httpPort}/from-env `));
  });

  test('HTTPS_PROXY: CONNECT through squid, TLS to the named origin verified with the test CA (NODE_EXTRA_CA_CERTS)', async () => {
    const url = `https://${ORIGIN_NAME}:${namedPort}/tls-from-env`;
    const r = await runChild({ HTTPS_PROXY: squid.address, HTTP_PROXY: `http://127.0.0.1:${await freePort()}`, NODE_EXTRA_CA_CERTS: pki.caCertFile }, url);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^200 /, r.out + r.err);
    const seen = JSON.parse(r.out.slice(4)) as Seen;
    assert.equal(seen.url, '/tls-from-env');
    assert.equal(seen.host, `${ORIGIN_NAME}:${namedPort}`);
    assert.equal(seen.via, '', 'tunnelled: squid saw only CONNECT');
    // The child has exited, so the tunnel is closed and squid has logged it.
    await squid.waitAccess(new RegExp(`CONNECT ${ORIGIN_NAME.replace(/\./g, '\\.')}:${namedPort} .*`));
  });

  test('lowercase http_proxy with credentials wins over HTTP_PROXY; a NO_PROXY list without the host changes nothing', async () => {
    const auth = authSquid.url(USER, PASSWORD).href;
    const r = await runChild({ http_proxy: auth, HTTP_PROXY: `http://127.0.0.1:${await freePort()}` }, `http://${ORIGIN_NAME}:${httpPort}/lower`);
    assert.match(r.out, /^200 /, r.out + r.err);
    await authSquid.waitAccess(/GET http:\/\/origin\.gonet\.test:\d+\/lower /);
    // (A host NO_PROXY names would be dialed directly, resolving the name: not done here, no DNS.)
    const r2 = await runChild({ HTTP_PROXY: `http://${squid.address}`, NO_PROXY: 'other.gonet.test,.example.com,10.0.0.0/8' },
      `http://${ORIGIN_NAME}:${httpPort}/still-proxied`);
    assert.match(r2.out, /^200 /, r2.out + r2.err);
    await squid.waitAccess(/GET http:\/\/origin\.gonet\.test:\d+\/still-proxied /);
  });
});

// The proxy hop against scripted raw-socket proxies: the exact CONNECT request, garbage and
// truncated replies, a 407 with a body, 200 followed by tunnel bytes in the same packet, slow
// proxies against proxyConnectTimeout and the request signal, aborts mid-handshake, proxies
// closing mid-handshake (HTTP and SOCKS), and an https:// proxy (TLS to the proxy, then TLS
// to the origin inside). Each ends in the right typed error, closes the proxy conn and never hangs.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createNetServer, connect as netConnect, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTLSServer, type TLSSocket } from 'node:tls';
import { createServer as createHTTPSServer, type Server as HTTPSServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Transport, RequestCanceledError, TransportError, type TransportOptions } from '../../src/http/transport.js';
import { Request } from '../../src/http/request.js';
import { connectTunnel, ProxyConnectError, ProxyTimeoutError, TunnelConn } from '../../src/http/proxydial.js';
import { ProtocolError } from '../../src/http/wire/head.js';
import { TLSHandshakeError, TLSVerifyError } from '../../src/http/tlsclient.js';
import type { ClientTrace } from '../../src/http/trace.js';
import { dial, OpError, SOCKSProtocolError } from '../../src/net/index.js';
import { makeTestPKI, type TestPKI } from '../support/tls.js';

/** Buffered reads from a node socket: whole heads, exact byte counts. */
class SockReader {
  private buf = Buffer.alloc(0);
  private ended = false;
  private wake: (() => void) | null = null;
  constructor(s: Socket) {
    s.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake?.();
    });
    const end = (): void => {
      this.ended = true;
      this.wake?.();
    };
    s.on('end', end);
    s.on('close', end);
    s.on('error', () => {});
  }
  private async wait(): Promise<void> {
    if (this.ended) throw new Error('peer gone');
    await new Promise<void>((r) => (this.wake = r));
    this.wake = null;
  }
  async head(): Promise<string> {
    for (;;) {
      const i = this.buf.indexOf('\r\n\r\n');
      if (i >= 0) {
        const h = this.buf.subarray(0, i + 4).toString('latin1');
        this.buf = this.buf.subarray(i + 4);
        return h;
      }
      await this.wait();
    }
  }
  async take(n: number): Promise<Buffer> {
    while (this.buf.length < n) await this.wait();
    const b = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return b;
  }
  rest(): Buffer {
    const b = this.buf;
    this.buf = Buffer.alloc(0);
    return b;
  }
}

interface Raw {
  port: number;
  address: string;
  heads: string[];
  /** Resolves when the n-th accepted conn (0-based) has closed. */
  closed(n: number): Promise<void>;
  close(): void;
}

const servers: Array<{ close(): void }> = [];
const transports: Transport[] = [];
let pki: TestPKI;
let origin: HTTPSServer;
let originPort = 0;

before(async () => {
  pki = makeTestPKI();
  origin = createHTTPSServer({ cert: pki.cert, key: pki.key }, (req, res) => {
    req.resume();
    req.on('end', () => res.end(`origin ${req.method} ${req.url} host=${req.headers.host}`));
  });
  await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
  originPort = (origin.address() as AddressInfo).port;
});

after(() => {
  for (const t of transports) t.closeIdleConnections();
  for (const s of servers) s.close();
  origin?.closeAllConnections();
  origin?.close();
  pki?.cleanup();
});

function transport(o: TransportOptions = {}): Transport {
  const t = new Transport({ tls: { ca: pki.caCert }, ...o });
  transports.push(t);
  return t;
}

function serve(server: NetServer, script: (s: Socket, r: SockReader, raw: Raw) => Promise<void>): Promise<Raw> {
  const closedAt: Array<{ p: Promise<void> }> = [];
  const sockets = new Set<Socket>();
  const raw: Raw = {
    port: 0,
    address: '',
    heads: [],
    closed: async (n) => {
      for (let i = 0; closedAt[n] === undefined && i < 200; i++) await new Promise((r) => setTimeout(r, 10));
      await closedAt[n]!.p;
    },
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
  const onConn = (s: Socket): void => {
    sockets.add(s);
    closedAt.push({ p: new Promise<void>((r) => s.once('close', () => r())) });
    const r = new SockReader(s);
    script(s, r, raw).catch(() => s.destroy());
  };
  server.on((server as { encrypted?: boolean }).encrypted === true ? 'secureConnection' : 'connection', onConn);
  servers.push(raw);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    raw.port = (server.address() as AddressInfo).port;
    raw.address = `127.0.0.1:${raw.port}`;
    resolve(raw);
  }));
}

/** An HTTP proxy that reads the CONNECT head, records it, then runs `then`. */
function httpProxy(then: (s: Socket, r: SockReader, head: string) => Promise<void> | void): Promise<Raw> {
  return serve(createNetServer(), async (s, r, raw) => {
    const head = await r.head();
    raw.heads.push(head);
    await then(s, r, head);
  });
}

/** Bounded: a promise that must settle within `ms`. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, rej) => (t = setTimeout(() => rej(new Error(`${what}: still pending after ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(t);
  }
}

const httpsTarget = (): Request => new Request('GET', `https://127.0.0.1:${originPort}/x`);

describe('the CONNECT request', () => {
  test('request line, Host, User-Agent, userinfo Proxy-Authorization over proxyConnectHeader, extra headers sorted', async () => {
    const p = await httpProxy((s) => {
      s.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
    });
    const t = transport({
      proxy: () => new URL(`http://us%20er:p%40ss@${p.address}`),
      proxyConnectHeader: { 'Proxy-Authorization': 'Basic bogus', 'X-Tunnel-Tag': 'blue' },
    });
    await assert.rejects(t.roundTrip(httpsTarget()), (e: unknown) => e instanceof ProxyConnectError && e.statusCode === 403);
    await assert.rejects(t.roundTrip(new Request('GET', 'https://[::1]:8443/v6')), ProxyConnectError);
    const auth = Buffer.from('us er:p@ss').toString('base64');
    assert.deepEqual(p.heads, [
      `CONNECT 127.0.0.1:${originPort} HTTP/1.1\r\nHost: 127.0.0.1:${originPort}\r\nUser-Agent: Go-http-client/1.1\r\n` +
        `Proxy-Authorization: Basic ${auth}\r\nX-Tunnel-Tag: blue\r\n\r\n`,
      `CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\nUser-Agent: Go-http-client/1.1\r\n` +
        `Proxy-Authorization: Basic ${auth}\r\nX-Tunnel-Tag: blue\r\n\r\n`,
    ]);
  });

  test('a non-2xx status is ProxyConnectError even when Go would say only "Forbidden"; 2xx other than 200 opens the tunnel', async () => {
    const p = await httpProxy(async (s, r) => {
      s.write('HTTP/1.1 204 Tunnel ready\r\n\r\n');
      const fwd = netConnect(originPort, '127.0.0.1');
      fwd.on('error', () => s.destroy());
      const pending = r.rest();
      if (pending.length > 0) fwd.write(pending);
      s.removeAllListeners('data');
      s.pipe(fwd).pipe(s);
    });
    const t = transport({ proxy: () => new URL(`http://${p.address}`) });
    const res = await t.roundTrip(httpsTarget());
    assert.equal(await res.text(), `origin GET /x host=127.0.0.1:${originPort}`);
  });
});

describe('bad replies', () => {
  test('garbage instead of an HTTP reply: proxyconnect OpError with a ProtocolError cause; conn closed', async () => {
    const p = await httpProxy((s) => {
      s.write('SSH-2.0-OpenSSH_9.2p1 Debian\r\n\r\n');
    });
    const t = transport({ proxy: () => new URL(`http://${p.address}`) });
    await assert.rejects(t.roundTrip(httpsTarget()), (e: unknown) => {
      assert.ok(e instanceof OpError, String(e));
      assert.equal(e.op, 'proxyconnect');
      assert.ok(e.cause instanceof ProtocolError, String(e.cause));
      assert.match(e.message, new RegExp(`^proxyconnect tcp 127\\.0\\.0\\.1:${p.port}: .*SSH-2\\.0`));
      return true;
    });
    await within(p.closed(0), 2000, 'proxy conn closed');
  });

  test('a 407 with a body: ProxyConnectError with status, header and body; conn closed, nothing pooled', async () => {
    const body = '<html>auth needed</html>';
    const p = await httpProxy((s) => {
      s.write(`HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="raw"\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    });
    const t = transport({ proxy: () => new URL(`http://${p.address}`) });
    await assert.rejects(t.roundTrip(httpsTarget()), (e: unknown) => {
      assert.ok(e instanceof ProxyConnectError, String(e));
      assert.equal(e.statusCode, 407);
      assert.equal(e.header.get('Proxy-Authenticate'), 'Basic realm="raw"');
      assert.equal(e.bodyText(), body);
      assert.equal(e.code, 'ERR_PROXY_CONNECT_STATUS');
      return true;
    });
    await within(p.closed(0), 2000, 'proxy conn closed');
    assert.deepEqual(t.stats(), {});
  });

  test('a refusal whose body never ends (no length, conn kept open) still fails promptly', async () => {
    const p = await httpProxy((s) => {
      s.write('HTTP/1.1 403 Forbidden\r\n\r\npartial body');
    });
    const t = transport({ proxy: () => new URL(`http://${p.address}`) });
    const e = await within(t.roundTrip(httpsTarget()).then(() => null, (x: unknown) => x), 4000, 'roundTrip');
    assert.ok(e instanceof ProxyConnectError && e.statusCode === 403);
    assert.equal(e.bodyText(), 'partial body');
    await within(p.closed(0), 2000, 'proxy conn closed');
  });

  test('a refusal whose body is still coming when proxyConnectTimeout runs out stays a ProxyConnectError', async () => {
    const p = await httpProxy((s) => {
      s.write('HTTP/1.1 403 Forbidden\r\nContent-Length: 100\r\n\r\npart');
    });
    const t = transport({ proxy: () => new URL(`http://${p.address}`), proxyConnectTimeout: 300 });
    const e = await within(t.roundTrip(httpsTarget()).then(() => null, (x: unknown) => x), 3000, 'roundTrip');
    assert.ok(e instanceof ProxyConnectError, String(e));
    assert.equal(e.statusCode, 403);
    assert.equal(e.bodyText(), 'part');
  });

  test('the proxy closes right after the CONNECT: "closed the connection before replying"', async () => {
    const p = await httpProxy((s) => {
      s.end();
    });
    const t = transport({ proxy: () => new URL(`http://${p.address}`) });
    await assert.rejects(t.roundTrip(httpsTarget()), (e: unknown) => {
      assert.ok(e instanceof OpError && e.cause instanceof ProtocolError, String(e));
      assert.equal(e.cause.code, 'ERR_HTTP_EOF');
      assert.equal(e.message, `proxyconnect tcp 127.0.0.1:${p.port}: the proxy closed the connection before replying to CONNECT 127.0.0.1:${originPort}`);
      return true;
    });
  });

  test('the proxy closes in the middle of its reply head: unexpected EOF', async () => {
    const p = await httpProxy((s) => {
      s.end('HTTP/1.1 200 Connection established\r\nX-Half: ');
    });
    const t = transport({ proxy: () => new URL(`http://${p.address}`) });
    await assert.rejects(t.roundTrip(httpsTarget()), (e: unknown) =>
      e instanceof OpError && e.op === 'proxyconnect' && e.cause instanceof ProtocolError && /unexpected EOF/.test(e.message));
  });

  test('1xx replies before the 200 are skipped', async () => {
    const p = await httpProxy((s) => {
      s.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\nfirst');
    });
    const c = await dial('tcp', p.address);
    const tun = await connectTunnel(c, new URL(`http://${p.address}`), 'example.test:443');
    assert.equal(tun.connectResponse.statusCode, 200);
    const buf = new Uint8Array(16);
    try {
      const n = await within(tun.read(buf), 2000, 'tunnel read');
      assert.equal(Buffer.from(buf.subarray(0, n!)).toString(), 'first');
    } finally {
      tun.close();
    }
  });
});

describe('bytes in the same packet as the 200', () => {
  test('connectTunnel: bytes behind the reply head are the tunnel\'s first bytes; then the conn itself', async () => {
    const p = await httpProxy(async (s, r) => {
      s.write('HTTP/1.1 200 Connection established\r\nProxy-Agent: raw\r\n\r\nHELLO-FROM-TARGET');
      const got = await r.take(4);
      s.write('echo:' + got.toString());
    });
    const c = await dial('tcp', p.address);
    const tun = await connectTunnel(c, new URL(`http://${p.address}`), '127.0.0.1:9');
    assert.ok(tun instanceof TunnelConn);
    assert.equal(tun.connectResponse.header.get('Proxy-Agent'), 'raw');
    const buf = new Uint8Array(5);
    const parts: string[] = [];
    try {
      for (let got = 0; got < 'HELLO-FROM-TARGET'.length;) {
        const n = await within(tun.read(buf), 2000, 'tunnel read');
        parts.push(Buffer.from(buf.subarray(0, n!)).toString());
        got += n!;
      }
      assert.equal(parts.join(''), 'HELLO-FROM-TARGET');
      assert.deepEqual(parts.map((x) => x.length), [5, 5, 5, 2], 'the kept bytes honour the read size');
      await tun.write(Buffer.from('ping'));
      const n = await within(tun.read(new Uint8Array(64)), 2000, 'tunnel read');
      assert.equal(n, 9);
    } finally {
      tun.close();
    }
  });

  test('the Transport feeds bytes that came with the 200 to TLS: a TLS alert there fails the handshake at once', async () => {
    // A fatal handshake_failure alert record, sent with the reply; then the proxy stays silent.
    const alert = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]);
    const p = await httpProxy((s) => {
      s.write(Buffer.concat([Buffer.from('HTTP/1.1 200 Connection established\r\n\r\n'), alert]));
    });
    const t = transport({ proxy: () => new URL(`http://${p.address}`), tlsHandshakeTimeout: 5000 });
    const started = Date.now();
    const e = await within(t.roundTrip(httpsTarget()).then(() => null, (x: unknown) => x), 6000, 'roundTrip');
    assert.ok(e instanceof TLSHandshakeError, String(e));
    assert.equal(e.timeout, false, 'the alert was read, not lost');
    assert.match(e.message, /alert handshake failure/i);
    assert.ok(Date.now() - started < 3000);
  });
});

describe('timeouts and cancellation', () => {
  test('a proxy that never answers CONNECT: proxyConnectTimeout → proxyconnect OpError with timeout=true', async () => {
    const p = await httpProxy(() => {});
    const t = transport({ proxy: () => new URL(`http://${p.address}`), proxyConnectTimeout: 300 });
    const started = Date.now();
    await assert.rejects(t.roundTrip(httpsTarget()), (e: unknown) => {
      assert.ok(e instanceof OpError, String(e));
      assert.equal(e.timeout, true);
      assert.ok(e.cause instanceof ProxyTimeoutError);
      assert.equal(e.message, `proxyconnect tcp 127.0.0.1:${p.port}: timed out after 300 ms waiting for the proxy reply to CONNECT`);
      return true;
    });
    const took = Date.now() - started;
    assert.ok(took >= 280 && took < 2000, `took ${took} ms`);
    await within(p.closed(0), 2000, 'proxy conn closed');
  });

  test('a slow proxy and the request signal (a Client timeout): RequestCanceledError with timeout=true', async () => {
    const p = await httpProxy(() => {});
    const t = transport({ proxy: () => new URL(`http://${p.address}`) });
    await assert.rejects(t.roundTrip(httpsTarget(), { signal: AbortSignal.timeout(250) }), (e: unknown) =>
      e instanceof RequestCanceledError && e.timeout && e.phase === 'connecting to proxy');
    await within(p.closed(0), 2000, 'proxy conn closed');
  });

  test('a SOCKS server that never answers the greeting: proxyConnectTimeout bounds it', async () => {
    const p = await serve(createNetServer(), async () => {});
    const t = transport({ proxy: () => new URL(`socks5://${p.address}`), proxyConnectTimeout: 300 });
    await assert.rejects(t.roundTrip(new Request('GET', `http://127.0.0.1:${originPort}/`)), (e: unknown) =>
      e instanceof OpError && e.op === 'socks connect' && e.timeout);
    await within(p.closed(0), 2000, 'socks conn closed');
  });

  test('abort mid-handshake (CONNECT sent, no reply yet): RequestCanceledError, the proxy conn is closed at once', async () => {
    let got!: () => void;
    const gotConnect = new Promise<void>((r) => (got = r));
    const p = await httpProxy(() => got());
    const t = transport({ proxy: () => new URL(`http://${p.address}`) });
    const ac = new AbortController();
    const rt = t.roundTrip(httpsTarget(), { signal: ac.signal });
    await gotConnect;
    ac.abort();
    await assert.rejects(rt, (e: unknown) => e instanceof RequestCanceledError && !e.timeout && e.phase === 'connecting to proxy');
    await within(p.closed(0), 1000, 'proxy conn closed');
    assert.deepEqual(t.stats(), {});
  });

  test('abort mid-SOCKS-handshake: RequestCanceledError, conn closed', async () => {
    let got!: () => void;
    const greeted = new Promise<void>((r) => (got = r));
    const p = await serve(createNetServer(), async (s, r) => {
      await r.take(3);
      s.write(Buffer.from([5, 0]));
      await r.take(4);
      got();
    });
    const t = transport({ proxy: () => new URL(`socks5://${p.address}`) });
    const ac = new AbortController();
    const rt = t.roundTrip(new Request('GET', `http://127.0.0.1:${originPort}/`), { signal: ac.signal });
    await greeted;
    ac.abort();
    await assert.rejects(rt, (e: unknown) => e instanceof RequestCanceledError && e.phase === 'connecting to proxy');
    await within(p.closed(0), 1000, 'socks conn closed');
  });
});

describe('bad SOCKS servers', () => {
  test('a truncated SOCKS connect reply: SOCKSProtocolError "unexpected EOF"', async () => {
    const p = await serve(createNetServer(), async (s, r) => {
      await r.take(3);
      s.write(Buffer.from([5, 0]));
      await r.take(10);
      s.end(Buffer.from([5, 0, 0, 1, 127, 0]));
    });
    const t = transport({ proxy: () => new URL(`socks5://${p.address}`) });
    await assert.rejects(t.roundTrip(new Request('GET', `http://127.0.0.1:${originPort}/`)), (e: unknown) => {
      assert.ok(e instanceof OpError && e.cause instanceof SOCKSProtocolError, String(e));
      assert.equal(e.message, `socks connect tcp ${p.address}->127.0.0.1:${originPort}: unexpected EOF in the SOCKS connect reply (got 2 of 6 bytes)`);
      return true;
    });
  });

  test('an HTTP proxy behind a socks5:// URL (garbage to the greeting): SOCKSProtocolError', async () => {
    const p = await serve(createNetServer(), async (s, r) => {
      await r.take(3);
      s.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    });
    const t = transport({ proxy: () => new URL(`socks5h://${p.address}`) });
    await assert.rejects(t.roundTrip(new Request('GET', `https://localhost:${originPort}/`)), (e: unknown) =>
      e instanceof OpError && e.cause instanceof SOCKSProtocolError && /not a SOCKS5 server/.test(e.message));
  });

  test('the SOCKS server closes before replying', async () => {
    const p = await serve(createNetServer(), async (s) => {
      s.end();
    });
    const t = transport({ proxy: () => new URL(`socks5://${p.address}`) });
    await assert.rejects(t.roundTrip(new Request('GET', `http://127.0.0.1:${originPort}/`)), (e: unknown) =>
      e instanceof OpError && /the SOCKS server closed the connection without replying$/.test(e.message));
  });
});

describe('https:// proxies (TLS to the proxy itself)', () => {
  /** A TLS forward proxy: CONNECT is piped to the target; other requests are answered directly. */
  function tlsProxy(): Promise<Raw> {
    const server = createTLSServer({ cert: pki.cert, key: pki.key });
    (server as unknown as { encrypted: boolean }).encrypted = true;
    return serve(server as unknown as NetServer, async (s, r, raw) => {
      const head = await r.head();
      raw.heads.push(head);
      const [method, target] = head.split(' ');
      if (method === 'CONNECT') {
        const [host, port] = [target!.slice(0, target!.lastIndexOf(':')), Number(target!.slice(target!.lastIndexOf(':') + 1))];
        const fwd = netConnect(port, host);
        fwd.on('error', () => s.destroy());
        fwd.once('connect', () => {
          s.write('HTTP/1.1 200 Connection established\r\n\r\n');
          const pending = r.rest();
          if (pending.length > 0) fwd.write(pending);
          s.removeAllListeners('data');
          (s as TLSSocket).pipe(fwd).pipe(s);
        });
        return;
      }
      const line = head.split('\r\n')[0]!;
      const pa = /\r\nProxy-Authorization: ([^\r]*)/.exec(head)?.[1] ?? '';
      const body = `proxied ${line} pa=${pa}`;
      s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    });
  }

  test('https target: TLS to the proxy, CONNECT inside it, TLS to the origin inside the tunnel', async () => {
    const p = await tlsProxy();
    const ev: string[] = [];
    const trace: ClientTrace = {
      proxyConnectStart: () => ev.push('proxyConnectStart'),
      proxyConnectDone: (_p, _t, e) => ev.push(`proxyConnectDone ${e?.message ?? 'ok'}`),
      tlsHandshakeStart: () => ev.push('tlsHandshakeStart'),
      tlsHandshakeDone: (st, e) => ev.push(`tlsHandshakeDone ${e?.message ?? st?.serverName}`),
    };
    const t = transport({ proxy: () => new URL(`https://${p.address}`) });
    const res = await t.roundTrip(new Request('GET', `https://localhost:${originPort}/nested`), { trace });
    assert.equal(await res.text(), `origin GET /nested host=localhost:${originPort}`);
    assert.equal(p.heads.length, 1);
    assert.match(p.heads[0]!, new RegExp(`^CONNECT localhost:${originPort} HTTP/1\\.1\r\n`));
    assert.deepEqual(ev, [
      'proxyConnectStart', 'tlsHandshakeStart', 'tlsHandshakeDone 127.0.0.1', 'proxyConnectDone ok',
      'tlsHandshakeStart', 'tlsHandshakeDone localhost',
    ]);
  });

  test('http target: absolute form over the TLS conn to the proxy, with Proxy-Authorization', async () => {
    const p = await tlsProxy();
    const t = transport({ proxy: () => new URL(`https://u:pw@${p.address}`) });
    const res = await t.roundTrip(new Request('GET', 'http://origin.invalid:8080/abs?q=1'));
    assert.equal(await res.text(), `proxied GET http://origin.invalid:8080/abs?q=1 HTTP/1.1 pa=Basic ${Buffer.from('u:pw').toString('base64')}`);
    assert.deepEqual(Object.keys(t.stats()), [`http:|https://u:pw@${p.address}/|`]);
  });

  test('an https proxy with a certificate we do not trust: proxyconnect OpError with TLSVerifyError', async () => {
    const p = await tlsProxy();
    const t = new Transport({ proxy: () => new URL(`https://${p.address}`) });
    transports.push(t);
    await assert.rejects(t.roundTrip(new Request('GET', `https://localhost:${originPort}/`)), (e: unknown) =>
      e instanceof OpError && e.op === 'proxyconnect' && e.cause instanceof TLSVerifyError);
  });

  test('an https proxy that never speaks TLS: tlsHandshakeTimeout → proxyconnect OpError with timeout=true', async () => {
    const p = await serve(createNetServer(), async () => {});
    const t = transport({ proxy: () => new URL(`https://${p.address}`), tlsHandshakeTimeout: 300 });
    const e = await within(t.roundTrip(new Request('GET', `https://localhost:${originPort}/`)).then(() => null, (x: unknown) => x), 3000, 'roundTrip');
    assert.ok(e instanceof OpError && e.op === 'proxyconnect', String(e));
    assert.ok(e.cause instanceof TLSHandshakeError);
    assert.equal(e.timeout, true);
    assert.equal(e.message, `proxyconnect tcp 127.0.0.1:${p.port}: net/http: TLS handshake timeout`);
    await within(p.closed(0), 2000, 'proxy conn closed');
  });

  test('an unsupported proxy scheme is a clear TransportError', async () => {
    const t = transport({ proxy: () => new URL('ftp://127.0.0.1:21') });
    await assert.rejects(t.roundTrip(new Request('GET', `http://127.0.0.1:${originPort}/`)), (e: unknown) =>
      e instanceof TransportError && e.code === 'ERR_HTTP_PROXY_UNSUPPORTED' && /unsupported proxy scheme "ftp"/.test(e.message));
  });
});

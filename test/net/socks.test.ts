// SOCKS5 client: against a real Dante server on loopback, and against a scripted raw-socket
// server for every reply code, garbage, truncation, timeouts and cancellation.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  listen, parseIP, errorAs, errorIs, OpError, AddrError, CanceledError, DeadlineExceededError, UnsupportedError,
  DNSError, SOCKS5Dialer, SOCKSConn, SOCKSReplyError, SOCKSAuthError, SOCKSProtocolError, socksDialerFromURL,
  type Conn, type Listener,
} from '../../src/net/index.js';
import { echo, readAll, readFull, pattern, tableResolver } from '../support/net.js';
import { Dante, danteAvailable, ensureSocksUser, SOCKS_PASSWORD, SOCKS_USER } from '../support/dante.js';
import { freePort } from '../support/proc.js';

const enc = new TextEncoder();

async function portOf(l: Listener): Promise<number> {
  return Number(l.addr.toString().split(':').pop());
}

/** An echo server on 127.0.0.1 for the tunnels to reach. */
async function echoServer(): Promise<{ l: Listener; port: number }> {
  const l = await listen('tcp', '127.0.0.1:0');
  (async () => {
    for await (const c of l) void echo(c).catch(() => {});
  })().catch(() => {});
  return { l, port: await portOf(l) };
}

async function roundTrip(c: Conn, data: Uint8Array): Promise<Buffer> {
  const [, back] = await Promise.all([
    (async () => {
      await c.write(data);
      await c.closeWrite();
    })(),
    readAll(c),
  ]);
  return back;
}

async function failure(p: Promise<unknown>): Promise<OpError> {
  const e = await p.then(() => null, (err: unknown) => err);
  assert.ok(e instanceof OpError, `expected OpError, got ${String(e)}`);
  return e;
}

describe('SOCKS5 through a real Dante server', { skip: danteAvailable() ? false : 'danted not installed' }, () => {
  let plain: Dante;
  let authed: Dante | null = null;
  let target: { l: Listener; port: number };
  let refusedPort: number;
  let blockedPort: number;

  before(async () => {
    target = await echoServer();
    refusedPort = await freePort();
    blockedPort = await freePort();
    plain = await Dante.start({ method: 'none', blockPorts: [blockedPort] });
    if (ensureSocksUser()) authed = await Dante.start({ method: 'username' });
  });
  after(async () => {
    await plain?.stop();
    await authed?.stop();
    target?.l.close();
  });

  test('plain TCP echo through dante, no authentication (1 MiB each way)', async () => {
    const d = new SOCKS5Dialer({ proxyAddress: plain.address, resolveLocally: true });
    const c = await d.dial('tcp', `127.0.0.1:${target.port}`);
    assert.ok(c instanceof SOCKSConn);
    assert.equal(c.remoteAddr.toString(), plain.address);
    assert.equal(c.targetAddr.toString(), `127.0.0.1:${target.port}`);
    assert.equal(c.boundAddr.ip?.toString(), '127.0.0.1');
    const data = pattern(1 << 20);
    const back = await roundTrip(c, data);
    c.close();
    assert.equal(back.length, data.length);
    assert.ok(back.equals(data));
  });

  test('socks5h: dante resolves localhost', async () => {
    const d = socksDialerFromURL(`socks5h://${plain.address}`);
    assert.equal(d.resolveLocally, false);
    const c = await d.dial('tcp', `localhost:${target.port}`);
    assert.equal(c.targetAddr.toString(), `localhost:${target.port}`);
    assert.equal((await roundTrip(c, enc.encode('resolved by the proxy'))).toString(), 'resolved by the proxy');
    c.close();
  });

  test('socks5: the name is resolved here and dante gets an IP', async () => {
    const resolver = tableResolver({ 'echo.test': ['127.0.0.1'] });
    const d = socksDialerFromURL(`socks5://${plain.address}`, { resolver });
    const c = await d.dial('tcp', `echo.test:${target.port}`);
    assert.deepEqual(resolver.asked, ['echo.test/ip']);
    assert.equal(c.targetAddr.toString(), `127.0.0.1:${target.port}`);
    assert.equal((await roundTrip(c, enc.encode('resolved here'))).toString(), 'resolved here');
    c.close();
  });

  test('CONNECT to a refused port → "connection refused by the SOCKS server"', async () => {
    const d = new SOCKS5Dialer({ proxyAddress: plain.address, resolveLocally: true });
    const e = await failure(d.dial('tcp', `127.0.0.1:${refusedPort}`));
    assert.equal(e.message, `socks connect tcp ${plain.address}->127.0.0.1:${refusedPort}: connection refused by the SOCKS server`);
    assert.equal(e.op, 'socks connect');
    const r = errorAs(e, SOCKSReplyError);
    assert.ok(r);
    assert.equal(r.reply, 5);
    assert.equal(e.code, 'ECONNREFUSED');
  });

  test('CONNECT blocked by a dante rule → "connection not allowed by ruleset"', async () => {
    const d = new SOCKS5Dialer({ proxyAddress: plain.address, resolveLocally: true });
    const e = await failure(d.dial('tcp', `127.0.0.1:${blockedPort}`));
    assert.equal(e.message, `socks connect tcp ${plain.address}->127.0.0.1:${blockedPort}: connection not allowed by ruleset`);
    assert.equal(errorAs(e, SOCKSReplyError)?.reply, 2);
  });

  test('CONNECT to an IPv6 literal when dante has no IPv6 external address → "address type not supported"', async () => {
    const d = new SOCKS5Dialer({ proxyAddress: plain.address, resolveLocally: true });
    const e = await failure(d.dial('tcp', `[::1]:${target.port}`));
    assert.equal(e.message, `socks connect tcp ${plain.address}->[::1]:${target.port}: address type not supported`);
    assert.equal(errorAs(e, SOCKSReplyError)?.reply, 8);
    assert.equal(e.code, 'EAFNOSUPPORT');
  });

  test('username authentication: the right password tunnels', { skip: process.getuid?.() !== 0 ? 'needs root to create the system user' : false }, async () => {
    assert.ok(authed, 'dante with username auth started');
    const d = socksDialerFromURL(`socks5://${encodeURIComponent(SOCKS_USER)}:${encodeURIComponent(SOCKS_PASSWORD)}@${authed.address}`);
    assert.deepEqual(d.auth, { username: SOCKS_USER, password: SOCKS_PASSWORD });
    const c = await d.dial('tcp', `127.0.0.1:${target.port}`);
    assert.equal((await roundTrip(c, enc.encode('authenticated'))).toString(), 'authenticated');
    c.close();
  });

  test('username authentication: a wrong password → "username/password authentication failed"', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, async () => {
    assert.ok(authed);
    const d = new SOCKS5Dialer({ proxyAddress: authed.address, auth: { username: SOCKS_USER, password: 'wrong' }, resolveLocally: true });
    const e = await failure(d.dial('tcp', `127.0.0.1:${target.port}`));
    assert.equal(e.message, `socks connect tcp ${authed.address}->127.0.0.1:${target.port}: username/password authentication failed`);
    assert.ok(errorIs(e, SOCKSAuthError));
    assert.equal(e.code, 'ESOCKSAUTH');
  });

  test('username authentication: no credentials → "no acceptable authentication methods"', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, async () => {
    assert.ok(authed);
    const d = new SOCKS5Dialer({ proxyAddress: authed.address, resolveLocally: true });
    const e = await failure(d.dial('tcp', `127.0.0.1:${target.port}`));
    assert.equal(e.message, `socks connect tcp ${authed.address}->127.0.0.1:${target.port}: no acceptable authentication methods (offered: no authentication)`);
    assert.ok(errorIs(e, SOCKSAuthError));
  });

  test('dante down → the dial error to the proxy, connection refused', async () => {
    const gone = await Dante.start({ method: 'none' });
    const addr = gone.address;
    await gone.stop();
    const d = new SOCKS5Dialer({ proxyAddress: addr, resolveLocally: true });
    const e = await failure(d.dial('tcp', `127.0.0.1:${target.port}`));
    assert.equal(e.message, `socks connect tcp ${addr}->127.0.0.1:${target.port}: dial tcp ${addr}: connect: connection refused`);
    assert.ok(e.cause instanceof OpError);
    assert.equal(e.code, 'ECONNREFUSED');
    assert.equal(errorAs(e, SOCKSReplyError), null);
  });

  test('dante logged the tunnels', () => {
    const log = plain.log();
    assert.match(log, new RegExp(`127\\.0\\.0\\.1\\.${target.port}`));
    assert.match(log, /Connection refused/);
  });
});

/** A scripted SOCKS server: each accepted conn is handed to the next script in order. */
class FakeServer {
  readonly seen: Buffer[] = [];
  private scripts: ((c: Conn) => Promise<void>)[] = [];
  private constructor(readonly l: Listener, readonly port: number) {}
  static async start(): Promise<FakeServer> {
    const l = await listen('tcp', '127.0.0.1:0');
    const s = new FakeServer(l, await portOf(l));
    (async () => {
      for await (const c of l) {
        const script = s.scripts.shift();
        if (!script) {
          c.close();
          continue;
        }
        script(c).catch(() => {}).finally(() => c.close());
      }
    })().catch(() => {});
    return s;
  }
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }
  next(script: (c: Conn) => Promise<void>): void {
    this.scripts.push(script);
  }
}

/** Reads the client's greeting (and checks it), answers `method`. */
async function greet(c: Conn, method: number, expectMethods = [0]): Promise<void> {
  const g = await readFull(c, 2 + expectMethods.length);
  assert.deepEqual([...g], [5, expectMethods.length, ...expectMethods]);
  await c.write(Uint8Array.of(5, method));
}

/** Reads a CONNECT request and returns its bytes. */
async function readRequest(c: Conn): Promise<Buffer> {
  const h = await readFull(c, 4);
  let rest: Buffer;
  if (h[3] === 1) rest = await readFull(c, 6);
  else if (h[3] === 4) rest = await readFull(c, 18);
  else {
    const len = await readFull(c, 1);
    rest = Buffer.concat([len, await readFull(c, len[0]! + 2)]);
  }
  return Buffer.concat([h, rest]);
}

const OK_V4 = Uint8Array.of(5, 0, 0, 1, 127, 0, 0, 1, 0x1f, 0x90);

describe('SOCKS5 against a scripted server', () => {
  let srv: FakeServer;
  before(async () => {
    srv = await FakeServer.start();
  });
  after(() => srv.l.close());

  const dialer = (extra: Partial<ConstructorParameters<typeof SOCKS5Dialer>[0]> = {}): SOCKS5Dialer =>
    new SOCKS5Dialer({ proxyAddress: srv.address, resolveLocally: false, ...extra });

  test('request bytes: IPv4 literal, then data flows both ways', async () => {
    let req: Buffer | null = null;
    srv.next(async (c) => {
      await greet(c, 0);
      req = await readRequest(c);
      // The reply and the first data in one write: nothing may be over-read by the handshake.
      await c.write(Buffer.concat([OK_V4, Buffer.from('hello')]));
      await echo(c);
    });
    const c = await dialer().dial('tcp', '10.1.2.3:8080');
    assert.deepEqual([...req!], [5, 1, 0, 1, 10, 1, 2, 3, 0x1f, 0x90]);
    assert.equal(c.boundAddr.toString(), '127.0.0.1:8080');
    assert.equal((await readFull(c, 5)).toString(), 'hello');
    assert.equal((await roundTrip(c, enc.encode('abc'))).toString(), 'abc');
    c.close();
  });

  test('request bytes: IPv6 literal; bound address IPv6', async () => {
    let req: Buffer | null = null;
    srv.next(async (c) => {
      await greet(c, 0);
      req = await readRequest(c);
      await c.write(Uint8Array.of(5, 0, 0, 4, ...parseIP('2001:db8::7')!.bytes, 0, 80));
      await echo(c);
    });
    const c = await dialer().dial('tcp', '[2001:db8::1]:443');
    assert.deepEqual([...req!], [5, 1, 0, 4, ...parseIP('2001:db8::1')!.bytes, 1, 0xbb]);
    assert.equal(c.boundAddr.toString(), '[2001:db8::7]:80');
    c.close();
  });

  test('request bytes: socks5h sends the name; bound address as a name', async () => {
    let req: Buffer | null = null;
    srv.next(async (c) => {
      await greet(c, 0);
      req = await readRequest(c);
      await c.write(Buffer.concat([Uint8Array.of(5, 0, 0, 3, 9), Buffer.from('bound.test'.slice(0, 9)), Uint8Array.of(0, 7)]));
      await echo(c);
    });
    const c = await dialer().dial('tcp', 'example.test:http');
    assert.deepEqual([...req!], [5, 1, 0, 3, 12, ...Buffer.from('example.test'), 0, 80]);
    assert.equal(c.boundAddr.toString(), 'bound.tes:7');
    assert.equal(c.targetAddr.toString(), 'example.test:80');
    c.close();
  });

  test('socks5 resolves locally: IPv4 sent; tcp6 asks for IPv6 only', async () => {
    const resolver = tableResolver({ 'name.test': ['192.0.2.5'], 'six.test': ['2001:db8::9'] });
    const reqs: Buffer[] = [];
    for (let i = 0; i < 2; i++) {
      srv.next(async (c) => {
        await greet(c, 0);
        reqs.push(await readRequest(c));
        await c.write(OK_V4);
      });
    }
    const d = dialer({ resolveLocally: true, resolver });
    (await d.dial('tcp', 'name.test:25')).close();
    (await d.dial('tcp6', 'six.test:25')).close();
    assert.deepEqual(resolver.asked, ['name.test/ip', 'six.test/ip6']);
    assert.deepEqual([...reqs[0]!], [5, 1, 0, 1, 192, 0, 2, 5, 0, 25]);
    assert.deepEqual([...reqs[1]!], [5, 1, 0, 4, ...parseIP('2001:db8::9')!.bytes, 0, 25]);
  });

  test('socks5 with several addresses: a failure reply moves on to the next address', async () => {
    const resolver = tableResolver({ 'multi.test': ['192.0.2.1', '192.0.2.2'] });
    const reqs: Buffer[] = [];
    srv.next(async (c) => {
      await greet(c, 0);
      reqs.push(await readRequest(c));
      await c.write(Uint8Array.of(5, 4, 0, 1, 0, 0, 0, 0, 0, 0));
    });
    srv.next(async (c) => {
      await greet(c, 0);
      reqs.push(await readRequest(c));
      await c.write(OK_V4);
    });
    const c = await dialer({ resolveLocally: true, resolver }).dial('tcp', 'multi.test:80');
    assert.equal(reqs.length, 2);
    assert.deepEqual([...reqs[1]!.subarray(4, 8)], [192, 0, 2, 2]);
    assert.equal(c.targetAddr.toString(), '192.0.2.2:80');
    c.close();
  });

  test('socks5 local resolution failure is a DNSError in the chain', async () => {
    const e = await failure(dialer({ resolveLocally: true, resolver: tableResolver({}) }).dial('tcp', 'nowhere.test:80'));
    assert.equal(e.message, `socks connect tcp ${srv.address}->nowhere.test:80: lookup nowhere.test: no such host`);
    assert.ok(errorIs(e, DNSError));
  });

  const replies: [number, string, string][] = [
    [1, 'general SOCKS server failure', 'ESOCKSFAILURE'],
    [2, 'connection not allowed by ruleset', 'EACCES'],
    [3, 'network unreachable', 'ENETUNREACH'],
    [4, 'host unreachable', 'EHOSTUNREACH'],
    [5, 'connection refused by the SOCKS server', 'ECONNREFUSED'],
    [6, 'TTL expired', 'ETIMEDOUT'],
    [7, 'command not supported', 'ENOTSUP'],
    [8, 'address type not supported', 'EAFNOSUPPORT'],
    [9, 'unknown SOCKS reply code 0x09', 'ESOCKSREPLY'],
    [0xff, 'unknown SOCKS reply code 0xff', 'ESOCKSREPLY'],
  ];
  for (const [code, text, errno] of replies) {
    test(`reply 0x${code.toString(16)} → ${text}`, async () => {
      srv.next(async (c) => {
        await greet(c, 0);
        await readRequest(c);
        await c.write(Uint8Array.of(5, code, 0, 1, 0, 0, 0, 0, 0, 0));
      });
      const e = await failure(dialer().dial('tcp', '192.0.2.1:80'));
      assert.equal(e.message, `socks connect tcp ${srv.address}->192.0.2.1:80: ${text}`);
      const r = errorAs(e, SOCKSReplyError);
      assert.ok(r);
      assert.equal(r.reply, code);
      assert.equal(r.code, errno);
      assert.equal(e.code, errno);
      assert.equal(e.timeout, false);
    });
  }

  const bad: [string, (c: Conn) => Promise<void>, typeof SOCKSProtocolError | typeof SOCKSAuthError, string][] = [
    ['an HTTP answer instead of SOCKS', async (c) => {
      await readFull(c, 3);
      await c.write(enc.encode('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
    }, SOCKSProtocolError, 'unexpected protocol version 72 in the SOCKS method selection reply (want 5; not a SOCKS5 server?)'],
    ['the server closes at once', async (c) => {
      await readFull(c, 3);
    }, SOCKSProtocolError, 'the SOCKS server closed the connection without replying'],
    ['a truncated method reply', async (c) => {
      await readFull(c, 3);
      await c.write(Uint8Array.of(5));
    }, SOCKSProtocolError, 'unexpected EOF in the SOCKS method selection reply (got 1 of 2 bytes)'],
    ['no acceptable methods', async (c) => {
      await greet(c, 0xff);
    }, SOCKSAuthError, 'no acceptable authentication methods (offered: no authentication)'],
    ['a method that was not offered (GSSAPI)', async (c) => {
      await greet(c, 1);
    }, SOCKSProtocolError, 'the SOCKS server chose authentication method 0x01, which was not offered'],
    ['username/password chosen without credentials', async (c) => {
      await greet(c, 2);
    }, SOCKSProtocolError, 'the SOCKS server chose authentication method username/password, which was not offered'],
    ['a truncated connect reply header', async (c) => {
      await greet(c, 0);
      await readRequest(c);
      await c.write(Uint8Array.of(5, 0));
    }, SOCKSProtocolError, 'unexpected EOF in the SOCKS connect reply (got 2 of 4 bytes)'],
    ['a connect reply cut before its address', async (c) => {
      await greet(c, 0);
      await readRequest(c);
      await c.write(Uint8Array.of(5, 0, 0, 1, 127));
    }, SOCKSProtocolError, 'unexpected EOF in the SOCKS connect reply (got 1 of 6 bytes)'],
    ['a connect reply with a cut name', async (c) => {
      await greet(c, 0);
      await readRequest(c);
      await c.write(Uint8Array.of(5, 0, 0, 3, 20, 0x61, 0x62));
    }, SOCKSProtocolError, 'unexpected EOF in the SOCKS connect reply (got 2 of 22 bytes)'],
    ['a connect reply with version 4', async (c) => {
      await greet(c, 0);
      await readRequest(c);
      await c.write(Uint8Array.of(4, 0x5a, 0, 0, 0, 0, 0, 0));
    }, SOCKSProtocolError, 'unexpected protocol version 4 in the SOCKS connect reply (want 5)'],
    ['an unknown address type', async (c) => {
      await greet(c, 0);
      await readRequest(c);
      await c.write(Uint8Array.of(5, 0, 0, 9, 1, 2, 3, 4, 0, 80));
    }, SOCKSProtocolError, 'unknown address type 0x09 in the SOCKS connect reply'],
    ['random garbage', async (c) => {
      await readFull(c, 3);
      await c.write(Uint8Array.of(0xde, 0xad, 0xbe, 0xef));
    }, SOCKSProtocolError, 'unexpected protocol version 222 in the SOCKS method selection reply (want 5; not a SOCKS5 server?)'],
  ];
  for (const [name, script, kind, text] of bad) {
    test(`bad server: ${name} → ${kind.name}`, async () => {
      srv.next(script);
      const t0 = Date.now();
      const e = await failure(dialer({ timeout: 5000 }).dial('tcp', '192.0.2.1:80'));
      assert.equal(e.message, `socks connect tcp ${srv.address}->192.0.2.1:80: ${text}`);
      assert.ok(e.cause instanceof kind, `cause is ${e.cause.name}`);
      assert.equal(e.timeout, false);
      assert.ok(Date.now() - t0 < 4000, 'did not wait for the timeout');
    });
  }

  test('username/password: the client sends RFC 1929 bytes; status 0 succeeds', async () => {
    let sent: Buffer | null = null;
    srv.next(async (c) => {
      await greet(c, 2, [0, 2]);
      const head = await readFull(c, 2);
      const user = await readFull(c, head[1]!);
      const plen = await readFull(c, 1);
      const pass = await readFull(c, plen[0]!);
      sent = Buffer.concat([head, user, plen, pass]);
      await c.write(Uint8Array.of(1, 0));
      await readRequest(c);
      await c.write(OK_V4);
    });
    const c = await dialer({ auth: { username: 'üser', password: 'p@ss:word' } }).dial('tcp', '192.0.2.1:80');
    const u = Buffer.from('üser');
    assert.deepEqual([...sent!], [1, u.length, ...u, 9, ...Buffer.from('p@ss:word')]);
    c.close();
  });

  test('username/password: a non-zero status is SOCKSAuthError; a wrong subversion is a protocol error', async () => {
    srv.next(async (c) => {
      await greet(c, 2, [0, 2]);
      await readFull(c, 2 + 1 + 1 + 1);
      await c.write(Uint8Array.of(1, 1));
    });
    const e = await failure(dialer({ auth: { username: 'u', password: 'p' } }).dial('tcp', '192.0.2.1:80'));
    assert.equal(e.message, `socks connect tcp ${srv.address}->192.0.2.1:80: username/password authentication failed`);
    assert.ok(e.cause instanceof SOCKSAuthError);
    srv.next(async (c) => {
      await greet(c, 2, [0, 2]);
      await readFull(c, 2 + 1 + 1 + 1);
      await c.write(Uint8Array.of(5, 0));
    });
    const e2 = await failure(dialer({ auth: { username: 'u', password: 'p' } }).dial('tcp', '192.0.2.1:80'));
    assert.equal(e2.cause.message, 'unexpected username/password subnegotiation version 5 in the SOCKS authentication reply (want 1)');
    assert.ok(e2.cause instanceof SOCKSProtocolError);
  });

  test('username/password offered but the server wants none: no auth exchange', async () => {
    srv.next(async (c) => {
      await greet(c, 0, [0, 2]);
      await readRequest(c);
      await c.write(OK_V4);
    });
    (await dialer({ auth: { username: 'u', password: '' } }).dial('tcp', '192.0.2.1:80')).close();
  });

  test('timeout covers the handshake: a server that never answers', async () => {
    let closed = false;
    srv.next(async (c) => {
      await readFull(c, 3);
      closed = (await c.read(new Uint8Array(1))) === null;
    });
    const t0 = Date.now();
    const e = await failure(dialer({ timeout: 200 }).dial('tcp', '192.0.2.1:80'));
    const took = Date.now() - t0;
    assert.equal(e.message, `socks connect tcp ${srv.address}->192.0.2.1:80: i/o timeout`);
    assert.equal(e.timeout, true);
    assert.ok(errorIs(e, DeadlineExceededError));
    assert.ok(took >= 150 && took < 2000, `took ${took} ms`);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(closed, true, 'the proxy conn was closed');
  });

  test('timeout covers a server that stalls mid-reply', async () => {
    srv.next(async (c) => {
      await greet(c, 0);
      await readRequest(c);
      await c.write(Uint8Array.of(5, 0, 0));
      await c.read(new Uint8Array(1));
    });
    const e = await failure(dialer({ timeout: 200 }).dial('tcp', '192.0.2.1:80'));
    assert.equal(e.timeout, true);
  });

  test('signal abort mid-handshake rejects with CanceledError and closes the conn', async () => {
    let closed = false;
    srv.next(async (c) => {
      await greet(c, 0);
      await readRequest(c);
      closed = (await c.read(new Uint8Array(1))) === null;
    });
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('user gave up')), 100);
    const e = await failure(dialer().dial('tcp', '192.0.2.1:80', { signal: ac.signal }));
    assert.equal(e.message, `socks connect tcp ${srv.address}->192.0.2.1:80: operation was canceled`);
    const ce = errorAs(e, CanceledError);
    assert.ok(ce);
    assert.equal((ce.cause as Error).message, 'user gave up');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(closed, true);
  });

  test('an already-aborted signal: no conn is made', async () => {
    const e = await failure(dialer().dial('tcp', '192.0.2.1:80', { signal: AbortSignal.abort() }));
    assert.ok(errorIs(e, CanceledError));
  });

  test('bad calls: udp, missing port, port 0, empty host, long name', async () => {
    const d = dialer();
    let e = await failure(d.dial('udp', '192.0.2.1:53'));
    assert.equal(e.message, `socks connect udp ${srv.address}->192.0.2.1:53: network udp is not supported through SOCKS5 (CONNECT carries TCP only)`);
    assert.ok(e.cause instanceof UnsupportedError);
    e = await failure(d.dial('tcp', '192.0.2.1'));
    assert.ok(e.cause instanceof AddrError);
    assert.equal(e.cause.message, 'address 192.0.2.1: missing port in address');
    e = await failure(d.dial('tcp', '192.0.2.1:0'));
    assert.equal(e.cause.message, 'address 192.0.2.1:0: port 0 is not a valid destination');
    e = await failure(d.dial('tcp', ':80'));
    assert.equal(e.cause.message, 'address :80: missing host in address');
    const long = 'a'.repeat(256) + ':80';
    e = await failure(d.dial('tcp', long));
    assert.equal(e.cause.message, `address ${long}: host name too long for SOCKS5 (at most 255 bytes)`);
  });

  test('the tunnel Conn passes deadlines through', async () => {
    srv.next(async (c) => {
      await greet(c, 0);
      await readRequest(c);
      await c.write(OK_V4);
      await c.read(new Uint8Array(1));
    });
    const c = await dialer().dial('tcp', '192.0.2.1:80');
    c.setReadDeadline(new Date(Date.now() + 100));
    const e = await c.read(new Uint8Array(10)).then(() => null, (err: unknown) => err);
    assert.ok(e instanceof OpError);
    assert.equal(e.timeout, true);
    c.close();
  });
});

describe('SOCKS5Dialer construction', () => {
  test('socksDialerFromURL: schemes, default port, credentials, IPv6 hosts', () => {
    let d = socksDialerFromURL('socks5://127.0.0.1');
    assert.equal(d.proxyAddress, '127.0.0.1:1080');
    assert.equal(d.resolveLocally, true);
    assert.equal(d.auth, null);
    d = socksDialerFromURL(new URL('socks5h://us%40er:p%3Ass@[::1]:9050'));
    assert.equal(d.proxyAddress, '[::1]:9050');
    assert.equal(d.resolveLocally, false);
    assert.deepEqual(d.auth, { username: 'us@er', password: 'p:ss' });
    d = socksDialerFromURL('socks5://user@127.0.0.1:1');
    assert.deepEqual(d.auth, { username: 'user', password: '' });
    assert.throws(() => socksDialerFromURL('http://127.0.0.1:1080'), (e: unknown) => e instanceof AddrError
      && e.message === 'address http://127.0.0.1:1080/: unsupported SOCKS proxy scheme "http" (want socks5 or socks5h)');
    assert.throws(() => socksDialerFromURL('socks5://'), (e: unknown) => e instanceof AddrError && e.message === 'address socks5://: missing host in SOCKS proxy URL');
  });

  test('bad credentials are refused up front', () => {
    assert.throws(() => new SOCKS5Dialer({ proxyAddress: '127.0.0.1:1', resolveLocally: true, auth: { username: '', password: 'x' } }),
      (e: unknown) => e instanceof SOCKSAuthError && e.message === 'invalid username/password: the username must be 1 to 255 bytes, not 0');
    assert.throws(() => new SOCKS5Dialer({ proxyAddress: '127.0.0.1:1', resolveLocally: true, auth: { username: 'u', password: 'x'.repeat(256) } }),
      (e: unknown) => e instanceof SOCKSAuthError && e.message === 'invalid username/password: the password must be at most 255 bytes, not 256');
  });

  test('a custom forward dialer carries the tunnel', async () => {
    const srv = await FakeServer.start();
    srv.next(async (c) => {
      await greet(c, 0);
      await readRequest(c);
      await c.write(OK_V4);
      await echo(c);
    });
    const used: string[] = [];
    const { Dialer } = await import('../../src/net/index.js');
    const inner = new Dialer();
    const d = new SOCKS5Dialer({
      proxyAddress: srv.address, resolveLocally: false,
      forward: { dial: (n, a, o) => (used.push(`${n} ${a}`), inner.dial(n, a, o)) },
    });
    const c = await d.dial('tcp', '192.0.2.1:80');
    assert.deepEqual(used, [`tcp ${srv.address}`]);
    assert.equal((await roundTrip(c, enc.encode('fwd'))).toString(), 'fwd');
    c.close();
    srv.l.close();
  });
});

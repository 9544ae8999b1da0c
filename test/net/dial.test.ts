import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import {
  dial, listen, Dialer, parseIP, errorIs, CanceledError, DeadlineExceededError, OpError,
  UnknownNetworkError, AddrError, DNSError, TCPAddr, UnixAddr, UnsupportedError,
} from '../../src/net/index.js';
import { HungListener, echo, readAll, tableResolver } from '../support/net.js';

const working = await listen('tcp', '127.0.0.1:0');
const workingPort = Number(working.addr.toString().split(':').pop());
(async () => {
  for await (const c of working) void echo(c);
})();
const hung6 = await HungListener.start('::1');
const hung4 = await HungListener.start('127.0.0.2');

after(() => {
  hung6.stop();
  hung4.stop();
  working.close();
});

test('a hung listener really hangs (test precondition)', async () => {
  const t0 = Date.now();
  const e = await dial('tcp', hung4.address, { timeout: 300 }).then(() => null, (err: unknown) => err);
  assert.ok(e instanceof OpError, 'dial failed');
  assert.equal(e.message, `dial tcp ${hung4.address}: i/o timeout`);
  assert.ok(e.timeout);
  assert.ok(errorIs(e, DeadlineExceededError));
  assert.ok(Date.now() - t0 >= 250);
});

test('happy eyeballs: IPv6 attempt hangs, IPv4 fallback wins after about fallbackDelay', async () => {
  // The name resolves to ::1 (first, hung) and 127.0.0.1 (works); both on the same port.
  const port = hung6.port;
  const ok = await listen('tcp4', `127.0.0.1:${port}`).catch(() => null);
  const target = ok ?? working;
  const usePort = ok ? port : workingPort;
  if (!ok) {
    // Port clash with the hung listener's number on 127.0.0.1: use a resolver mapping per port
    // is impossible, so fall back to the working listener's port for both (::1 refuses fast).
    assert.fail('could not bind 127.0.0.1 on the hung listener\'s port');
  }
  const served = (async () => {
    const c = await target.accept();
    await echo(c);
  })();
  const sockets: Socket[] = [];
  const d = new Dialer({
    fallbackDelay: 150,
    resolver: tableResolver({ 'dual.test': ['::1', '127.0.0.1'] }),
    control: (_n, _a, s) => void sockets.push(s),
  });
  const t0 = Date.now();
  const c = await d.dial('tcp', `dual.test:${usePort}`);
  const took = Date.now() - t0;
  assert.ok(took >= 140 && took < 2000, `took ${took} ms`);
  assert.equal(c.remoteAddr.toString(), `127.0.0.1:${usePort}`);
  await c.write(new TextEncoder().encode('eyeballs'));
  await c.closeWrite();
  assert.equal((await readAll(c)).toString(), 'eyeballs');
  c.close();
  await served;
  assert.equal(sockets.length, 2, 'one attempt per family');
  await new Promise((r) => setTimeout(r, 10));
  assert.ok(sockets[0]!.destroyed, 'the hung IPv6 attempt was cleaned up');
  ok?.close();
});

test('RFC 8305: a hung first IPv4 address is raced too (not serial), families interleaved', async () => {
  const sockets: string[] = [];
  const d = new Dialer({
    fallbackDelay: 100,
    resolver: tableResolver({ 'multi.test': ['127.0.0.2', '127.0.0.1', '::1'] }),
    control: (n, a) => void sockets.push(`${n} ${a}`),
  });
  const t0 = Date.now();
  // 127.0.0.2 hangs on hung4's port; ::1 refuses on that port; 127.0.0.1 on that port: not listening.
  const e = await d.dial('tcp', `multi.test:${hung4.port}`, { signal: AbortSignal.timeout(1500) }).then(() => null, (err: unknown) => err);
  assert.ok(e instanceof OpError);
  // Order: first family first, then the other family, then the rest.
  assert.deepEqual(sockets, [`tcp4 127.0.0.2:${hung4.port}`, `tcp6 [::1]:${hung4.port}`, `tcp4 127.0.0.1:${hung4.port}`]);
  // The failures of later attempts started the next at once; the first error is reported.
  assert.equal(e.message, `dial tcp 127.0.0.2:${hung4.port}: i/o timeout`);
  assert.ok(Date.now() - t0 >= 1400);
});

test('fallbackDelay < 0: addresses in turn, each with a fair share (at least 2 s)', async () => {
  const d = new Dialer({ fallbackDelay: -1, timeout: 3000, resolver: tableResolver({ 'serial.test': ['127.0.0.2', '127.0.0.1'] }) });
  const t0 = Date.now();
  const e = await d.dial('tcp', `serial.test:${hung4.port}`).then(() => null, (err: unknown) => err);
  const took = Date.now() - t0;
  // The first gets 2 s (its half would be 1.5 s, under the floor), the second refuses at once.
  assert.ok(took >= 1900 && took < 2900, `took ${took}`);
  assert.ok(e instanceof OpError);
  assert.equal(e.message, `dial tcp 127.0.0.2:${hung4.port}: i/o timeout`, 'the first address error wins');
});

test('aborting the signal cancels a pending dial promptly and destroys the socket', async () => {
  const sockets: Socket[] = [];
  const ac = new AbortController();
  const t0 = Date.now();
  setTimeout(() => ac.abort(), 100);
  const e = await dial('tcp', hung4.address, { signal: ac.signal, control: (_n, _a, s) => void sockets.push(s) })
    .then(() => null, (err: unknown) => err);
  assert.ok(e instanceof OpError);
  assert.equal(e.message, `dial tcp ${hung4.address}: operation was canceled`);
  assert.ok(errorIs(e, CanceledError));
  assert.equal(e.timeout, false);
  assert.ok(Date.now() - t0 < 1000);
  assert.equal(sockets.length, 1);
  assert.ok(sockets[0]!.destroyed);
  // Already aborted: fails before any attempt.
  const pre = await dial('tcp', '127.0.0.1:1', { signal: AbortSignal.abort() }).then(() => null, (err: unknown) => err);
  assert.ok(pre instanceof OpError && errorIs(pre, CanceledError));
});

test('timeout and deadline: the earliest wins; AbortSignal.timeout counts as a timeout', async () => {
  const t0 = Date.now();
  const e1 = await new Dialer({ timeout: 5000, deadline: new Date(Date.now() + 150) }).dial('tcp', hung4.address).catch((e: unknown) => e);
  assert.ok(e1 instanceof OpError && e1.timeout);
  assert.ok(Date.now() - t0 < 1500);
  const e2 = await dial('tcp', hung4.address, { signal: AbortSignal.timeout(100) }).catch((e: unknown) => e);
  assert.ok(e2 instanceof OpError && e2.timeout, 'timeout');
  assert.match(e2.message, /i\/o timeout$/);
  const e3 = await dial('tcp', hung4.address, { timeout: -1 }).catch((e: unknown) => e);
  assert.ok(e3 instanceof OpError && e3.timeout, 'a negative timeout is already expired');
});

test('dial errors read like Go', async () => {
  const cases: [string, string, RegExp | string, (abstract new (...a: never[]) => Error)?][] = [
    ['tcp', '127.0.0.1:1', 'dial tcp 127.0.0.1:1: connect: connection refused'],
    ['tcp', '', 'dial tcp: missing address', AddrError],
    ['tcp', '127.0.0.1', 'dial tcp: address 127.0.0.1: missing port in address', AddrError],
    ['tcp', '::1:80', 'dial tcp: address ::1:80: too many colons in address', AddrError],
    ['tcp', '127.0.0.1:http-nope', 'dial tcp: lookup tcp/http-nope: unknown port', DNSError],
    ['tcp5', '127.0.0.1:80', 'dial tcp5: unknown network tcp5', UnknownNetworkError],
    ['ip', '127.0.0.1', 'dial ip: unknown network ip', UnknownNetworkError],
    ['tcp6', '127.0.0.1:80', 'dial tcp6: address 127.0.0.1: no suitable address found', AddrError],
    ['tcp4', '[::1]:80', 'dial tcp4: address ::1: no suitable address found', AddrError],
    ['unix', '/nonexistent/gonet.sock', 'dial unix /nonexistent/gonet.sock: connect: no such file or directory'],
    ['ip4:icmp', '127.0.0.1', 'dial ip4:icmp 127.0.0.1: dialing ip4 is not available in Node.js (no raw IP sockets)', UnsupportedError],
    ['unixgram', '/tmp/g.sock', 'dial unixgram /tmp/g.sock: unixgram sockets are not available in Node.js', UnsupportedError],
  ];
  for (const [net, addr, msg, kind] of cases) {
    const e = await dial(net, addr).then(() => null, (err: unknown) => err);
    assert.ok(e instanceof OpError, `${net} ${addr}: an OpError`);
    if (typeof msg === 'string') assert.equal(e.message, msg);
    else assert.match(e.message, msg);
    if (kind) assert.ok(errorIs(e, kind), `${net} ${addr}: cause is ${kind.name}`);
  }
  const refused = (await dial('tcp', '127.0.0.1:1').then(() => null, (e: unknown) => e)) as OpError;
  assert.equal(refused.code, 'ECONNREFUSED');
  assert.equal(refused.op, 'dial');
  assert.equal(refused.addr?.toString(), '127.0.0.1:1');
});

test('names go through the resolver with the family hint; tcp4 asks only for ip4', async () => {
  const r = tableResolver({ 'svc.test': ['::1', '127.0.0.1'] });
  const c = await new Dialer({ resolver: r }).dial('tcp4', `svc.test:${workingPort}`);
  assert.equal(c.remoteAddr.toString(), `127.0.0.1:${workingPort}`);
  c.close();
  assert.deepEqual(r.asked, ['svc.test/ip4']);
  const e = await new Dialer({ resolver: r }).dial('tcp', 'nope.test:80').catch((err: unknown) => err);
  assert.ok(e instanceof OpError && errorIs(e, DNSError));
  assert.equal(e.message, 'dial tcp: lookup nope.test: no such host');
  // localhost through the OS resolver (the hosts file; no DNS server is asked).
  const l = await dial('tcp', `localhost:${workingPort}`);
  assert.match(l.remoteAddr.toString(), /^(127\.0\.0\.1|\[::1\]):\d+$/);
  l.close();
});

test('localAddr binds the source; a mismatched kind is an AddrError', async () => {
  const c = await new Dialer({ localAddr: new TCPAddr(parseIP('127.0.0.3'), 0) }).dial('tcp', working.addr.toString());
  assert.match(c.localAddr.toString(), /^127\.0\.0\.3:\d+$/);
  c.close();
  const e = await new Dialer({ localAddr: new UnixAddr('/tmp/x') }).dial('tcp', working.addr.toString()).catch((err: unknown) => err);
  assert.ok(e instanceof OpError && errorIs(e, AddrError));
  assert.match(e.message, /mismatched local address type/);
  const e2 = await new Dialer({ localAddr: new TCPAddr(parseIP('::1'), 0) }).dial('tcp', working.addr.toString()).catch((err: unknown) => err);
  assert.ok(e2 instanceof OpError && /no suitable address found/.test(e2.message));
});

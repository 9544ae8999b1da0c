import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  dial, listenPacket, errorIs, ErrClosed, ErrWriteToConnected, OpError, UnsupportedError, UDPAddr, UDPConn,
  DeadlineExceededError, parseIP, resolveUDPAddr,
} from '../../src/net/index.js';

const te = new TextEncoder();
const td = new TextDecoder();

function isOpError(op: string, cause: abstract new (...a: never[]) => Error, text?: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof OpError, `an OpError, got ${String(e)}`);
    assert.equal(e.op, op);
    assert.ok(errorIs(e, cause), `cause is ${cause.name}: ${e.message}`);
    if (text) assert.match(e.message, text);
    return true;
  };
}

for (const host of ['127.0.0.1', '[::1]']) {
  test(`udp over ${host}: readFrom reports the sender, writeTo answers it`, async () => {
    const srv = await listenPacket('udp', `${host}:0`);
    const cli = await listenPacket('udp', `${host}:0`);
    assert.ok(srv.localAddr instanceof UDPAddr);
    assert.equal(srv.localAddr.network, 'udp');
    assert.notEqual(srv.localAddr.port, 0);
    assert.equal(await cli.writeTo(te.encode('ping'), srv.localAddr), 4);
    const p = new Uint8Array(64);
    const { n, addr } = await srv.readFrom(p);
    assert.equal(td.decode(p.subarray(0, n)), 'ping');
    assert.equal(addr.toString(), cli.localAddr.toString());
    await srv.writeTo(te.encode('pong'), addr);
    const r = await cli.readFrom(p);
    assert.equal(td.decode(p.subarray(0, r.n)), 'pong');
    assert.equal(r.addr.toString(), srv.localAddr.toString());
    srv.close();
    cli.close();
  });
}

test('a datagram longer than the buffer is truncated; the rest is lost, the next datagram is whole', async () => {
  const srv = await listenPacket('udp4', '127.0.0.1:0');
  const cli = await dial('udp', srv.localAddr.toString());
  await cli.write(te.encode('0123456789'));
  await cli.write(te.encode('ab'));
  const p = new Uint8Array(4);
  assert.equal((await srv.readFrom(p)).n, 4);
  assert.equal(td.decode(p), '0123');
  const { n } = await srv.readFrom(p);
  assert.equal(td.decode(p.subarray(0, n)), 'ab');
  srv.close();
  cli.close();
});

test('dial udp gives a connected conn: read/write, and writeTo is ErrWriteToConnected', async () => {
  const srv = await listenPacket('udp', '127.0.0.1:0');
  const c = await dial('udp', srv.localAddr.toString());
  assert.ok(c instanceof UDPConn);
  assert.equal(c.remoteAddr?.toString(), srv.localAddr.toString());
  await c.write(te.encode('hello'));
  const p = new Uint8Array(16);
  const { n, addr } = await srv.readFrom(p);
  assert.equal(td.decode(p.subarray(0, n)), 'hello');
  await srv.writeTo(te.encode('back'), addr);
  const m = await c.read(p);
  assert.equal(td.decode(p.subarray(0, m)), 'back');
  await assert.rejects(c.writeTo(te.encode('x'), srv.localAddr), isOpError('write', ErrWriteToConnected, /use of WriteTo with pre-connected connection/));
  // An unconnected socket has no peer for write().
  await assert.rejects(srv.write(te.encode('x')), isOpError('write', Error, /destination address required/));
  srv.close();
  c.close();
});

test('a connected socket ignores datagrams from other peers', async () => {
  const a = await listenPacket('udp', '127.0.0.1:0');
  const stranger = await listenPacket('udp', '127.0.0.1:0');
  const c = await dial('udp', a.localAddr.toString());
  await stranger.writeTo(te.encode('not for you'), c.localAddr);
  await a.writeTo(te.encode('from peer'), c.localAddr);
  const p = new Uint8Array(32);
  const n = await c.read(p);
  assert.equal(td.decode(p.subarray(0, n)), 'from peer');
  for (const s of [a, stranger, c]) s.close();
});

test('read deadline: past fails at once, future fails pending reads, moving it makes the conn usable', async () => {
  const s = await listenPacket('udp', '127.0.0.1:0');
  const p = new Uint8Array(8);
  s.setReadDeadline(new Date(Date.now() - 1000));
  await assert.rejects(s.readFrom(p), (e: unknown) => {
    assert.ok(e instanceof OpError && e.timeout === true);
    assert.ok(errorIs(e, DeadlineExceededError));
    assert.match(e.message, /^read udp 127\.0\.0\.1:\d+: i\/o timeout$/);
    return true;
  });
  const t0 = Date.now();
  s.setReadDeadline(new Date(Date.now() + 100));
  await assert.rejects(s.readFrom(p), (e: unknown) => e instanceof OpError && e.timeout);
  assert.ok(Date.now() - t0 >= 90, 'the deadline was honoured, not fired early');
  s.setReadDeadline(null);
  const c = await dial('udp', s.localAddr.toString());
  await c.write(te.encode('ok'));
  const { n } = await s.readFrom(p);
  assert.equal(td.decode(p.subarray(0, n)), 'ok');
  s.close();
  c.close();
});

test('write deadline in the past fails writeTo with a timeout', async () => {
  const s = await listenPacket('udp', '127.0.0.1:0');
  s.setWriteDeadline(new Date(Date.now() - 1));
  await assert.rejects(s.writeTo(te.encode('x'), s.localAddr), (e: unknown) => e instanceof OpError && e.timeout && e.op === 'write');
  s.setDeadline(null);
  assert.equal(await s.writeTo(te.encode('x'), s.localAddr), 1);
  s.close();
});

test('close fails pending and later reads with ErrClosed; close is idempotent', async () => {
  const s = await listenPacket('udp', '127.0.0.1:0');
  const pending = s.readFrom(new Uint8Array(8));
  s.close();
  s.close();
  await assert.rejects(pending, isOpError('read', ErrClosed, /use of closed network connection/));
  await assert.rejects(s.readFrom(new Uint8Array(8)), isOpError('read', ErrClosed));
  await assert.rejects(s.writeTo(te.encode('x'), new UDPAddr(parseIP('127.0.0.1'), 9)), isOpError('write', ErrClosed));
});

test('a full queue drops new datagrams and counts them, as a kernel buffer would', async () => {
  const s = await listenPacket('udp', '127.0.0.1:0', { packetQueueLimit: 4 });
  const c = await dial('udp', s.localAddr.toString());
  for (let i = 0; i < 10; i++) await c.write(te.encode(`m${i}`));
  // Wait for all ten to arrive at the socket.
  const until = Date.now() + 2000;
  while (s.dropped + 4 < 10 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  const got: string[] = [];
  const p = new Uint8Array(8);
  for (let i = 0; i < 4; i++) {
    const { n } = await s.readFrom(p);
    got.push(td.decode(p.subarray(0, n)));
  }
  assert.deepEqual(got, ['m0', 'm1', 'm2', 'm3']);
  assert.equal(s.dropped, 6);
  s.close();
  c.close();
});

test('async iteration of a UDPConn yields whole datagrams', async () => {
  const s = await listenPacket('udp', '127.0.0.1:0');
  const c = await dial('udp', s.localAddr.toString());
  await c.write(te.encode('one'));
  await c.write(te.encode('two'));
  const seen: string[] = [];
  for await (const d of s) {
    seen.push(td.decode(d));
    if (seen.length === 2) break;
  }
  assert.deepEqual(seen, ['one', 'two']);
  s.close();
  c.close();
});

test('packet network errors read like Go', async () => {
  await assert.rejects(listenPacket('tcp', '127.0.0.1:0'), (e: unknown) => {
    assert.ok(e instanceof OpError);
    assert.equal(e.message, 'listen tcp: address 127.0.0.1:0: unexpected address type');
    return true;
  });
  await assert.rejects(listenPacket('unixgram', '/tmp/x.sock'), isOpError('listen', UnsupportedError, /unixgram sockets are not available/));
  await assert.rejects(listenPacket('ip4:icmp', '127.0.0.1'), isOpError('listen', UnsupportedError, /ip4:icmp sockets are not available/));
  await assert.rejects(listenPacket('udp', '127.0.0.1:99999'), (e: unknown) => e instanceof OpError && /invalid port/.test(e.message));
  await assert.rejects(listenPacket('udp9', ':0'), (e: unknown) => e instanceof OpError && e.message === 'listen udp9: unknown network udp9');
  const taken = await listenPacket('udp4', '127.0.0.1:0');
  await assert.rejects(listenPacket('udp4', taken.localAddr.toString()), (e: unknown) => {
    assert.ok(e instanceof OpError);
    assert.equal(e.message, `listen udp4 ${taken.localAddr.toString()}: bind: address already in use`);
    return true;
  });
  taken.close();
});

test('resolveUDPAddr, then a wildcard listener answers on loopback', async () => {
  const a = await resolveUDPAddr('udp', '127.0.0.1:domain');
  assert.equal(a.toString(), '127.0.0.1:53');
  const s = await listenPacket('udp', ':0');
  assert.equal(s.localAddr.toString(), `[::]:${s.localAddr.port}`);
  const c = await dial('udp4', `127.0.0.1:${s.localAddr.port}`);
  await c.write(te.encode('via wildcard'));
  const p = new Uint8Array(32);
  const { n, addr } = await s.readFrom(p);
  assert.equal(td.decode(p.subarray(0, n)), 'via wildcard');
  assert.equal(addr.toString(), c.localAddr.toString(), 'v4 peers print as IPv4 on a dual-stack socket');
  s.close();
  c.close();
});

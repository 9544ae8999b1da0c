import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  listen, listenPacket, dial, ListenConfig, errorIs, ErrClosed, OpError, AddrError, UnsupportedError,
  UnknownNetworkError, TCPListener, type Conn,
} from '../../src/net/index.js';

test('":0" picks a free port; "" and ":port" listen dual-stack and print [::]', async () => {
  const ln = await listen('tcp', ':0');
  assert.ok(ln instanceof TCPListener);
  assert.match(ln.addr.toString(), /^\[::\]:\d+$/);
  const port = ln.addr.toString().split(':').pop()!;
  // One socket answers both families.
  const v4 = await dial('tcp', `127.0.0.1:${port}`);
  const a4 = await ln.accept();
  assert.match(a4.remoteAddr.toString(), /^127\.0\.0\.1:\d+$/, 'v4-mapped peers print dotted');
  const v6 = await dial('tcp', `[::1]:${port}`);
  const a6 = await ln.accept();
  assert.match(a6.remoteAddr.toString(), /^\[::1\]:\d+$/);
  for (const c of [v4, a4, v6, a6]) c.close();
  ln.close();
  const empty = await listen('tcp', '');
  assert.match(empty.addr.toString(), /^\[::\]:\d+$/);
  empty.close();
});

test('tcp4 and tcp6 wildcards stay in their family', async () => {
  const l4 = await listen('tcp4', ':0');
  assert.match(l4.addr.toString(), /^0\.0\.0\.0:\d+$/);
  const l6 = await listen('tcp6', ':0');
  assert.match(l6.addr.toString(), /^\[::\]:\d+$/);
  const port6 = l6.addr.toString().split(':').pop()!;
  // IPV6_V6ONLY: an IPv4 client cannot reach the tcp6 listener.
  await assert.rejects(dial('tcp4', `127.0.0.1:${port6}`), /connection refused/);
  l4.close();
  l6.close();
});

test('close fails pending accepts with ErrClosed and ends iteration; accepted conns stay open', async () => {
  const ln = await listen('tcp', '127.0.0.1:0');
  const c = await dial('tcp', ln.addr.toString());
  const accepted = await ln.accept();
  const pending = ln.accept();
  ln.close();
  ln.close();
  const e = await pending.then(() => null, (err: unknown) => err);
  assert.ok(e instanceof OpError);
  assert.ok(errorIs(e, ErrClosed));
  assert.equal(e.message, `accept tcp ${ln.addr.toString()}: use of closed network connection`);
  await assert.rejects(ln.accept(), (err: unknown) => errorIs(err, ErrClosed));
  const seen: Conn[] = [];
  for await (const x of ln) seen.push(x);
  assert.equal(seen.length, 0);
  // The accepted conn still works after the listener closed.
  await c.write(new TextEncoder().encode('still'));
  const buf = new Uint8Array(5);
  assert.equal(await accepted.read(buf), 5);
  c.close();
  accepted.close();
});

test('accept deadline times out, can be moved, and async iteration serves conns', async () => {
  const ln = await listen('tcp', '127.0.0.1:0');
  ln.setDeadline(new Date(Date.now() + 50));
  const e = await ln.accept().then(() => null, (err: unknown) => err);
  assert.ok(e instanceof OpError && e.timeout && e.op === 'accept');
  ln.setDeadline(null);
  const served = (async () => {
    let n = 0;
    for await (const c of ln) {
      c.close();
      if (++n === 3) break;
    }
    return n;
  })();
  for (let i = 0; i < 3; i++) (await dial('tcp', ln.addr.toString())).close();
  assert.equal(await served, 3);
  ln.close();
});

test('listen errors read like Go', async () => {
  const ln = await listen('tcp', '127.0.0.1:0');
  await assert.rejects(listen('tcp', ln.addr.toString()), (e: unknown) => e instanceof OpError
    && e.message === `listen tcp ${ln.addr.toString()}: bind: address already in use` && e.code === 'EADDRINUSE');
  ln.close();
  await assert.rejects(listen('tcp7', ':0'), (e: unknown) => e instanceof OpError && errorIs(e, UnknownNetworkError)
    && e.message === 'listen tcp7: unknown network tcp7');
  await assert.rejects(listen('udp', '127.0.0.1:0'), (e: unknown) => e instanceof OpError && errorIs(e, AddrError)
    && /unexpected address type/.test(e.message));
  await assert.rejects(listen('tcp', '127.0.0.1:99999'), (e: unknown) => errorIs(e, AddrError) && /invalid port/.test((e as Error).message));
  await assert.rejects(listen('unixpacket', '/tmp/x.sock'), (e: unknown) => errorIs(e, UnsupportedError)
    && /^listen unixpacket \/tmp\/x\.sock: unixpacket sockets are not available in Node\.js$/.test((e as Error).message));
  await assert.rejects(listenPacket('unixgram', '/tmp/y.sock'), (e: unknown) => errorIs(e, UnsupportedError));
  await assert.rejects(listenPacket('ip4:icmp', '127.0.0.1'), (e: unknown) => errorIs(e, UnsupportedError)
    && /ip4:icmp sockets are not available/.test((e as Error).message));
});

test('ListenConfig: control hook sees the server, keepAlive applies, backlog overflow is refused', async () => {
  const seen: string[] = [];
  const lc = new ListenConfig({ backlog: 2, keepAlive: -1, control: (network, address) => seen.push(`${network} ${address}`) });
  const ln = await lc.listen('tcp4', '127.0.0.1:0');
  assert.deepEqual(seen, ['tcp4 127.0.0.1:0']);
  // Nobody accepts: the third and later conns beyond the backlog are reset, not queued forever.
  const conns = await Promise.all(Array.from({ length: 5 }, () => dial('tcp', ln.addr.toString())));
  await new Promise((r) => setTimeout(r, 100));
  const results = await Promise.all(conns.map((c) => {
    c.setReadDeadline(new Date(Date.now() + 300));
    return c.read(new Uint8Array(1)).then(() => 'eof', (e: unknown) => (e as OpError).timeout ? 'waiting' : 'reset');
  }));
  assert.equal(results.filter((r) => r === 'waiting').length, 2, results.join(','));
  assert.equal(results.filter((r) => r !== 'waiting').length, 3, results.join(','));
  for (const c of conns) c.close();
  ln.close();
});

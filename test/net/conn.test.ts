import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import {
  dial, listen, errorIs, ErrClosed, OpError, DeadlineExceededError, TCPConn, UnixConn, TCPAddr,
  type Conn, type Listener,
} from '../../src/net/index.js';
import { echo, pattern, readAll, readFull } from '../support/net.js';

const te = new TextEncoder();

interface Transport {
  name: string;
  network: 'tcp' | 'unix';
  address(): string;
}

let sockSeq = 0;
const transports: Transport[] = [
  { name: 'tcp over 127.0.0.1', network: 'tcp', address: () => '127.0.0.1:0' },
  { name: 'tcp over ::1', network: 'tcp', address: () => '[::1]:0' },
  { name: 'unix socket', network: 'unix', address: () => join(tmpdir(), `gonet-test-${process.pid}-${sockSeq++}.sock`) },
];

async function pair(t: Transport): Promise<{ ln: Listener; client: Conn; server: Conn }> {
  const ln = await listen(t.network, t.address());
  const [client, server] = await Promise.all([dial(t.network, ln.addr.toString()), ln.accept()]);
  return { ln, client, server };
}

for (const t of transports) {
  describe(t.name, () => {
    test('echo round trip, then EOF', async () => {
      const ln = await listen(t.network, t.address());
      const served = (async () => echo(await ln.accept()))();
      const c = await dial(t.network, ln.addr.toString());
      assert.equal(await c.write(te.encode('hello, gonet')), 12);
      await c.closeWrite();
      assert.equal((await readAll(c)).toString(), 'hello, gonet');
      assert.equal(await c.read(new Uint8Array(8)), null, 'EOF is sticky');
      await served;
      c.close();
      ln.close();
    });

    test('half-close: peer reads EOF, we keep reading', async () => {
      const { ln, client, server } = await pair(t);
      await client.write(te.encode('request'));
      await client.closeWrite();
      assert.equal((await readAll(server)).toString(), 'request');
      await server.write(te.encode('reply after EOF'));
      server.close();
      assert.equal((await readAll(client)).toString(), 'reply after EOF');
      await assert.rejects(client.write(te.encode('x')), (e: unknown) => e instanceof OpError && /broken pipe/.test(e.message));
      client.close();
      ln.close();
    });

    test('read with a zero-length buffer returns 0 at once', async () => {
      const { ln, client, server } = await pair(t);
      assert.equal(await client.read(new Uint8Array(0)), 0);
      client.close();
      server.close();
      ln.close();
    });

    test('deadlines: past, future, extended, cleared', async () => {
      const { ln, client, server } = await pair(t);
      // Past: fails at once, even with data buffered.
      await server.write(te.encode('buffered'));
      await new Promise((r) => setTimeout(r, 20));
      client.setReadDeadline(new Date(Date.now() - 1000));
      const past = await client.read(new Uint8Array(16)).then(() => null, (e: unknown) => e);
      assert.ok(past instanceof OpError, 'an OpError');
      assert.equal(past.timeout, true);
      assert.ok(errorIs(past, DeadlineExceededError));
      assert.match(past.message, /^read (tcp|unix) .*i\/o timeout$/);
      // Cleared: the buffered data is there again.
      client.setReadDeadline(null);
      assert.equal((await readFull(client, 8)).toString(), 'buffered');
      // Future: a pending read fails when it passes.
      const t0 = Date.now();
      client.setReadDeadline(new Date(Date.now() + 100));
      const fut = await client.read(new Uint8Array(16)).then(() => null, (e: unknown) => e);
      assert.ok(fut instanceof OpError && fut.timeout);
      assert.ok(Date.now() - t0 >= 90, 'not before the deadline');
      // Extended while pending: the read survives the old deadline and gets the data.
      client.setReadDeadline(new Date(Date.now() + 100));
      const p = client.read(new Uint8Array(16));
      client.setReadDeadline(new Date(Date.now() + 5000));
      await new Promise((r) => setTimeout(r, 200));
      await server.write(te.encode('late'));
      const n = await p;
      assert.equal(n, 4);
      // setDeadline covers writes too: a past write deadline fails the write.
      client.setDeadline(new Date(0 + 1));
      const we = await client.write(te.encode('x')).then(() => null, (e: unknown) => e);
      assert.ok(we instanceof OpError && we.timeout && we.op === 'write');
      client.setDeadline(null);
      assert.equal(await client.write(te.encode('ok')), 2);
      assert.equal((await readFull(server, 2)).toString(), 'ok');
      client.close();
      server.close();
      ln.close();
    });

    test('close: idempotent, pending and later calls fail with ErrClosed', async () => {
      const { ln, client, server } = await pair(t);
      const pending = client.read(new Uint8Array(16));
      client.close();
      client.close();
      const e1 = await pending.then(() => null, (e: unknown) => e);
      assert.ok(e1 instanceof OpError && errorIs(e1, ErrClosed));
      assert.match(e1.message, /use of closed network connection$/);
      const e2 = await client.write(te.encode('x')).then(() => null, (e: unknown) => e);
      assert.ok(e2 instanceof OpError && e2.op === 'write' && errorIs(e2, ErrClosed));
      assert.throws(() => client.setReadDeadline(new Date()), (e: unknown) => e instanceof OpError && e.op === 'set');
      assert.equal(await server.read(new Uint8Array(4)), null, 'peer sees EOF');
      server.close();
      ln.close();
    });

    test('web streams, async iteration and asyncDispose', async () => {
      const { ln, client, server } = await pair(t);
      const w = client.writable.getWriter();
      await w.write(te.encode('via '));
      await w.write(te.encode('streams'));
      await w.close(); // half-close
      const chunks: Uint8Array[] = [];
      for await (const chunk of server) chunks.push(chunk);
      assert.equal(Buffer.concat(chunks).toString(), 'via streams');
      await server.write(te.encode('back'));
      await server[Symbol.asyncDispose]();
      const r = client.readable.getReader();
      let got = '';
      for (;;) {
        const { value, done } = await r.read();
        if (done) break;
        got += Buffer.from(value).toString();
      }
      assert.equal(got, 'back');
      client.close();
      ln.close();
    });
  });
}

test('TCP addresses print like Go and conns carry TCP options', async () => {
  const ln = await listen('tcp', '127.0.0.1:0');
  const [c, s] = await Promise.all([dial('tcp', ln.addr.toString()), ln.accept()]);
  assert.ok(c instanceof TCPConn && s instanceof TCPConn);
  assert.ok(c.remoteAddr instanceof TCPAddr);
  assert.equal(c.remoteAddr.toString(), ln.addr.toString());
  assert.equal(s.remoteAddr.toString(), c.localAddr.toString());
  assert.match(c.localAddr.toString(), /^127\.0\.0\.1:\d+$/);
  c.setNoDelay(false);
  c.setKeepAlive(true);
  c.setKeepAlivePeriod(30_000);
  c.close();
  s.close();
  ln.close();
});

test('setLinger(0) resets the conn: the peer sees ECONNRESET', async () => {
  const ln = await listen('tcp', '127.0.0.1:0');
  const [c, s] = await Promise.all([dial('tcp', ln.addr.toString()), ln.accept()]);
  (c as TCPConn).setLinger(0);
  c.close();
  const e = await s.read(new Uint8Array(4)).then(() => null, (err: unknown) => err);
  assert.ok(e instanceof OpError, 'read fails rather than EOF');
  assert.equal(e.code, 'ECONNRESET');
  assert.match(e.message, /^read tcp 127\.0\.0\.1:\d+->127\.0\.0\.1:\d+: read: connection reset by peer$/);
  s.close();
  ln.close();
});

test('backpressure: a slow reader of 64 MiB holds a bounded queue and gets every byte', async () => {
  const ln = await listen('tcp', '127.0.0.1:0');
  const [c, s] = await Promise.all([dial('tcp', ln.addr.toString(), { readQueueLimit: 256 * 1024 }), ln.accept()]);
  const total = 64 * 1024 * 1024;
  const chunk = 1024 * 1024;
  let written = 0;
  const writer = (async () => {
    for (let off = 0; off < total; off += chunk) {
      await s.write(pattern(chunk, off));
      written += chunk;
    }
    await s.closeWrite();
  })();
  // Nobody reads for a while: the writer must stall far short of 64 MiB.
  await new Promise((r) => setTimeout(r, 300));
  const conn = c as TCPConn;
  assert.ok(conn.buffered <= 256 * 1024 + 128 * 1024, `queue bounded (was ${conn.buffered})`);
  assert.ok(written < total / 2, `writer stalled (wrote ${written})`);
  // Now read slowly, checking the bytes as they come.
  const buf = new Uint8Array(200_000);
  let got = 0;
  let maxQueued = 0;
  for (let i = 0; ; i++) {
    const n = await c.read(buf);
    if (n === null) break;
    assert.ok(Buffer.from(buf.subarray(0, n)).equals(pattern(n, got)), `bytes at ${got}`);
    got += n;
    maxQueued = Math.max(maxQueued, conn.buffered);
    if (i % 64 === 0) await new Promise((r) => setImmediate(r));
  }
  await writer;
  assert.equal(got, total);
  assert.ok(maxQueued <= 256 * 1024 + 128 * 1024, `queue stayed bounded (max ${maxQueued})`);
  c.close();
  s.close();
  ln.close();
});

test('unix listener removes its socket file on close', async () => {
  const path = join(tmpdir(), `gonet-unlink-${process.pid}.sock`);
  const ln = await listen('unix', path);
  assert.ok(existsSync(path));
  const c = await dial('unix', path);
  assert.ok(c instanceof UnixConn);
  assert.equal(c.remoteAddr.toString(), path);
  c.close();
  ln.close();
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(!existsSync(path), 'socket file unlinked');
});

test('abstract unix names (@name) on Linux', { skip: process.platform !== 'linux' ? 'Linux only' : false }, async () => {
  const name = `@gonet-abstract-${process.pid}`;
  const ln = await listen('unix', name);
  assert.equal(ln.addr.toString(), name);
  const served = (async () => echo(await ln.accept()))();
  const c = await dial('unix', name);
  await c.write(te.encode('abstract'));
  await c.closeWrite();
  assert.equal((await readAll(c)).toString(), 'abstract');
  await served;
  c.close();
  ln.close();
});

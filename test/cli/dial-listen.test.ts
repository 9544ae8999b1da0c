import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dial, listen, listenPacket, type Conn } from '../../src/net/index.js';
import { readAll } from '../support/net.js';
import { freePort } from '../support/nginx.js';
import { Cli, lines, run } from './helpers.js';

test('listen and dial exchange bytes both ways; dial\'s stdin EOF half-closes, both exit 0', async () => {
  const l = new Cli(['listen', 'tcp', '127.0.0.1:0']);
  const port = await l.port();
  const d = new Cli(['dial', '-v', 'tcp', `127.0.0.1:${port}`]);
  await l.stderrMatch(/accepted 127\.0\.0\.1:\d+/);
  await d.stderrMatch(/connected 127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+ \(tcp\)/);
  d.write('ping from dial\n');
  await l.until('ping at listen', () => l.stdout.toString() === 'ping from dial\n');
  l.write('pong from listen\n');
  await d.until('pong at dial', () => d.stdout.toString() === 'pong from listen\n');
  d.write('last words\n');
  d.end();
  const lr = await l.exited;
  const dr = await d.exited;
  assert.equal(lr.stdout.toString(), 'ping from dial\nlast words\n');
  assert.equal(dr.stdout.toString(), 'pong from listen\n');
  assert.equal(lr.code, 0, lr.stderr);
  assert.equal(dr.code, 0, dr.stderr);
  const ll = lines(lr.stderr);
  assert.equal(ll.length, 2);
  assert.match(ll[0]!, /^listening on 127\.0\.0\.1:\d+$/);
  assert.match(ll[1]!, /^accepted 127\.0\.0\.1:\d+$/);
});

test('dial: stdin EOF is a half-close — the peer reads EOF, then still answers', async () => {
  const ln = await listen('tcp', '127.0.0.1:0');
  const served = (async () => {
    const c = await ln.accept();
    const got = await readAll(c);
    await c.write(Buffer.from(`got ${got.length} bytes after EOF: ${got.toString()}\n`));
    c.close();
  })();
  const r = await run(['dial', 'tcp', String(ln.addr)], { stdin: 'abc' });
  await served;
  ln.close();
  assert.equal(r.stdout.toString(), 'got 3 bytes after EOF: abc\n');
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
});

test('listen: stdin EOF half-closes the accepted conn; the peer\'s EOF ends it', async () => {
  const l = new Cli(['listen', 'tcp', '127.0.0.1:0']);
  const port = await l.port();
  const c: Conn = await dial('tcp', `127.0.0.1:${port}`);
  await c.write(Buffer.from('to listen'));
  await l.until('bytes at listen', () => l.stdout.toString() === 'to listen');
  l.write('reply from listen');
  l.end();
  assert.equal((await readAll(c)).toString(), 'reply from listen', 'read until EOF');
  await c.write(Buffer.from(', still open'));
  await c.closeWrite();
  const r = await l.exited;
  c.close();
  assert.equal(r.stdout.toString(), 'to listen, still open');
  assert.equal(r.code, 0, r.stderr);
});

test('listen --echo serves many conns at once and stops on SIGTERM with exit 0', async () => {
  const l = new Cli(['listen', '--echo', 'tcp', '127.0.0.1:0']);
  const port = await l.port();
  const one = async (msg: string): Promise<string> => {
    const c = await dial('tcp', `127.0.0.1:${port}`);
    await c.write(Buffer.from(msg));
    await c.closeWrite();
    const got = (await readAll(c)).toString();
    c.close();
    return got;
  };
  assert.deepEqual(await Promise.all([one('first'), one('second'), one('x'.repeat(200_000))]), ['first', 'second', 'x'.repeat(200_000)]);
  await l.until('3 closed lines', () => (l.stderr.match(/^closed /gm)?.length ?? 0) === 3);
  l.kill('SIGTERM');
  const r = await l.exited;
  assert.equal(r.code, 0);
  assert.equal(r.stderr.match(/^accepted 127\.0\.0\.1:\d+$/gm)?.length, 3);
  assert.match(r.stderr, /^closed 127\.0\.0\.1:\d+ \(200000 bytes echoed\)$/m);
});

test('dial and listen over a unix socket (--unix)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gonet-cli-unix-'));
  try {
    const path = join(dir, 's.sock');
    const l = new Cli(['listen', '--echo', 'unix', path]);
    await l.stderrMatch(/listening on .*s\.sock/);
    const r = await run(['dial', '--unix', path], { stdin: 'over unix' });
    assert.equal(r.stdout.toString(), 'over unix');
    assert.equal(r.code, 0, r.stderr);
    l.kill('SIGINT');
    assert.equal((await l.exited).code, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('dial -u sends each stdin chunk as a datagram and prints the replies', async () => {
  const pc = await listenPacket('udp', '127.0.0.1:0');
  const echoing = (async () => {
    const b = new Uint8Array(2048);
    const { n, addr } = await pc.readFrom(b);
    await pc.writeTo(Buffer.from(`echo:${Buffer.from(b.subarray(0, n)).toString()}`), addr);
  })();
  const r = await run(['dial', '-u', String(pc.localAddr), '--linger', '2s'], { stdin: 'datagram' });
  await echoing;
  pc.close();
  assert.equal(r.stdout.toString(), 'echo:datagram');
  assert.equal(r.code, 0, r.stderr);
});

test('dial to a closed port: one line naming the op and address, exit 4; a port in use makes listen exit 4', async () => {
  const port = await freePort();
  const r = await run(['dial', 'tcp', `127.0.0.1:${port}`]);
  assert.equal(r.stderr, `gonet dial: dial tcp 127.0.0.1:${port}: connect: connection refused\n`);
  assert.equal(r.code, 4);
  const busy = await listen('tcp', '127.0.0.1:0');
  const l = await run(['listen', 'tcp', String(busy.addr)]);
  busy.close();
  assert.equal(l.code, 4);
  assert.match(l.stderr, /^gonet listen: listen tcp 127\.0\.0\.1:\d+: .*address already in use\n$/);
});

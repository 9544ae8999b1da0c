import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { pipe, PipeAddr, PipeConn } from '../../src/net/pipe.js';
import { DeadlineExceededError, ErrClosedPipe, OpError, errorIs } from '../../src/net/errors.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const CLOSED = 'io: read/write on closed pipe';

// Deadline timers are unref'd and a pipe holds no handle, so an await on a pipe op that only a
// deadline will settle would let the event loop drain; a ref'd interval keeps it running.
let keepAlive: NodeJS.Timeout | undefined;
before(() => { keepAlive = setInterval(() => undefined, 1000); });
after(() => clearInterval(keepAlive));

type State = 'pending' | 'fulfilled' | 'rejected';

// Lets every already-queued promise reaction run, then reports how `p` stands.
async function state(p: Promise<unknown>): Promise<State> {
  let s: State = 'pending';
  p.then(() => { s = 'fulfilled'; }, () => { s = 'rejected'; });
  await new Promise((r) => setImmediate(r));
  return s;
}

async function readString(c: { read(p: Uint8Array): Promise<number | null> }, size: number): Promise<string | null> {
  const buf = new Uint8Array(size);
  const n = await c.read(buf);
  return n === null ? null : dec(buf.subarray(0, n));
}

function isClosedPipe(err: unknown): boolean {
  assert.ok(err instanceof ErrClosedPipe, `expected ErrClosedPipe, got ${String(err)}`);
  assert.ok(!(err instanceof OpError));
  assert.equal(err.message, CLOSED);
  return true;
}

function isTimeout(op: 'read' | 'write') {
  return (err: unknown): boolean => {
    assert.ok(err instanceof OpError, `expected OpError, got ${String(err)}`);
    assert.equal(err.message, `${op} pipe pipe->pipe: i/o timeout`);
    assert.equal(err.op, op);
    assert.equal(err.net, 'pipe');
    assert.equal(err.timeout, true);
    assert.ok(err.cause instanceof DeadlineExceededError);
    assert.ok(errorIs(err, DeadlineExceededError));
    return true;
  };
}

function written(err: unknown): number {
  const w = (err as { written?: unknown }).written;
  assert.equal(typeof w, 'number');
  return w as number;
}

test('addresses are pipe/pipe', () => {
  const [a, b] = pipe();
  assert.ok(a instanceof PipeConn);
  assert.ok(a.localAddr instanceof PipeAddr);
  for (const addr of [a.localAddr, a.remoteAddr, b.localAddr, b.remoteAddr]) {
    assert.equal(addr.network, 'pipe');
    assert.equal(addr.toString(), 'pipe');
    assert.equal(`${addr}`, 'pipe');
  }
  a.close();
});

test('round trips both ways', async () => {
  const [a, b] = pipe();
  const w1 = a.write(enc('ping'));
  assert.equal(await readString(b, 16), 'ping');
  assert.equal(await w1, 4);
  // reader first this time
  const r = readString(a, 16);
  assert.equal(await state(r), 'pending');
  assert.equal(await b.write(enc('pong!')), 5);
  assert.equal(await r, 'pong!');
  a.close();
  b.close();
});

test('a write resolves only after all its bytes were read, across many small reads', async () => {
  const [a, b] = pipe();
  const data = randomBytes(100_000);
  const w = a.write(data);
  const got = new Uint8Array(data.length);
  let off = 0;
  let reads = 0;
  while (off < data.length) {
    assert.equal(await state(w), 'pending', `write resolved early at ${off}`);
    const n = await b.read(got.subarray(off, off + 997));
    assert.ok(n !== null && n > 0 && n <= 997);
    off += n;
    reads++;
  }
  assert.equal(await w, data.length);
  assert.equal(reads, Math.ceil(data.length / 997));
  assert.deepEqual(Buffer.from(got), data);
  a.close();
});

test('a read returns at most the rest of one write', async () => {
  const [a, b] = pipe();
  const w1 = a.write(enc('hello'));
  const w2 = a.write(enc('world'));
  assert.equal(await readString(b, 3), 'hel');
  assert.equal(await readString(b, 100), 'lo');
  assert.equal(await w1, 5);
  assert.equal(await state(w2), 'pending');
  assert.equal(await readString(b, 100), 'world');
  assert.equal(await w2, 5);
  a.close();
});

test('a 0-byte write waits for one read, which returns 0', async () => {
  const [a, b] = pipe();
  const w = a.write(new Uint8Array(0));
  assert.equal(await state(w), 'pending');
  assert.equal(await b.read(new Uint8Array(10)), 0);
  assert.equal(await w, 0);
  // and the other order: the read waits for the 0-byte write
  const r = b.read(new Uint8Array(10));
  assert.equal(await state(r), 'pending');
  assert.equal(await a.write(new Uint8Array(0)), 0);
  assert.equal(await r, 0);
  // a 0-length read sees a pending write but takes nothing from it
  const w2 = a.write(enc('abc'));
  assert.equal(await b.read(new Uint8Array(0)), 0);
  assert.equal(await state(w2), 'pending');
  assert.equal(await readString(b, 10), 'abc');
  assert.equal(await w2, 3);
  a.close();
});

test('concurrent writes are serialized whole, never interleaved', async () => {
  const [a, b] = pipe();
  const parts = ['a', 'b', 'c', 'd'].map((ch) => ch.repeat(1000));
  const writes = parts.map((s) => a.write(enc(s)));
  const chunks: string[] = [];
  let total = 0;
  while (total < 4000) {
    const s = await readString(b, 333);
    assert.ok(s !== null);
    assert.equal(new Set(s).size, 1, `read mixed two writes: ${s.slice(0, 20)}`);
    chunks.push(s);
    total += s.length;
  }
  assert.equal(chunks.join(''), parts.join(''));
  assert.deepEqual(await Promise.all(writes), [1000, 1000, 1000, 1000]);
  a.close();
});

test('concurrent reads are served in order', async () => {
  const [a, b] = pipe();
  const r1 = readString(b, 2);
  const r2 = readString(b, 2);
  const r3 = readString(b, 10);
  await a.write(enc('abcdef'));
  assert.deepEqual(await Promise.all([r1, r2, r3]), ['ab', 'cd', 'ef']);
  a.close();
});

test('local close: own read and write fail with the bare ErrClosedPipe; close is idempotent', async () => {
  const [a, b] = PipeConn.pair();
  a.close();
  a.close();
  await assert.rejects(a.read(new Uint8Array(4)), isClosedPipe);
  await assert.rejects(a.readChunk(), isClosedPipe);
  const err = await a.write(enc('x')).then(() => null, (e: unknown) => e);
  isClosedPipe(err);
  assert.equal(written(err), 0);
  // remote end: EOF on read, ErrClosedPipe on write
  assert.equal(await b.read(new Uint8Array(4)), null);
  assert.equal(await b.read(new Uint8Array(4)), null);
  await assert.rejects(b.write(enc('x')), isClosedPipe);
  b.close();
  await assert.rejects(b.read(new Uint8Array(4)), isClosedPipe);
});

test('close releases pending reads and writes on both ends', async () => {
  const [a, b] = pipe();
  const aRead = a.read(new Uint8Array(4));
  const bRead = b.read(new Uint8Array(4));
  assert.equal(await state(aRead), 'pending');
  a.close();
  await assert.rejects(aRead, isClosedPipe);
  assert.equal(await bRead, null);

  const [c, d] = pipe();
  const cWrite = c.write(enc('0123456789'));
  assert.equal(await readString(d, 4), '0123');
  const dWrite = d.write(enc('zz'));
  c.close();
  const err = await cWrite.then(() => null, (e: unknown) => e);
  isClosedPipe(err);
  assert.equal(written(err), 4);
  const err2 = await dWrite.then(() => null, (e: unknown) => e);
  isClosedPipe(err2);
  assert.equal(written(err2), 0);
});

test('remote close fails the writer still waiting on it', async () => {
  const [a, b] = pipe();
  const w = a.write(enc('abcdef'));
  assert.equal(await readString(b, 2), 'ab');
  b.close();
  const err = await w.then(() => null, (e: unknown) => e);
  isClosedPipe(err);
  assert.equal(written(err), 2);
  assert.equal(await a.read(new Uint8Array(4)), null);
});

test('closeWrite: pending bytes still arrive, then EOF; our reads go on; later writes fail', async () => {
  const [a, b] = pipe();
  const w = a.write(enc('last words'));
  await a.closeWrite();
  await a.closeWrite();
  await assert.rejects(a.write(enc('more')), isClosedPipe);
  assert.equal(await readString(b, 5), 'last ');
  assert.equal(await readString(b, 50), 'words');
  assert.equal(await w, 10);
  assert.equal(await b.read(new Uint8Array(4)), null);
  const r = readString(a, 10);
  await b.write(enc('reply'));
  assert.equal(await r, 'reply');
  a.close();
  await assert.rejects(a.closeWrite(), isClosedPipe);
});

test('a past read deadline fails at once, even with a write waiting', async () => {
  const [a, b] = PipeConn.pair();
  const w = a.write(enc('data'));
  b.setReadDeadline(new Date(Date.now() - 1000));
  await assert.rejects(b.read(new Uint8Array(4)), isTimeout('read'));
  await assert.rejects(b.readChunk(), isTimeout('read'));
  assert.equal(await state(w), 'pending');
  b.setReadDeadline(null);
  assert.equal(await readString(b, 10), 'data');
  assert.equal(await w, 4);
  a.close();
});

test('a future read deadline fails the pending read when it passes, then the conn is usable again', async () => {
  const [a, b] = pipe();
  b.setReadDeadline(new Date(Date.now() + 50));
  const t0 = Date.now();
  const r = b.read(new Uint8Array(4));
  assert.equal(await state(r), 'pending');
  await assert.rejects(r, isTimeout('read'));
  assert.ok(Date.now() - t0 >= 40, `expired after ${Date.now() - t0} ms`);
  await assert.rejects(b.read(new Uint8Array(4)), isTimeout('read'));
  b.setReadDeadline(new Date(Date.now() + 10_000));
  const r2 = readString(b, 4);
  await a.write(enc('back'));
  assert.equal(await r2, 'back');
  a.close();
});

test('an extended deadline keeps the read waiting; a cleared one never fires', async () => {
  const [a, b] = pipe();
  b.setReadDeadline(new Date(Date.now() + 40));
  const r = readString(b, 8);
  await sleep(10);
  b.setReadDeadline(new Date(Date.now() + 400));
  await sleep(80);
  assert.equal(await state(r), 'pending');
  await a.write(enc('extended'));
  assert.equal(await r, 'extended');

  b.setDeadline(new Date(Date.now() + 30));
  const r2 = readString(b, 8);
  b.setDeadline(null);
  await sleep(80);
  assert.equal(await state(r2), 'pending');
  await a.write(enc('cleared'));
  assert.equal(await r2, 'cleared');
  a.close();
});

test('a write deadline cuts a half-read write short and reports the bytes taken', async () => {
  const [a, b] = pipe();
  a.setWriteDeadline(new Date(Date.now() + 40));
  const w1 = a.write(enc('0123456789'));
  const w2 = a.write(enc('queued'));
  assert.equal(await readString(b, 3), '012');
  const err = await w1.then(() => null, (e: unknown) => e);
  isTimeout('write')(err);
  assert.equal(written(err), 3);
  const err2 = await w2.then(() => null, (e: unknown) => e);
  isTimeout('write')(err2);
  assert.equal(written(err2), 0);
  await assert.rejects(a.write(enc('x')), isTimeout('write'));
  // the reader side is unaffected and sees the next write whole
  a.setWriteDeadline(null);
  const w3 = a.write(enc('fresh'));
  assert.equal(await readString(b, 10), 'fresh');
  assert.equal(await w3, 5);
  a.close();
});

test('setting a deadline after either end closed throws ErrClosedPipe', () => {
  const [a, b] = pipe();
  b.close();
  assert.throws(() => a.setDeadline(new Date()), isClosedPipe);
  assert.throws(() => a.setReadDeadline(null), isClosedPipe);
  assert.throws(() => b.setWriteDeadline(null), isClosedPipe);
});

test('close while a deadline is armed: pending read fails with ErrClosedPipe, not a timeout', async () => {
  const [a] = pipe();
  a.setReadDeadline(new Date(Date.now() + 30));
  const r = a.read(new Uint8Array(1));
  a.close();
  await assert.rejects(r, isClosedPipe);
  await sleep(50);
});

test('readChunk hands over the rest of one write as a copy the reader keeps', async () => {
  const [a, b] = PipeConn.pair();
  const src = enc('abcdefgh');
  const w = a.write(src);
  assert.equal(await readString(b, 3), 'abc');
  const chunk = await b.readChunk();
  assert.ok(chunk !== null);
  assert.equal(dec(chunk), 'defgh');
  assert.equal(await w, 8);
  src.fill(0x21);
  assert.equal(dec(chunk), 'defgh');
  a.close();
  assert.equal(await b.readChunk(), null);
});

test('web streams: writable into one end, readable out of the other, close → EOF', async () => {
  const [a, b] = pipe();
  const writer = a.writable.getWriter();
  const reader = b.readable.getReader();
  const sent = (async () => {
    await writer.write(enc('one,'));
    await writer.write(enc('two,'));
    await writer.write(enc('three'));
    await writer.close();
  })();
  let text = '';
  while (true) {
    const { value, done } = await reader.read();
    if (done) break;
    text += dec(value);
  }
  await sent;
  assert.equal(text, 'one,two,three');
  // closing the writable only half-closed `a`
  const r = readString(a, 10);
  await b.write(enc('still'));
  assert.equal(await r, 'still');
  a.close();
});

test('for await over a pipe end yields each write and ends at EOF', async () => {
  const [a, b] = pipe();
  const data = randomBytes(300_000);
  const sent = (async () => {
    await a.write(enc('x'));
    await a.write(data);
    a.close();
  })();
  const chunks: Uint8Array[] = [];
  for await (const c of b) chunks.push(c);
  await sent;
  assert.equal(dec(chunks[0] as Uint8Array), 'x');
  assert.deepEqual(Buffer.concat(chunks.slice(1)), data);
  assert.ok(chunks.length >= 3, 'a large write arrives in bounded chunks');
  b.close();
});

test('Symbol.asyncDispose closes the end (await using)', async () => {
  const [a, b] = pipe();
  const pending = b.read(new Uint8Array(4));
  {
    await using _c = a;
  }
  await assert.rejects(a.read(new Uint8Array(1)), isClosedPipe);
  assert.equal(await pending, null);
  await b[Symbol.asyncDispose]();
  await assert.rejects(b.write(enc('x')), isClosedPipe);
});

// Runs the compiled examples as real processes against loopback servers.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, connect, type Server, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const example = (name: string): string => fileURLToPath(new URL(`../examples/${name}.js`, import.meta.url));
const TIMEOUT_MS = 15_000;

const children = new Set<ChildProcess>();
after(() => {
  for (const c of children) c.kill('SIGKILL');
});

interface Result { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Runs an example to completion, killing it if it outlives the timeout. */
async function run(name: string, args: string[]): Promise<Result> {
  const child = spawn(process.execPath, [example(name), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('latin1').on('data', (s: string) => { stdout += s; });
  child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
  try {
    const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
    return { code, signal, stdout, stderr };
  } finally {
    clearTimeout(timer);
    children.delete(child);
  }
}

/** Starts the echo server and waits for its `listening on` line. */
async function startEchoServer(): Promise<{ child: ChildProcess; addr: string; exited: Promise<[number | null, NodeJS.Signals | null]> }> {
  const child = spawn(process.execPath, [example('tcp-echo-server'), '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  exited.finally(() => children.delete(child)).catch(() => undefined);
  const addr = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no address printed; got ${JSON.stringify(out)}`)), TIMEOUT_MS);
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      const m = /^listening on (\S+)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening`));
    });
  });
  return { child, addr, exited };
}

/** A minimal HTTP/1.0 responder on node:net that records what it was sent. */
async function startHTTPResponder(): Promise<{ server: Server; addr: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((s) => {
    let got = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      got += d;
      if (!got.includes('\r\n\r\n')) return;
      requests.push(got);
      s.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n');
    });
    s.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { server, addr: `127.0.0.1:${port}`, requests };
}

test('echo server prints a loopback address and echoes exact bytes to echo-client', async () => {
  const srv = await startEchoServer();
  try {
    assert.match(srv.addr, /^127\.0\.0\.1:\d+$/);
    const msg = 'hello, gonet — ünïcode \t tabs';
    const r = await run('echo-client', [srv.addr, msg]);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.equal(Buffer.from(r.stdout, 'latin1').toString('utf8'), msg + '\n');
  } finally {
    srv.child.kill('SIGKILL');
  }
});

test('echo server serves concurrent conns, echoes 4 MiB intact, and stops cleanly on SIGTERM', async () => {
  const srv = await startEchoServer();
  const [host, port] = [srv.addr.slice(0, srv.addr.lastIndexOf(':')), Number(srv.addr.slice(srv.addr.lastIndexOf(':') + 1))];
  const payload = Buffer.alloc(4 << 20);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 7 + 3) & 255;
  const roundTrip = (data: Buffer): Promise<Buffer> => new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    const s = connect({ host, port, allowHalfOpen: true }, () => s.end(data));
    s.on('data', (d: Buffer) => parts.push(d));
    s.on('end', () => { s.destroy(); resolve(Buffer.concat(parts)); });
    s.on('error', reject);
    s.setTimeout(TIMEOUT_MS, () => s.destroy(new Error('echo timed out')));
  });
  try {
    const got = await Promise.all([roundTrip(payload), roundTrip(Buffer.from('a')), roundTrip(Buffer.alloc(0))]);
    assert.ok(got[0]!.equals(payload), 'bulk echo differs');
    assert.equal(got[1]!.toString(), 'a');
    assert.equal(got[2]!.length, 0);
    // A conn still open at shutdown must not keep the server alive.
    const idle = connect({ host, port });
    idle.on('error', () => undefined);
    await once(idle, 'connect');
    srv.child.kill('SIGTERM');
    const timer = setTimeout(() => srv.child.kill('SIGKILL'), TIMEOUT_MS);
    const [code, signal] = await srv.exited;
    clearTimeout(timer);
    idle.destroy();
    assert.deepEqual([code, signal], [0, null]);
  } finally {
    srv.child.kill('SIGKILL');
  }
});

test('tcp-client sends GET / HTTP/1.0 and prints exactly the status line', async () => {
  const { server, addr, requests } = await startHTTPResponder();
  try {
    const r = await run('tcp-client', [addr]);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'HTTP/1.0 200 OK\n');
    assert.deepEqual(requests, ['GET / HTTP/1.0\r\n\r\n']);
  } finally {
    server.close();
  }
});

test('tcp-client against the echo server prints its own request line back', async () => {
  const srv = await startEchoServer();
  try {
    const r = await run('tcp-client', [srv.addr]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'GET / HTTP/1.0\n');
  } finally {
    srv.child.kill('SIGKILL');
  }
});

test('tcp-client reports a refused dial the Go way and exits non-zero', async () => {
  // Bind then close to get a loopback port that nothing listens on.
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((r) => probe.close(r));
  const r = await run('tcp-client', [`127.0.0.1:${port}`]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trim(), `dial tcp 127.0.0.1:${port}: connect: connection refused`);
});

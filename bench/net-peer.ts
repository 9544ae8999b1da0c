// The server half of the net workloads, run in its own process (see workload.ts startPeer).
//   node dist/bench/net-peer.js <role> <impl> [bytes]
// role: `bulk` (send `bytes` to each conn, then half-close), `echo` (echo everything back),
//       `accept` (accept and close at once); impl: `gonet` (our Listener/Conn) or `node`
//       (a raw node:net server). Listens on 127.0.0.1:0 and sends `{ port }` over IPC.

import { createServer, type Socket } from 'node:net';
import { listen, TCPListener, type Conn } from '../src/net/index.js';

const [role = '', impl = '', bytesArg = '0'] = process.argv.slice(2);
const total = Number(bytesArg);
const BULK_WRITE = 256 * 1024;
const ECHO_BUF = 64 * 1024;

function ready(port: number): void {
  process.send!({ port });
  process.on('message', (m) => {
    if (m === 'stop') process.exit(0);
  });
  process.on('disconnect', () => process.exit(0));
}

function die(e: unknown): never {
  console.error(`net-peer ${role} ${impl}:`, e);
  process.exit(1);
}

// --- gonet ---------------------------------------------------------------------------------

async function gonetBulk(c: Conn): Promise<void> {
  const buf = new Uint8Array(BULK_WRITE).fill(0x61);
  let left = total;
  while (left > 0) {
    const n = Math.min(left, buf.length);
    await c.write(n === buf.length ? buf : buf.subarray(0, n));
    left -= n;
  }
  await c.closeWrite();
  const sink = new Uint8Array(1024);
  while ((await c.read(sink)) !== null);
  c.close();
}

async function gonetEcho(c: Conn): Promise<void> {
  const buf = new Uint8Array(ECHO_BUF);
  for (;;) {
    const n = await c.read(buf);
    if (n === null) break;
    await c.write(buf.subarray(0, n));
  }
  c.close();
}

async function runGonet(): Promise<void> {
  const ln = await listen('tcp', '127.0.0.1:0');
  if (!(ln instanceof TCPListener)) throw new Error('listen tcp gave no TCPListener');
  ready(ln.addr.port);
  for await (const c of ln) {
    if (role === 'accept') {
      c.close();
      continue;
    }
    const serve = role === 'bulk' ? gonetBulk : gonetEcho;
    serve(c).catch(() => c.close());
  }
}

// --- raw node:net ----------------------------------------------------------------------------

function nodeBulk(s: Socket): void {
  const buf = Buffer.alloc(BULK_WRITE, 0x61);
  let left = total;
  const pump = (): void => {
    while (left > 0) {
      const n = Math.min(left, buf.length);
      left -= n;
      if (!s.write(n === buf.length ? buf : buf.subarray(0, n))) {
        s.once('drain', pump);
        return;
      }
    }
    s.end();
  };
  s.resume();
  pump();
}

function runNode(): void {
  const server = createServer((s) => {
    s.on('error', () => s.destroy());
    if (role === 'accept') {
      s.destroy();
      return;
    }
    s.setNoDelay(true);
    if (role === 'bulk') nodeBulk(s);
    else s.on('data', (d) => s.write(d));
  });
  server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, () => {
    ready((server.address() as { port: number }).port);
  });
}

if (!['bulk', 'echo', 'accept'].includes(role)) die(new Error(`unknown role ${role}`));
if (impl === 'gonet') runGonet().catch(die);
else if (impl === 'node') runNode();
else die(new Error(`unknown impl ${impl}`));

// http/server-hello: a hello-world handler on gonet's Server vs node:http, each in its own
// process, under a keep-alive load generator in a third process (64 conns, one request in
// flight per conn, no pipelining). Reports req/s; p99 latency goes to the samples.
//   node dist/bench/http-server.js server <gonet|node>          (peer: prints { port })
//   node dist/bench/http-server.js load <port> <conns> <warmMs> <ms>  (peer: sends figures)
// The load generator is a small raw-socket client: it learns the reply size from one probe
// exchange (hello-world replies have a fixed size: the Date field has a fixed width) and then
// counts bytes, so it costs far less CPU than the servers it measures.

import { createServer } from 'node:http';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { listen } from '../src/net/index.js';
import { Server } from '../src/http/server.js';
import type { ResponseWriter } from '../src/http/handler.js';
import { median, withPeer, type Figures, type RunOptions, type Workload } from './workload.js';

const SCRIPT = 'http-server.js';
const CONNS = 64;
const BODY = 'Hello, World!';
const REQ = Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: gonet-bench\r\nAccept: */*\r\n\r\n', 'latin1');

function ready(info: Record<string, unknown>): void {
  process.send!(info);
  process.on('message', (m) => {
    if (m === 'stop') process.exit(0);
  });
  process.on('disconnect', () => process.exit(0));
}

// --- servers -------------------------------------------------------------------------------

async function serveGonet(): Promise<void> {
  const ln = await listen('tcp', '127.0.0.1:0');
  const srv = new Server({
    handler: (w: ResponseWriter) => {
      w.header().set('Content-Type', 'text/plain');
      return w.write(BODY);
    },
  });
  void srv.serve(ln).catch(() => undefined);
  ready({ port: (ln.addr as unknown as { port: number }).port });
}

function serveNode(): void {
  const srv = createServer((_req, res) => {
    res.setHeader('Content-Type', 'text/plain');
    res.end(BODY);
  });
  srv.listen(0, '127.0.0.1', () => {
    const a = srv.address();
    ready({ port: typeof a === 'object' && a !== null ? a.port : 0 });
  });
}

// --- load generator ------------------------------------------------------------------------

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    s.setNoDelay(true);
    s.once('error', reject);
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
  });
}

/** One exchange on a fresh conn, parsed properly: the size of every reply to follow. */
async function probe(port: number): Promise<number> {
  const s = await open(port);
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString('latin1');
      if (!head.startsWith('HTTP/1.1 200 ')) reject(new Error('bench load: bad reply ' + JSON.stringify(head)));
      const m = /\r\ncontent-length: *(\d+)/i.exec(head);
      if (m === null) reject(new Error('bench load: reply without Content-Length'));
      const total = end + 4 + Number(m![1]);
      if (buf.length >= total) {
        s.destroy();
        resolve(total);
      }
    });
    s.once('error', reject);
    s.write(REQ);
  });
}

async function load(port: number, conns: number, warmMs: number, ms: number): Promise<void> {
  const size = await probe(port);
  const socks = await Promise.all(Array.from({ length: conns }, () => open(port)));
  let measuring = false;
  let count = 0;
  const lat: number[] = [];
  const sent = new Float64Array(conns);
  socks.forEach((s, i) => {
    let pending = 0;
    s.on('data', (d: Buffer) => {
      pending += d.length;
      while (pending >= size) {
        pending -= size;
        if (measuring) {
          count++;
          if ((count & 7) === 0) lat.push(performance.now() - sent[i]!);
        }
        sent[i] = performance.now();
        s.write(REQ);
      }
    });
    s.on('error', (e) => {
      console.error('bench load:', e);
      process.exit(1);
    });
    sent[i] = performance.now();
    s.write(REQ);
  });
  await new Promise((r) => setTimeout(r, warmMs));
  measuring = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  measuring = false;
  const secs = (performance.now() - t0) / 1000;
  for (const s of socks) s.destroy();
  lat.sort((a, b) => a - b);
  const p99 = lat.length === 0 ? NaN : lat[Math.min(lat.length - 1, Math.floor(lat.length * 0.99))]!;
  process.send!({ port: 0, rps: count / secs, p99 });
}

// --- workload ------------------------------------------------------------------------------

interface LoadResult {
  rps: number;
  p99: number;
}

function trial(impl: 'gonet' | 'node', o: RunOptions): Promise<LoadResult> {
  const warm = o.quick ? 200 : 1000;
  const span = o.quick ? 500 : 3000;
  return withPeer(SCRIPT, ['server', impl], (srv) =>
    withPeer(SCRIPT, ['load', String(srv.info.port), String(CONNS), String(warm), String(span)], async (ld) => {
      const r = ld.info as unknown as LoadResult;
      return { rps: r.rps, p99: r.p99 };
    }));
}

export const httpServerWorkloads: Workload[] = [{
  name: 'http/server-hello',
  unit: 'req/s',
  target: 1.0,
  async run(o: RunOptions): Promise<Figures> {
    const s: Record<string, number[]> = { ours: [], node: [], 'ours-p99-ms': [], 'node-p99-ms': [] };
    for (let i = 0; i < o.trials; i++) {
      for (const impl of ['gonet', 'node'] as const) {
        const r = await trial(impl, o);
        const k = impl === 'gonet' ? 'ours' : 'node';
        s[k]!.push(r.rps);
        s[k + '-p99-ms']!.push(r.p99);
      }
    }
    return { ours: median(s.ours!), node: median(s.node!), samples: s };
  },
}];

// Peer entry point (only when run as a script, not when run.ts imports the workload).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [role = '', a = '', b = '', c = '', d = ''] = process.argv.slice(2);
  const die = (e: unknown): never => {
    console.error(`http-server peer ${role}:`, e);
    process.exit(1);
  };
  if (role === 'server') {
    if (a === 'gonet') serveGonet().catch(die);
    else if (a === 'node') serveNode();
    else die(`unknown impl ${a}`);
  } else if (role === 'load') {
    process.on('message', (m) => {
      if (m === 'stop') process.exit(0);
    });
    process.on('disconnect', () => process.exit(0));
    load(Number(a), Number(b), Number(c), Number(d)).catch(die);
  } else {
    die(`unknown role ${role}`);
  }
}

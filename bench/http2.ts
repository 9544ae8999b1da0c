// HTTP/2 workloads (issue 7):
//   http2/server-h2load   h2load (nghttp2) against gonet's Server over h2 and against node:http2's
//                         own secure server, each in a forked process: req/s, 4 conns x 32 streams
//   http2/client-c64      gonet's Transport over h2, 64 streams in flight on one session, beside
//                         undici (allowH2) against the same node:http2 server in a forked process
// Peers are this file run as `node dist/bench/http2.js peer <gonet|node> <certdir>`.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createSecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from 'undici';
import { listen } from '../src/net/index.js';
import { Server } from '../src/http/server.js';
import { Request } from '../src/http/request.js';
import { Transport } from '../src/http/transport.js';
import { makeTestPKI } from '../test/support/tls.js';
import { compare, now, withPeer, type RunOptions, type Workload } from './workload.js';

const SELF = 'http2.js';
const HELLO = 'Hello, World!';
const H2LOAD = '/usr/bin/h2load';

// --- peers ----------------------------------------------------------------------------------

async function runPeer(kind: string, dir: string): Promise<void> {
  const cert = readFileSync(join(dir, 'server.pem'));
  const key = readFileSync(join(dir, 'server.key'));
  let port: number;
  if (kind === 'gonet') {
    const s = new Server({ handler: (w) => {
      w.header().set('Content-Type', 'text/plain');
      return w.write(HELLO);
    } });
    const ln = await listen('tcp', '127.0.0.1:0');
    port = (ln.addr as unknown as { port: number }).port;
    void s.serveTLS(ln, cert, key).catch(() => undefined);
  } else {
    const srv = createSecureServer({ cert, key, settings: { maxConcurrentStreams: 250 } });
    srv.on('stream', (st) => {
      st.respond({ ':status': 200, 'content-type': 'text/plain', 'content-length': HELLO.length });
      st.end(HELLO);
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    port = (srv.address() as AddressInfo).port;
  }
  process.send!({ port });
  process.on('message', (m) => {
    if (m === 'stop') process.exit(0);
  });
  process.on('disconnect', () => process.exit(0));
}

// --- h2load ---------------------------------------------------------------------------------

function h2load(port: number, o: RunOptions): Promise<number> {
  const n = o.quick ? 4000 : 40_000;
  return new Promise((resolve, reject) => {
    const c = spawn(H2LOAD, ['-n', String(n), '-c', '4', '-m', '32', `https://127.0.0.1:${port}/`], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    c.stdout!.on('data', (d: Buffer) => out.push(d));
    c.stderr!.on('data', (d: Buffer) => out.push(d));
    const t = setTimeout(() => c.kill('SIGKILL'), 120_000);
    c.on('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
    c.on('close', () => {
      clearTimeout(t);
      const text = Buffer.concat(out).toString();
      const m = /finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(text);
      const ok = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded/.exec(text);
      if (m === null || ok === null || Number(ok[1]) !== n) reject(new Error(`h2load: ${text.slice(-400)}`));
      else resolve(Number(m[1]));
    });
  });
}

// --- clients --------------------------------------------------------------------------------

async function timed(total: number, inFlight: number, one: () => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = now();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < total) {
      next++;
      await one();
    }
  }));
  return total / ((now() - t0) / 1000);
}

let pkiDir = '';
let caCert = '';
function pki(): string {
  if (pkiDir === '') {
    const p = makeTestPKI();
    process.on('exit', () => p.cleanup());
    pkiDir = p.dir;
    caCert = p.caCert;
  }
  return pkiDir;
}

export const http2Workloads: Workload[] = [{
  name: 'http2/server-h2load',
  unit: 'req/s',
  target: 1.0,
  async run(o) {
    const dir = pki();
    return withPeer(SELF, ['peer', 'gonet', dir], (g) => withPeer(SELF, ['peer', 'node', dir], (n) =>
      compare(o, { ours: () => h2load(g.info.port, o), node: () => h2load(n.info.port, o) })));
  },
}, {
  name: 'http2/client-c64',
  unit: 'req/s',
  async run(o) {
    const dir = pki();
    const total = o.quick ? 3000 : 30_000;
    return withPeer(SELF, ['peer', 'node', dir], async (p) => {
      const origin = `https://localhost:${p.info.port}`;
      const t = new Transport({ tls: { ca: caCert }, forceAttemptHTTP2: true });
      const u = new Client(origin, { allowH2: true, connect: { ca: caCert, servername: 'localhost' }, pipelining: 64 });
      // Warm both: sessions up, JIT settled.
      const ours = async (): Promise<void> => {
        const res = await t.roundTrip(new Request('GET', origin + '/'));
        await res.bytes();
      };
      const und = async (): Promise<void> => {
        const r = await u.request({ path: '/', method: 'GET' });
        await r.body.arrayBuffer();
      };
      await timed(500, 64, ours);
      await timed(500, 64, und);
      try {
        // Node core's own client (node:http2) is the "node" side.
        const { connect } = await import('node:http2');
        const sess = connect(origin, { ca: caCert, servername: 'localhost' });
        const nodeOne = (): Promise<void> => new Promise((resolve, reject) => {
          const st = sess.request({ ':path': '/' });
          st.on('data', () => {});
          st.on('end', () => resolve());
          st.on('error', reject);
        });
        try {
          await timed(500, 64, nodeOne);
          return await compare(o, {
            ours: () => timed(total, 64, ours),
            node: () => timed(total, 64, nodeOne),
            undici: () => timed(total, 64, und),
          });
        } finally {
          sess.close();
        }
      } finally {
        t.closeIdleConnections();
        await u.close();
      }
    });
  },
}];

if (process.argv[2] === 'peer' && fileURLToPath(import.meta.url) === process.argv[1]) {
  runPeer(process.argv[3] ?? 'node', process.argv[4] ?? '').catch((e: unknown) => {
    console.error('http2 peer:', e);
    process.exit(1);
  });
}

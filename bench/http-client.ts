// HTTP client workloads (issue 5): gonet's Transport beside undici's request() (with a Pool)
// and node:http with a keep-alive Agent, against one fast server in a forked process.
//   http-client/get-c1     keep-alive GET of a 13-byte body, 1 request in flight
//   http-client/get-c64    the same, 64 in flight (64 conns)
//   http-client/download   one 256 MiB body (32 MiB with --quick), read chunk by chunk
// The server is this same file run as `node dist/bench/http-client.js peer`: a raw node:net
// server answering every request head with a prebuilt reply (no HTTP parser in the way).

import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Pool, request as undiciRequest } from 'undici';
import { Request } from '../src/http/request.js';
import { Transport } from '../src/http/transport.js';
import { compare, now, withPeer, type RunOptions, type Workload } from './workload.js';

const SELF = 'http-client.js';
const MiB = 1024 * 1024;
const HELLO = 'Hello, World!';

function windowMs(o: RunOptions): number {
  return o.quick ? 400 : 2500;
}

function downloadBytes(o: RunOptions): number {
  return o.quick ? 32 * MiB : 256 * MiB;
}

// --- the peer ------------------------------------------------------------------------------

function runPeer(total: number): void {
  const small = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${HELLO.length}\r\n\r\n${HELLO}`, 'latin1');
  const bigHead = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${total}\r\n\r\n`, 'latin1');
  const block = Buffer.alloc(256 * 1024, 0x61);
  const sendBig = (s: Socket): void => {
    let left = total;
    s.write(bigHead);
    const pump = (): void => {
      while (left > 0) {
        const n = Math.min(left, block.length);
        left -= n;
        if (!s.write(n === block.length ? block : block.subarray(0, n))) {
          s.once('drain', pump);
          return;
        }
      }
    };
    pump();
  };
  const srv = createServer({ noDelay: true }, (s) => {
    let carry = '';
    s.on('data', (d: Buffer) => {
      const text = carry + d.toString('latin1');
      let from = 0;
      let replies = 0;
      for (;;) {
        const end = text.indexOf('\r\n\r\n', from);
        if (end === -1) break;
        if (text.startsWith('GET /big', from)) {
          if (replies > 0) s.write(replies === 1 ? small : Buffer.concat(Array(replies).fill(small)));
          replies = 0;
          sendBig(s);
        } else replies++;
        from = end + 4;
      }
      carry = text.slice(from);
      if (replies === 1) s.write(small);
      else if (replies > 1) s.write(Buffer.concat(Array(replies).fill(small)));
    });
    s.on('error', () => s.destroy());
  });
  srv.listen(0, '127.0.0.1', () => {
    process.send!({ port: (srv.address() as { port: number }).port });
  });
  process.on('message', (m) => {
    if (m === 'stop') process.exit(0);
  });
  process.on('disconnect', () => process.exit(0));
}

// --- clients -------------------------------------------------------------------------------

/** Runs `inflight` loops of `one()` for the window; returns requests per second. */
async function loops(inflight: number, span: number, one: () => Promise<void>): Promise<number> {
  let count = 0;
  const t0 = now();
  const until = t0 + span;
  await Promise.all(Array.from({ length: inflight }, async () => {
    while (now() < until) {
      await one();
      count++;
    }
  }));
  return count / ((now() - t0) / 1000);
}

function check(body: string, who: string): void {
  if (body !== HELLO) throw new Error(`${who}: got ${JSON.stringify(body.slice(0, 40))}`);
}

async function oursGet(port: number, inflight: number, span: number): Promise<number> {
  const t = new Transport({ maxIdleConnsPerHost: inflight });
  const url = new URL(`http://127.0.0.1:${port}/hello`);
  // Warm the pool so every side starts with its conns open.
  await loops(inflight, 100, async () => {
    const res = await t.roundTrip(new Request('GET', url));
    check(await res.text(), 'gonet');
  });
  const rate = await loops(inflight, span, async () => {
    const res = await t.roundTrip(new Request('GET', url));
    check(await res.text(), 'gonet');
  });
  t.closeIdleConnections();
  return rate;
}

async function undiciGet(port: number, inflight: number, span: number): Promise<number> {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: inflight, pipelining: 1 });
  const url = `http://127.0.0.1:${port}/hello`;
  const one = async (): Promise<void> => {
    const res = await undiciRequest(url, { dispatcher: pool });
    check(await res.body.text(), 'undici');
  };
  await loops(inflight, 100, one);
  const rate = await loops(inflight, span, one);
  await pool.close();
  return rate;
}

function nodeOne(agent: HttpAgent, port: number, path: string, sink: (d: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.on('data', sink);
      res.once('end', resolve);
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end();
  });
}

async function nodeGet(port: number, inflight: number, span: number): Promise<number> {
  const agent = new HttpAgent({ keepAlive: true, maxSockets: inflight });
  const one = async (): Promise<void> => {
    let body = '';
    await nodeOne(agent, port, '/hello', (d) => {
      body += d.toString('latin1');
    });
    check(body, 'node:http');
  };
  await loops(inflight, 100, one);
  const rate = await loops(inflight, span, one);
  agent.destroy();
  return rate;
}

async function oursDownload(port: number, total: number): Promise<number> {
  const t = new Transport();
  const t0 = now();
  const res = await t.roundTrip(new Request('GET', `http://127.0.0.1:${port}/big`));
  let got = 0;
  for (;;) {
    const c = await res.body.readChunk();
    if (c === null) break;
    got += c.length;
  }
  const ms = now() - t0;
  t.closeIdleConnections();
  if (got !== total) throw new Error(`gonet download: ${got} of ${total} bytes`);
  return total / MiB / (ms / 1000);
}

async function undiciDownload(port: number, total: number): Promise<number> {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 1 });
  const t0 = now();
  const res = await undiciRequest(`http://127.0.0.1:${port}/big`, { dispatcher: pool });
  let got = 0;
  for await (const c of res.body) got += (c as Buffer).length;
  const ms = now() - t0;
  await pool.close();
  if (got !== total) throw new Error(`undici download: ${got} of ${total} bytes`);
  return total / MiB / (ms / 1000);
}

async function nodeDownload(port: number, total: number): Promise<number> {
  const agent = new HttpAgent({ keepAlive: true });
  const t0 = now();
  let got = 0;
  await nodeOne(agent, port, '/big', (d) => {
    got += d.length;
  });
  const ms = now() - t0;
  agent.destroy();
  if (got !== total) throw new Error(`node download: ${got} of ${total} bytes`);
  return total / MiB / (ms / 1000);
}

// --- workloads -----------------------------------------------------------------------------

function getWorkload(inflight: number): Workload {
  return {
    name: `http-client/get-c${inflight}`,
    unit: 'req/s',
    run: (o) => withPeer(SELF, ['peer', String(downloadBytes(o))], (peer) => {
      const port = peer.info.port;
      const span = windowMs(o);
      return compare(o, {
        ours: () => oursGet(port, inflight, span),
        node: () => nodeGet(port, inflight, span),
        undici: () => undiciGet(port, inflight, span),
      });
    }),
  };
}

const download: Workload = {
  name: 'http-client/download',
  unit: 'MiB/s',
  target: 1.0,
  run: (o) => withPeer(SELF, ['peer', String(downloadBytes(o))], (peer) => {
    const port = peer.info.port;
    const total = downloadBytes(o);
    return compare(o, {
      ours: () => oursDownload(port, total),
      node: () => nodeDownload(port, total),
      undici: () => undiciDownload(port, total),
    });
  }),
};

/** The HTTP client workloads, in the order they run. */
export const httpClientWorkloads: Workload[] = [getWorkload(1), getWorkload(64), download];

if (process.argv[2] === 'peer' && process.send !== undefined && process.argv[1] === fileURLToPath(import.meta.url)) {
  runPeer(Number(process.argv[3] ?? 0));
}

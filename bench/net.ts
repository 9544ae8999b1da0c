// Net workloads (issue 2): gonet's TCPConn against a raw node:net Socket, each talking over
// loopback to a peer in another process (net-peer.ts).
//   net/bulk-read   1 GiB down one conn, gonet reading with read(p) into one reused buffer
//   net/bulk-chunk  the same, gonet reading with readChunk() (no copy)
//   net/pingpong    64-byte request, 64-byte echo, one conn, sequential round trips
//   net/dial-close  sequential dial + close (-tuned: the node socket also sets Go's per-conn
//                   options, see nodeDial); the dialer closes with linger 0 (a reset) so no
//                   TIME_WAIT entries pile up and slow later trials' port searches. Both
//                   dialers dial the same raw node:net acceptor: this measures the dialer.
// For bulk and ping-pong each side's peer is of its own kind by default (gonet end to end
// against node:net end to end); `--peer node` gives gonet a raw node:net peer too, to see its
// client side alone.

import { connect, type Socket } from 'node:net';
import { dial, type TCPConn } from '../src/net/index.js';
import { compare, now, withPeer, type RunOptions, type Workload } from './workload.js';

const PEER = 'net-peer.js';
const MiB = 1024 * 1024;
const READ_BUF = 64 * 1024;
const PING = 64;

function bulkBytes(o: RunOptions): number {
  return o.quick ? 64 * MiB : 1024 * MiB;
}

function windowMs(o: RunOptions): number {
  return o.quick ? 300 : 1000;
}

const addr = (port: number): string => `127.0.0.1:${port}`;

function nodeConnect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('error', reject);
    s.once('connect', () => {
      s.off('error', reject);
      s.setNoDelay(true);
      resolve(s);
    });
  });
}

function checkBytes(got: number, want: number, who: string): void {
  if (got !== want) throw new Error(`${who}: received ${got} bytes, expected ${want}`);
}

// --- bulk ----------------------------------------------------------------------------------

type GonetReader = (c: TCPConn) => Promise<number>;

async function drainRead(c: TCPConn): Promise<number> {
  const buf = new Uint8Array(READ_BUF);
  let got = 0;
  for (;;) {
    const n = await c.read(buf);
    if (n === null) return got;
    got += n;
  }
}

async function drainChunks(c: TCPConn): Promise<number> {
  let got = 0;
  for (;;) {
    const chunk = await c.readChunk();
    if (chunk === null) return got;
    got += chunk.length;
  }
}

/** The kind of peer gonet's side talks to. */
const gonetPeer = (o: RunOptions): string => (o.peer === 'node' ? 'node' : 'gonet');

function gonetBulk(o: RunOptions, reader: GonetReader): () => Promise<number> {
  const total = bulkBytes(o);
  return () => withPeer(PEER, ['bulk', gonetPeer(o), String(total)], async (peer) => {
    const t0 = now();
    const c = await dial('tcp', addr(peer.info.port));
    const got = await reader(c);
    const ms = now() - t0;
    c.close();
    checkBytes(got, total, 'gonet bulk');
    return total / MiB / (ms / 1000);
  });
}

function nodeBulk(o: RunOptions): () => Promise<number> {
  const total = bulkBytes(o);
  return () => withPeer(PEER, ['bulk', 'node', String(total)], async (peer) => {
    const t0 = now();
    const s = await nodeConnect(peer.info.port);
    const got = await new Promise<number>((resolve, reject) => {
      let n = 0;
      s.on('data', (d: Buffer) => { n += d.length; });
      s.once('end', () => resolve(n));
      s.once('error', reject);
    });
    const ms = now() - t0;
    s.destroy();
    checkBytes(got, total, 'node bulk');
    return total / MiB / (ms / 1000);
  });
}

// --- ping-pong -----------------------------------------------------------------------------

function gonetPingPong(o: RunOptions): () => Promise<number> {
  return () => withPeer(PEER, ['echo', gonetPeer(o)], async (peer) => {
    const c = await dial('tcp', addr(peer.info.port));
    const msg = new Uint8Array(PING).fill(0x70);
    const buf = new Uint8Array(PING);
    const span = windowMs(o);
    let count = 0;
    const t0 = now();
    let t = t0;
    while (t - t0 < span) {
      await c.write(msg);
      let got = 0;
      while (got < PING) {
        const n = await c.read(got === 0 ? buf : buf.subarray(got));
        if (n === null) throw new Error('gonet ping-pong: peer closed');
        got += n;
      }
      count++;
      t = now();
    }
    c.close();
    return count / ((t - t0) / 1000);
  });
}

function nodePingPong(o: RunOptions): () => Promise<number> {
  return () => withPeer(PEER, ['echo', 'node'], async (peer) => {
    const s = await nodeConnect(peer.info.port);
    const msg = Buffer.alloc(PING, 0x70);
    const span = windowMs(o);
    const rate = await new Promise<number>((resolve, reject) => {
      let count = 0;
      let got = 0;
      const t0 = now();
      s.on('data', (d: Buffer) => {
        got += d.length;
        if (got < PING) return;
        got -= PING;
        count++;
        const t = now();
        if (t - t0 < span) s.write(msg);
        else resolve(count / ((t - t0) / 1000));
      });
      s.once('error', reject);
      s.write(msg);
    });
    s.destroy();
    return rate;
  });
}

// --- dial + close --------------------------------------------------------------------------

function gonetDial(o: RunOptions): () => Promise<number> {
  return () => withPeer(PEER, ['accept', 'node'], async (peer) => {
    const a = addr(peer.info.port);
    const span = windowMs(o);
    let count = 0;
    const t0 = now();
    let t = t0;
    while (t - t0 < span) {
      const c = await dial('tcp', a);
      c.setLinger(0);
      c.close();
      count++;
      t = now();
    }
    return count / ((t - t0) / 1000);
  });
}

/**
 * `tuned`: the node socket does per conn what Go (and so gonet) does by default: no-delay on,
 * keep-alive at 15 s, local and remote address read once. Shows the dialer's own overhead
 * apart from those syscalls.
 */
function nodeDial(o: RunOptions, tuned = false): () => Promise<number> {
  return () => withPeer(PEER, ['accept', 'node'], async (peer) => {
    const span = windowMs(o);
    return new Promise<number>((resolve, reject) => {
      let count = 0;
      const t0 = now();
      const next = (): void => {
        const s = connect({ host: '127.0.0.1', port: peer.info.port });
        s.once('error', reject);
        s.once('connect', () => {
          s.off('error', reject);
          s.on('error', () => {});
          if (tuned) {
            s.setNoDelay(true);
            s.setKeepAlive(true, 15_000);
            void s.localAddress;
            void s.remoteAddress;
          }
          s.resetAndDestroy();
          count++;
          const t = now();
          if (t - t0 < span) next();
          else resolve(count / ((t - t0) / 1000));
        });
      };
      next();
    });
  });
}

export const netWorkloads: Workload[] = [
  {
    name: 'net/bulk-read',
    unit: 'MiB/s',
    target: 0.9,
    run: (o) => compare(o, { ours: gonetBulk(o, drainRead), node: nodeBulk(o) }),
  },
  {
    name: 'net/bulk-chunk',
    unit: 'MiB/s',
    target: 0.9,
    run: (o) => compare(o, { ours: gonetBulk(o, drainChunks), node: nodeBulk(o) }),
  },
  {
    name: 'net/pingpong-64B',
    unit: 'rt/s',
    target: 0.85,
    run: (o) => compare(o, { ours: gonetPingPong(o), node: nodePingPong(o) }),
  },
  {
    name: 'net/dial-close',
    unit: 'dial/s',
    target: 0.9,
    run: (o) => compare(o, { ours: gonetDial(o), node: nodeDial(o) }),
  },
  {
    name: 'net/dial-close-tuned',
    unit: 'dial/s',
    target: 0.9,
    run: (o) => compare(o, { ours: gonetDial(o), node: nodeDial(o, true) }),
  },
];

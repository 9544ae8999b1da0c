// Helpers shared by the net tests: reading to EOF, byte patterns, a hung-listener process.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { DNSError, IPAddr, parseIP, type Conn, type HostResolver } from '../../src/net/index.js';

/** Reads `c` to EOF and returns all bytes. */
export async function readAll(c: { read(p: Uint8Array): Promise<number | null> }): Promise<Buffer> {
  const parts: Buffer[] = [];
  const buf = new Uint8Array(64 * 1024);
  for (;;) {
    const n = await c.read(buf);
    if (n === null) return Buffer.concat(parts);
    parts.push(Buffer.from(buf.subarray(0, n)));
  }
}

/** Reads exactly `n` bytes or fails at EOF. */
export async function readFull(c: Conn, n: number): Promise<Buffer> {
  const out = Buffer.alloc(n);
  let off = 0;
  while (off < n) {
    const k = await c.read(out.subarray(off));
    if (k === null) throw new Error(`EOF after ${off} of ${n} bytes`);
    off += k;
  }
  return out;
}

/** A deterministic byte pattern: byte i is (i * 7 + seed) & 255. */
export function pattern(len: number, start = 0, seed = 3): Buffer {
  const b = Buffer.allocUnsafe(len);
  for (let i = 0; i < len; i++) b[i] = ((start + i) * 7 + seed) & 255;
  return b;
}

/** Echoes one conn until EOF, then half-closes and closes it. */
export async function echo(c: Conn): Promise<void> {
  const buf = new Uint8Array(32 * 1024);
  try {
    for (;;) {
      const n = await c.read(buf);
      if (n === null) break;
      await c.write(buf.subarray(0, n));
    }
    await c.closeWrite();
  } finally {
    c.close();
  }
}

/**
 * A listener whose accept queue is full, so the kernel drops further SYNs and a connect to it
 * hangs: a child process listens with backlog 1, stops itself (SIGSTOP) and the queue is
 * filled with connects that never get accepted.
 */
export class HungListener {
  private constructor(readonly child: ChildProcess, readonly host: string, readonly port: number, private readonly fillers: import('node:net').Socket[]) {}

  static async start(host: string): Promise<HungListener> {
    const code = `const s=require('net').createServer();s.listen({host:${JSON.stringify(host)},port:0,backlog:1},()=>{process.stdout.write(s.address().port+'\\n');process.kill(process.pid,'SIGSTOP')})`;
    const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    const port = parseInt(line.toString(), 10);
    const net = await import('node:net');
    const fillers: import('node:net').Socket[] = [];
    // Fill the accept queue (backlog + 1 on Linux, a few more to be sure), each bounded in time.
    for (let i = 0; i < 4; i++) {
      const s = net.connect({ host, port });
      s.on('error', () => {});
      fillers.push(s);
      await Promise.race([once(s, 'connect'), new Promise((r) => setTimeout(r, 300))]);
    }
    return new HungListener(child, host, port, fillers);
  }

  get address(): string {
    return this.host.includes(':') ? `[${this.host}]:${this.port}` : `${this.host}:${this.port}`;
  }

  stop(): void {
    for (const s of this.fillers) s.destroy();
    this.child.kill('SIGKILL');
  }
}

/**
 * A resolver that answers from a fixed table and records each question as `host/network`, so no
 * test ever asks a real DNS server.
 */
export function tableResolver(table: Record<string, string[]>): HostResolver & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async lookupIPAddr(host, opts = {}) {
      asked.push(`${host}/${opts.network ?? 'ip'}`);
      const ips = table[host];
      if (!ips) throw new DNSError({ err: 'no such host', name: host, isNotFound: true });
      return ips.map((s) => new IPAddr(parseIP(s)!));
    },
  };
}

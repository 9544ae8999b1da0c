// Shared helpers for the DNS tests: temp config files, free loopback ports, a scriptable fake
// DNS server (UDP + TCP on 127.0.0.1), and launchers for real unbound / dnsmasq processes.
// Everything here listens and sends on loopback only.

import { createSocket, type Socket as UDPSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeMessage, encodeMessage, type Message, type MessageInput, type ResourceInput } from '../../../src/net/dns/message.js';

/** A temp directory with helpers to write files into it. */
export class TempDir {
  readonly path = mkdtempSync(join(tmpdir(), 'gonet-dns-'));
  file(name: string, text: string): string {
    const p = join(this.path, name);
    writeFileSync(p, text);
    return p;
  }
  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

function bindUDP(port: number, host: string): Promise<UDPSocket> {
  return new Promise((resolve, reject) => {
    const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    s.once('error', reject);
    s.bind(port, host, () => {
      s.off('error', reject);
      resolve(s);
    });
  });
}

function listenTCP(port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(port, host, () => {
      srv.off('error', reject);
      resolve(srv);
    });
  });
}

/** A port free for both UDP and TCP on `host` right now. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const u = await bindUDP(0, host);
    const port = u.address().port;
    try {
      const t = await listenTCP(port, host);
      await new Promise<void>((r) => t.close(() => r()));
      u.close();
      return port;
    } catch {
      u.close();
    }
  }
  throw new Error('no free port');
}

/** What the fake server does with one query. */
export type Reply =
  | Uint8Array // raw bytes to send
  | MessageInput // encoded, unless it sets its own id it gets the query's
  | 'drop' // say nothing
  | 'close'; // TCP: close the connection (UDP: same as drop)

export interface FakeQuery {
  msg: Message;
  transport: 'udp' | 'tcp';
  raw: Uint8Array;
  /** The client's source port. */
  port: number;
  at: number;
}

/** Builds a reply that echoes the query's ID and question with QR set. */
export function answer(q: Message, extra: Omit<MessageInput, 'questions'> & { header?: MessageInput['header'] } = {}): MessageInput {
  return {
    header: { id: q.header.id, qr: true, rd: q.header.rd, ra: true, ...extra.header },
    questions: q.questions.map((x) => ({ name: x.name, type: x.type, class: x.class })),
    answers: extra.answers,
    authorities: extra.authorities,
    additionals: extra.additionals,
  };
}

/** Shorthand for a record. */
export function rr(name: string, data: ResourceInput['data'], ttl = 300): ResourceInput {
  return { name, ttl, data };
}

export function a4(s: string): Uint8Array {
  return Uint8Array.from(s.split('.').map(Number));
}

/**
 * A DNS server written for the test: `handler` decides, per query, a list of replies (sent in
 * order). Listens on UDP and TCP at the same loopback port; records every query it gets.
 */
export class FakeDNS {
  readonly queries: FakeQuery[] = [];
  private readonly sockets = new Set<Socket>();
  private constructor(readonly host: string, readonly port: number, private readonly udp: UDPSocket, private readonly tcp: Server | null,
    public handler: (q: FakeQuery) => Reply[] | Promise<Reply[]>) {}

  get address(): string {
    return this.host.includes(':') ? `[${this.host}]:${this.port}` : `${this.host}:${this.port}`;
  }

  static async start(handler: (q: FakeQuery) => Reply[] | Promise<Reply[]>, opts: { host?: string; tcp?: boolean } = {}): Promise<FakeDNS> {
    const host = opts.host ?? '127.0.0.1';
    const port = await freePort(host);
    const udp = await bindUDP(port, host);
    const tcp = opts.tcp === false ? null : await listenTCP(port, host);
    const f = new FakeDNS(host, port, udp, tcp, handler);
    udp.on('message', (raw, rinfo) => {
      void f.handle(raw, 'udp', rinfo.port, (b) => udp.send(b, rinfo.port, rinfo.address), () => {});
    });
    tcp?.on('connection', (c) => {
      f.sockets.add(c);
      c.on('close', () => f.sockets.delete(c));
      c.on('error', () => {});
      let buf = Buffer.alloc(0);
      c.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const n = buf.readUInt16BE(0);
          const raw = buf.subarray(2, 2 + n);
          buf = buf.subarray(2 + n);
          void f.handle(raw, 'tcp', c.remotePort ?? 0, (b) => {
            const len = Buffer.alloc(2);
            len.writeUInt16BE(b.length);
            if (!c.destroyed) c.write(Buffer.concat([len, b]));
          }, () => c.end());
        }
      });
    });
    return f;
  }

  private async handle(raw: Uint8Array, transport: 'udp' | 'tcp', port: number, send: (b: Uint8Array) => void, close: () => void): Promise<void> {
    let msg: Message;
    try {
      msg = decodeMessage(raw);
    } catch {
      return;
    }
    const q: FakeQuery = { msg, transport, raw: Uint8Array.from(raw), port, at: Date.now() };
    this.queries.push(q);
    const replies = await this.handler(q);
    for (const r of replies) {
      if (r === 'drop') continue;
      if (r === 'close') {
        close();
        continue;
      }
      if (r instanceof Uint8Array) send(r);
      else send(encodeMessage({ ...r, header: { id: msg.header.id, ...r.header } }));
    }
  }

  /** Queries seen for a name (case-insensitive, rooted) and type. */
  count(name?: string, type?: number): number {
    return this.queries.filter((q) => (name === undefined || q.msg.questions[0]?.name.toLowerCase() === name.toLowerCase())
      && (type === undefined || q.msg.questions[0]?.type === type)).length;
  }

  close(): void {
    this.udp.close();
    for (const s of this.sockets) s.destroy();
    this.tcp?.close();
  }
}

/** A real DNS server process on loopback, stopped with stop(). */
export interface Daemon {
  port: number;
  address: string;
  proc: ChildProcess;
  log(): string;
  stop(): Promise<void>;
}

async function waitUntilAnswering(port: number, name: string, proc: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10000;
  const sock = await bindUDP(0, '127.0.0.1');
  try {
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) throw new Error(`DNS server exited (${proc.exitCode}): ${log()}`);
      const q = encodeMessage({ header: { id: 4242, rd: true }, questions: [{ name, type: 1 }] });
      const got = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => {
          sock.off('message', on);
          resolve(false);
        }, 200);
        const on = (): void => {
          clearTimeout(t);
          sock.off('message', on);
          resolve(true);
        };
        sock.on('message', on);
        sock.send(q, port, '127.0.0.1');
      });
      if (got) return;
    }
    throw new Error(`DNS server did not answer within 10 s: ${log()}`);
  } finally {
    sock.close();
  }
}

function launch(cmd: string, args: string[], port: number, probe: string): Promise<Daemon> {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  const log = (): string => out;
  const stop = async (): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  };
  return waitUntilAnswering(port, probe, proc, log).then(
    () => ({ port, address: `127.0.0.1:${port}`, proc, log, stop }),
    async (e: unknown) => {
      await stop();
      throw e;
    },
  );
}

/**
 * Starts unbound on 127.0.0.1:<free port>, authoritative for `zone` (a zone file for
 * `origin`), refusing everything else: it never sends a query anywhere.
 */
export async function startUnbound(dir: TempDir, zones: Array<{ origin: string; zone: string }>, extra = ''): Promise<Daemon> {
  const port = await freePort();
  const auth = zones.map((z, i) => `auth-zone:
  name: "${z.origin}"
  zonefile: "${dir.file(`zone${i}.db`, z.zone)}"
  for-downstream: yes
  for-upstream: yes
  fallback-enabled: no
`).join('');
  const local = zones.map((z) => `  local-zone: "${z.origin}" transparent\n`).join('');
  const conf = dir.file('unbound.conf', `server:
  verbosity: 1
  interface: 127.0.0.1
  port: ${port}
  do-ip4: yes
  do-ip6: no
  do-udp: yes
  do-tcp: yes
  chroot: ""
  username: ""
  directory: "${dir.path}"
  pidfile: ""
  do-daemonize: no
  use-syslog: no
  logfile: ""
  access-control: 127.0.0.0/8 allow
  module-config: "iterator"
  do-not-query-localhost: yes
  do-not-query-address: 0.0.0.0/0
  do-not-query-address: ::/0
  local-zone: "." refuse
${local}  msg-cache-size: 1m
  rrset-cache-size: 1m
  num-threads: 1
${extra}
${auth}remote-control:
  control-enable: no
`);
  return launch('/usr/sbin/unbound', ['-d', '-c', conf], port, zones[0]!.origin);
}

/** Starts dnsmasq on 127.0.0.1:<free port> with `args` (records); no upstream, no hosts file. */
export async function startDnsmasq(args: string[]): Promise<Daemon> {
  const port = await freePort();
  return launch('/usr/sbin/dnsmasq', [
    '--keep-in-foreground', '--no-resolv', '--no-hosts', '--no-poll', '--bind-interfaces', '--conf-file=/dev/null',
    `--port=${port}`, '--listen-address=127.0.0.1', '--pid-file=', '--log-facility=-', ...args,
  ], port, 'localhost');
}

// Helpers for the server tests: a server on a loopback port, curl runs that are time-bounded and
// killed when a test ends, and raw-socket exchanges that return exact bytes.

import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { listen, type Listener } from '../../src/net/index.js';
import { Server, ErrServerClosed, type ServerOptions } from '../../src/http/index.js';

export const CURL = '/usr/bin/curl';

/** A running server and what it logged. */
export interface TestServer {
  server: Server;
  ln: Listener;
  port: number;
  url: string;
  logs: string[];
  /** Rejection of serve(), if it ended with something other than ErrServerClosed. */
  served: Promise<void>;
  close(): Promise<void>;
}

/** Starts a Server on 127.0.0.1:0. */
export async function startServer(opts: ServerOptions = {}): Promise<TestServer> {
  const logs: string[] = [];
  const server = new Server({ errorLog: (m) => logs.push(m), ...opts });
  const ln = await listen('tcp', '127.0.0.1:0');
  const port = (ln.addr as unknown as { port: number }).port;
  const served = server.serve(ln).then(() => undefined, (e: unknown) => {
    if (!(e instanceof ErrServerClosed)) throw e;
  });
  return {
    server, ln, port, url: `http://127.0.0.1:${port}`, logs, served,
    async close() {
      server.close();
      await served;
    },
  };
}

const children = new Set<ChildProcess>();

/** Kills every child still running (call from after()). */
export function killChildren(): void {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
}

/** Result of a child process run. */
export interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs `cmd args`, killing it after `timeoutMs`. */
export function run(cmd: string, args: string[], timeoutMs = 20_000, input?: Buffer): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    children.add(c);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    c.stdout!.on('data', (d: Buffer) => out.push(d));
    c.stderr!.on('data', (d: Buffer) => err.push(d));
    if (input !== undefined) c.stdin!.end(input);
    const t = setTimeout(() => {
      c.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')}: killed after ${timeoutMs} ms`));
    }, timeoutMs);
    c.on('error', (e) => {
      clearTimeout(t);
      children.delete(c);
      reject(e);
    });
    c.on('close', (code) => {
      clearTimeout(t);
      children.delete(c);
      resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('latin1') });
    });
  });
}

/** curl with silent-but-show-errors and a time bound. */
export function curl(args: string[], timeoutMs = 20_000): Promise<RunResult> {
  return run(CURL, ['-sS', '--max-time', String(Math.ceil(timeoutMs / 1000)), ...args], timeoutMs + 2000);
}

/** Opens a raw TCP socket to the server. */
export function rawConnect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('error', reject);
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
  });
}

/** What a raw exchange saw. */
export interface RawResult {
  data: Buffer;
  /** The server closed (FIN or reset) before the timeout. */
  closed: boolean;
  reset: boolean;
}

/** Collects bytes from `s` until the server closes it or `timeoutMs` passes. */
export function collect(s: Socket, timeoutMs = 5000): Promise<RawResult> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let reset = false;
    const finish = (closed: boolean): void => {
      clearTimeout(t);
      s.destroy();
      resolve({ data: Buffer.concat(parts), closed, reset });
    };
    const t = setTimeout(() => finish(false), timeoutMs);
    s.on('data', (d: Buffer) => parts.push(d));
    s.on('error', () => {
      reset = true;
    });
    s.on('close', () => finish(true));
    s.on('end', () => finish(true));
  });
}

/** Sends `req` on a fresh conn and returns everything until the server closes. */
export async function rawExchange(port: number, req: string | Buffer, timeoutMs = 5000): Promise<RawResult> {
  const s = await rawConnect(port);
  const done = collect(s, timeoutMs);
  s.write(req);
  return done;
}

/** Reads from `s` until `n` complete responses (Content-Length or chunked framed) arrived. */
export function readResponses(s: Socket, n: number, timeoutMs = 5000): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const out: string[] = [];
    const t = setTimeout(() => {
      cleanup();
      reject(new Error(`got ${out.length} of ${n} responses; pending ${JSON.stringify(buf.toString('latin1').slice(0, 200))}`));
    }, timeoutMs);
    const onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) break;
        const head = buf.subarray(0, end).toString('latin1');
        let total = -1;
        const cl = /\r\ncontent-length: *(\d+)/i.exec(head);
        if (/^HTTP\/1\.[01] 1\d\d /.test(head)) {
          total = end + 4;
        } else if (cl !== null) {
          total = end + 4 + Number(cl[1]);
        } else if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
          const z = buf.indexOf('\r\n0\r\n\r\n', end);
          const z0 = buf.subarray(end + 4, end + 9).toString('latin1') === '0\r\n\r\n' ? end + 4 - 2 : -1;
          const at = z0 >= 0 ? z0 : z;
          if (at >= 0) total = at + 7;
        } else {
          total = end + 4;
        }
        if (total < 0 || buf.length < total) break;
        out.push(buf.subarray(0, total).toString('latin1'));
        buf = buf.subarray(total);
        if (out.length === n) {
          cleanup();
          resolve(out);
          return;
        }
      }
    };
    const cleanup = (): void => {
      clearTimeout(t);
      s.off('data', onData);
    };
    s.on('data', onData);
    s.once('error', (e) => {
      cleanup();
      reject(e);
    });
  });
}

/** Sleeps `ms`. */
export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

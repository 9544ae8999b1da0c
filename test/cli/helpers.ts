// Running the built `gonet` command from tests: one-shot runs with bounded time, and long-lived
// children (listen, serve) whose stderr can be waited on. The environment always carries
// GONET_DNS_LOOPBACK_ONLY=1 and no proxy variables, so no test can reach off this machine.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../../bin/gonet.js', import.meta.url));

/** The environment every spawned gonet gets. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', GONET_DNS_LOOPBACK_ONLY: '1' };
  for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'all_proxy', 'REQUEST_METHOD']) delete env[k];
  return { ...env, ...extra };
}

/** What a finished run left. */
export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

/** A gonet child that keeps running; stdout and stderr are collected as they come. */
export class Cli {
  readonly child: ChildProcess;
  stdout = Buffer.alloc(0);
  stderr = '';
  readonly exited: Promise<RunResult>;
  private readonly waiters: (() => void)[] = [];

  constructor(args: string[], opts: { env?: Record<string, string>; timeout?: number; cwd?: string } = {}) {
    this.child = spawn(process.execPath, [BIN, ...args], { env: cliEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'], cwd: opts.cwd });
    const killer = setTimeout(() => this.child.kill('SIGKILL'), opts.timeout ?? 30_000);
    this.child.stdout!.on('data', (b: Buffer) => {
      this.stdout = Buffer.concat([this.stdout, b]);
      this.wake();
    });
    this.child.stderr!.on('data', (b: Buffer) => {
      this.stderr += b.toString();
      this.wake();
    });
    this.child.stdin!.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        clearTimeout(killer);
        this.wake();
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr });
      });
    });
  }

  private wake(): void {
    for (const f of this.waiters.splice(0)) f();
  }

  /** Waits (bounded) until `pred` holds over the output so far. */
  async until<T>(what: string, pred: () => T | null | undefined | false, ms = 10_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = pred();
      if (v) return v;
      if (Date.now() > deadline || this.child.exitCode !== null || this.child.signalCode !== null) {
        const again = pred();
        if (again) return again;
        throw new Error(`timed out waiting for ${what}; stdout=${JSON.stringify(this.stdout.toString())} stderr=${JSON.stringify(this.stderr)}`);
      }
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.max(1, Math.min(200, deadline - Date.now())));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Waits for a stderr match and returns it. */
  stderrMatch(re: RegExp, ms?: number): Promise<RegExpMatchArray> {
    return this.until(`stderr ${re}`, () => this.stderr.match(re), ms);
  }

  /** The port from a "listening on 127.0.0.1:N" line. */
  async port(): Promise<number> {
    const m = await this.stderrMatch(/listening on 127\.0\.0\.1:(\d+)/);
    return Number(m[1]);
  }

  write(s: string | Uint8Array): void {
    this.child.stdin!.write(s);
  }

  end(): void {
    this.child.stdin!.end();
  }

  kill(sig: NodeJS.Signals = 'SIGTERM'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(sig);
  }
}

/** Runs gonet to completion with `stdin` (default empty), bounded by `timeout` ms. */
export async function run(args: string[], opts: { stdin?: string | Uint8Array; env?: Record<string, string>; timeout?: number; cwd?: string } = {}): Promise<RunResult> {
  const c = new Cli(args, opts);
  if (opts.stdin !== undefined) c.write(opts.stdin);
  c.end();
  return c.exited;
}

/** The lines of a stderr text. */
export function lines(s: string): string[] {
  return s.split('\n').filter((l) => l !== '');
}

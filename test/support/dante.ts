// Starts a real Dante SOCKS server (danted, Debian package dante-server) on loopback with a
// config written into a temp folder, for the SOCKS5 tests. Everything it may reach is 127.0.0.0/8.
//
// Username authentication in Dante checks the system password database, so the `username`
// method needs a system user: ensureSocksUser() creates one (useradd, no home, no login shell)
// and sets its password with chpasswd — only when running as root, idempotently; otherwise the
// tests that need it are skipped.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, killGroup, stopGroup, waitForPort } from './proc.js';

export const DANTED = '/usr/sbin/danted';
const TIMEOUT = '/usr/bin/timeout';
/** Hard bound on a danted's life, whatever happens to the test process. */
const MAX_LIFETIME_S = 600;

/** Whether danted is installed. */
export function danteAvailable(): boolean {
  return existsSync(DANTED);
}

export const SOCKS_USER = 'gonetsocks';
export const SOCKS_PASSWORD = 'gonet-S0cks-pw';

/**
 * Makes sure the system user SOCKS_USER exists with password SOCKS_PASSWORD. Returns false
 * (and changes nothing) when not root or the tools are missing.
 */
export function ensureSocksUser(): boolean {
  if (process.getuid?.() !== 0) return false;
  if (!existsSync('/usr/sbin/useradd') || !existsSync('/usr/sbin/chpasswd')) return false;
  const exists = spawnSync('getent', ['passwd', SOCKS_USER], { timeout: 5000 }).status === 0;
  if (!exists) {
    const r = spawnSync('/usr/sbin/useradd', ['-M', '-N', '-d', '/nonexistent', '-s', '/usr/sbin/nologin', SOCKS_USER], { timeout: 10000 });
    if (r.status !== 0) return false;
  }
  const r = spawnSync('/usr/sbin/chpasswd', [], { input: `${SOCKS_USER}:${SOCKS_PASSWORD}\n`, timeout: 10000 });
  return r.status === 0;
}

export interface DanteOptions {
  /** `none` (no authentication) or `username` (RFC 1929 against system passwords). */
  method: 'none' | 'username';
  /** Destination ports on 127.0.0.1 the rules refuse (reply "connection not allowed by ruleset"). */
  blockPorts?: number[];
}

/** A running danted; stop() ends it (and its forked children) and removes the temp folder. */
export class Dante {
  private exited = false;
  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
    readonly dir: string,
    private readonly killTimer: NodeJS.Timeout,
  ) {
    child.once('exit', () => {
      this.exited = true;
    });
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get logFile(): string {
    return join(this.dir, 'danted.log');
  }

  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  static config(port: number, logFile: string, opts: DanteOptions): string {
    const blocks = (opts.blockPorts ?? []).map((p) => `socks block {\n  from: 127.0.0.0/8 to: 127.0.0.1/32 port = ${p}\n  log: error connect\n}\n`).join('');
    return [
      `logoutput: ${logFile}`,
      `internal: 127.0.0.1 port = ${port}`,
      'external: 127.0.0.1',
      `socksmethod: ${opts.method}`,
      'clientmethod: none',
      'user.privileged: root',
      'user.unprivileged: nobody',
      'client pass {\n  from: 127.0.0.0/8 to: 127.0.0.0/8\n  log: error connect disconnect\n}',
      blocks,
      'socks pass {\n  from: 127.0.0.0/8 to: 127.0.0.0/8\n  command: connect\n  log: error connect disconnect\n}',
      'socks pass {\n  from: 127.0.0.0/8 to: localhost\n  command: connect\n  log: error connect disconnect\n}',
      '',
    ].join('\n');
  }

  /** Writes a config, starts `danted -f conf -N 1` in the foreground and waits for its port. */
  static async start(opts: DanteOptions): Promise<Dante> {
    const dir = mkdtempSync(join(tmpdir(), 'gonet-dante-'));
    let lastErr = '';
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const conf = join(dir, 'danted.conf');
      writeFileSync(conf, Dante.config(port, join(dir, 'danted.log'), opts));
      // Its own process group, so stop() can end the children it forks as well.
      // Under coreutils' timeout, so danted ends even if this process dies without stopping it.
      const args = ['-f', conf, '-N', '1', '-p', join(dir, 'danted.pid')];
      const [cmd, argv] = existsSync(TIMEOUT) ? [TIMEOUT, ['-k', '5', String(MAX_LIFETIME_S), DANTED, ...args]] : [DANTED, args];
      const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
      let stderr = '';
      child.stderr?.on('data', (b: Buffer) => {
        stderr += b.toString();
      });
      const killTimer = setTimeout(() => killGroup(child), MAX_LIFETIME_S * 1000);
      killTimer.unref();
      const d = new Dante(child, port, dir, killTimer);
      if (await waitForPort(port, 10_000, () => d.exited)) return d;
      lastErr = `danted did not start (exited: ${d.exited}): ${stderr.trim()} ${d.log().trim()}`;
      await d.stop(false);
    }
    rmSync(dir, { recursive: true, force: true });
    throw new Error(lastErr);
  }

  /** Ends danted and its children; waits (bounded) for the exit. */
  async stop(removeDir = true): Promise<void> {
    clearTimeout(this.killTimer);
    await stopGroup(this.child, this.exited, 2000);
    if (removeDir) rmSync(this.dir, { recursive: true, force: true });
  }
}

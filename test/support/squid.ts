// Starts a real Squid forward proxy (Debian package squid) on loopback with a config written into
// a temp folder, for the proxy tests. Squid never resolves a name through DNS here: targets are IP
// literals, and the few names a test needs come from a hosts file the test writes (`hosts`),
// all mapping to 127.0.0.1. `dns_nameservers 127.0.0.1` keeps any stray lookup on loopback too.
//
// Basic auth (optional) uses basic_ncsa_auth with an htpasswd file made with `openssl passwd`.
// Squid runs in the foreground (`-N`) under coreutils' timeout, in its own process group, and
// stop() ends it. When the test runs as root Squid drops to the `proxy` user, so the temp folder
// is handed to that user.

import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, killGroup, stopGroup, waitForPort } from './proc.js';

export const SQUID = '/usr/sbin/squid';
export const NCSA_AUTH = '/usr/lib/squid/basic_ncsa_auth';
const TIMEOUT = '/usr/bin/timeout';
/** Hard bound on a squid's life, whatever happens to the test process. */
const MAX_LIFETIME_S = 600;

export interface SquidOptions {
  /** Require Basic proxy auth with this user and password. */
  auth?: { user: string; password: string };
  /** name → always 127.0.0.1 in Squid's own hosts file (no DNS). */
  hosts?: string[];
}

/** The uid/gid Squid switches to when started as root (Debian: `proxy`), or null. */
function proxyUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const r = spawnSync('getent', ['passwd', 'proxy'], { encoding: 'utf8', timeout: 5000 });
  if (r.status !== 0) return null;
  const f = r.stdout.trim().split(':');
  return { uid: Number(f[2]), gid: Number(f[3]) };
}

/** A running squid; stop() ends it and removes the temp folder. */
export class Squid {
  private exited = false;
  private stderr = '';
  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
    readonly dir: string,
    private readonly killTimer: NodeJS.Timeout,
  ) {
    child.once('exit', () => {
      this.exited = true;
    });
    child.stderr?.on('data', (b: Buffer) => {
      this.stderr += b.toString();
    });
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** `http://[user:pass@]127.0.0.1:port`. */
  url(user?: string, password?: string): URL {
    const u = new URL(`http://${this.address}`);
    if (user !== undefined) {
      u.username = encodeURIComponent(user);
      u.password = encodeURIComponent(password ?? '');
    }
    return u;
  }

  accessLog(): string {
    try {
      return readFileSync(join(this.dir, 'access.log'), 'utf8');
    } catch {
      return '';
    }
  }

  cacheLog(): string {
    try {
      return readFileSync(join(this.dir, 'cache.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /**
   * Waits (bounded) until access.log has a line matching `re`; returns that line. Squid logs a
   * CONNECT only when the tunnel closes.
   */
  async waitAccess(re: RegExp, ms = 5000): Promise<string> {
    const until = Date.now() + ms;
    for (;;) {
      const line = this.accessLog().split('\n').find((l) => re.test(l));
      if (line !== undefined) return line;
      if (Date.now() > until) throw new Error(`no access.log line matches ${re}; log:\n${this.accessLog()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  static config(dir: string, port: number, opts: SquidOptions): string {
    const lines = [
      `http_port 127.0.0.1:${port}`,
      `pid_filename ${join(dir, 'squid.pid')}`,
      `access_log stdio:${join(dir, 'access.log')}`,
      `cache_log ${join(dir, 'cache.log')}`,
      'cache_store_log none',
      `coredump_dir ${dir}`,
      'cache deny all',
      'cache_mem 8 MB',
      `hosts_file ${join(dir, 'hosts')}`,
      'dns_nameservers 127.0.0.1',
      'dns_timeout 2 seconds',
      'visible_hostname gonet-squid-test',
      'shutdown_lifetime 0 seconds',
      'pinger_enable off',
      'logfile_rotate 0',
      'strip_query_terms off',
      'forward_max_tries 1',
      'connect_retries 0',
      'connect_timeout 5 seconds',
      'max_filedescriptors 1024',
      'acl localnet src 127.0.0.0/8',
      'acl SSL_ports port 1-65535',
      'acl Safe_ports port 1-65535',
      'acl CONNECT method CONNECT',
      'http_access deny !Safe_ports',
      'http_access deny CONNECT !SSL_ports',
      'http_access deny !localnet',
    ];
    if (opts.auth) {
      lines.push(
        `auth_param basic program ${NCSA_AUTH} ${join(dir, 'htpasswd')}`,
        'auth_param basic children 2 startup=1 idle=1',
        'auth_param basic realm gonet-test',
        'auth_param basic credentialsttl 1 seconds',
        'acl authed proxy_auth REQUIRED',
        'http_access allow authed',
        'http_access deny all',
      );
    } else {
      lines.push('http_access allow CONNECT', 'http_access allow localnet', 'http_access deny all');
    }
    return lines.join('\n') + '\n';
  }

  /** Writes a config, starts `squid -N -f conf` and waits until it accepts conns. */
  static async start(opts: SquidOptions = {}): Promise<Squid> {
    const dir = mkdtempSync(join(tmpdir(), 'gonet-squid-'));
    const owner = proxyUser();
    writeFileSync(join(dir, 'hosts'), ['127.0.0.1 localhost', ...(opts.hosts ?? []).map((h) => `127.0.0.1 ${h}`)].join('\n') + '\n');
    if (opts.auth) {
      const hash = execFileSync('openssl', ['passwd', '-apr1', opts.auth.password], { encoding: 'utf8', timeout: 10_000 }).trim();
      writeFileSync(join(dir, 'htpasswd'), `${opts.auth.user}:${hash}\n`);
    }
    if (owner !== null) {
      chownSync(dir, owner.uid, owner.gid);
      for (const f of ['hosts', 'htpasswd']) if (existsSync(join(dir, f))) chownSync(join(dir, f), owner.uid, owner.gid);
    } else {
      chmodSync(dir, 0o755);
    }
    let lastErr = '';
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const conf = join(dir, 'squid.conf');
      writeFileSync(conf, Squid.config(dir, port, opts));
      const args = ['-N', '-f', conf];
      const [cmd, argv] = existsSync(TIMEOUT) ? [TIMEOUT, ['-k', '5', String(MAX_LIFETIME_S), SQUID, ...args]] : [SQUID, args];
      const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'], detached: true, cwd: dir });
      const killTimer = setTimeout(() => killGroup(child), MAX_LIFETIME_S * 1000);
      killTimer.unref();
      const s = new Squid(child, port, dir, killTimer);
      if (await waitForPort(port, 20_000, () => s.exited)) return s;
      lastErr = `squid did not start (exited: ${s.exited}): ${s.stderr.trim()}\n${s.cacheLog().trim()}`;
      await s.stop(false);
    }
    rmSync(dir, { recursive: true, force: true });
    throw new Error(lastErr);
  }

  /** Ends squid (SIGTERM, then SIGKILL) and waits (bounded) for its process group to go. */
  async stop(removeDir = true): Promise<void> {
    clearTimeout(this.killTimer);
    await stopGroup(this.child, this.exited, 3000);
    if (removeDir) rmSync(this.dir, { recursive: true, force: true });
  }
}

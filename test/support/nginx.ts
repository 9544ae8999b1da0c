// Test peers for the HTTP client: a real nginx started from a config written into a temp dir
// (HTTP and HTTPS with a throwaway CA made by openssl), and a scripted raw server on gonet's own
// listener that records the bytes each conn received, for the adversarial cases.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { freePort } from './proc.js';

export { freePort };
import { listen, type Conn, type Listener } from '../../src/net/index.js';
import { BufReader } from '../../src/http/wire/bufreader.js';
import { nextRequest } from '../../src/http/request.js';
import type { Request } from '../../src/http/request.js';

export const NGINX = '/usr/sbin/nginx';


function run(cmd: string, args: string[], cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr?.toString()}`);
}

/** A throwaway CA and a server certificate for localhost / 127.0.0.1, signed by it. */
export interface TestPKI {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
}

export function makePKI(dir: string): TestPKI {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run('openssl', ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=gonet test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  run('openssl', ['req', ...ec, '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=localhost'], dir);
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  run('openssl', ['x509', '-req', '-in', 'srv.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.crt', '-days', '2', '-extfile', 'ext.cnf'], dir);
  return {
    dir,
    caCert: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    serverCert: join(dir, 'srv.crt'),
    serverKey: join(dir, 'srv.key'),
  };
}

/** Options for startNginx. */
export interface NginxOptions {
  /** nginx `keepalive_timeout` (default `75s`). */
  keepaliveTimeout?: string;
  /** nginx `keepalive_requests` (default 1000). */
  keepaliveRequests?: number;
  /** Extra `location` blocks for the plain server. */
  locations?: string;
  /** Files to create under the web root: name → content or size in bytes (pattern-filled). */
  files?: Record<string, string | number>;
}

/** A running nginx. */
export interface Nginx {
  port: number;
  tlsPort: number;
  dir: string;
  root: string;
  pki: TestPKI;
  base: string;
  tlsBase: string;
  /** Unix socket paths serving plain HTTP and HTTPS. */
  unixSocket: string;
  unixTLSSocket: string;
  stop(): Promise<void>;
  errorLog(): string;
}

/** Deterministic content for static files: byte i is (i * 31 + 7) & 255. */
export function fileBytes(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + 7) & 255;
  return b;
}

async function waitPort(port: number, child: ChildProcess, dir: string): Promise<void> {
  const until = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${readFileSafe(join(dir, 'error.log'))}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nginx did not listen on ${port}: ${readFileSafe(join(dir, 'error.log'))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function readFileSafe(p: string): string {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return '';
  }
}

/** Starts nginx (HTTP + HTTPS) on loopback with a config written into a fresh temp dir. */
export async function startNginx(o: NginxOptions = {}): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'gonet-nginx-'));
  const root = join(dir, 'www');
  mkdirSync(root);
  for (const [name, content] of Object.entries(o.files ?? {})) {
    writeFileSync(join(root, name), typeof content === 'number' ? fileBytes(content) : content);
  }
  const pki = makePKI(dir);
  const port = await freePort();
  const tlsPort = await freePort();
  const conf = `
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_timeout ${o.keepaliveTimeout ?? '75s'};
  keepalive_requests ${o.keepaliveRequests ?? 1000};
  default_type application/octet-stream;
  sendfile on;
  server {
    listen 127.0.0.1:${port};
    listen 127.0.0.1:${tlsPort} ssl;
    listen unix:${dir}/http.sock;
    listen unix:${dir}/https.sock ssl;
    ssl_certificate ${pki.serverCert};
    ssl_certificate_key ${pki.serverKey};
    root ${root};
    location = /hello { return 200 "hello, world\\n"; }
    location = /method { return 200 "$request_method $http_content_length $http_transfer_encoding\\n"; }
    location = /headers { return 200 "auth=$http_authorization cookie=$http_cookie referer=$http_referer\\n"; }
    location /gz/ { gzip on; gzip_min_length 0; gzip_types *; gzip_comp_level 1; }
    location = /r301 { return 301 /method; }
    location = /r302 { return 302 /method; }
    location = /r303 { return 303 /method; }
    location = /r307 { return 307 /method; }
    location = /r308 { return 308 /method; }
    location = /loop { return 302 /loop; }
    location = /expect { if ($http_expect) { return 417; } return 200 "no expect\\n"; }
    location = /nolength { return 204; }
${o.locations ?? ''}
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const child = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 10 * 60_000);
  killer.unref();
  try {
    await waitPort(port, child, dir);
    await waitPort(tlsPort, child, dir);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`${(e as Error).message} ${stderr}`);
  }
  return {
    port, tlsPort, dir, root, pki,
    base: `http://127.0.0.1:${port}`,
    tlsBase: `https://localhost:${tlsPort}`,
    unixSocket: join(dir, 'http.sock'),
    unixTLSSocket: join(dir, 'https.sock'),
    errorLog: () => readFileSafe(join(dir, 'error.log')),
    async stop() {
      clearTimeout(killer);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(t);
      }
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Scripted raw server

/** What a raw-server handler gets for each request. */
export interface RawExchange {
  req: Request;
  conn: Conn;
  /** 0-based index of the conn on this server. */
  connIndex: number;
  /** 0-based index of the request on its conn. */
  reqIndex: number;
  /** Every byte the conn received so far. */
  raw(): Buffer;
  /** Reads the request body to its end. */
  body(): Promise<Buffer>;
}

/** A handler returns nothing (keep serving the conn) or `'close'` (close it now). */
export type RawHandler = (x: RawExchange) => Promise<void | 'close' | 'hold'>;

/** A server on gonet's listener that parses requests with the codec and runs `handler`. */
export interface RawServer {
  url: string;
  port: number;
  /** Conns accepted so far. */
  conns: number;
  /** Raw bytes received per conn. */
  received: Buffer[][];
  /** Resolves when conn `i` is closed by the peer or us. */
  closed: Promise<void>[];
  close(): void;
}

export async function rawServer(handler: RawHandler): Promise<RawServer> {
  const ln: Listener = await listen('tcp', '127.0.0.1:0');
  const port = Number(ln.addr.toString().split(':').pop());
  const open = new Set<Conn>();
  const srv: RawServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    conns: 0,
    received: [],
    closed: [],
    close() {
      ln.close();
      for (const c of open) c.close();
    },
  };
  void (async () => {
    for (;;) {
      let conn: Conn;
      try {
        conn = await ln.accept();
      } catch {
        return;
      }
      const connIndex = srv.conns++;
      const chunks: Buffer[] = [];
      srv.received.push(chunks);
      open.add(conn);
      let markClosed: () => void = () => {};
      srv.closed.push(new Promise<void>((r) => {
        markClosed = r;
      }));
      const tap = {
        async readChunk(): Promise<Uint8Array | null> {
          const c = await (conn as unknown as { readChunk(): Promise<Uint8Array | null> }).readChunk();
          if (c !== null) chunks.push(Buffer.from(c));
          return c;
        },
        read(): Promise<number | null> {
          throw new Error('unused');
        },
      };
      void (async () => {
        const br = new BufReader(tap);
        try {
          for (let reqIndex = 0; ; reqIndex++) {
            const req = await nextRequest(br);
            if (req === null) break;
            const x: RawExchange = {
              req, conn, connIndex, reqIndex,
              raw: () => Buffer.concat(chunks),
              body: async () => Buffer.from(await req.body.bytes()),
            };
            const r = await handler(x);
            if (r === 'close') break;
            if (r === 'hold') {
              // Wait for the peer to go away.
              while ((await br.readChunk(1 << 16)) !== null);
              break;
            }
            if (!req.body.eof && !req.body.closed) await req.body.drain(1 << 20);
          }
        } catch {
          // peer went away or sent garbage
        } finally {
          conn.close();
          open.delete(conn);
          markClosed();
        }
      })();
    }
  })();
  return srv;
}

/** A minimal response: status line, Content-Length, extra header lines, body. */
export function reply(body: string | Buffer, opts: { status?: string; headers?: string[] } = {}): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body) : body;
  const head = `HTTP/1.1 ${opts.status ?? '200 OK'}\r\n${(opts.headers ?? []).map((h) => h + '\r\n').join('')}Content-Length: ${b.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), b]);
}

// `gonet serve`: Go's FileServer on gonet's Server, with one access-log line per request on
// stderr and a graceful shutdown on Ctrl-C (SIGINT) or SIGTERM.

import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { listen, type Listener } from '../net/index.js';
import { Server, ErrServerClosed, fileServer, type Handler, type ResponseWriter, type Request } from '../http/index.js';
import { flagSet, flagValue, parseArgs, parseDuration, UsageError, type FlagSpec } from './args.js';
import { Exit, ExitError } from './errors.js';

export const SERVE_HELP = `usage: gonet serve [dir] [flags]

Serves the files under dir (default .) with Go's FileServer: directory listings,
index.html, Range requests, If-Modified-Since / ETag, content types. Prints
"serving <dir> on <url>" to stderr, then one access-log line per request.
Ctrl-C (SIGINT) or SIGTERM shuts down gracefully: requests in flight finish.

flags:
      --addr A          listen on A (host:port; default :8080; port 0 picks one)
      --tls CERT KEY    serve HTTPS with this certificate and key (PEM files)
      --grace D         how long a shutdown waits for requests in flight (default 10s)
  -h, --help            show this help
`;

const SPECS: FlagSpec[] = [
  { name: 'addr', arity: 1 },
  { name: 'tls', arity: 2 },
  { name: 'grace', arity: 1 },
];

/** Wraps a handler so each request logs `peer "METHOD target PROTO" status bytes duration`. */
export function accessLog(h: Handler, log: (line: string) => void): Handler {
  return async (w: ResponseWriter, r: Request) => {
    const t0 = performance.now();
    let status = 0;
    let bytes = 0;
    const lw: ResponseWriter = {
      header: () => w.header(),
      writeHeader(code) {
        if (status === 0) status = code;
        w.writeHeader(code);
      },
      write(chunk) {
        if (status === 0) status = 200;
        bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
        return w.write(chunk);
      },
      flush: w.flush === undefined ? undefined : () => w.flush!(),
    };
    try {
      await (typeof h === 'function' ? h(lw, r) : h.serveHTTP(lw, r));
    } finally {
      const ms = (performance.now() - t0).toFixed(1);
      log(`${r.remoteAddr} "${r.method} ${r.requestURI} ${r.proto}" ${status || 200} ${bytes} ${ms}ms`);
    }
  };
}

/** Runs `gonet serve`; resolves with the exit code once shut down. */
export async function serveCmd(argv: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  const p = parseArgs(argv, SPECS);
  if (flagSet(p, 'help')) {
    io.stdout.write(SERVE_HELP);
    return 0;
  }
  if (p.args.length > 1) throw new UsageError('too many arguments (want at most one directory)');
  const dir = resolve(p.args[0] ?? '.');
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
  } catch (e) {
    throw new ExitError(Exit.failure, `serve ${dir}: ${(e as { code?: string }).code === 'ENOENT' ? 'no such directory' : (e as Error).message}`);
  }
  const addr = flagValue(p, 'addr') ?? ':8080';
  const tls = p.flags.get('tls');
  const graceFlag = flagValue(p, 'grace');
  const grace = graceFlag === undefined ? 10_000 : parseDuration(graceFlag, '--grace');
  const log = (s: string): void => void io.stderr.write(s + '\n');

  const server = new Server({
    handler: accessLog(fileServer(dir), log),
    readHeaderTimeout: 10_000,
    idleTimeout: 120_000,
    errorLog: log,
  });
  const ln: Listener = await listen('tcp', addr);
  const a = ln.addr as { ip?: { isUnspecified?(): boolean }; port?: number };
  const shown = a.ip?.isUnspecified?.() ? `localhost:${a.port}` : String(ln.addr);
  log(`serving ${dir} on ${tls ? 'https' : 'http'}://${shown}/ (listening on ${ln.addr})`);

  let signalName = '';
  const done = new Promise<void>((res) => {
    const onSig = (sig: string) => () => {
      signalName = sig;
      res();
    };
    process.once('SIGINT', onSig('SIGINT'));
    process.once('SIGTERM', onSig('SIGTERM'));
  });
  const serving = tls ? server.serveTLS(ln, tls[0], tls[1]) : server.serve(ln);
  const failed = serving.then(() => undefined, (e: unknown) => e);
  const first = await Promise.race([done.then(() => null), failed]);
  if (first !== null && !(first instanceof ErrServerClosed)) throw first;
  log(`${signalName}: shutting down (waiting up to ${grace} ms for ${server.connCount} conn(s))`);
  try {
    await server.shutdown({ signal: AbortSignal.timeout(grace) });
    log('shut down cleanly');
  } catch {
    server.close();
    log('grace period over: closed the remaining conns');
  }
  await failed;
  return 0;
}

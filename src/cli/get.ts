// `gonet get`: curl-like, on gonet's Client and Transport. The body goes to stdout (or -o);
// -v shows the request and response heads and a timing breakdown taken from the ClientTrace
// hooks (DNS, connect, TLS, time to first byte, transfer).

import { createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { Resolver } from '../net/index.js';
import {
  Client, Request, Transport, defaultCheckRedirect, proxyFromEnvironment, useLastResponse,
  type ClientTrace, type Response, type ProxySelector,
} from '../http/index.js';
import { flagSet, flagValue, parseArgs, parseDuration, UsageError, type FlagSpec } from './args.js';
import { Exit, ExitError } from './errors.js';
import { writeOut } from './stdio.js';

export const GET_HELP = `usage: gonet get [flags] URL

Sends a request with gonet's Client and writes the response body to stdout.

flags:
  -X, --request M         method (default GET, or POST with -d)
  -H, --header 'K: V'     add a request header (repeatable)
  -d, --data D            send D as the body; @file sends the file's bytes
                          (Content-Type defaults to application/x-www-form-urlencoded)
  -o, --output FILE       write the body to FILE (a progress bar shows on a terminal)
  -L, --location          follow redirects (at most 10)
  -f, --fail              exit 22, printing no body, when the status is 400 or more
  -i, --include           write the response head before the body
  -I, --head              send HEAD and write the response head
  -v, --verbose           show request and response heads and timings on stderr
  -s, --silent            no progress bar
      --proxy URL         use this proxy (http://, socks5://, socks5h://); default from
                          HTTP_PROXY / HTTPS_PROXY / NO_PROXY
      --cacert FILE       trust the CA certificates in FILE (PEM)
  -k, --insecure          do not verify the server's certificate
  -m, --max-time D        give up on the whole exchange after D (e.g. 5s, 500ms, 2)
      --connect-timeout D give up connecting after D
      --dns-server S      resolve names with gonet's Resolver asking only S (ip[:port])
  -A, --user-agent UA     User-Agent (default gonet/<version>)
      --http1.1           use HTTP/1.1 (the default)
      --http2             offer HTTP/2 over TLS (ALPN h2, falling back to HTTP/1.1)
  -h, --help              show this help
`;

const SPECS: FlagSpec[] = [
  { name: 'request', short: 'X', arity: 1 },
  { name: 'header', short: 'H', arity: 1, multi: true },
  { name: 'data', short: 'd', arity: 1 },
  { name: 'output', short: 'o', arity: 1 },
  { name: 'location', short: 'L' },
  { name: 'fail', short: 'f' },
  { name: 'include', short: 'i' },
  { name: 'head', short: 'I' },
  { name: 'verbose', short: 'v' },
  { name: 'silent', short: 's' },
  { name: 'proxy', arity: 1 },
  { name: 'cacert', arity: 1 },
  { name: 'insecure', short: 'k' },
  { name: 'max-time', short: 'm', arity: 1 },
  { name: 'connect-timeout', arity: 1 },
  { name: 'dns-server', arity: 1 },
  { name: 'user-agent', short: 'A', arity: 1 },
  { name: 'http1.1' },
  { name: 'http2' },
];

export const USER_AGENT = 'gonet/0.1.0';

/** Where `gonet get` writes. */
export interface GetIO {
  stdout: NodeJS.WritableStream & { write(c: Uint8Array | string): boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

function ms(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined ? '-' : `${(b - a).toFixed(1)} ms`;
}

function requestTarget(u: URL, proxied: boolean): string {
  return proxied && u.protocol === 'http:' ? u.href : u.pathname + u.search;
}

/** Runs `gonet get`; resolves with the exit code. */
export async function getCmd(argv: string[], io: GetIO): Promise<number> {
  const p = parseArgs(argv, SPECS);
  if (flagSet(p, 'help')) {
    io.stdout.write(GET_HELP);
    return 0;
  }
  if (p.args.length !== 1) throw new UsageError(p.args.length === 0 ? 'missing URL' : 'too many arguments (want one URL)');
  if (flagSet(p, 'http2') && flagSet(p, 'http1.1')) throw new UsageError('--http2 and --http1.1 exclude each other');
  let raw = p.args[0]!;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) raw = 'http://' + raw;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`invalid URL ${JSON.stringify(p.args[0])}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`unsupported scheme ${JSON.stringify(url.protocol.slice(0, -1))} (want http or https)`);

  const verbose = flagSet(p, 'verbose');
  const headOnly = flagSet(p, 'head');
  const log = (s: string): void => void io.stderr.write(s + '\n');
  const dur = (name: string): number => {
    const v = flagValue(p, name);
    return v === undefined ? 0 : parseDuration(v, '--' + name);
  };
  const maxTime = dur('max-time');
  const connectTimeout = dur('connect-timeout');

  // The request.
  const data = flagValue(p, 'data');
  let body: Uint8Array | string | null = null;
  if (data !== undefined) {
    if (data.startsWith('@')) {
      try {
        body = readFileSync(data.slice(1));
      } catch (e) {
        throw new ExitError(Exit.failure, `read ${data.slice(1)}: ${(e as Error).message}`);
      }
    } else body = data;
  }
  const method = flagValue(p, 'request') ?? (headOnly ? 'HEAD' : body !== null ? 'POST' : 'GET');
  const req = new Request(method, url, { body });
  req.header.set('User-Agent', flagValue(p, 'user-agent') ?? USER_AGENT);
  req.header.set('Accept', '*/*');
  for (const h of p.flags.get('header') ?? []) {
    const i = h.indexOf(':');
    const k = i < 0 ? '' : h.slice(0, i).trim();
    if (k === '' || /[\s]/.test(k)) throw new UsageError(`bad header ${JSON.stringify(h)} (want 'Name: value')`);
    req.header.add(k, h.slice(i + 1).trim());
  }
  if (body !== null && !req.header.has('Content-Type')) req.header.set('Content-Type', 'application/x-www-form-urlencoded');

  // The Transport and Client.
  let proxy: ProxySelector = proxyFromEnvironment;
  const proxyFlag = flagValue(p, 'proxy');
  if (proxyFlag !== undefined) {
    let pu: URL;
    try {
      pu = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(proxyFlag) ? proxyFlag : 'http://' + proxyFlag);
    } catch {
      throw new UsageError(`invalid proxy URL ${JSON.stringify(proxyFlag)}`);
    }
    proxy = () => pu;
  }
  let ca: string | undefined;
  const cacert = flagValue(p, 'cacert');
  if (cacert !== undefined) {
    try {
      ca = readFileSync(cacert, 'utf8');
    } catch (e) {
      throw new ExitError(Exit.failure, `read ${cacert}: ${(e as Error).message}`);
    }
  }
  const dnsServer = flagValue(p, 'dns-server');
  let resolver: Resolver | undefined;
  if (dnsServer !== undefined) {
    try {
      resolver = new Resolver({ mode: 'pure', servers: [dnsServer], hostsPath: '/dev/null' });
    } catch (e) {
      throw new UsageError(`--dns-server: ${(e as Error).message}`);
    }
  }
  const transport = new Transport({
    proxy,
    tls: { ca, insecureSkipVerify: flagSet(p, 'insecure') },
    dialer: { timeout: connectTimeout || 30_000, resolver },
    tlsHandshakeTimeout: 10_000,
    // A custom TLS config turns automatic HTTP/2 off (Go's rule); --http2 asks for it anyway.
    forceAttemptHTTP2: flagSet(p, 'http2'),
    ...(flagSet(p, 'http1.1') ? { http2: false as const } : {}),
  });
  let hop = req;
  const follow = flagSet(p, 'location');
  const client = new Client({
    transport,
    timeout: maxTime,
    checkRedirect: (next, via) => {
      if (!follow) return useLastResponse;
      const verdict = defaultCheckRedirect(next, via);
      if (verdict === null && verbose) log(`* following redirect to ${next.url.href}`);
      hop = next;
      return verdict;
    },
  });

  // Timings from the trace hooks, per hop (the last hop's are reported).
  const t: Record<string, number | undefined> = { start: performance.now() };
  const proxied = (u: URL): boolean => proxy(new Request('GET', u)) !== null;
  const trace: ClientTrace = {
    getConn(hp) {
      for (const k of Object.keys(t)) if (k !== 'start') t[k] = undefined;
      t.hopStart = performance.now();
      if (verbose) log(`* getConn ${hp}${proxied(hop.url) ? ' (proxy)' : ''}`);
    },
    dnsStart(info) {
      t.dnsStart = performance.now();
      if (verbose) log(`* resolving ${info.host}`);
    },
    dnsDone(info) {
      t.dnsDone = performance.now();
      if (verbose) log(info.err ? `* resolve failed: ${info.err.message}` : `* resolved to ${info.addrs.map(String).join(', ')} (${ms(t.dnsStart, t.dnsDone)})`);
    },
    connectStart(network, addr) {
      t.connectStart ??= performance.now();
      if (verbose) log(`* connecting ${network} ${addr}`);
    },
    connectDone(network, addr, err) {
      if (err === null) t.connectDone = performance.now();
      if (verbose) log(err === null ? `* connected ${network} ${addr} (${ms(t.connectStart, t.connectDone)})` : `* connect ${network} ${addr} failed: ${err.message}`);
    },
    tlsHandshakeStart() {
      t.tlsStart = performance.now();
    },
    tlsHandshakeDone(state, err) {
      t.tlsDone = performance.now();
      if (verbose) {
        log(state !== null
          ? `* TLS ${state.version} ${state.cipherSuite}${state.negotiatedProtocol ? `, ALPN ${state.negotiatedProtocol}` : ''} (${ms(t.tlsStart, t.tlsDone)})`
          : `* TLS handshake failed: ${err?.message ?? ''}`);
      }
    },
    gotConn(info) {
      t.gotConn = performance.now();
      if (verbose && info.reused) log(`* reusing connection ${info.conn.localAddr} → ${info.conn.remoteAddr}`);
      else if (verbose) log(`* connection ${info.conn.localAddr} → ${info.conn.remoteAddr}`);
    },
    wroteHeaders() {
      t.wrote = performance.now();
      if (!verbose) return;
      const u = hop.url;
      const lines = [`${hop.method} ${requestTarget(u, proxied(u))} HTTP/1.1`, `Host: ${hop.host}`];
      for (const [k, vs] of hop.header) for (const v of vs) lines.push(`${k}: ${v}`);
      if (!hop.header.has('Accept-Encoding') && !hop.header.has('Range') && hop.method !== 'HEAD') lines.push('Accept-Encoding: gzip, br');
      if (hop.contentLength > 0) lines.push(`Content-Length: ${hop.contentLength}`);
      log(lines.map((l) => '> ' + l).join('\n') + '\n>');
    },
    gotFirstResponseByte() {
      t.firstByte = performance.now();
    },
  };

  let res: Response;
  try {
    res = await client.do(req, { trace });
  } finally {
    if (verbose && t.firstByte === undefined) log(`* failed after ${ms(t.start, performance.now())}`);
  }
  const headText = `${res.proto} ${res.status}\r\n` + [...res.header].flatMap(([k, vs]) => vs.map((v) => `${k}: ${v}\r\n`)).join('') + '\r\n';
  if (verbose) {
    log(headText.trimEnd().split('\r\n').map((l) => '< ' + l).join('\n') + '\n<');
    if (res.uncompressed) log('* body decompressed (Content-Encoding removed)');
  }
  if (flagSet(p, 'fail') && res.statusCode >= 400) {
    res.body.close();
    transport.closeIdleConnections();
    throw new ExitError(Exit.httpStatus, `${method} ${res.request?.url.href ?? url.href}: server returned ${res.status}`);
  }

  const outFile = flagValue(p, 'output');
  const sink = outFile === undefined ? io.stdout : createWriteStream(outFile);
  if (outFile !== undefined) {
    try {
      await once(sink, 'open');
    } catch (e) {
      res.body.close();
      throw new ExitError(Exit.failure, `open ${outFile}: ${(e as Error).message}`);
    }
  }
  if (flagSet(p, 'include') || headOnly) await writeOut(io.stdout as never, headText);
  const progress = outFile !== undefined && io.stderr.isTTY === true && !flagSet(p, 'silent');
  const total = res.contentLength;
  let n = 0;
  let lastDraw = 0;
  const draw = (final: boolean): void => {
    const now = performance.now();
    if (!final && now - lastDraw < 100) return;
    lastDraw = now;
    const width = Math.max(10, Math.min(40, (io.stderr.columns ?? 80) - 40));
    const frac = total > 0 ? Math.min(1, n / total) : 0;
    const bar = total > 0 ? '#'.repeat(Math.round(frac * width)).padEnd(width, '.') : '';
    const pct = total > 0 ? `${(frac * 100).toFixed(0).padStart(3)}% ` : '';
    io.stderr.write(`\r${bar ? `[${bar}] ` : ''}${pct}${formatBytes(n)}${total > 0 ? ' / ' + formatBytes(total) : ''}${final ? '\n' : ''}`);
  };
  try {
    for await (const chunk of res.body) {
      n += chunk.length;
      await writeOut(sink as never, chunk);
      if (progress) draw(false);
    }
  } finally {
    if (outFile !== undefined) {
      (sink as NodeJS.WritableStream).end();
      await once(sink, 'close').catch(() => undefined);
    }
    transport.closeIdleConnections();
  }
  if (progress) draw(true);
  const end = performance.now();
  if (verbose) {
    log(`* ${n} bytes of body in ${ms(t.firstByte, end)}`);
    log(`* timing: dns ${ms(t.dnsStart, t.dnsDone)}, connect ${ms(t.connectStart, t.connectDone)}, tls ${ms(t.tlsStart, t.tlsDone)}, ` +
      `first byte ${ms(t.hopStart, t.firstByte)}, transfer ${ms(t.firstByte, end)}, total ${ms(t.start, end)}`);
  }
  return 0;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

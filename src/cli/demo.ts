// `gonet demo`: what `npm start` runs. It needs nothing outside this machine: it starts its own
// servers on loopback and walks the Dialer's pipeline one step at a time, timing each step.

import {
  Dialer, Resolver, TCPAddr, listen, parseNetwork, splitHostPort, defaultResolver, lookupPort, type Conn, type HostResolver, type Listener,
} from '../net/index.js';
import { Client, Request, Server, ServeMux, Transport, type ClientTrace, type GotConnInfo, type Response } from '../http/index.js';

/** Where the demo prints, and whether it may use color. */
export interface DemoOutput {
  write(s: string): void;
  color: boolean;
}

function painter(color: boolean): { step: (s: string) => string; dim: (s: string) => string; ok: (s: string) => string } {
  const wrap = (code: string) => (s: string): string => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { step: wrap('1;36'), dim: wrap('2'), ok: wrap('32') };
}

async function echoServer(ln: Listener): Promise<void> {
  for await (const c of ln) {
    void (async () => {
      const buf = new Uint8Array(16 * 1024);
      try {
        for (let n = await c.read(buf); n !== null; n = await c.read(buf)) await c.write(buf.subarray(0, n));
        await c.closeWrite();
      } catch {
        // A peer that vanished only ends its own conn.
      } finally {
        c.close();
      }
    })();
  }
}

/** Runs the demo; resolves with the exit code. */
export async function demo(out: DemoOutput): Promise<number> {
  const p = painter(out.color);
  let n = 0;
  const step = async <T>(title: string, f: () => Promise<T> | T, show: (v: T) => string): Promise<T> => {
    const t0 = performance.now();
    const v = await f();
    const ms = (performance.now() - t0).toFixed(2);
    out.write(`${p.step(`${++n}. ${title}`)} ${p.dim(`(${ms} ms)`)}\n${show(v).replace(/^/gm, '   ')}\n`);
    return v;
  };

  const ln = await step('listen tcp 127.0.0.1:0 (an echo server, one task per conn)', () => listen('tcp', '127.0.0.1:0'), (l) => `listening on ${l.addr}`);
  const serving = echoServer(ln);
  const port = ln.addr instanceof TCPAddr ? ln.addr.port : 0;
  const target = `localhost:${port}`;

  await step(`parse network "tcp" and address "${target}"`, () => {
    const net = parseNetwork('tcp', true);
    const [host, service] = splitHostPort(target);
    return { net, host, service };
  }, (v) => `network ${v.net.afnet}, host ${JSON.stringify(v.host)}, port ${JSON.stringify(v.service)}`);

  const resolver = defaultResolver();
  await step('resolve "localhost"', async () => ({
    addrs: await resolver.lookupIPAddr('localhost', {}),
    port: await lookupPort('tcp', 'domain'),
  }), (v) => `${v.addrs.map(String).join(', ')}  (resolver: ${resolverName(resolver, 'localhost')}; and "domain" is port ${v.port})`);

  const attempts: string[] = [];
  const dialer = new Dialer({ timeout: 5000, control: (_net, address) => void attempts.push(address) });
  const conn = await step(`dial tcp ${target} (Happy Eyeballs over every address)`, () => dialer.dial('tcp', target), (c: Conn) =>
    `${attempts.map((a) => `tried ${a}`).join('\n')}\nconnected ${c.localAddr} → ${c.remoteAddr}`);

  const msg = 'hello from gonet\n';
  await step('write, then half-close (closeWrite)', async () => {
    await conn.write(new TextEncoder().encode(msg));
    await conn.closeWrite();
  }, () => `wrote ${msg.length} bytes`);

  const echoed = await step('read the echo until EOF', async () => {
    const chunks: Uint8Array[] = [];
    for await (const c of conn) chunks.push(c);
    return Buffer.concat(chunks).toString();
  }, (s) => `read ${JSON.stringify(s)} then EOF`);
  conn.close();

  await step('close the echo listener (pending accepts end with ErrClosed)', async () => {
    ln.close();
    await serving;
  }, () => (echoed === msg ? 'every byte came back' : 'MISMATCH: the echo differs'));

  // HTTP: the same layers, one level up.
  const mux = new ServeMux();
  mux.handleFunc('GET /hello', (w, r) => {
    w.header().set('Content-Type', 'text/plain; charset=utf-8');
    return w.write(`hello, ${r.header.get('User-Agent')}\n`);
  });
  const states: string[] = [];
  const server = new Server({ handler: mux, connState: (_c, st) => void states.push(st) });
  const hln = await step('start an HTTP server on tcp 127.0.0.1:0 (ServeMux: GET /hello)', () => listen('tcp', '127.0.0.1:0'), (l) => `serving http://${l.addr}/hello`);
  const httpServing = server.serve(hln).catch((e: unknown) => e);
  const hport = hln.addr instanceof TCPAddr ? hln.addr.port : 0;
  const transport = new Transport({ proxy: null });
  const client = new Client({ transport });
  const url = `http://localhost:${hport}/hello`;
  const events: string[] = [];
  let got: GotConnInfo | null = null;
  const trace: ClientTrace = {
    dnsDone: (i) => void events.push(`resolved localhost → ${i.addrs.map(String).join(', ')}`),
    connectStart: (net, addr) => void events.push(`connect ${net} ${addr}`),
    gotConn: (i) => {
      got = i;
    },
    wroteHeaders: () => void events.push('request head written'),
  };
  const reqHead = (r: Request): string => `${r.method} ${r.url.pathname} HTTP/1.1, Host: ${r.host}, User-Agent: ${r.header.get('User-Agent')}`;
  const send = async (): Promise<Response> => {
    events.length = 0;
    got = null;
    const r = new Request('GET', url, { header: { 'User-Agent': 'gonet-demo' } });
    return client.do(r, { trace });
  };
  const connLine = (): string => {
    const g = got as GotConnInfo | null;
    return g === null ? 'no conn' : `conn ${g.conn.localAddr} → ${g.conn.remoteAddr}, reused: ${g.reused}${g.wasIdle ? `, idle for ${g.idleTime.toFixed(1)} ms` : ''}`;
  };
  const res1 = await step(`write a request with the Transport: GET ${url}`, send, () =>
    [`> ${reqHead(new Request('GET', url, { header: { 'User-Agent': 'gonet-demo' } }))}`, ...events, connLine()].join('\n'));
  const body1 = await step('read the response', () => res1.text(), (b) =>
    `< ${res1.proto} ${res1.status}, Content-Type: ${res1.header.get('Content-Type')}, Content-Length: ${res1.header.get('Content-Length') || '-'}\n< body ${JSON.stringify(b)}`);
  const res2 = await step('a second request: keep-alive reuses the conn (ClientTrace gotConn)', async () => {
    const r = await send();
    await r.text();
    return r;
  }, (r) => `< ${r.status}; ${connLine()}${events.some((e) => e.startsWith('connect')) ? '' : ' (no new dial)'}`);
  const reused = (got as GotConnInfo | null)?.reused === true;
  await step('graceful shutdown: stop accepting, close idle conns, wait for active ones', async () => {
    await server.shutdown({ signal: AbortSignal.timeout(5000) });
    transport.closeIdleConnections();
    return httpServing;
  }, (e) => `server conn states: ${states.join(' → ')}; serve() returned ${(e as Error)?.name ?? String(e)}`);

  const ok = echoed === msg && body1 === 'hello, gonet-demo\n' && res2.statusCode === 200 && reused;
  out.write(ok ? `${p.ok('done: every step worked')}\n` : 'FAILED: see the steps above\n');
  return ok ? 0 : 1;
}

/** Says which resolver answers `host`, and how (Go's hostLookupOrder for our own Resolver). */
function resolverName(r: HostResolver, host: string): string {
  if (r instanceof Resolver) {
    const order = r.hostOrder(host);
    const how = order === 'system' ? 'via getaddrinfo' : order.startsWith('files') ? 'from /etc/hosts first, then DNS' : `order ${order}`;
    return `gonet Resolver, ${r.mode} mode: ${JSON.stringify(host)} ${how}`;
  }
  const named = (r as { name?: unknown }).name;
  if (typeof named === 'string') return named;
  return r.constructor === Object ? 'system (getaddrinfo)' : r.constructor.name;
}

// `gonet demo`: what `npm start` runs. It needs nothing outside this machine: it starts its own
// servers on loopback and walks the Dialer's pipeline one step at a time, timing each step.

import {
  Dialer, TCPAddr, listen, parseNetwork, splitHostPort, defaultResolver, lookupPort, type Conn, type Listener,
} from '../net/index.js';

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
  }), (v) => `${v.addrs.map(String).join(', ')}  (resolver: ${resolverName(resolver)}; and "domain" is port ${v.port})`);

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

  await step('close the listener (pending accepts end with ErrClosed)', async () => {
    ln.close();
    await serving;
  }, () => p.ok(echoed === msg ? 'done: every byte came back' : 'MISMATCH'));
  return echoed === msg ? 0 : 1;
}

function resolverName(r: object): string {
  const named = (r as { name?: unknown }).name;
  if (typeof named === 'string') return named;
  return r.constructor === Object ? 'system (getaddrinfo)' : r.constructor.name;
}

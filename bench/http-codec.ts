// Micro-benchmarks of the HTTP/1.1 codec against Node's own parser (llhttp, what node:http runs
// under its IncomingMessage layer). Both sides parse the same pipelined bytes in-process; the
// node side only collects the raw header list, so it is a lower bound on node:http's cost.
// undici runs llhttp too (as wasm) behind a private API, so it has no figure here.

import { BufReader, nextRequest, nextResponse } from '../src/http/index.js';

interface CodecFigure {
  name: string;
  ours: number;
  node: number | null;
  undici: number | null;
  unit: string;
  /** run.ts treats an object with `run` as a workload; this one is already measured. */
  run(): Promise<{ ours: number; node: number }>;
}

const REQUEST =
  'GET /search?q=go+net&lang=en HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n' +
  'Accept: text/html,application/xhtml+xml;q=0.9\r\nAccept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br\r\n' +
  'Connection: keep-alive\r\nCookie: a=1; b=2\r\nUpgrade-Insecure-Requests: 1\r\n\r\n';

const RESPONSE = (() => {
  const chunk = 'x'.repeat(4096);
  let s = 'HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\n' +
    'Server: bench\r\nTransfer-Encoding: chunked\r\n\r\n';
  for (let i = 0; i < 4; i++) s += '1000\r\n' + chunk + '\r\n';
  return s + '0\r\n\r\n';
})();

interface LLHTTP {
  new (): {
    initialize(kind: number, resource: object): void;
    execute(b: Buffer): number | Error;
    finish(): void;
    close(): void;
    [k: number]: unknown;
  };
  REQUEST: number;
  RESPONSE: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
}

function loadLLHTTP(): LLHTTP | null {
  // process.binding is deprecated (DEP0111) but is the only way to reach llhttp alone; the
  // warning is muted for this one call.
  const proc = process as unknown as { noDeprecation?: boolean; binding(name: string): { HTTPParser: LLHTTP } };
  const prev = proc.noDeprecation;
  proc.noDeprecation = true;
  try {
    return proc.binding('http_parser').HTTPParser;
  } catch {
    return null;
  } finally {
    proc.noDeprecation = prev;
  }
}

async function ours(buf: Buffer, response: boolean): Promise<number> {
  const br = new BufReader(buf);
  let n = 0;
  for (;;) {
    const m = response ? await nextResponse(br) : await nextRequest(br);
    if (m === null) return n;
    await m.body.drain(Infinity);
    n++;
  }
}

function node(P: LLHTTP, buf: Buffer, response: boolean): number {
  const p = new P();
  p.initialize(response ? P.RESPONSE : P.REQUEST, {});
  let n = 0;
  let bodyBytes = 0;
  let lastHeaders: unknown = null;
  p[P.kOnHeadersComplete] = (_maj: number, _min: number, headers: string[]) => {
    lastHeaders = headers;
  };
  p[P.kOnBody] = (b: Buffer) => {
    bodyBytes += b.length;
  };
  p[P.kOnMessageComplete] = () => {
    n++;
  };
  const r = p.execute(buf);
  if (r instanceof Error) throw r;
  p.close();
  void lastHeaders;
  void bodyBytes;
  return n;
}

async function rate(fn: () => Promise<number> | number, ms: number): Promise<number> {
  let count = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    count += await fn();
    t = performance.now();
  }
  return count / ((t - t0) / 1000);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

async function measure(name: string, msg: string, copies: number, response: boolean, P: LLHTTP | null): Promise<CodecFigure> {
  const buf = Buffer.from(msg.repeat(copies), 'latin1');
  const oursRuns: number[] = [];
  const nodeRuns: number[] = [];
  await rate(() => ours(buf, response), 200);
  if (P !== null) await rate(() => node(P, buf, response), 200);
  for (let i = 0; i < 3; i++) {
    oursRuns.push(await rate(() => ours(buf, response), 700));
    if (P !== null) nodeRuns.push(await rate(() => node(P, buf, response), 700));
  }
  const o = median(oursRuns);
  const nd = P === null ? null : median(nodeRuns);
  return {
    name, ours: o, node: nd, undici: null, unit: 'msg/s',
    run: async () => ({ ours: o, node: nd ?? NaN }),
  };
}

/** The codec figures: messages parsed per second, ours vs Node's llhttp, in this process. */
export async function benchCodec(): Promise<CodecFigure[]> {
  const P = loadLLHTTP();
  return [
    await measure('http/parse-request-9-fields', REQUEST, 1000, false, P),
    await measure('http/parse-response-chunked-16KiB', RESPONSE, 100, true, P),
  ];
}

// Runnable on its own: node dist/bench/http-codec.js
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const f of await benchCodec()) {
    const ratio = f.node === null ? '-' : (f.ours / f.node).toFixed(2) + 'x';
    console.log(`${f.name}: gonet ${Math.round(f.ours)} ${f.unit}, node(llhttp) ${f.node === null ? '-' : Math.round(f.node)}, ratio ${ratio}`);
  }
}

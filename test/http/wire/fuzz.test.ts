// Seeded fuzzing of the request/response parsers and the chunked decoder. Every input must end in
// a parsed message or a ProtocolError with an expected status, within a time bound (no hang), and
// the outcome must not depend on how the bytes are split into chunks (a differential check of the
// incremental paths against the one-buffer path).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BufReader, ProtocolError, nextRequest, nextResponse } from '../../../src/http/index.js';
import { ChunkedWriter } from '../../../src/http/wire/write.js';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const REQUESTS = [
  'GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n',
  'GET /search?q=go+net&lang=en HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n' +
    'Accept: text/html,application/xhtml+xml;q=0.9\r\nAccept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br\r\n' +
    'Connection: keep-alive\r\nCookie: a=1; b=2\r\nUpgrade-Insecure-Requests: 1\r\n\r\n',
  'POST /api/items HTTP/1.1\r\nHost: api.local:8080\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n{"name":"widget"}',
  'PUT /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n' +
    '5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: abc\r\n\r\n',
  'GET http://proxy.target:81/p HTTP/1.1\r\nHost: proxy.target:81\r\nProxy-Connection: keep-alive\r\n\r\n',
  'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
  'OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n',
  'GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n',
  'POST /form HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 7\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\na=1&b=2',
];

const RESPONSES = [
  'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello',
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: Expires\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\nExpires: never\r\n\r\n',
  'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n',
  'HTTP/1.0 200 OK\r\nServer: old\r\n\r\nuntil close',
  'HTTP/1.1 304 Not Modified\r\nEtag: "x"\r\n\r\n',
  'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
  'HTTP/1.1 301 Moved Permanently\r\nLocation: /new\r\nContent-Length: 0\r\nX-Fold: a\r\n b\r\n\r\n',
];

const PALETTE = ['\r', '\n', '\r\n', ' ', '\t', ':', '\0', '0', 'f', 'x', ';', '\x7f', '\xff', ',', '-', 'chunked', 'Content-Length: 1\r\n',
  'Transfer-Encoding: chunked\r\n', '\r\n\r\n', '0\r\n\r\n', 'ffffffffffffffffff', 'HTTP/1.1', 'Host: h\r\n'];

function mutate(r: () => number, src: string, corpus: string[]): string {
  let s = src;
  const n = 1 + Math.floor(r() * 4);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(r() * (s.length + 1));
    const op = Math.floor(r() * 7);
    switch (op) {
      case 0: s = s.slice(0, at) + String.fromCharCode(Math.floor(r() * 256)) + s.slice(at + 1); break;
      case 1: s = s.slice(0, at) + PALETTE[Math.floor(r() * PALETTE.length)] + s.slice(at); break;
      case 2: s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 8)); break;
      case 3: { const len = Math.floor(r() * 20); s = s.slice(0, at) + s.slice(at, at + len) + s.slice(at); break; }
      case 4: s = s.slice(0, at); break;
      case 5: { const o = corpus[Math.floor(r() * corpus.length)]; const p = Math.floor(r() * o.length); s = s.slice(0, at) + o.slice(p, p + 1 + Math.floor(r() * 40)) + s.slice(at); break; }
      case 6: s = s.slice(0, at) + PALETTE[Math.floor(r() * PALETTE.length)].repeat(1 + Math.floor(r() * 3000)) + s.slice(at); break;
    }
  }
  return s;
}

/** A source handing out the bytes in random-size chunks (the conn fast path). */
function chunkSource(b: Buffer, r: () => number): { readChunk(): Promise<Uint8Array | null>; read(p: Uint8Array): Promise<number | null> } {
  let off = 0;
  return {
    async readChunk() {
      if (off >= b.length) return null;
      const n = 1 + Math.floor(r() * Math.min(64, b.length - off));
      const c = Buffer.from(b.subarray(off, off + n));
      off += n;
      return c;
    },
    async read(p: Uint8Array) {
      if (off >= b.length) return null;
      const n = Math.min(p.length, 1 + Math.floor(r() * 64), b.length - off);
      p.set(b.subarray(off, off + n));
      off += n;
      return n;
    },
  };
}

/** A read()-only source with random short reads. */
function readSource(b: Buffer, r: () => number): { read(p: Uint8Array): Promise<number | null> } {
  const s = chunkSource(b, r);
  return { read: (p) => s.read(p) };
}

const REQUEST_STATUSES = new Set([400, 413, 414, 431, 501, 505]);

/** Everything observable about reading all messages from `br`, as a comparable string. */
async function transcript(br: BufReader, response: boolean, method: string, statuses: Set<number>): Promise<string> {
  const out: string[] = [];
  for (let i = 0; i < 4; i++) {
    try {
      const m = response ? await nextResponse(br, { method }) : await nextRequest(br);
      if (m === null) {
        out.push('EOF');
        break;
      }
      const head = 'statusCode' in m
        ? `${m.proto} ${m.status}`
        : `${m.method} ${m.requestURI} ${m.proto} host=${m.host}`;
      out.push(head + ' ' + JSON.stringify(m.header) + ` cl=${m.contentLength} te=${m.transferEncoding.join()} close=${m.close}`);
      const body = Buffer.from(await m.bytes()).toString('latin1');
      out.push('body=' + JSON.stringify(body) + ' trailer=' + JSON.stringify(m.trailer));
      if (m.close) break;
    } catch (e) {
      assert.ok(e instanceof ProtocolError, `not a ProtocolError: ${String(e)}`);
      assert.ok(statuses.has(e.status), `unexpected status ${e.status} (${e.code}: ${e.message})`);
      assert.match(e.code, /^ERR_HTTP/);
      out.push(`error ${e.status} ${e.code} ${e.message}`);
      break;
    }
  }
  return out.join('\n');
}

async function bounded<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: ${what}`)), 5000);
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

async function fuzz(seed: number, iterations: number, corpus: string[], response: boolean): Promise<Map<string, number>> {
  const r = rng(seed);
  const seen = new Map<string, number>();
  const statuses = response ? new Set([502]) : REQUEST_STATUSES;
  for (let i = 0; i < iterations; i++) {
    const base = corpus[Math.floor(r() * corpus.length)];
    // Pipelined: sometimes two messages back to back so leftovers reach the next parse.
    const input = mutate(r, r() < 0.3 ? base + corpus[Math.floor(r() * corpus.length)] : base, corpus);
    const bytes = Buffer.from(input, 'latin1');
    const method = r() < 0.2 ? 'HEAD' : 'GET';
    const what = `seed ${seed} #${i}: ${JSON.stringify(input.slice(0, 200))}`;
    const a = await bounded(transcript(new BufReader(bytes), response, method, statuses), what);
    const b = await bounded(transcript(new BufReader(chunkSource(bytes, r)), response, method, statuses), what);
    const c = await bounded(transcript(new BufReader(readSource(bytes, r), { readSize: 1 + Math.floor(r() * 100) }), response, method, statuses), what);
    assert.equal(b, a, `chunked source differs, ${what}`);
    assert.equal(c, a, `read() source differs, ${what}`);
    const m = /^error \d+ (\S+)/m.exec(a);
    const key = m === null ? 'ok' : m[1];
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return seen;
}

test('fuzz: mutated requests give a message or a typed error, independent of chunking', async () => {
  const seen = await fuzz(0x5eed, 1500, REQUESTS, false);
  // The mutations reach both outcomes and a spread of distinct rules.
  assert.ok((seen.get('ok') ?? 0) > 100, JSON.stringify([...seen]));
  assert.ok(seen.size >= 12, JSON.stringify([...seen]));
});

test('fuzz: mutated responses give a message or a typed 502 error, independent of chunking', async () => {
  const seen = await fuzz(0xbeef, 1000, RESPONSES, true);
  assert.ok((seen.get('ok') ?? 0) > 100, JSON.stringify([...seen]));
  assert.ok(seen.size >= 6, JSON.stringify([...seen]));
});

test('fuzz: random bodies through ChunkedWriter decode exactly; mutated chunked streams fail typed', async () => {
  const r = rng(42);
  const okCount = { ok: 0, err: 0 };
  for (let i = 0; i < 400; i++) {
    const parts: Buffer[] = [];
    const n = Math.floor(r() * 6);
    for (let k = 0; k < n; k++) {
      const len = Math.floor(r() * (r() < 0.1 ? 70000 : 300));
      const b = Buffer.allocUnsafe(len);
      for (let j = 0; j < len; j++) b[j] = (j * 31 + k) & 255;
      parts.push(b);
    }
    const sink: Buffer[] = [];
    const cw = new ChunkedWriter({ async write(p) { sink.push(Buffer.from(p)); return p.length; } });
    for (const p of parts) await cw.write(p);
    await cw.close();
    const head = 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n';
    const wire = Buffer.concat([Buffer.from(head), ...sink]);
    const req = await nextRequest(new BufReader(chunkSource(wire, r)));
    assert.ok(req !== null);
    assert.deepEqual(Buffer.from(await req.bytes()), Buffer.concat(parts));
    // Now mutate the chunked section only and check typed failure or a consistent parse.
    const body = Buffer.concat(sink).toString('latin1');
    const bad = Buffer.from(head + mutate(r, body.length > 2000 ? body.slice(0, 2000) : body, [body.slice(0, 200)]), 'latin1');
    const a = await bounded(transcript(new BufReader(bad), false, 'GET', REQUEST_STATUSES), `chunked #${i}`);
    const b = await bounded(transcript(new BufReader(chunkSource(bad, r)), false, 'GET', REQUEST_STATUSES), `chunked #${i}`);
    assert.equal(b, a);
    if (a.includes('\nerror ') || a.startsWith('error ')) okCount.err++;
    else okCount.ok++;
  }
  assert.ok(okCount.err > 50, JSON.stringify(okCount));
});

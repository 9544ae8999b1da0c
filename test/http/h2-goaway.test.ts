// A server that sends GOAWAY mid-load: streams above its last-stream-id (never processed) are
// retried on a new session whatever their method; none of the load is lost. The server here is
// node:http2's own (over node:tls), scripted to go away after a number of streams per session.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { constants, createSecureServer, type Http2SecureServer, type Http2Session, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { Request } from '../../src/http/request.js';
import { makeTestPKI, type TestPKI } from '../support/tls.js';
import { H2TestClient } from './h2-support.js';

let pki: TestPKI;
before(() => {
  pki = makeTestPKI();
});
after(() => pki?.cleanup());

interface Scripted {
  srv: Http2SecureServer;
  port: number;
  sessions: number;
  refused: number;
  served: Map<string, number>;
  close(): void;
}

/** Each session serves `perSession` streams, then sends GOAWAY naming the last one it serves. */
async function goAwayServer(perSession: number): Promise<Scripted> {
  const srv = createSecureServer({ cert: pki.cert, key: pki.key, settings: { maxConcurrentStreams: 1000 } });
  const st: Scripted = {
    srv, port: 0, sessions: 0, refused: 0, served: new Map(),
    close() {
      srv.close();
      for (const s of open) s.destroy();
    },
  };
  const open = new Set<Http2Session>();
  const last = new WeakMap<Http2Session, number>();
  const count = new WeakMap<Http2Session, number>();
  srv.on('session', (s: ServerHttp2Session) => {
    st.sessions++;
    open.add(s);
    s.on('close', () => open.delete(s));
    s.on('error', () => {});
  });
  srv.on('stream', (stream: ServerHttp2Stream, h) => {
    stream.on('error', () => {});
    const s = stream.session!;
    const n = (count.get(s) ?? 0) + 1;
    count.set(s, n);
    if (n === perSession && !last.has(s)) {
      last.set(s, stream.id!);
      s.goaway(constants.NGHTTP2_NO_ERROR, stream.id!);
      setTimeout(() => s.close(), 100);
    }
    const lim = last.get(s);
    if (lim !== undefined && stream.id! > lim) {
      // Arrived before the GOAWAY went out, above its last id: never processed.
      st.refused++;
      stream.close(constants.NGHTTP2_REFUSED_STREAM);
      return;
    }
    const path = String(h[':path']);
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      // Answer a little later, so more streams pile up behind the GOAWAY.
      setTimeout(() => {
        if (stream.closed) return;
        const key = `${h[':method']} ${path}`;
        st.served.set(key, (st.served.get(key) ?? 0) + 1);
        stream.respond({ ':status': 200 });
        stream.end(`${h[':method']} ${path} ${Buffer.concat(chunks).toString()}`);
      }, 2);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  st.port = (srv.address() as AddressInfo).port;
  return st;
}

describe('GOAWAY mid-load', () => {
  test('400 requests at 64 in flight, GOAWAY every 50 streams: every request answered exactly once', async () => {
    const s = await goAwayServer(50);
    const cli = new H2TestClient(s.port, pki);
    try {
      let next = 0;
      const results: string[] = [];
      const worker = async (): Promise<void> => {
        while (next < 400) {
          const i = next++;
          // Every fourth request is a POST: unprocessed streams are safe to resend whatever the method.
          const req = i % 4 === 3
            ? new Request('POST', cli.url(`/r${i}`), { body: `payload-${i}` })
            : new Request('GET', cli.url(`/r${i}`));
          const res = await cli.rt(req);
          assert.equal(res.statusCode, 200);
          results[i] = await res.text();
        }
      };
      await Promise.all(Array.from({ length: 64 }, worker));
      for (let i = 0; i < 400; i++) {
        assert.equal(results[i], i % 4 === 3 ? `POST /r${i} payload-${i}` : `GET /r${i} `);
        assert.equal(s.served.get(`${i % 4 === 3 ? 'POST' : 'GET'} /r${i}`), 1, `r${i} served once`);
      }
      assert.ok(s.sessions >= 8, `sessions: ${s.sessions}`);
      assert.ok(cli.dials >= 8, `dials: ${cli.dials}`);
      assert.ok(s.refused > 0, 'some streams were above the last stream id and had to be retried');
    } finally {
      cli.close();
      s.close();
    }
  });

  test('a GOAWAY with an error code after the stream was processed fails a POST clearly; a GET is retried', async () => {
    const srv = createSecureServer({ cert: pki.cert, key: pki.key });
    let n = 0;
    srv.on('stream', (stream: ServerHttp2Stream, h) => {
      stream.on('error', () => {});
      n++;
      if (n <= 2) {
        // Processed (id <= last), then the conn is torn down with an error before any reply.
        stream.session!.goaway(constants.NGHTTP2_INTERNAL_ERROR, stream.id!, Buffer.from('going down'));
        setTimeout(() => stream.session?.destroy(), 20);
        return;
      }
      stream.respond({ ':status': 200 });
      stream.end(`${h[':method']} ok`);
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as AddressInfo).port;
    const cli = new H2TestClient(port, pki);
    try {
      await assert.rejects(cli.rt(new Request('POST', cli.url('/x'), { body: 'once' })), (e: unknown) =>
        (e as Error).name === 'HTTP2Error' && (e as { code: string }).code === 'ERR_HTTP2_GOAWAY' &&
        (e as Error).message === 'http2: server sent GOAWAY and closed the connection; LastStreamID=1, ErrCode=INTERNAL_ERROR, debug="going down"');
      const res = await cli.get('/y');
      assert.equal(await res.text(), 'GET ok');
      assert.equal(n, 3);
    } finally {
      cli.close();
      srv.close();
    }
  });
});

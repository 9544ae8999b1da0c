// Transport against a real nginx on loopback (HTTP and HTTPS with a throwaway CA): keep-alive
// reuse, gzip, chunked replies, large downloads with a slow reader, TLS verification, pool
// limits, server-side keep-alive closes and the stale keep-alive race.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Transport } from '../../src/http/transport.js';
import { Request } from '../../src/http/request.js';
import { TLSVerifyError } from '../../src/http/tlsclient.js';
import type { ClientTrace } from '../../src/http/trace.js';
import { dial, type TCPConn } from '../../src/net/index.js';
import { tlsClient } from '../../src/http/tls.js';
import { fileBytes, startNginx, type Nginx } from '../support/nginx.js';

const MiB = 1024 * 1024;
const BIG = 48 * MiB;
const GZ_TEXT = 'gonet gzip test line\n'.repeat(5000);

let ng: Nginx;
let ka: Nginx;
const transports: Transport[] = [];

before(async () => {
  ng = await startNginx({ files: { 'big.bin': BIG }, keepaliveRequests: 5 });
  const { mkdirSync, writeFileSync } = await import('node:fs');
  mkdirSync(`${ng.root}/gz`);
  writeFileSync(`${ng.root}/gz/text.txt`, GZ_TEXT);
  ka = await startNginx({ keepaliveTimeout: '1s' });
});

after(async () => {
  for (const t of transports) t.closeIdleConnections();
  await ng?.stop();
  await ka?.stop();
});

function transport(o: ConstructorParameters<typeof Transport>[0] = {}): Transport {
  const t = new Transport(o);
  transports.push(t);
  return t;
}

test('keep-alive: the second and third requests reuse the conn (trace says reused)', async () => {
  const t = transport();
  const seen: string[] = [];
  const trace: ClientTrace = { gotConn: (i) => seen.push(`${i.reused}/${i.wasIdle}`) };
  for (let i = 0; i < 3; i++) {
    const res = await t.roundTrip(new Request('GET', ng.base + '/hello'), { trace });
    assert.equal(res.status, '200 OK');
    assert.equal(res.header.get('Server').startsWith('nginx'), true);
    assert.equal(await res.text(), 'hello, world\n');
  }
  assert.deepEqual(seen, ['false/false', 'true/true', 'true/true']);
  assert.deepEqual(Object.values(t.stats()), [{ idle: 1, active: 0, dialing: 0, waiting: 0 }]);
});

test('keepalive_requests: nginx closes after 5 requests; we dial again without errors', async () => {
  const t = transport();
  let dials = 0;
  const trace: ClientTrace = { connectStart: () => dials++ };
  for (let i = 0; i < 12; i++) {
    const res = await t.roundTrip(new Request('GET', ng.base + '/hello'), { trace });
    assert.equal(await res.text(), 'hello, world\n');
    assert.equal(res.close, (i + 1) % 5 === 0, `request ${i} close flag`);
  }
  assert.equal(dials, 3);
});

test('gzip: decoded transparently, chunked on the wire, Content-Encoding removed', async () => {
  const t = transport();
  const res = await t.roundTrip(new Request('GET', ng.base + '/gz/text.txt'));
  assert.equal(res.statusCode, 200);
  assert.equal(res.uncompressed, true);
  assert.deepEqual(res.transferEncoding, ['chunked']);
  assert.equal(res.header.get('Content-Encoding'), '');
  assert.equal(await res.text(), GZ_TEXT);
  // A caller that asks itself gets the raw encoding.
  const raw = await t.roundTrip(new Request('GET', ng.base + '/gz/text.txt', { header: { 'Accept-Encoding': 'gzip' } }));
  assert.equal(raw.header.get('Content-Encoding'), 'gzip');
  assert.equal(raw.uncompressed, false);
  const { gunzipSync } = await import('node:zlib');
  assert.equal(gunzipSync(await raw.bytes()).toString(), GZ_TEXT);
});

test('large download with a slow reader: memory stays bounded, bytes intact', async () => {
  const t = transport();
  let conn: TCPConn | null = null;
  const res = await t.roundTrip(new Request('GET', ng.base + '/big.bin'), { trace: { gotConn: (i) => { conn = i.conn as TCPConn; } } });
  assert.equal(res.contentLength, BIG);
  const h = createHash('sha256');
  let got = 0;
  let maxQueued = 0;
  let i = 0;
  for await (const c of res.body) {
    h.update(c);
    got += c.length;
    maxQueued = Math.max(maxQueued, conn!.buffered);
    // Slow at first: the socket must stop reading instead of queueing the file.
    if (i++ < 40) await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(got, BIG);
  assert.equal(h.digest('hex'), createHash('sha256').update(fileBytes(BIG)).digest('hex'));
  assert.ok(maxQueued <= 512 * 1024, `queued ${maxQueued} bytes`);
});

test('HEAD and 204: no body, conn released before the response is returned', async () => {
  const t = transport();
  const h = await t.roundTrip(new Request('HEAD', ng.base + '/big.bin'));
  assert.equal(h.contentLength, BIG);
  assert.equal((await h.bytes()).length, 0);
  assert.deepEqual(Object.values(t.stats()), [{ idle: 1, active: 0, dialing: 0, waiting: 0 }]);
  const n = await t.roundTrip(new Request('GET', ng.base + '/nolength'));
  assert.equal(n.statusCode, 204);
  assert.deepEqual(Object.values(t.stats()), [{ idle: 1, active: 0, dialing: 0, waiting: 0 }]);
});

test('Expect: 100-continue answered with 417', async () => {
  const t = transport({ expectContinueTimeout: 1000 });
  const res = await t.roundTrip(new Request('POST', ng.base + '/expect', { body: 'x'.repeat(1000), header: { Expect: '100-continue' } }));
  assert.equal(res.statusCode, 417);
  await res.bytes();
  const ok = await t.roundTrip(new Request('POST', ng.base + '/expect', { body: 'y' }));
  assert.equal(await ok.text(), 'no expect\n');
});

test('TLS: verified with the test CA, ALPN http/1.1, state on the response', async () => {
  const t = transport({ tls: { ca: ng.pki.caCert } });
  const events: string[] = [];
  const trace: ClientTrace = {
    tlsHandshakeStart: () => events.push('start'),
    tlsHandshakeDone: (st, err) => events.push(`done ${st?.negotiatedProtocol} ${err}`),
  };
  const res = await t.roundTrip(new Request('GET', ng.tlsBase + '/hello'), { trace });
  assert.equal(await res.text(), 'hello, world\n');
  assert.equal(res.tls?.negotiatedProtocol, 'http/1.1');
  assert.match(res.tls?.version ?? '', /^TLSv1\.[23]$/);
  assert.equal(res.tls?.serverName, 'localhost');
  assert.deepEqual(events, ['start', 'done http/1.1 null']);
  const again = await t.roundTrip(new Request('GET', ng.tlsBase + '/hello'));
  assert.equal(await again.text(), 'hello, world\n');
  assert.equal(Object.values(t.stats())[0]!.idle, 1);
  // An IP literal is checked against the certificate's IP SAN.
  const ip = await t.roundTrip(new Request('GET', `https://127.0.0.1:${ng.tlsPort}/hello`));
  assert.equal(await ip.text(), 'hello, world\n');
});

test('TLS verification failures are clear errors', async () => {
  const t = transport();
  await assert.rejects(t.roundTrip(new Request('GET', ng.tlsBase + '/hello')), (e: unknown) => {
    assert.ok(e instanceof TLSVerifyError, String(e));
    assert.match(e.message, /^tls: failed to verify certificate for "localhost": .*\((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)$/);
    return true;
  });
  const wrongName = transport({ tls: { ca: ng.pki.caCert, serverName: 'example.com' } });
  await assert.rejects(wrongName.roundTrip(new Request('GET', ng.tlsBase + '/hello')), (e: unknown) => {
    assert.ok(e instanceof TLSVerifyError);
    assert.equal(e.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
    return true;
  });
  const insecure = transport({ tls: { insecureSkipVerify: true } });
  assert.equal(await (await insecure.roundTrip(new Request('GET', ng.tlsBase + '/hello'))).text(), 'hello, world\n');
});

test('maxConnsPerHost 2: 20 concurrent requests share two conns through the wait queue', async () => {
  const t = transport({ maxConnsPerHost: 2 });
  let dials = 0;
  let peakWaiting = 0;
  const trace: ClientTrace = {
    connectStart: () => dials++,
    getConn: () => {
      queueMicrotask(() => {
        const s = Object.values(t.stats())[0];
        if (s !== undefined) peakWaiting = Math.max(peakWaiting, s.waiting);
      });
    },
  };
  const all = await Promise.all(Array.from({ length: 20 }, () => t.roundTrip(new Request('GET', ng.base + '/hello'), { trace }).then((r) => r.text())));
  assert.ok(all.every((s) => s === 'hello, world\n'));
  assert.ok(dials <= 6, `dials ${dials}`); // keepalive_requests 5 forces a redial every 5 requests
  assert.ok(peakWaiting >= 10, `peak waiting ${peakWaiting}`);
  const s = Object.values(t.stats())[0] ?? { idle: 0, active: 0, waiting: 0 };
  assert.ok(s.idle <= 2 && s.active === 0 && s.waiting === 0, JSON.stringify(s));
});

test('the stale keep-alive race: 300 requests timed around nginx\'s 1 s idle close, none fail', async () => {
  const t = transport();
  let failures = 0;
  let reusedCount = 0;
  const trace: ClientTrace = { gotConn: (i) => { if (i.reused) reusedCount++; } };
  for (let round = 0; round < 10; round++) {
    const rs = await Promise.allSettled(Array.from({ length: 30 }, (_, i) =>
      new Promise((r) => setTimeout(r, i % 3)).then(() => t.roundTrip(new Request('GET', ka.base + '/hello'), { trace })).then((r) => r.text())));
    failures += rs.filter((r) => r.status === 'rejected' || r.value !== 'hello, world\n').length;
    // Sleep right around the server's keepalive_timeout.
    await new Promise((r) => setTimeout(r, 990 + (round % 5) * 5));
  }
  assert.equal(failures, 0);
  assert.ok(reusedCount > 0);
});

test('HTTP and HTTPS over a unix socket through a custom dial; dialTLS for https', async () => {
  const t = transport({
    tls: { ca: ng.pki.caCert },
    dial: (_n, address, o) => dial('unix', address.endsWith(':443') ? ng.unixTLSSocket : ng.unixSocket, o),
  });
  const plain = await t.roundTrip(new Request('GET', 'http://localhost/hello'));
  assert.equal(await plain.text(), 'hello, world\n');
  const tls = await t.roundTrip(new Request('GET', 'https://localhost/hello'));
  assert.equal(await tls.text(), 'hello, world\n');
  assert.equal(tls.tls?.negotiatedProtocol, 'http/1.1');
  const used: string[] = [];
  const viaDialTLS = transport({
    dialTLS: async (_n, address, o) => {
      used.push(address);
      const c = await dial('tcp', `127.0.0.1:${ng.tlsPort}`, o);
      return tlsClient(c, { servername: 'localhost', ca: ng.pki.caCert, ALPNProtocols: ['http/1.1'] });
    },
  });
  const r = await viaDialTLS.roundTrip(new Request('GET', 'https://localhost:9/hello'));
  assert.equal(await r.text(), 'hello, world\n');
  assert.deepEqual(used, ['localhost:9']);
  assert.equal(r.tls?.version.startsWith('TLSv1.'), true);
});

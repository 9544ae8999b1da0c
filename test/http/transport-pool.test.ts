// Transport pool limits and seams: per-host / total idle caps, disableKeepAlives,
// closeIdleConnections, a custom dial (HTTP over any Conn), the forward-proxy absolute form,
// DNS / connect trace hooks for `localhost`, and the package-level helpers.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { dial } from '../../src/net/index.js';
import { Transport } from '../../src/http/transport.js';
import { Request } from '../../src/http/request.js';
import { get, head, post } from '../../src/http/client.js';
import type { ClientTrace } from '../../src/http/trace.js';
import { rawServer, reply, type RawServer } from '../support/nginx.js';

const servers: RawServer[] = [];
const transports: Transport[] = [];
after(() => {
  for (const s of servers) s.close();
  for (const t of transports) t.closeIdleConnections();
});

async function hello(delay = 0): Promise<RawServer> {
  const s = await rawServer(async (x) => {
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    await x.conn.write(reply(`hello ${x.req.method} ${x.req.requestURI} host=${x.req.host} conn=${x.req.header.get('Connection')} pa=${x.req.header.get('Proxy-Authorization')}`));
  });
  servers.push(s);
  return s;
}

function transport(o: ConstructorParameters<typeof Transport>[0] = {}): Transport {
  const t = new Transport(o);
  transports.push(t);
  return t;
}

test('maxIdleConnsPerHost caps idle conns per host; putIdleConn reports the refusal', async () => {
  const s = await hello(50);
  const t = transport({ maxIdleConnsPerHost: 1 });
  const puts: string[] = [];
  const trace: ClientTrace = { putIdleConn: (e) => puts.push(e === null ? 'ok' : e.message) };
  await Promise.all([1, 2, 3].map(() => t.roundTrip(new Request('GET', s.url), { trace }).then((r) => r.text())));
  assert.deepEqual(puts.sort(), ['http: too many idle connections for host', 'http: too many idle connections for host', 'ok']);
  assert.deepEqual(Object.values(t.stats()), [{ idle: 1, active: 0, dialing: 0, waiting: 0 }]);
});

test('maxIdleConns caps idle conns across hosts, closing the least recently used', async () => {
  const a = await hello();
  const b = await hello();
  const t = transport({ maxIdleConns: 1 });
  await (await t.roundTrip(new Request('GET', a.url))).text();
  await (await t.roundTrip(new Request('GET', b.url))).text();
  await a.closed[0];
  const st = t.stats();
  assert.deepEqual(Object.keys(st), [`http:||127.0.0.1:${b.port}`]);
});

test('the default keeps every idle conn of a burst (no per-host cap of 2)', async () => {
  const s = await hello(30);
  const t = transport();
  await Promise.all(Array.from({ length: 8 }, () => t.roundTrip(new Request('GET', s.url)).then((r) => r.text())));
  assert.equal(Object.values(t.stats())[0]!.idle, 8);
  await Promise.all(Array.from({ length: 8 }, () => t.roundTrip(new Request('GET', s.url)).then((r) => r.text())));
  assert.equal(s.conns, 8, 'the second burst reused all eight');
  t.closeIdleConnections();
  assert.deepEqual(t.stats(), {});
  await Promise.all(s.closed);
});

test('disableKeepAlives sends Connection: close and never pools', async () => {
  const s = await hello();
  const t = transport({ disableKeepAlives: true });
  for (let i = 0; i < 2; i++) {
    const res = await t.roundTrip(new Request('GET', s.url + '/k'));
    assert.match(await res.text(), /conn=close/);
  }
  assert.equal(s.conns, 2);
  assert.deepEqual(t.stats(), {});
});

test('a custom dial carries HTTP over any Conn (no name is resolved)', async () => {
  const s = await hello();
  const dialed: string[] = [];
  const t = transport({
    dial: (network, address, o) => {
      dialed.push(`${network} ${address}`);
      return dial('tcp', `127.0.0.1:${s.port}`, o);
    },
  });
  const res = await t.roundTrip(new Request('GET', 'http://service.invalid:8080/path?q=1'));
  assert.equal(await res.text(), 'hello GET /path?q=1 host=service.invalid:8080 conn= pa=');
  assert.deepEqual(dialed, ['tcp service.invalid:8080']);
});

test('an http target through an http proxy: absolute form, Proxy-Authorization, one conn for all origins', async () => {
  const proxy = await hello();
  const t = transport({ proxy: () => new URL(`http://us%40r:p%3Ass@127.0.0.1:${proxy.port}`) });
  const traced: string[] = [];
  const r1 = await t.roundTrip(new Request('GET', 'http://origin-a.invalid/x'), { trace: { getConn: (hp) => traced.push(hp) } });
  const auth = 'Basic ' + Buffer.from('us@r:p:ss').toString('base64');
  assert.equal(await r1.text(), `hello GET http://origin-a.invalid/x host=origin-a.invalid conn= pa=${auth}`);
  const r2 = await t.roundTrip(new Request('GET', 'http://origin-b.invalid:81/y'));
  assert.equal(await r2.text(), `hello GET http://origin-b.invalid:81/y host=origin-b.invalid:81 conn= pa=${auth}`);
  assert.equal(proxy.conns, 1);
  assert.deepEqual(traced, [`127.0.0.1:${proxy.port}`]);
});

test('trace: dnsStart/dnsDone for a name, connectStart/connectDone per attempt, none for IP literals', async () => {
  const s = await hello();
  const t = transport();
  const ev: string[] = [];
  const trace: ClientTrace = {
    dnsStart: (i) => ev.push(`dnsStart ${i.host}`),
    dnsDone: (i) => ev.push(`dnsDone ${i.err === null ? i.addrs.map(String).includes('127.0.0.1') : i.err.message}`),
    connectStart: (n, a) => ev.push(`connectStart ${a}`),
    connectDone: (n, a, e) => ev.push(`connectDone ${a} ${e === null ? 'ok' : 'err'}`),
  };
  const res = await t.roundTrip(new Request('GET', `http://localhost:${s.port}/`), { trace });
  await res.text();
  assert.equal(ev[0], 'dnsStart localhost');
  assert.equal(ev[1], 'dnsDone true');
  assert.ok(ev.includes(`connectStart 127.0.0.1:${s.port}`), ev.join('; '));
  assert.ok(ev.includes(`connectDone 127.0.0.1:${s.port} ok`), ev.join('; '));
  const ev2: string[] = [];
  await (await t.roundTrip(new Request('GET', `http://127.0.0.1:${s.port}/`), { trace: { dnsStart: () => ev2.push('dns'), connectStart: () => ev2.push('connect') } })).text();
  assert.deepEqual(ev2, ['connect']);
});

test('package-level get / head / post use the default client', async () => {
  const s = await hello();
  assert.equal(await (await get(s.url + '/g')).text(), `hello GET /g host=127.0.0.1:${s.port} conn= pa=`);
  const h = await head(s.url + '/h');
  assert.equal(h.statusCode, 200);
  assert.equal((await h.bytes()).length, 0);
  assert.match(await (await post(s.url + '/p', 'text/plain', 'x')).text(), /^hello POST \/p /);
});

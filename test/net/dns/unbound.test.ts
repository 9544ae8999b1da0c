// The Resolver against a real unbound on 127.0.0.1 (authoritative for a fixture zone, never
// recursing anywhere), each answer checked against fixed expectations and against Node's own
// c-ares resolver pointed at the same server. Also: a decoder fuzz over mutated real replies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { Resolver as CAres } from 'node:dns/promises';
import { Resolver } from '../../../src/net/dns/resolver.js';
import { exchange } from '../../../src/net/dns/client.js';
import { Type, buildQuery, decodeMessage, DNSMessageError } from '../../../src/net/dns/message.js';
import { DNSError } from '../../../src/net/errors.js';
import { TempDir, startUnbound, type Daemon } from './support.js';
import { BIG, LONG_TXT, ZONE, PTR_ZONE } from './fixture.js';

const dir = new TempDir();
let ub: Daemon;
let r: Resolver;
let cares: CAres;

before(async () => {
  ub = await startUnbound(dir, [{ origin: 'example.test.', zone: ZONE }, { origin: '2.0.192.in-addr.arpa.', zone: PTR_ZONE }]);
  r = new Resolver({
    mode: 'pure', servers: [ub.address], resolvConfPath: dir.file('resolv.conf', 'search example.test\n'),
    hostsPath: dir.file('hosts', ''), nsswitchPath: dir.path + '/none', timeout: 2000, attempts: 2, loopbackOnly: true,
  });
  cares = new CAres({ timeout: 2000, tries: 1 });
  cares.setServers([ub.address]);
});

after(async () => {
  await ub?.stop();
  dir.remove();
});

const sorted = (a: string[]): string[] => [...a].sort();

test('A and AAAA: same addresses as c-ares; search list resolves a short name', async () => {
  assert.deepEqual(sorted(await r.lookupHost('a.example.test')), ['192.0.2.1', '2001:db8::1']);
  assert.deepEqual((await r.lookupIP('ip4', 'a.example.test')).map(String), await cares.resolve4('a.example.test'));
  assert.deepEqual((await r.lookupIP('ip6', 'a.example.test')).map(String), await cares.resolve6('a.example.test'));
  assert.deepEqual(sorted((await r.lookupIP('ip4', 'multi.example.test')).map(String)), sorted(await cares.resolve4('multi.example.test')));
  assert.deepEqual(sorted(await r.lookupHost('multi')), ['192.0.2.11', '192.0.2.12', '192.0.2.13']);
  assert.deepEqual(await r.lookupHost('v6only.example.test'), ['2001:db8::6']);
});

test('CNAME chain: addresses of the end of the chain; lookupCNAME gives the first hop as Go', async () => {
  assert.deepEqual(sorted(await r.lookupHost('c1.example.test')), ['192.0.2.1', '2001:db8::1']);
  assert.deepEqual((await r.lookupIP('ip4', 'c1.example.test')).map(String), await cares.resolve4('c1.example.test'));
  const cname = await r.lookupCNAME('c1.example.test');
  assert.deepEqual([cname], (await cares.resolveCname('c1.example.test')).map((n) => n + '.'));
  assert.equal(cname, 'c2.example.test.');
  assert.equal(await r.lookupCNAME('a.example.test'), 'a.example.test.');
});

test('MX, NS, SRV, TXT (several strings, > 255 bytes), PTR agree with c-ares', async () => {
  const mx = await r.lookupMX('example.test');
  assert.deepEqual(mx, [{ host: 'mail1.example.test.', pref: 10 }, { host: 'mail2.example.test.', pref: 20 }]);
  const cmx = (await cares.resolveMx('example.test')).sort((a, b) => a.priority - b.priority);
  assert.deepEqual(mx.map((m) => [m.host, m.pref]), cmx.map((m) => [m.exchange + '.', m.priority]));
  const ns = await r.lookupNS('example.test');
  assert.deepEqual(sorted(ns.map((n) => n.host)), sorted((await cares.resolveNs('example.test')).map((n) => n + '.')));
  const srv = await r.lookupSRV('sip', 'tcp', 'example.test');
  assert.equal(srv.cname, '_sip._tcp.example.test.');
  assert.deepEqual(srv.addrs.map((s) => s.priority), [10, 10, 20]);
  const csrv = await cares.resolveSrv('_sip._tcp.example.test');
  assert.deepEqual(
    sorted(srv.addrs.map((s) => `${s.priority} ${s.weight} ${s.port} ${s.target}`)),
    sorted(csrv.map((s) => `${s.priority} ${s.weight} ${s.port} ${s.name}.`)),
  );
  const txt = await r.lookupTXT('txt.example.test');
  assert.deepEqual(sorted(txt), ['helloworld', 'second record']);
  assert.deepEqual(sorted(txt), sorted((await cares.resolveTxt('txt.example.test')).map((parts) => parts.join(''))));
  const long = await r.lookupTXT('longtxt.example.test');
  assert.deepEqual(long, [LONG_TXT.join('')]);
  assert.equal(long[0]!.length, 500);
  assert.deepEqual(await r.lookupAddr('192.0.2.1'), ['a.example.test.']);
  assert.deepEqual(sorted(await r.lookupAddr('192.0.2.11')), ['multi.example.test.', 'other.example.test.']);
  assert.deepEqual(sorted(await r.lookupAddr('192.0.2.11')), sorted((await cares.reverse('192.0.2.11')).map((n) => n + '.')));
});

test('an answer larger than the EDNS0 size comes truncated over UDP and whole over TCP', async () => {
  const ex = await exchange({ server: ub.address, name: 'big.example.test.', type: Type.A, timeout: 2000 });
  assert.equal(ex.tcp, true, 'TC on UDP, answered over TCP');
  assert.equal(ex.msg.answers.length, BIG);
  const got = await r.lookupIP('ip4', 'big.example.test');
  assert.equal(got.length, BIG);
  assert.deepEqual(sorted(got.map(String)), sorted(await cares.resolve4('big.example.test')));
  // use-vc goes to TCP directly and gets the same.
  const vc = new Resolver({
    mode: 'pure', servers: [ub.address], resolvConfPath: dir.file('resolv-vc.conf', 'options use-vc\n'),
    hostsPath: dir.file('hosts', ''), nsswitchPath: dir.path + '/none', timeout: 2000, loopbackOnly: true,
  });
  assert.equal((await vc.lookupIP('ip4', 'big.example.test')).length, BIG);
  assert.deepEqual(await vc.lookupTXT('txt.example.test').then(sorted), ['helloworld', 'second record']);
});

test('NXDOMAIN and NODATA: "no such host", IsNotFound, like c-ares ENOTFOUND / ENODATA', async () => {
  const nx = await r.lookupHost('nope.example.test.').catch((e: unknown) => e);
  assert.ok(nx instanceof DNSError);
  assert.equal(nx.message, `lookup nope.example.test. on ${ub.address}: no such host`);
  assert.equal(nx.isNotFound, true);
  await assert.rejects(cares.resolve4('nope.example.test'), { code: 'ENOTFOUND' });
  const nd = await r.lookupHost('nodata.example.test.').catch((e: unknown) => e);
  assert.ok(nd instanceof DNSError);
  assert.equal(nd.isNotFound, true);
  await assert.rejects(cares.resolve4('nodata.example.test'), { code: 'ENODATA' });
  const mx = await r.lookupMX('a.example.test').catch((e: unknown) => e);
  assert.ok(mx instanceof DNSError && mx.isNotFound);
});

test('with the cache on, the second lookup asks nothing and negative answers are kept (SOA minimum 60 s)', async () => {
  const c = new Resolver({
    mode: 'pure', servers: [ub.address], resolvConfPath: dir.file('resolv-c.conf', ''), hostsPath: dir.file('hosts', ''),
    nsswitchPath: dir.path + '/none', timeout: 2000, loopbackOnly: true, cache: true,
  });
  await c.lookupHost('a.example.test');
  const before = c.cacheStats()!;
  assert.deepEqual(sorted(await c.lookupHost('a.example.test')), ['192.0.2.1', '2001:db8::1']);
  const afterHit = c.cacheStats()!;
  assert.equal(afterHit.hits - before.hits, 2);
  await c.lookupTXT('nope.example.test.').catch(() => {});
  const e = await c.lookupTXT('nope.example.test.').catch((x: unknown) => x);
  assert.ok(e instanceof DNSError && e.isNotFound);
  assert.equal(c.cacheStats()!.hits - afterHit.hits, 1);
});

// Seeded xorshift so a failure replays.
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

async function rawReply(name: string, type: number): Promise<Uint8Array> {
  const sock = createSocket('udp4');
  try {
    const q = buildQuery({ id: 77, name, type, edns: { udpSize: 4096 } });
    return await new Promise<Uint8Array>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no reply from unbound')), 3000);
      sock.on('message', (m) => {
        clearTimeout(t);
        resolve(new Uint8Array(m));
      });
      sock.send(q, ub.port, '127.0.0.1');
    });
  } finally {
    setTimeout(() => sock.close(), 0);
  }
}

test('fuzz: mutated real unbound replies decode or throw DNSMessageError, never anything else, never hang', async () => {
  const seeds = [
    await rawReply('a.example.test.', Type.A), await rawReply('example.test.', Type.MX), await rawReply('_sip._tcp.example.test.', Type.SRV),
    await rawReply('txt.example.test.', Type.TXT), await rawReply('c1.example.test.', Type.A), await rawReply('nope.example.test.', Type.A),
    await rawReply('1.2.0.192.in-addr.arpa.', Type.PTR), await rawReply('example.test.', Type.NS),
  ];
  for (const s of seeds) assert.equal(decodeMessage(s).header.id, 77, 'the seed itself decodes');
  const rand = rng(0x5eed);
  let ok = 0;
  let typed = 0;
  const t0 = Date.now();
  for (let i = 0; i < 20000; i++) {
    const base = seeds[Math.floor(rand() * seeds.length)]!;
    let m = Uint8Array.from(base);
    const kind = Math.floor(rand() * 4);
    if (kind === 0) {
      for (let k = 1 + Math.floor(rand() * 4); k > 0; k--) m[Math.floor(rand() * m.length)] = Math.floor(rand() * 256);
    } else if (kind === 1) {
      m = m.subarray(0, Math.floor(rand() * m.length));
    } else if (kind === 2) {
      // Turn a byte into a compression pointer somewhere.
      const at = 12 + Math.floor(rand() * Math.max(1, m.length - 13));
      if (at + 1 < m.length) {
        m[at] = 0xc0 | Math.floor(rand() * 4);
        m[at + 1] = Math.floor(rand() * 256);
      }
    } else {
      // Lie in the counts.
      m[4 + 2 * Math.floor(rand() * 4) + 1] = Math.floor(rand() * 256);
    }
    try {
      decodeMessage(m);
      ok++;
    } catch (e) {
      if (!(e instanceof DNSMessageError)) throw new Error(`iteration ${i}: ${String(e)}`);
      typed++;
    }
  }
  assert.equal(ok + typed, 20000);
  assert.ok(typed > 1000 && ok > 100, `ok ${ok} typed ${typed}`);
  assert.ok(Date.now() - t0 < 20000);
});

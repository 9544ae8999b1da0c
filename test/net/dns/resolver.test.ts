// The Resolver's rules against fake servers written here: server failover, attempts and
// rotate, NXDOMAIN/NODATA, search lists and ndots, the hosts file, localhost, .onion, name
// validation, strict errors, single-request, the cache, singleflight and cancellation.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Resolver, MalformedRecordsError, type ResolverOptions } from '../../../src/net/dns/resolver.js';
import { isDomainName, nameList, reverseAddr } from '../../../src/net/dns/names.js';
import { sortSRV } from '../../../src/net/dns/sort.js';
import { Type, RCode, type ResourceInput } from '../../../src/net/dns/message.js';
import { defaultDNSDial } from '../../../src/net/dns/client.js';
import {
  DNSError, CanceledError, UnknownNetworkError, AddrError, errorIs, Dialer, listen, OpError,
} from '../../../src/net/index.js';
import { FakeDNS, TempDir, answer, rr, a4, type FakeQuery, type Reply } from './support.js';

const dir = new TempDir();
const servers: FakeDNS[] = [];
after(() => {
  servers.forEach((s) => s.close());
  dir.remove();
});

async function fake(handler: (q: FakeQuery) => Reply[] | Promise<Reply[]>, opts?: { tcp?: boolean }): Promise<FakeDNS> {
  const s = await FakeDNS.start(handler, opts);
  servers.push(s);
  return s;
}

let confN = 0;
function resolver(srv: Array<FakeDNS | string>, opts: ResolverOptions & { resolvConf?: string; hosts?: string } = {}): Resolver {
  const n = confN++;
  return new Resolver({
    mode: 'pure',
    servers: srv.map((s) => (typeof s === 'string' ? s : s.address)),
    resolvConfPath: dir.file(`resolv${n}.conf`, opts.resolvConf ?? ''),
    hostsPath: dir.file(`hosts${n}`, opts.hosts ?? ''),
    nsswitchPath: dir.path + '/no-nsswitch.conf',
    hostname: 'h',
    timeout: 3000, // generous: a busy CI box must not turn answers into timeouts
    attempts: 1,
    loopbackOnly: true,
    sourceFinder: async () => null,
    ...opts,
  });
}

const A = (name: string, ip: string, ttl = 300): ResourceInput => rr(name, { kind: 'A', address: a4(ip) }, ttl);
const AAAA = (name: string, last: number, ttl = 300): ResourceInput => {
  const b = new Uint8Array(16);
  b.set([0x20, 0x01, 0x0d, 0xb8]);
  b[15] = last;
  return rr(name, { kind: 'AAAA', address: b }, ttl);
};
const SOA = (zone: string, ttl = 60, min = 30): ResourceInput =>
  rr(zone, { kind: 'SOA', ns: 'ns.' + zone, mbox: 'admin.' + zone, serial: 1, refresh: 1, retry: 1, expire: 1, minTTL: min }, ttl);

/** A zone-ish handler: exact (lower-case name, type) → answers; other names NXDOMAIN with SOA. */
function zone(records: ResourceInput[], opts: { nodataSOA?: boolean } = {}): (q: FakeQuery) => Reply[] {
  return (q) => {
    const qq = q.msg.questions[0]!;
    const name = qq.name.toLowerCase();
    const own = records.filter((r) => r.name.toLowerCase() === name);
    if (own.length === 0) return [answer(q.msg, { header: { rcode: RCode.NameError }, authorities: [SOA('test.')] })];
    // Follow a CNAME chain inside the zone, as an authoritative server does.
    const ans: ResourceInput[] = [];
    let cur = name;
    for (let hop = 0; hop < 8; hop++) {
      const here = records.filter((r) => r.name.toLowerCase() === cur);
      const cn = here.find((r) => r.data.kind === 'CNAME');
      if (cn && qq.type !== Type.CNAME) {
        ans.push(cn);
        cur = (cn.data as { cname: string }).cname.toLowerCase();
        continue;
      }
      ans.push(...here.filter((r) => typeFor(r) === qq.type));
      break;
    }
    return [answer(q.msg, { answers: ans, authorities: ans.length === 0 && opts.nodataSOA !== false ? [SOA('test.')] : [] })];
  };
}
function typeFor(r: ResourceInput): number {
  return ({ A: Type.A, AAAA: Type.AAAA, MX: Type.MX, TXT: Type.TXT, SRV: Type.SRV, NS: Type.NS, PTR: Type.PTR, CNAME: Type.CNAME } as Record<string, number>)[r.data.kind] ?? 0;
}

async function rejects(p: Promise<unknown>): Promise<DNSError> {
  const e = await p.then(() => null, (x: unknown) => x);
  assert.ok(e instanceof DNSError, `want DNSError, got ${String(e)}`);
  return e;
}

test('name rules: isDomainName, nameList with ndots and search, reverse names', () => {
  for (const ok of ['a', 'a.b', 'a-b.c', '_srv._tcp.x', 'x1', '.', 'a.b.', 'a'.repeat(63)]) assert.ok(isDomainName(ok), ok);
  for (const bad of ['', '..', 'a..b', '-a', 'a-', 'a-.b', 'a.-b', '123', '1.2.3.4', 'a b', 'a'.repeat(64), 'ä.test', 'a/b']) assert.ok(!isDomainName(bad), bad);
  const long = Array.from({ length: 4 }, () => 'a'.repeat(63)).join('.'); // 255 bytes
  assert.ok(!isDomainName(long));
  assert.ok(isDomainName(long.slice(0, 253)));
  assert.deepEqual(nameList('host', 1, ['a.test.', 'b.test.']), ['host.a.test.', 'host.b.test.', 'host.']);
  assert.deepEqual(nameList('x.y', 1, ['a.test.']), ['x.y.', 'x.y.a.test.']);
  assert.deepEqual(nameList('x.y', 2, ['a.test.']), ['x.y.a.test.', 'x.y.']);
  assert.deepEqual(nameList('x.y.', 5, ['a.test.']), ['x.y.']);
  assert.deepEqual(nameList('x', 0, ['a.test.']), ['x.', 'x.a.test.']);
  // As in Go, only candidates that end in .onion are dropped.
  assert.deepEqual(nameList('hidden.onion', 1, ['a.test.']), ['hidden.onion.a.test.']);
  assert.deepEqual(nameList('hidden.onion', 1, []), []);
  assert.deepEqual(nameList('hidden.ONION.', 1, []), []);
  assert.deepEqual(nameList('x', 1, ['onion.']), ['x.']);
  assert.deepEqual(nameList('a'.repeat(250), 1, ['test.']), ['a'.repeat(250) + '.'], 'too long with the suffix: skipped');
  assert.equal(reverseAddr('192.0.2.1'), '1.2.0.192.in-addr.arpa.');
  assert.equal(reverseAddr('::ffff:192.0.2.1'), '1.2.0.192.in-addr.arpa.');
  assert.equal(reverseAddr('2001:db8::567:89ab'), 'b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.');
  assert.equal(reverseAddr('nope'), null);
});

test('A and AAAA asked in parallel; results merged; lookupHost/lookupIP/lookupIPAddr', async () => {
  const s = await fake(zone([A('dual.test.', '192.0.2.1'), AAAA('dual.test.', 1), A('dual.test.', '192.0.2.2')]));
  const r = resolver([s]);
  assert.deepEqual(await r.lookupHost('dual.test'), ['192.0.2.1', '192.0.2.2', '2001:db8::1']);
  assert.deepEqual((await r.lookupIP('ip4', 'dual.test')).map(String), ['192.0.2.1', '192.0.2.2']);
  assert.deepEqual((await r.lookupIP('ip6', 'dual.test')).map(String), ['2001:db8::1']);
  assert.deepEqual((await r.lookupIPAddr('dual.test', { network: 'ip4' })).map(String), ['192.0.2.1', '192.0.2.2']);
  const types = s.queries.map((q) => q.msg.questions[0]!.type);
  assert.deepEqual(types.slice(0, 2).sort(), [Type.A, Type.AAAA]);
  const ip4Only = s.queries.slice(2, 3).map((q) => q.msg.questions[0]!.type);
  assert.deepEqual(ip4Only, [Type.A], 'ip4 asks only A');
  await assert.rejects(r.lookupIP('tcp', 'dual.test'), (e: unknown) => e instanceof UnknownNetworkError && e.message === 'unknown network tcp');
  // Literals and the empty name.
  assert.deepEqual(await r.lookupHost('fe80::1%eth0'), ['fe80::1%eth0']);
  assert.deepEqual((await r.lookupIP('ip', '192.0.2.200')).map(String), ['192.0.2.200']);
  await assert.rejects(r.lookupIP('ip6', '192.0.2.200'), (e: unknown) => e instanceof AddrError && e.message === 'address 192.0.2.200: no suitable address found');
  const empty = await rejects(r.lookupHost(''));
  assert.equal(empty.message, 'lookup : no such host');
  assert.equal(empty.isNotFound, true);
});

test('SERVFAIL on the first server, success on the second; all SERVFAIL → temporary "server misbehaving"', async () => {
  const bad = await fake((q) => [answer(q.msg, { header: { rcode: RCode.ServerFailure } })]);
  const good = await fake(zone([A('x.test.', '192.0.2.7')]));
  const r = resolver([bad, good], { resolvConf: '' });
  assert.deepEqual((await r.lookupIP('ip4', 'x.test')).map(String), ['192.0.2.7']);
  assert.equal(bad.count('x.test.'), 1);
  assert.equal(good.count('x.test.'), 1);
  const r2 = resolver([bad]);
  const e = await rejects(r2.lookupIP('ip4', 'x.test'));
  assert.equal(e.message, `lookup x.test on ${bad.address}: server misbehaving`);
  assert.equal(e.isTemporary, true);
  assert.equal(e.temporary, true);
  assert.equal(e.isNotFound, false);
  assert.equal(e.server, bad.address);
  assert.equal(e.name, 'x.test');
});

test('REFUSED and other rcodes: "server misbehaving", not temporary; extended rcodes via OPT count', async () => {
  const refused = await fake((q) => [answer(q.msg, { header: { rcode: RCode.Refused } })]);
  const e = await rejects(resolver([refused]).lookupIP('ip4', 'x.test'));
  assert.equal(e.err, 'server misbehaving');
  assert.equal(e.isTemporary, false);
  const badvers = await fake((q) => [answer(q.msg, { additionals: [rr('.', { kind: 'OPT', udpSize: 1232, extRcode: 1, version: 0, dnssecOK: false, z: 0, options: [] })] })]);
  const e2 = await rejects(resolver([badvers]).lookupIP('ip4', 'x.test'));
  assert.equal(e2.err, 'server misbehaving', 'rcode 16 (BADVERS) is not success');
});

test('NXDOMAIN: "no such host", IsNotFound, and no other server is asked', async () => {
  const s1 = await fake(zone([]));
  const s2 = await fake(zone([A('nx.test.', '192.0.2.1')]));
  const r = resolver([s1, s2]);
  const e = await rejects(r.lookupHost('nx.test'));
  assert.equal(e.message, `lookup nx.test on ${s1.address}: no such host`);
  assert.equal(e.isNotFound, true);
  assert.equal(e.isTemporary, false);
  assert.equal(e.code, 'ENOTFOUND');
  assert.equal(s2.queries.length, 0);
});

test('NODATA (NOERROR without the asked type, CNAMEs skipped) is "no such host" too', async () => {
  const s = await fake(zone([rr('mx.test.', { kind: 'MX', pref: 1, mx: 'm.test.' }), rr('alias.test.', { kind: 'CNAME', cname: 'mx.test.' })]));
  const r = resolver([s]);
  const e = await rejects(r.lookupHost('alias.test'));
  assert.equal(e.isNotFound, true);
  assert.equal(e.err, 'no such host');
  const e2 = await rejects(r.lookupTXT('mx.test'));
  assert.equal(e2.isNotFound, true);
});

test('lame referral (no AA, no RA, nothing in any section) moves on to the next server', async () => {
  const lame = await fake((q) => [answer(q.msg, { header: { ra: false, aa: false } })]);
  const good = await fake(zone([A('l.test.', '192.0.2.8')]));
  assert.deepEqual(await resolver([lame, good]).lookupHost('l.test'), ['192.0.2.8']);
  const e = await rejects(resolver([lame]).lookupIP('ip4', 'l.test'));
  assert.equal(e.err, 'lame referral');
});

test('timeouts per attempt, attempts rounds over all servers, IsTimeout at the end', async () => {
  const s1 = await fake(() => ['drop']);
  const s2 = await fake(() => ['drop']);
  const r = resolver([s1, s2], { timeout: 150, attempts: 2 });
  const t0 = Date.now();
  const e = await rejects(r.lookupIP('ip4', 'slow.test'));
  const took = Date.now() - t0;
  assert.equal(e.isTimeout, true);
  assert.equal(e.err, 'i/o timeout');
  assert.equal(e.name, 'slow.test');
  assert.ok(took >= 4 * 140 && took < 2500, `took ${took}`);
  assert.equal(s1.queries.length, 2);
  assert.equal(s2.queries.length, 2);
  // Order: s1, s2, s1, s2.
  const order = [...s1.queries.map((q) => ({ s: 1, at: q.at })), ...s2.queries.map((q) => ({ s: 2, at: q.at }))].sort((a, b) => a.at - b.at).map((x) => x.s);
  assert.deepEqual(order, [1, 2, 1, 2]);
});

test('rotate: each lookup starts at the next server', async () => {
  const s1 = await fake(zone([A('r.test.', '192.0.2.1')]));
  const s2 = await fake(zone([A('r.test.', '192.0.2.1')]));
  const r = resolver([s1, s2], { rotate: true });
  for (let i = 0; i < 4; i++) await r.lookupIP('ip4', 'r.test');
  assert.equal(s1.queries.length, 2);
  assert.equal(s2.queries.length, 2);
  const r2 = resolver([s1, s2], { rotate: false });
  for (let i = 0; i < 3; i++) await r2.lookupIP('ip4', 'r.test');
  assert.equal(s1.queries.length, 5);
  assert.equal(s2.queries.length, 2);
});

test('search list and ndots from a generated resolv.conf; the error names the original name', async () => {
  const s = await fake(zone([A('host.b.test.', '192.0.2.20'), A('x.y.z.', '192.0.2.21'), A('x.y.z.a.test.', '192.0.2.22')]));
  const r = resolver([s], { resolvConf: 'search a.test b.test\noptions ndots:2\n', timeout: undefined });
  assert.deepEqual(await r.lookupHost('host'), ['192.0.2.20']);
  const asked = s.queries.filter((q) => q.msg.questions[0]!.type === Type.A).map((q) => q.msg.questions[0]!.name);
  assert.deepEqual(asked, ['host.a.test.', 'host.b.test.']);
  // Two dots: the name itself first.
  assert.deepEqual(await r.lookupHost('x.y.z'), ['192.0.2.21']);
  // One dot (< ndots 2): suffixes first.
  s.queries.length = 0;
  const e = await rejects(r.lookupHost('nope.q'));
  assert.equal(e.name, 'nope.q');
  assert.equal(e.message, `lookup nope.q on ${s.address}: no such host`);
  assert.deepEqual(s.queries.filter((q) => q.msg.questions[0]!.type === Type.A).map((q) => q.msg.questions[0]!.name), ['nope.q.a.test.', 'nope.q.b.test.', 'nope.q.']);
  // Rooted: only itself.
  s.queries.length = 0;
  await rejects(r.lookupHost('host.'));
  assert.deepEqual(s.queries.filter((q) => q.msg.questions[0]!.type === Type.A).map((q) => q.msg.questions[0]!.name), ['host.']);
  // `domain` sets a one-entry search list.
  const r2 = resolver([s], { resolvConf: 'domain b.test\n' });
  assert.deepEqual(await r2.lookupHost('host'), ['192.0.2.20']);
});

test('the hosts file answers first (files dns); several lines accumulate; DNS not asked', async () => {
  const s = await fake(zone([A('web.test.', '192.0.2.99')]));
  const r = resolver([s], { hosts: '192.0.2.30 web.test web\n192.0.2.31 WEB.TEST\n2001:db8::30 web.test\n' });
  assert.deepEqual(await r.lookupHost('Web.Test'), ['192.0.2.30', '192.0.2.31', '2001:db8::30'], 'file order');
  assert.deepEqual(await r.lookupHost('web'), ['192.0.2.30']);
  assert.deepEqual((await r.lookupIP('ip4', 'web.test.')).map(String), ['192.0.2.30', '192.0.2.31']);
  const odd = resolver([s], { hosts: '192.0.2.32 odd..name 12345\n' });
  assert.deepEqual(await odd.lookupHost('odd..name'), ['192.0.2.32'], 'the file is read before the name check');
  assert.deepEqual((await odd.lookupIPAddr('12345')).map(String), ['192.0.2.32']);
  assert.equal(await r.lookupCNAME('web'), 'web.test.');
  assert.deepEqual(await r.lookupAddr('192.0.2.30'), ['web.test.', 'web']);
  assert.equal(s.queries.length, 0);
  // dns files: DNS first, the file only when DNS finds nothing.
  const nss = dir.file('nsswitch-dnsfiles.conf', 'hosts: dns files\n');
  const r2 = resolver([s], { hosts: '192.0.2.30 web.test\n192.0.2.40 only-file.test\n', nsswitchPath: nss });
  assert.deepEqual(await r2.lookupHost('web.test'), ['192.0.2.99']);
  assert.deepEqual(await r2.lookupHost('only-file.test'), ['192.0.2.40']);
  // files only: no DNS at all.
  const r3 = resolver([s], { hosts: '', nsswitchPath: dir.file('nsswitch-files.conf', 'hosts: files\n') });
  s.queries.length = 0;
  assert.equal((await rejects(r3.lookupHost('web.test'))).isNotFound, true);
  assert.equal(s.queries.length, 0);
});

test('localhost and *.localhost are loopback without DNS; .onion is refused; invalid names send nothing', async () => {
  const s = await fake(zone([A('localhost.', '192.0.2.66'), A('x.localhost.', '192.0.2.66')]));
  const r = resolver([s]);
  assert.deepEqual(await r.lookupHost('localhost'), ['::1', '127.0.0.1']);
  assert.deepEqual(await r.lookupHost('App.Localhost.'), ['::1', '127.0.0.1']);
  assert.deepEqual((await r.lookupIP('ip4', 'x.localhost')).map(String), ['127.0.0.1']);
  const withHosts = resolver([s], { hosts: '127.0.0.5 localhost\n' });
  assert.deepEqual(await withHosts.lookupHost('localhost'), ['127.0.0.5'], 'the hosts file still wins');
  for (const name of ['hidden.onion', 'x.ONION.', 'bad..name', '-x.test', '12345', 'a_b c']) {
    const e = await rejects(r.lookupHost(name));
    assert.equal(e.isNotFound, true, name);
    assert.equal(e.message, `lookup ${name}: no such host`);
  }
  assert.equal(s.queries.length, 0);
});

test('strictErrors: a failed AAAA discards the A answer; without it the A answer is used', async () => {
  const s = await fake((q) => (q.msg.questions[0]!.type === Type.AAAA
    ? [answer(q.msg, { header: { rcode: RCode.ServerFailure } })]
    : [answer(q.msg, { answers: [A(q.msg.questions[0]!.name, '192.0.2.50')] })]));
  assert.deepEqual(await resolver([s]).lookupHost('st.test'), ['192.0.2.50']);
  const e = await rejects(resolver([s], { strictErrors: true }).lookupHost('st.test'));
  assert.equal(e.isTemporary, true);
  assert.equal(e.err, 'server misbehaving');
  // Strict also stops the search list at a temporary error.
  s.queries.length = 0;
  const fail = await fake((q) => [answer(q.msg, { header: { rcode: RCode.ServerFailure } })]);
  await rejects(resolver([fail], { strictErrors: true, resolvConf: 'search a.test b.test\n' }).lookupTXT('n'));
  assert.equal(fail.queries.length, 1);
  await rejects(resolver([fail], { resolvConf: 'search a.test b.test\n' }).lookupTXT('n'));
  assert.equal(fail.queries.length, 4);
});

test('single-request: AAAA is sent only after A is answered; default sends both at once', async () => {
  // A is answered after 300 ms: AAAA arriving before that was sent in parallel.
  const s = await fake(async (q) => {
    if (q.msg.questions[0]!.type === Type.A) await new Promise((r) => setTimeout(r, 300));
    return zone([A('sr.test.', '192.0.2.60'), AAAA('sr.test.', 6)])(q);
  });
  const gap = (): number => s.queries[1]!.at - s.queries[0]!.at;
  await resolver([s], { singleRequest: true }).lookupHost('sr.test');
  assert.deepEqual(s.queries.map((q) => q.msg.questions[0]!.type), [Type.A, Type.AAAA]);
  assert.ok(gap() >= 280, `AAAA waited for A (${gap()} ms)`);
  s.queries.length = 0;
  await resolver([s], { resolvConf: 'options single-request\n' }).lookupHost('sr.test');
  assert.ok(gap() >= 280, `resolv.conf single-request (${gap()} ms)`);
  s.queries.length = 0;
  await resolver([s]).lookupHost('sr.test');
  assert.ok(Math.abs(gap()) < 250, `parallel (${gap()} ms)`);
});

test('MX, NS, SRV, TXT, CNAME, PTR results shaped and sorted as Go', async () => {
  const s = await fake(zone([
    rr('m.test.', { kind: 'MX', pref: 20, mx: 'b.m.test.' }), rr('m.test.', { kind: 'MX', pref: 10, mx: 'a.m.test.' }),
    rr('m.test.', { kind: 'MX', pref: 30, mx: '.' }),
    rr('m.test.', { kind: 'NS', ns: 'ns1.m.test.' }), rr('m.test.', { kind: 'NS', ns: 'ns2.m.test.' }),
    rr('t.test.', { kind: 'TXT', txt: ['v=spf1 ', 'include:x', ' -all'] }), rr('t.test.', { kind: 'TXT', txt: ['second'] }),
    rr('_sip._tcp.s.test.', { kind: 'SRV', priority: 20, weight: 0, port: 5062, target: 'c.s.test.' }),
    rr('_sip._tcp.s.test.', { kind: 'SRV', priority: 10, weight: 5, port: 5060, target: 'a.s.test.' }),
    rr('_sip._tcp.s.test.', { kind: 'SRV', priority: 10, weight: 5, port: 5061, target: 'b.s.test.' }),
    rr('c1.test.', { kind: 'CNAME', cname: 'c2.test.' }), rr('c2.test.', { kind: 'CNAME', cname: 'c3.test.' }), A('c3.test.', '192.0.2.70'),
    rr('1.2.0.192.in-addr.arpa.', { kind: 'PTR', ptr: 'p.test.' }),
  ]));
  const r = resolver([s]);
  assert.deepEqual(await r.lookupMX('m.test'), [{ host: 'a.m.test.', pref: 10 }, { host: 'b.m.test.', pref: 20 }, { host: '.', pref: 30 }]);
  assert.deepEqual(await r.lookupNS('m.test'), [{ host: 'ns1.m.test.' }, { host: 'ns2.m.test.' }]);
  assert.deepEqual(await r.lookupTXT('t.test'), ['v=spf1 include:x -all', 'second']);
  const srv = await r.lookupSRV('sip', 'tcp', 's.test');
  assert.equal(srv.cname, '_sip._tcp.s.test.');
  assert.deepEqual(srv.addrs.map((x) => x.priority), [10, 10, 20]);
  assert.deepEqual(srv.addrs.slice(0, 2).map((x) => x.port).sort(), [5060, 5061]);
  assert.deepEqual(srv.addrs[2], { target: 'c.s.test.', port: 5062, priority: 20, weight: 0 });
  assert.equal((await r.lookupSRV('', '', '_sip._tcp.s.test')).addrs.length, 3);
  // Go returns the first CNAME's target for a chain, and the name itself without one.
  assert.equal(await r.lookupCNAME('c1.test'), 'c2.test.');
  assert.equal(await r.lookupCNAME('c3.test'), 'c3.test.');
  assert.deepEqual(await r.lookupHost('c1.test'), ['192.0.2.70']);
  assert.deepEqual(await r.lookupAddr('192.0.2.1'), ['p.test.']);
  const bad = await rejects(r.lookupAddr('192.0.2.300'));
  assert.equal(bad.message, 'lookup 192.0.2.300: unrecognized address');
  const nx = await rejects(r.lookupAddr('192.0.2.9'));
  assert.equal(nx.name, '9.2.0.192.in-addr.arpa.', 'Go names the reverse name');
  assert.equal(nx.isNotFound, true);
  assert.equal(await r.lookupPort('tcp', 'https'), 443);
});

test('SRV weights: RFC 2782 weighted order inside a priority (zero weight rarely first)', () => {
  let heavyFirst = 0;
  for (let i = 0; i < 400; i++) {
    const out = sortSRV([
      { target: 'light.', port: 1, priority: 1, weight: 1 }, { target: 'heavy.', port: 2, priority: 1, weight: 99 },
      { target: 'low.', port: 3, priority: 5, weight: 1000 },
    ]);
    assert.equal(out[2]!.target, 'low.');
    if (out[0]!.target === 'heavy.') heavyFirst++;
  }
  assert.ok(heavyFirst > 340, `heavy first ${heavyFirst}/400`);
});

test('invalid names in MX/NS/SRV/PTR/CNAME answers: an error carrying the valid records (CVE-2021-33195)', async () => {
  const s = await fake(zone([
    rr('m.test.', { kind: 'MX', pref: 10, mx: 'good.test.' }), rr('m.test.', { kind: 'MX', pref: 5, mx: 'bad\\032host.test.' }),
    rr('n.test.', { kind: 'NS', ns: '-bad.test.' }),
    rr('_x._tcp.s.test.', { kind: 'SRV', priority: 1, weight: 1, port: 1, target: 'ok.test.' }),
    rr('_x._tcp.s.test.', { kind: 'SRV', priority: 1, weight: 1, port: 2, target: 'x<script>.test.' }),
    rr('_x._tcp.s2.test.', { kind: 'SRV', priority: 1, weight: 1, port: 1, target: 'ok.test.' }),
    rr('c.test.', { kind: 'CNAME', cname: 'b@d.test.' }),
    rr('3.2.0.192.in-addr.arpa.', { kind: 'PTR', ptr: 'ok.test.' }), rr('3.2.0.192.in-addr.arpa.', { kind: 'PTR', ptr: 'bad_/.test.' }),
  ]));
  const r = resolver([s]);
  const mx = await rejects(r.lookupMX('m.test'));
  assert.ok(mx instanceof MalformedRecordsError);
  assert.equal(mx.message, 'lookup m.test: DNS response contained records which contain invalid names');
  assert.deepEqual(mx.records, [{ host: 'good.test.', pref: 10 }]);
  const ns = await rejects(r.lookupNS('n.test'));
  assert.ok(ns instanceof MalformedRecordsError);
  assert.deepEqual(ns.records, []);
  const srv = await rejects(r.lookupSRV('x', 'tcp', 's.test'));
  assert.ok(srv instanceof MalformedRecordsError);
  assert.equal(srv.name, 's.test');
  assert.deepEqual((srv.records as Array<{ target: string }>).map((x) => x.target), ['ok.test.']);
  const ptr = await rejects(r.lookupAddr('192.0.2.3'));
  assert.ok(ptr instanceof MalformedRecordsError);
  assert.deepEqual(ptr.records, ['ok.test.']);
  assert.equal(ptr.name, '192.0.2.3');
  const cn = await rejects(r.lookupCNAME('c.test'));
  assert.equal(cn.err, 'DNS response contained records which contain invalid names');
  // An SRV owner name that is itself invalid.
  const owner = await fake((q) => [answer(q.msg, { answers: [rr('b\\@d.test.', { kind: 'SRV', priority: 1, weight: 1, port: 1, target: 'ok.test.' })] })]);
  const e = await rejects(resolver([owner]).lookupSRV('', '', 'whatever.test'));
  assert.equal(e.message, 'lookup whatever.test: SRV header name is invalid');
});

test('cache: hits skip the network, TTLs expire, negative answers cached per RFC 2308, size bounded', async () => {
  let now = 1_000_000;
  const s = await fake(zone([A('c.test.', '192.0.2.80', 30), AAAA('c.test.', 8, 10)]));
  const r = resolver([s], { cache: { now: () => now, maxEntries: 3 } });
  assert.deepEqual(await r.lookupHost('c.test'), ['192.0.2.80', '2001:db8::8']);
  assert.equal(s.queries.length, 2);
  assert.deepEqual(await r.lookupHost('c.test'), ['192.0.2.80', '2001:db8::8']);
  assert.equal(s.queries.length, 2, 'served from the cache');
  assert.ok(r.cacheStats()!.hits >= 2);
  now += 11_000; // AAAA (TTL 10) expired, A (TTL 30) not
  await r.lookupHost('c.test');
  assert.deepEqual(s.queries.slice(2).map((q) => q.msg.questions[0]!.type), [Type.AAAA]);
  // NXDOMAIN with an SOA (TTL 60, MINIMUM 30) is cached for 30 s.
  await rejects(r.lookupTXT('gone.test.'));
  await rejects(r.lookupTXT('gone.test.'));
  assert.equal(s.count('gone.test.'), 1);
  now += 31_000;
  await rejects(r.lookupTXT('gone.test.'));
  assert.equal(s.count('gone.test.'), 2);
  // Bounded: a fourth question evicts the oldest.
  for (const n of ['e1', 'e2', 'e3', 'e4']) await rejects(r.lookupTXT(`${n}.test.`));
  assert.ok(r.cacheStats()!.size <= 3);
  assert.ok(r.cacheStats()!.evictions >= 1);
  // No SOA: a negative answer is not cached.
  const nosoa = await fake((q) => [answer(q.msg, { header: { rcode: RCode.NameError } })]);
  const r2 = resolver([nosoa], { cache: true });
  await rejects(r2.lookupTXT('x.test.'));
  await rejects(r2.lookupTXT('x.test.'));
  assert.equal(nosoa.queries.length, 2);
  // TTL 0 is never cached.
  const zero = await fake(zone([A('z.test.', '192.0.2.81', 0)]));
  const r3 = resolver([zero], { cache: true });
  await r3.lookupIP('ip4', 'z.test');
  await r3.lookupIP('ip4', 'z.test');
  assert.equal(zero.queries.length, 2);
  // Off by default.
  assert.equal(resolver([s]).cacheStats(), null);
});

test('concurrent identical lookups share one query (singleflight); one caller can give up alone', async () => {
  const s = await fake(async (q) => {
    await new Promise((r) => setTimeout(r, 150));
    return zone([A('sf.test.', '192.0.2.90')])(q);
  });
  const r = resolver([s]);
  const ac = new AbortController();
  const quitter = r.lookupIP('ip4', 'sf.test', { signal: ac.signal });
  const all = Promise.all(Array.from({ length: 5 }, () => r.lookupIP('ip4', 'sf.test')));
  setTimeout(() => ac.abort(), 30);
  const e = await rejects(quitter);
  assert.equal(e.err, 'operation was canceled');
  const got = await all;
  assert.ok(got.every((x) => x.map(String).join() === '192.0.2.90'));
  assert.equal(s.queries.length, 1);
});

test('cancellation mid-query: the lookup rejects promptly with the cancel as its cause', async () => {
  const s = await fake(() => ['drop']);
  const r = resolver([s], { timeout: 5000 });
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 80);
  const t0 = Date.now();
  const e = await rejects(r.lookupHost('cancel.test', { signal: ac.signal }));
  assert.ok(Date.now() - t0 < 1000);
  assert.equal(e.message, 'lookup cancel.test: operation was canceled');
  assert.ok(errorIs(e, CanceledError));
  const t = await rejects(r.lookupMX('cancel.test', { signal: AbortSignal.timeout(80) }));
  assert.equal(t.isTimeout, true);
  assert.equal(t.err, 'i/o timeout');
});

test('loopbackOnly refuses to send to a non-loopback server', async () => {
  const r = resolver(['192.0.2.53'], { loopbackOnly: true });
  const e = await rejects(r.lookupHost('x.test'));
  assert.match(e.message, /^lookup x\.test on 192\.0\.2\.53:53: nameserver is not on loopback/);
  assert.throws(() => resolver(['not-an-ip:53']), (x: unknown) => x instanceof AddrError && /invalid nameserver address/.test(x.message));
  assert.throws(() => new Resolver({ mode: 'bogus' as 'pure' }), TypeError);
});

test('the Dialer resolves through a Resolver (HostResolver), and a failed lookup is a dial OpError', async () => {
  const ln = await listen('tcp', '127.0.0.1:0');
  const port = Number(ln.addr.toString().split(':').pop());
  const accepted = (async () => {
    for await (const c of ln) c.close();
  })();
  const s = await fake(zone([A('svc.test.', '127.0.0.1')]));
  const r = resolver([s]);
  const c = await new Dialer({ resolver: r }).dial('tcp', `svc.test:${port}`);
  assert.equal(c.remoteAddr.toString(), `127.0.0.1:${port}`);
  c.close();
  assert.deepEqual(s.queries.map((q) => q.msg.questions[0]!.type).sort(), [Type.A, Type.AAAA]);
  const c4 = await new Dialer({ resolver: r }).dial('tcp4', `svc.test:${port}`);
  c4.close();
  assert.equal(s.queries.at(-1)!.msg.questions[0]!.type, Type.A, 'tcp4 asks only A');
  const e = await new Dialer({ resolver: r }).dial('tcp', `nope.test:${port}`).catch((x: unknown) => x);
  assert.ok(e instanceof OpError);
  assert.equal(e.message, `dial tcp: lookup nope.test on ${s.address}: no such host`);
  ln.close();
  await accepted.catch(() => {});
});

test('IPv6 loopback servers ([::1]:port) and a custom dial (Go\'s Resolver.Dial) that redirects every query', async () => {
  const v6 = await FakeDNS.start(zone([A('six.test.', '192.0.2.61')]), { host: '::1' });
  servers.push(v6);
  assert.equal(v6.address, `[::1]:${v6.port}`);
  const r = resolver([v6]);
  assert.deepEqual(await r.lookupHost('six.test'), ['192.0.2.61']);
  // Server strings: a bare IP gets port 53; the transport sees `[ip6]:port` (it refuses to send here).
  const addrs: string[] = [];
  const refuse = async (_n: string, a: string): Promise<never> => {
    addrs.push(a);
    throw new Error('not sending');
  };
  await resolver(['::1', '127.0.0.1', '[::1]:5353'], { dial: refuse }).lookupIP('ip4', 'x.test').catch(() => {});
  assert.deepEqual(addrs, ['[::1]:53', '127.0.0.1:53', '[::1]:5353']);
  // Every exchange goes wherever the dial function says, whatever the configured server.
  const target = await fake(zone([A('redirect.test.', '192.0.2.62')]));
  const seen: string[] = [];
  const via = resolver(['127.0.0.1:9'], {
    dial: async (net, addr, o) => {
      seen.push(`${net} ${addr}`);
      return new Dialer().dial(net, target.address, o);
    },
  });
  assert.deepEqual(await via.lookupHost('redirect.test'), ['192.0.2.62']);
  assert.deepEqual(seen.sort(), ['udp 127.0.0.1:9', 'udp 127.0.0.1:9']);
});

test('udpReuse: on by default the Resolver shares UDP sockets (few source ports for many lookups); false gives a socket per query', async () => {
  const s = await fake(zone([A('u.test.', '192.0.2.63'), AAAA('u.test.', 63)]));
  const tuned = resolver([s], { udpReuse: { maxQueries: 10 } });
  const byDefault = resolver([s]);
  try {
    for (let i = 0; i < 10; i++) assert.deepEqual(await tuned.lookupHost('u.test'), ['192.0.2.63', '2001:db8::3f']);
    assert.equal(s.queries.length, 20);
    assert.equal(new Set(s.queries.map((q) => q.port)).size, 2);
    s.queries.length = 0;
    for (let i = 0; i < 10; i++) assert.deepEqual(await byDefault.lookupHost('u.test'), ['192.0.2.63', '2001:db8::3f']);
    assert.equal(s.queries.length, 20);
    assert.equal(new Set(s.queries.map((q) => q.port)).size, 1, 'the default shares up to 100 queries per socket');
    assert.ok(new Set(s.queries.map((q) => q.msg.header.id)).size >= 18, 'IDs stay random');
  } finally {
    tuned.close();
    byDefault.close();
  }
  s.queries.length = 0;
  const own = resolver([s], { udpReuse: false });
  for (let i = 0; i < 5; i++) await own.lookupHost('u.test');
  assert.ok(new Set(s.queries.map((q) => q.port)).size >= 8, 'a socket per query (ephemeral ports may rarely repeat)');
  // A custom dial is called per query, as Go calls Resolver.Dial: no sharing unless asked for.
  s.queries.length = 0;
  let dials = 0;
  const dialed = resolver([s], { dial: (net, addr, o) => { dials++; return defaultDNSDial(net, addr, o); } });
  for (let i = 0; i < 3; i++) await dialed.lookupHost('u.test');
  assert.equal(dials, 6);
});

test('resolv.conf options reach the wire: trust-ad sets AD, use-vc uses TCP, rotate alternates, attempts from the file', async () => {
  const s1 = await fake(zone([A('o.test.', '192.0.2.64')]));
  const s2 = await fake(zone([A('o.test.', '192.0.2.64')]));
  const r = resolver([s1, s2], { resolvConf: 'options trust-ad use-vc rotate attempts:3\n', attempts: undefined });
  for (let i = 0; i < 4; i++) await r.lookupIP('ip4', 'o.test');
  const all = [...s1.queries, ...s2.queries];
  assert.equal(all.length, 4);
  assert.ok(all.every((q) => q.msg.header.ad && q.transport === 'tcp'));
  assert.equal(s1.queries.length, 2);
  const silent = await fake(() => ['drop']);
  const r2 = resolver([silent], { resolvConf: 'options attempts:3\n', attempts: undefined, timeout: 100 });
  await rejects(r2.lookupIP('ip4', 'o.test'));
  assert.equal(silent.queries.length, 3);
});

test('lookupAddr follows the host order: files first, dns then files, files only', async () => {
  const s = await fake(zone([rr('20.2.0.192.in-addr.arpa.', { kind: 'PTR', ptr: 'from-dns.test.' })]));
  const hosts = '192.0.2.20 from-file.test\n192.0.2.21 only-file.test\n';
  assert.deepEqual(await resolver([s], { hosts }).lookupAddr('192.0.2.20'), ['from-file.test.']);
  const dnsFiles = resolver([s], { hosts, nsswitchPath: dir.file('nss-df.conf', 'hosts: dns files\n') });
  assert.deepEqual(await dnsFiles.lookupAddr('192.0.2.20'), ['from-dns.test.']);
  assert.deepEqual(await dnsFiles.lookupAddr('192.0.2.21'), ['only-file.test.'], 'DNS said NXDOMAIN: the file answers');
  const filesOnly = resolver([s], { hosts, nsswitchPath: dir.file('nss-f.conf', 'hosts: files\n') });
  s.queries.length = 0;
  const e = await rejects(filesOnly.lookupAddr('192.0.2.99'));
  assert.equal(e.isNotFound, true);
  assert.equal(s.queries.length, 0);
  // IPv6 reverse through DNS.
  const v6 = await fake(zone([rr('1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.', { kind: 'PTR', ptr: 'six.test.' })]));
  assert.deepEqual(await resolver([v6]).lookupAddr('2001:db8::1'), ['six.test.']);
});

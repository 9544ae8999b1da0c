// The Resolver against a real dnsmasq on 127.0.0.1 (no upstream, no hosts file, records from
// its command line), checked against fixed expectations and Node's c-ares on the same server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Resolver as CAres } from 'node:dns/promises';
import { Resolver } from '../../../src/net/dns/resolver.js';
import { DNSError } from '../../../src/net/errors.js';
import { TempDir, startDnsmasq, type Daemon } from './support.js';

const dir = new TempDir();
let dm: Daemon;
let r: Resolver;
let cares: CAres;

before(async () => {
  dm = await startDnsmasq([
    '--local=/d.test/',
    '--host-record=h.d.test,192.0.2.5,2001:db8::5',
    '--host-record=h2.d.test,192.0.2.6',
    '--cname=alias.d.test,h.d.test',
    '--txt-record=t.d.test,first part,second part',
    '--srv-host=_xmpp._tcp.d.test,chat.d.test,5222,10,30',
    '--srv-host=_xmpp._tcp.d.test,chat2.d.test,5223,20,0',
    '--mx-host=d.test,mail.d.test,5',
    '--mx-host=d.test,mail2.d.test,15',
    '--ptr-record=5.2.0.192.in-addr.arpa,h.d.test',
  ]);
  r = new Resolver({
    mode: 'pure', servers: [dm.address], resolvConfPath: dir.file('resolv.conf', 'search d.test\n'),
    hostsPath: dir.file('hosts', ''), nsswitchPath: dir.path + '/none', timeout: 2000, attempts: 1, loopbackOnly: true,
  });
  cares = new CAres({ timeout: 2000, tries: 1 });
  cares.setServers([dm.address]);
});

after(async () => {
  await dm?.stop();
  dir.remove();
});

const sorted = (a: string[]): string[] => [...a].sort();

test('dnsmasq: host records, CNAME, search list', async () => {
  assert.deepEqual(sorted(await r.lookupHost('h.d.test')), ['192.0.2.5', '2001:db8::5']);
  assert.deepEqual((await r.lookupIP('ip4', 'h')).map(String), await cares.resolve4('h.d.test'));
  assert.deepEqual((await r.lookupIP('ip6', 'h.d.test')).map(String), await cares.resolve6('h.d.test'));
  assert.deepEqual(sorted(await r.lookupHost('alias.d.test')), ['192.0.2.5', '2001:db8::5']);
  assert.equal(await r.lookupCNAME('alias.d.test'), 'h.d.test.');
  assert.deepEqual([await r.lookupCNAME('alias.d.test')], (await cares.resolveCname('alias.d.test')).map((n) => n + '.'));
  assert.deepEqual(await r.lookupHost('h2'), ['192.0.2.6']);
});

test('dnsmasq: TXT, SRV, MX, PTR agree with c-ares', async () => {
  assert.deepEqual(await r.lookupTXT('t.d.test'), ['first partsecond part']);
  assert.deepEqual(await r.lookupTXT('t.d.test'), (await cares.resolveTxt('t.d.test')).map((p) => p.join('')));
  const srv = await r.lookupSRV('xmpp', 'tcp', 'd.test');
  assert.deepEqual(srv.addrs, [
    { target: 'chat.d.test.', port: 5222, priority: 10, weight: 30 },
    { target: 'chat2.d.test.', port: 5223, priority: 20, weight: 0 },
  ]);
  const csrv = await cares.resolveSrv('_xmpp._tcp.d.test');
  assert.deepEqual(sorted(srv.addrs.map((s) => `${s.target} ${s.port}`)), sorted(csrv.map((s) => `${s.name}. ${s.port}`)));
  const mx = await r.lookupMX('d.test');
  assert.deepEqual(mx, [{ host: 'mail.d.test.', pref: 5 }, { host: 'mail2.d.test.', pref: 15 }]);
  assert.deepEqual(mx.map((m) => m.host), (await cares.resolveMx('d.test')).sort((a, b) => a.priority - b.priority).map((m) => m.exchange + '.'));
  assert.deepEqual(await r.lookupAddr('192.0.2.5'), ['h.d.test.']);
  assert.deepEqual(await r.lookupAddr('192.0.2.5'), (await cares.reverse('192.0.2.5')).map((n) => n + '.'));
});

test('dnsmasq: NXDOMAIN inside its local domain; REFUSED outside it is "server misbehaving", not temporary', async () => {
  const nx = await r.lookupHost('missing.d.test.').catch((e: unknown) => e);
  assert.ok(nx instanceof DNSError);
  assert.equal(nx.isNotFound, true);
  assert.equal(nx.message, `lookup missing.d.test. on ${dm.address}: no such host`);
  await assert.rejects(cares.resolve4('missing.d.test'), { code: 'ENOTFOUND' });
  const refused = await r.lookupHost('elsewhere.zz.').catch((e: unknown) => e);
  assert.ok(refused instanceof DNSError);
  assert.equal(refused.err, 'server misbehaving');
  assert.equal(refused.isTemporary, false);
  assert.equal(refused.isNotFound, false);
  await assert.rejects(cares.resolve4('elsewhere.zz'), { code: 'EREFUSED' });
});

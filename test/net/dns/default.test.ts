// The default resolver and the package-level lookup functions. Nothing here can reach a real
// nameserver: the default is loopback-only under the test runner, and every Resolver built
// here either points at a fake server on 127.0.0.1 or has a dial that refuses to send.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Resolver, lookupHost, lookupIP, lookupMX, lookupTXT, lookupNS, lookupSRV, lookupCNAME, lookupAddr, lookupPort,
  defaultResolver, setDefaultResolver, DNSError, dial, listen, type HostResolver,
} from '../../../src/net/index.js';
import { loopbackOnlyByEnv, newDefaultResolver, packageResolver } from '../../../src/net/dns/default.js';
import { Type, RCode } from '../../../src/net/dns/message.js';
import { FakeDNS, TempDir, answer, rr, a4 } from './support.js';

const dir = new TempDir();
const original = defaultResolver();
let srv: FakeDNS | null = null;
after(() => {
  setDefaultResolver(original);
  srv?.close();
  dir.remove();
});

test('the default resolver is a pure-TS Resolver in auto mode, loopback-only under the test runner', () => {
  const d = defaultResolver();
  assert.ok(d instanceof Resolver);
  assert.equal(d.mode, 'auto');
  assert.equal(d.loopbackOnly, true);
  assert.equal(packageResolver(), d);
  assert.equal(loopbackOnlyByEnv({ NODE_TEST_CONTEXT: 'child-v8' }), true);
  assert.equal(loopbackOnlyByEnv({ GONET_DNS_LOOPBACK_ONLY: '1' }), true);
  assert.equal(loopbackOnlyByEnv({}), false);
  assert.equal(newDefaultResolver().loopbackOnly, true);
});

test('loopbackOnly holds whatever resolv.conf says: the transport is never reached', async () => {
  const dialed: string[] = [];
  const r = new Resolver({
    resolvConfPath: dir.file('offloop.conf', 'nameserver 192.0.2.53\nnameserver 198.51.100.53\n'),
    hostsPath: dir.file('hosts-empty', ''), nsswitchPath: dir.path + '/none', loopbackOnly: true, timeout: 200,
    dial: async (net, addr) => {
      dialed.push(`${net} ${addr}`);
      throw new Error('a test tried to send a query');
    },
  });
  const e = await r.lookupHost('example.com').catch((x: unknown) => x);
  assert.ok(e instanceof DNSError);
  assert.match(e.message, /^lookup example\.com on (192\.0\.2\.53|198\.51\.100\.53):53: nameserver is not on loopback/);
  assert.deepEqual(dialed, []);
  // `system` and env-driven auto decisions cannot escape it either: both stay pure.
  assert.equal(new Resolver({ mode: 'system', loopbackOnly: true }).hostOrder('x.example'), 'files,dns');
  assert.equal(new Resolver({ mode: 'system', loopbackOnly: false }).hostOrder('x.example'), 'system');
  const envAuto = { nsswitchPath: dir.file('nss', 'hosts: files dns\n'), env: { LOCALDOMAIN: 'x' } };
  assert.equal(new Resolver({ ...envAuto, mode: 'auto', loopbackOnly: false }).hostOrder('x.example'), 'system');
  assert.equal(new Resolver({ ...envAuto, mode: 'auto', loopbackOnly: true }).hostOrder('x.example'), 'files,dns');
  assert.equal(new Resolver({ ...envAuto, mode: 'pure' }).hostOrder('x.example'), 'files,dns');
});

test('package-level lookups and the Dialer use whatever setDefaultResolver installs', async () => {
  srv = await FakeDNS.start((q) => {
    const qq = q.msg.questions[0]!;
    const n = qq.name.toLowerCase();
    if (n === 'pkg.test.' && qq.type === Type.A) return [answer(q.msg, { answers: [rr(n, { kind: 'A', address: a4('127.0.0.1') })] })];
    if (n === 'pkg.test.' && qq.type === Type.MX) return [answer(q.msg, { answers: [rr(n, { kind: 'MX', pref: 1, mx: 'mx.pkg.test.' })] })];
    if (n === 'pkg.test.' && qq.type === Type.TXT) return [answer(q.msg, { answers: [rr(n, { kind: 'TXT', txt: ['a', 'b'] })] })];
    if (n === 'pkg.test.' && qq.type === Type.NS) return [answer(q.msg, { answers: [rr(n, { kind: 'NS', ns: 'ns.pkg.test.' })] })];
    if (n === '_h._tcp.pkg.test.' && qq.type === Type.SRV) {
      return [answer(q.msg, { answers: [rr(n, { kind: 'SRV', priority: 1, weight: 1, port: 80, target: 'pkg.test.' })] })];
    }
    if (n === '1.0.0.127.in-addr.arpa.') return [answer(q.msg, { answers: [rr(n, { kind: 'PTR', ptr: 'pkg.test.' })] })];
    if (n === 'pkg.test.') return [answer(q.msg)];
    return [answer(q.msg, { header: { rcode: RCode.NameError } })];
  });
  const r = new Resolver({
    mode: 'pure', servers: [srv.address], resolvConfPath: dir.file('pkg.conf', ''), hostsPath: dir.file('pkg-hosts', ''),
    nsswitchPath: dir.path + '/none', timeout: 1000, loopbackOnly: true,
  });
  setDefaultResolver(r);
  assert.deepEqual(await lookupHost('pkg.test'), ['127.0.0.1']);
  assert.deepEqual((await lookupIP('pkg.test', { network: 'ip4' })).map(String), ['127.0.0.1']);
  assert.deepEqual(await lookupMX('pkg.test'), [{ host: 'mx.pkg.test.', pref: 1 }]);
  assert.deepEqual(await lookupTXT('pkg.test'), ['ab']);
  assert.deepEqual(await lookupNS('pkg.test'), [{ host: 'ns.pkg.test.' }]);
  assert.deepEqual(await lookupSRV('h', 'tcp', 'pkg.test'), { cname: '_h._tcp.pkg.test.', addrs: [{ target: 'pkg.test.', port: 80, priority: 1, weight: 1 }] });
  assert.equal(await lookupCNAME('pkg.test'), 'pkg.test.');
  assert.deepEqual(await lookupAddr('127.0.0.1'), ['pkg.test.']);
  assert.equal(await lookupPort('udp', 'domain'), 53);
  const ln = await listen('tcp', '127.0.0.1:0');
  const port = Number(ln.addr.toString().split(':').pop());
  const c = await dial('tcp', `pkg.test:${port}`);
  assert.equal(c.remoteAddr.toString(), `127.0.0.1:${port}`);
  c.close();
  ln.close();
  // A non-Resolver default still serves the Dialer; package lookups fall back to their own Resolver.
  const plain: HostResolver = { lookupIPAddr: async () => [] };
  setDefaultResolver(plain);
  assert.ok(packageResolver() instanceof Resolver);
  assert.notEqual(packageResolver(), r);
  setDefaultResolver(original);
});

test('localhost through the default resolver: loopback from the hosts file or RFC 6761, never DNS', async () => {
  const got = await lookupHost('localhost');
  assert.ok(got.length > 0 && got.every((a) => a === '::1' || a.startsWith('127.')), got.join());
  const sub = await lookupHost('my.app.localhost');
  assert.deepEqual(sub, ['::1', '127.0.0.1']);
});

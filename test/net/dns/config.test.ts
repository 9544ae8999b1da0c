import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { utimesSync } from 'node:fs';
import {
  parseResolvConf, loadResolvConf, ResolvConfWatcher, parseNsswitch, hostLookupOrder, standardCriteria, NsswitchWatcher,
  isMissingOrDenied, type ResolvConf, type NSSConf,
} from '../../../src/net/dns/config.js';
import { TempDir } from './support.js';

const dir = new TempDir();
after(() => dir.remove());

test('resolv.conf defaults: servers on localhost, ndots 1, timeout 5 s, attempts 2, search from the host name', () => {
  const c = parseResolvConf('', { hostname: 'box.corp.example' });
  assert.deepEqual(c.servers, ['127.0.0.1:53', '[::1]:53']);
  assert.deepEqual(c.search, ['corp.example.']);
  assert.equal(c.ndots, 1);
  assert.equal(c.timeout, 5000);
  assert.equal(c.attempts, 2);
  assert.equal(c.rotate, false);
  assert.equal(c.unknownOpt, false);
  assert.deepEqual(parseResolvConf('', { hostname: 'box' }).search, []);
  assert.deepEqual(parseResolvConf('', { hostname: 'box.' }).search, []);
});

test('resolv.conf: nameservers are IP literals only, at most three, port always 53, zones kept', () => {
  const c = parseResolvConf([
    'nameserver 192.0.2.1',
    'nameserver not-an-ip',
    'nameserver fe80::1%eth0',
    '; nameserver 192.0.2.9',
    '# nameserver 192.0.2.8',
    'nameserver 2001:db8::53',
    'nameserver 192.0.2.4',
    'nameserver 010.0.0.1',
  ].join('\n'), { hostname: 'h' });
  assert.deepEqual(c.servers, ['192.0.2.1:53', '[fe80::1%eth0]:53', '[2001:db8::53]:53']);
});

test('resolv.conf: search and domain, the later line wins; "." dropped; names rooted', () => {
  assert.deepEqual(parseResolvConf('domain a.example\nsearch b.example c.example. .\n', { hostname: 'h.x' }).search, ['b.example.', 'c.example.']);
  assert.deepEqual(parseResolvConf('search b.example\ndomain a.example\n', { hostname: 'h.x' }).search, ['a.example.']);
  // An empty search line leaves the default from the host name.
  assert.deepEqual(parseResolvConf('search\n', { hostname: 'h.x' }).search, ['x.']);
});

test('resolv.conf options: clamps and flags as Go applies them', () => {
  const c = parseResolvConf('options ndots:99 timeout:0 attempts:0 rotate single-request use-vc trust-ad edns0 no-reload\n', { hostname: 'h' });
  assert.equal(c.ndots, 15);
  assert.equal(c.timeout, 1000);
  assert.equal(c.attempts, 1);
  assert.ok(c.rotate && c.singleRequest && c.useTCP && c.trustAD && c.noReload);
  assert.equal(c.unknownOpt, false);
  const d = parseResolvConf('options ndots:0 timeout:60 attempts:9 single-request-reopen usevc\noptions tcp\n', { hostname: 'h' });
  assert.equal(d.ndots, 0, 'ndots:0 is kept (Go issue 15419)');
  assert.equal(d.timeout, 60000, 'no upper cap on timeout');
  assert.equal(d.attempts, 9, 'no upper cap on attempts');
  assert.ok(d.singleRequest && d.useTCP);
  assert.equal(parseResolvConf('options ndots:x\n', { hostname: 'h' }).ndots, 0);
  assert.equal(parseResolvConf('options inet6\n', { hostname: 'h' }).unknownOpt, true);
  assert.equal(parseResolvConf('sortlist 10.0.0.0\n', { hostname: 'h' }).unknownOpt, true);
  assert.deepEqual(parseResolvConf('lookup file bind\n', { hostname: 'h' }).lookup, ['file', 'bind']);
});

test('loadResolvConf: a missing file gives the defaults with the error kept', () => {
  const c = loadResolvConf(dir.path + '/nope.conf', { hostname: 'h.example' });
  assert.deepEqual(c.servers, ['127.0.0.1:53', '[::1]:53']);
  assert.deepEqual(c.search, ['example.']);
  assert.ok(c.err);
  assert.ok(isMissingOrDenied(c.err));
  const p = dir.file('r1.conf', 'nameserver 127.0.0.9\noptions ndots:3\n');
  const ok = loadResolvConf(p);
  assert.equal(ok.err, undefined);
  assert.deepEqual(ok.servers, ['127.0.0.9:53']);
  assert.equal(ok.ndots, 3);
});

test('ResolvConfWatcher re-reads a changed file at most every 5 s, never with no-reload', () => {
  let now = 1_000_000;
  const p = dir.file('watch.conf', 'nameserver 127.0.0.1\n');
  const w = new ResolvConfWatcher(p, { now: () => now, hostname: 'h' });
  assert.deepEqual(w.get().servers, ['127.0.0.1:53']);
  dir.file('watch.conf', 'nameserver 127.0.0.2\nnameserver 127.0.0.3\n');
  utimesSync(p, new Date(Date.now() + 10_000), new Date(Date.now() + 10_000));
  now += 4000;
  assert.deepEqual(w.get().servers, ['127.0.0.1:53'], 'not yet re-checked');
  now += 1500;
  assert.deepEqual(w.get().servers, ['127.0.0.2:53', '127.0.0.3:53']);
  const q = dir.file('noreload.conf', 'nameserver 127.0.0.1\noptions no-reload\n');
  const w2 = new ResolvConfWatcher(q, { now: () => now, hostname: 'h' });
  assert.deepEqual(w2.get().servers, ['127.0.0.1:53']);
  dir.file('noreload.conf', 'nameserver 127.0.0.5\n');
  utimesSync(q, new Date(Date.now() + 20_000), new Date(Date.now() + 20_000));
  now += 60_000;
  assert.deepEqual(w2.get().servers, ['127.0.0.1:53']);
});

test('nsswitch.conf parsing: sources, criteria, comments', () => {
  const n = parseNsswitch('# c\npasswd: files\nhosts:  files [NOTFOUND=return] mdns4_minimal dns # tail\n');
  const hosts = n.sources.get('hosts')!;
  assert.deepEqual(hosts.map((s) => s.source), ['files', 'mdns4_minimal', 'dns']);
  assert.deepEqual(hosts[0]!.criteria, [{ negate: false, status: 'notfound', action: 'return' }]);
  assert.equal(standardCriteria(hosts[0]!), true, 'a last criterion saying return is standard');
  assert.equal(standardCriteria({ source: 'dns', criteria: [{ negate: false, status: 'notfound', action: 'return' }, { negate: false, status: 'unavail', action: 'continue' }] }), false);
  assert.equal(standardCriteria({ source: 'dns', criteria: [{ negate: true, status: 'success', action: 'return' }] }), false);
  assert.equal(standardCriteria({ source: 'dns', criteria: [{ negate: false, status: 'success', action: 'return' }, { negate: false, status: 'tryagain', action: 'continue' }] }), true);
});

function conf(over: Partial<ResolvConf> = {}): ResolvConf {
  return { ...parseResolvConf('', { hostname: 'h' }), ...over };
}
const nss = (text: string): NSSConf => parseNsswitch(text);

test('hostLookupOrder follows nsswitch like Go', () => {
  const base = { name: 'www.example', conf: conf(), env: {}, localHostname: 'myhost', mdnsAllow: false } as const;
  assert.equal(hostLookupOrder({ ...base, mode: 'auto', nss: nss('hosts: files dns\n') }), 'files,dns');
  assert.equal(hostLookupOrder({ ...base, mode: 'auto', nss: nss('hosts: dns files\n') }), 'dns,files');
  assert.equal(hostLookupOrder({ ...base, mode: 'auto', nss: nss('hosts: files\n') }), 'files');
  assert.equal(hostLookupOrder({ ...base, mode: 'auto', nss: nss('hosts: dns\n') }), 'dns');
  assert.equal(hostLookupOrder({ ...base, mode: 'auto', nss: nss('passwd: files\n') }), 'files,dns', 'no hosts line');
  const missing = { sources: new Map(), err: Object.assign(new Error('x'), { code: 'ENOENT' }) };
  assert.equal(hostLookupOrder({ ...base, mode: 'auto', nss: missing }), 'files,dns', 'missing nsswitch.conf');
  const unreadable = { sources: new Map(), err: Object.assign(new Error('x'), { code: 'EIO' }) };
  assert.equal(hostLookupOrder({ ...base, mode: 'auto', nss: unreadable }), 'system');
  assert.equal(hostLookupOrder({ ...base, mode: 'pure', nss: unreadable }), 'files,dns');
  // Sources only libc has.
  assert.equal(hostLookupOrder({ ...base, mode: 'auto', nss: nss('hosts: files ldap dns\n') }), 'system');
  assert.equal(hostLookupOrder({ ...base, mode: 'pure', nss: nss('hosts: files ldap dns\n') }), 'files,dns');
  assert.equal(hostLookupOrder({ ...base, mode: 'pure', nss: nss('hosts: files ldap\n') }), 'files,dns', 'unknown source counts as dns without one');
  assert.equal(hostLookupOrder({ ...base, mode: 'auto', nss: nss('hosts: files [NOTFOUND=return] dns\n') }), 'files,dns');
  assert.equal(hostLookupOrder({ ...base, mode: 'auto', nss: nss('hosts: files [SUCCESS=continue] dns\n') }), 'system');
  // myhostname only matters for this host's own and localhost-like names.
  assert.equal(hostLookupOrder({ ...base, mode: 'auto', nss: nss('hosts: files dns myhostname\n') }), 'files,dns');
  assert.equal(hostLookupOrder({ ...base, name: 'myhost', mode: 'auto', nss: nss('hosts: files dns myhostname\n') }), 'system');
  assert.equal(hostLookupOrder({ ...base, name: '_gateway', mode: 'auto', nss: nss('hosts: files dns myhostname\n') }), 'system');
  // mdns: .local names go to the system; others stay unless /etc/mdns.allow exists.
  assert.equal(hostLookupOrder({ ...base, mode: 'auto', nss: nss('hosts: files mdns4_minimal dns\n') }), 'files,dns');
  assert.equal(hostLookupOrder({ ...base, name: 'printer.local', mode: 'auto', nss: nss('hosts: files mdns4_minimal dns\n') }), 'system');
  assert.equal(hostLookupOrder({ ...base, mdnsAllow: true, mode: 'auto', nss: nss('hosts: files mdns4_minimal dns\n') }), 'system');
});

test('hostLookupOrder: environment, odd names and resolv.conf trouble push auto mode to the system', () => {
  const base = { name: 'www.example', conf: conf(), nss: nss('hosts: files dns\n'), env: {}, mdnsAllow: false } as const;
  assert.equal(hostLookupOrder({ ...base, mode: 'auto', env: { LOCALDOMAIN: '' } }), 'system');
  assert.equal(hostLookupOrder({ ...base, mode: 'auto', env: { RES_OPTIONS: 'ndots:2' } }), 'system');
  assert.equal(hostLookupOrder({ ...base, mode: 'auto', env: { HOSTALIASES: '/x' } }), 'system');
  assert.equal(hostLookupOrder({ ...base, mode: 'pure', env: { LOCALDOMAIN: '' } }), 'files,dns');
  assert.equal(hostLookupOrder({ ...base, mode: 'auto', name: 'a\\b' }), 'system');
  assert.equal(hostLookupOrder({ ...base, mode: 'auto', name: 'a%b' }), 'system');
  assert.equal(hostLookupOrder({ ...base, mode: 'auto', conf: conf({ unknownOpt: true }) }), 'system');
  assert.equal(hostLookupOrder({ ...base, mode: 'auto', conf: conf({ err: Object.assign(new Error('x'), { code: 'EIO' }) }) }), 'system');
  assert.equal(hostLookupOrder({ ...base, mode: 'auto', conf: conf({ err: Object.assign(new Error('x'), { code: 'ENOENT' }) }) }), 'files,dns');
  assert.equal(hostLookupOrder({ ...base, mode: 'auto', conf: conf({ err: Object.assign(new Error('x'), { code: 'EACCES' }) }) }), 'files,dns');
});

test('NsswitchWatcher re-reads after 5 s when the file changed', () => {
  let now = 5_000_000;
  const p = dir.file('nsswitch.conf', 'hosts: files dns\n');
  const w = new NsswitchWatcher(p, { now: () => now });
  assert.deepEqual(w.get().sources.get('hosts')!.map((s) => s.source), ['files', 'dns']);
  dir.file('nsswitch.conf', 'hosts: dns\n');
  utimesSync(p, new Date(Date.now() + 10_000), new Date(Date.now() + 10_000));
  now += 1000;
  assert.deepEqual(w.get().sources.get('hosts')!.map((s) => s.source), ['files', 'dns']);
  now += 5000;
  assert.deepEqual(w.get().sources.get('hosts')!.map((s) => s.source), ['dns']);
});

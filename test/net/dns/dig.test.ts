// gonet's Resolver beside dig (Debian's bind9-dnsutils) on the same questions to the same real
// unbound on 127.0.0.1 (authoritative for the fixture zones, never recursing anywhere): the same
// records (as sets where DNS defines no order), the same NXDOMAIN / NODATA outcome, and the
// same truncation: TC over UDP, the whole answer over TCP. Every dig run is time-bounded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Resolver } from '../../../src/net/dns/resolver.js';
import { exchange, judge } from '../../../src/net/dns/client.js';
import { Type } from '../../../src/net/dns/message.js';
import { DNSError } from '../../../src/net/errors.js';
import { TempDir, startUnbound, type Daemon } from './support.js';
import { BIG, LONG_TXT, ZONE, PTR_ZONE } from './fixture.js';

const DIG = '/usr/bin/dig';

/** What dig said: the status, the header flags, the answer section, and whether it fell back to TCP. */
interface DigReply {
  status: string;
  flags: string[];
  answers: Array<{ name: string; type: string; data: string }>;
  retriedTCP: boolean;
}

function runDig(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(DIG, args, { timeout: 10000, killSignal: 'SIGKILL', maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`dig ${args.join(' ')}: ${err.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

async function dig(name: string, type: string, extra: string[] = []): Promise<DigReply> {
  const out = await runDig([
    '@127.0.0.1', '-p', String(ub.port), '+norecurse', '+tries=1', '+time=2', '+noall', '+comments', '+answer', ...extra, name, type,
  ]);
  const status = /status: ([A-Z]+)/.exec(out)?.[1];
  const flags = /;; flags: ([a-z ]*);/.exec(out)?.[1];
  assert.ok(status !== undefined && flags !== undefined, `dig output without a header:\n${out}`);
  const answers: DigReply['answers'] = [];
  for (const line of out.split('\n')) {
    if (line === '' || line.startsWith(';')) continue;
    // owner TTL class type data...
    const m = /^(\S+)\s+\d+\s+IN\s+(\S+)\s+(.*)$/.exec(line);
    assert.ok(m, `unexpected dig line: ${line}`);
    answers.push({ name: m[1]!, type: m[2]!, data: m[3]! });
  }
  return { status, flags: flags.trim().split(/\s+/), answers, retriedTCP: out.includes('Truncated, retrying in TCP mode') };
}

/** The data of dig's answers of one type. */
const dataOf = (d: DigReply, type: string): string[] => d.answers.filter((a) => a.type === type).map((a) => a.data);

/** dig's TXT presentation ("a" "b") as gonet returns it: the character-strings joined. */
function txtJoined(data: string): string {
  const parts = [...data.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);
  assert.ok(parts.length > 0, `TXT data without strings: ${data}`);
  assert.ok(parts.every((p) => !p.includes('\\')), 'the fixture has no escapes');
  return parts.join('');
}

const sorted = (a: readonly string[]): string[] => [...a].sort();

const dir = new TempDir();
let ub: Daemon;
let r: Resolver;

before(async () => {
  assert.ok(existsSync(DIG), `${DIG} is missing (.ci/run installs bind9-dnsutils)`);
  ub = await startUnbound(dir, [{ origin: 'example.test.', zone: ZONE }, { origin: '2.0.192.in-addr.arpa.', zone: PTR_ZONE }]);
  r = new Resolver({
    mode: 'pure', servers: [ub.address], resolvConfPath: dir.file('resolv.conf', ''), hostsPath: dir.file('hosts', ''),
    nsswitchPath: dir.path + '/none', timeout: 2000, attempts: 1, loopbackOnly: true,
  });
});

after(async () => {
  r?.close();
  await ub?.stop();
  dir.remove();
});

/** gonet's verdict on the raw reply to one question (the status dig prints, in Go's terms). */
async function verdict(name: string, type: number): Promise<string> {
  const ex = await exchange({ server: ub.address, name, type, timeout: 2000 });
  return judge(ex.msg, type);
}

test('A: the same addresses as dig', async () => {
  for (const name of ['a.example.test.', 'multi.example.test.']) {
    const d = await dig(name, 'A');
    assert.equal(d.status, 'NOERROR');
    assert.ok(dataOf(d, 'A').length > 0);
    assert.deepEqual(sorted((await r.lookupIP('ip4', name)).map(String)), sorted(dataOf(d, 'A')), name);
  }
});

test('AAAA: the same addresses as dig', async () => {
  for (const name of ['a.example.test.', 'v6only.example.test.']) {
    const d = await dig(name, 'AAAA');
    assert.equal(d.status, 'NOERROR');
    assert.ok(dataOf(d, 'AAAA').length > 0);
    assert.deepEqual(sorted((await r.lookupIP('ip6', name)).map(String)), sorted(dataOf(d, 'AAAA')), name);
  }
  // lookupHost asks both and gets the union.
  const both = [...dataOf(await dig('a.example.test.', 'A'), 'A'), ...dataOf(await dig('a.example.test.', 'AAAA'), 'AAAA')];
  assert.deepEqual(sorted(await r.lookupHost('a.example.test.')), sorted(both));
});

test('CNAME chain: the first hop as dig shows it, and the addresses at the end of the chain', async () => {
  const d = await dig('c1.example.test.', 'A');
  assert.equal(d.status, 'NOERROR');
  const cnames = d.answers.filter((a) => a.type === 'CNAME');
  assert.deepEqual(cnames.map((c) => [c.name, c.data]), [['c1.example.test.', 'c2.example.test.'], ['c2.example.test.', 'a.example.test.']]);
  // Go's LookupCNAME gives the first CNAME's target; dig's answer starts with that record.
  assert.equal(await r.lookupCNAME('c1.example.test.'), cnames[0]!.data);
  const direct = await dig('c1.example.test.', 'CNAME');
  assert.deepEqual(dataOf(direct, 'CNAME'), [await r.lookupCNAME('c1.example.test.')]);
  assert.deepEqual(sorted((await r.lookupIP('ip4', 'c1.example.test.')).map(String)), sorted(dataOf(d, 'A')));
  assert.deepEqual(dataOf(d, 'A'), ['192.0.2.1']);
});

test('MX: the same preference/host pairs as dig, gonet sorted by preference', async () => {
  const d = await dig('example.test.', 'MX');
  const mx = await r.lookupMX('example.test.');
  assert.deepEqual(sorted(mx.map((m) => `${m.pref} ${m.host}`)), sorted(dataOf(d, 'MX')));
  assert.equal(mx.length, 2);
  assert.deepEqual(mx.map((m) => m.pref), [...mx.map((m) => m.pref)].sort((a, b) => a - b));
});

test('SRV: the same records as dig, and the owner name', async () => {
  const d = await dig('_sip._tcp.example.test.', 'SRV');
  const srv = await r.lookupSRV('sip', 'tcp', 'example.test.');
  assert.equal(srv.addrs.length, 3);
  assert.deepEqual(sorted(srv.addrs.map((s) => `${s.priority} ${s.weight} ${s.port} ${s.target}`)), sorted(dataOf(d, 'SRV')));
  assert.equal(srv.cname, d.answers.find((a) => a.type === 'SRV')!.name);
});

test('TXT: several strings per record and a record > 255 bytes, as dig shows them', async () => {
  const d = await dig('txt.example.test.', 'TXT');
  assert.equal(dataOf(d, 'TXT').length, 2);
  assert.deepEqual(sorted(await r.lookupTXT('txt.example.test.')), sorted(dataOf(d, 'TXT').map(txtJoined)));
  const long = await dig('longtxt.example.test.', 'TXT');
  const want = dataOf(long, 'TXT').map(txtJoined);
  assert.deepEqual(want, [LONG_TXT.join('')]);
  assert.deepEqual(await r.lookupTXT('longtxt.example.test.'), want);
});

test('NS: the same name servers as dig', async () => {
  const d = await dig('example.test.', 'NS');
  const ns = await r.lookupNS('example.test.');
  assert.equal(ns.length, 2);
  assert.deepEqual(sorted(ns.map((n) => n.host)), sorted(dataOf(d, 'NS')));
});

test('PTR: the same names as dig -x', async () => {
  for (const addr of ['192.0.2.1', '192.0.2.11']) {
    const d = await dig(addr, 'PTR', ['-x']);
    assert.equal(d.status, 'NOERROR');
    assert.ok(dataOf(d, 'PTR').length > 0);
    assert.deepEqual(sorted(await r.lookupAddr(addr)), sorted(dataOf(d, 'PTR')), addr);
  }
});

test('an answer larger than 1232 bytes: TC over UDP as dig +ignore sees it, then the whole answer over TCP as dig gets it', async () => {
  const udp = await dig('big.example.test.', 'A', ['+ignore']);
  assert.ok(udp.flags.includes('tc'), `dig +ignore flags: ${udp.flags.join(' ')}`);
  const d = await dig('big.example.test.', 'A');
  assert.ok(d.retriedTCP, 'dig retried over TCP');
  assert.equal(dataOf(d, 'A').length, BIG);
  const ex = await exchange({ server: ub.address, name: 'big.example.test.', type: Type.A, timeout: 2000 });
  assert.equal(ex.tcp, true, 'gonet retried over TCP too');
  const got = (await r.lookupIP('ip4', 'big.example.test.')).map(String);
  assert.equal(got.length, BIG);
  assert.deepEqual(sorted(got), sorted(dataOf(d, 'A')));
});

test('NXDOMAIN: dig says NXDOMAIN; gonet says no such host (IsNotFound) for every lookup kind', async () => {
  for (const [type, qtype] of [['A', Type.A], ['AAAA', Type.AAAA], ['TXT', Type.TXT], ['MX', Type.MX]] as const) {
    const d = await dig('nope.example.test.', type);
    assert.equal(d.status, 'NXDOMAIN', type);
    assert.equal(d.answers.length, 0);
    assert.equal(await verdict('nope.example.test.', qtype), 'nxdomain', type);
  }
  for (const call of [
    () => r.lookupHost('nope.example.test.'), () => r.lookupTXT('nope.example.test.'), () => r.lookupMX('nope.example.test.'),
  ]) {
    const e = await call().then(() => null, (x: unknown) => x);
    assert.ok(e instanceof DNSError && e.isNotFound && e.err === 'no such host', String(e));
  }
});

test('NODATA: dig says NOERROR with an empty answer; gonet says no such host, judged NODATA, not NXDOMAIN', async () => {
  for (const [name, type, qtype] of [
    ['nodata.example.test.', 'A', Type.A], ['nodata.example.test.', 'AAAA', Type.AAAA], ['a.example.test.', 'MX', Type.MX],
    ['v6only.example.test.', 'A', Type.A],
  ] as const) {
    const d = await dig(name, type);
    assert.equal(d.status, 'NOERROR', `${name} ${type}`);
    assert.equal(d.answers.length, 0, `${name} ${type}`);
    assert.equal(await verdict(name, qtype), 'nodata', `${name} ${type}`);
  }
  const e = await r.lookupHost('nodata.example.test.').then(() => null, (x: unknown) => x);
  assert.ok(e instanceof DNSError && e.isNotFound, String(e));
  const mx = await r.lookupMX('a.example.test.').then(() => null, (x: unknown) => x);
  assert.ok(mx instanceof DNSError && mx.isNotFound, String(mx));
  // The name exists: its TXT record is there for both.
  const txt = await dig('nodata.example.test.', 'TXT');
  assert.deepEqual(await r.lookupTXT('nodata.example.test.'), dataOf(txt, 'TXT').map(txtJoined));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IPAddr } from '../../../src/net/addr.js';
import { parseIP, type IP } from '../../../src/net/ip.js';
import { sortByRFC6724, sortByRFC6724With, classifyScope, Scope, kernelSource } from '../../../src/net/dns/sort.js';

const ip = (s: string): IP => parseIP(s)!;
const addrs = (...s: string[]): IPAddr[] => s.map((x) => new IPAddr(ip(x)));
const srcs = (...s: Array<string | null>): Array<IP | null> => s.map((x) => (x === null ? null : ip(x)));
const str = (a: IPAddr[]): string[] => a.map((x) => x.toString());

test('rule 1: unusable destinations (no source) go last', () => {
  const out = sortByRFC6724With(addrs('2001:db8::1', '192.0.2.1'), srcs(null, '192.0.2.100'));
  assert.deepEqual(str(out), ['192.0.2.1', '2001:db8::1']);
});

test('rule 2: prefer matching scope', () => {
  // Global IPv6 destination reached from a link-local source vs IPv4 global from global source.
  const out = sortByRFC6724With(addrs('2001:db8::1', '198.51.100.1'), srcs('fe80::1', '198.51.100.121'));
  assert.deepEqual(str(out), ['198.51.100.1', '2001:db8::1']);
});

test('rule 5: prefer matching label (native v6 source for a v6 destination over 6to4)', () => {
  const out = sortByRFC6724With(addrs('2002:c633:6401::1', '2001:db8:1::1'), srcs('2001:db8:1::2', '2001:db8:1::2'));
  assert.deepEqual(str(out), ['2001:db8:1::1', '2002:c633:6401::1']);
});

test('rule 6: prefer higher precedence (IPv6 ::/0 40 over IPv4 35 when both usable)', () => {
  const out = sortByRFC6724With(addrs('198.51.100.121', '2001:db8:1::1'), srcs('198.51.100.117', '2001:db8:1::2'));
  assert.deepEqual(str(out), ['2001:db8:1::1', '198.51.100.121']);
  // Loopback ::1 (precedence 50) before 127.0.0.1.
  const lo = sortByRFC6724With(addrs('127.0.0.1', '::1'), srcs('127.0.0.1', '::1'));
  assert.deepEqual(str(lo), ['::1', '127.0.0.1']);
});

test('rule 8: prefer smaller scope', () => {
  const out = sortByRFC6724With(addrs('2001:db8:1::1', 'fe80::1'), srcs('2001:db8:1::2', 'fe80::2'));
  assert.deepEqual(str(out), ['fe80::1', '2001:db8:1::1']);
});

test('rule 9: longest matching prefix among IPv6 destinations (first 64 bits only)', () => {
  const out = sortByRFC6724With(addrs('2001:db8:1::1', '2001:db8:3ffe::1'), srcs('2001:db8:1::2', '2001:db8:3f44::2'));
  assert.deepEqual(str(out), ['2001:db8:1::1', '2001:db8:3ffe::1']);
  const same64 = sortByRFC6724With(addrs('2001:db8:1:1::2', '2001:db8:1:1::1'), srcs('2001:db8:1:1:ffff::', '2001:db8:1:1::1'));
  assert.deepEqual(str(same64), ['2001:db8:1:1::2', '2001:db8:1:1::1'], 'bits past 64 do not count');
});

test('rule 10: otherwise stable; IPv4 pairs skip rule 9', () => {
  const out = sortByRFC6724With(addrs('192.0.2.9', '192.0.2.1', '192.0.2.5'), srcs('10.0.0.1', '192.0.2.100', '192.0.2.100'));
  assert.deepEqual(str(out), ['192.0.2.9', '192.0.2.1', '192.0.2.5']);
  assert.throws(() => sortByRFC6724With(addrs('192.0.2.1'), []), RangeError);
});

test('classifyScope as Go: loopback and link-local are link scope; multicast by nibble; site-local', () => {
  assert.equal(classifyScope(ip('127.0.0.1')), Scope.linkLocal);
  assert.equal(classifyScope(ip('::1')), Scope.linkLocal);
  assert.equal(classifyScope(ip('169.254.1.1')), Scope.linkLocal);
  assert.equal(classifyScope(ip('fe80::1')), Scope.linkLocal);
  assert.equal(classifyScope(ip('ff05::2')), 0x5);
  assert.equal(classifyScope(ip('ff0e::1')), 0xe);
  assert.equal(classifyScope(ip('fec0::1')), Scope.siteLocal);
  assert.equal(classifyScope(ip('192.0.2.1')), Scope.global);
  assert.equal(classifyScope(ip('2001:db8::1')), Scope.global);
});

test('sortByRFC6724 with the kernel: loopback is usable and ::1 comes before 127.0.0.1', async () => {
  const src = await kernelSource(new IPAddr(ip('127.0.0.1')));
  assert.equal(src?.toString(), '127.0.0.1');
  const out = await sortByRFC6724(addrs('127.0.0.1', '::1'));
  assert.deepEqual(str(out), ['::1', '127.0.0.1']);
  // A custom finder: everything but 192.0.2.7 unreachable.
  const only = await sortByRFC6724(addrs('2001:db8::9', '192.0.2.7'), async (d) => (d.ip.toString() === '192.0.2.7' ? ip('192.0.2.1') : null));
  assert.deepEqual(str(only), ['192.0.2.7', '2001:db8::9']);
});

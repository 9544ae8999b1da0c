import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DNSCache, cacheKey } from '../../../src/net/dns/cache.js';
import { decodeMessage, encodeMessage, type ResourceInput } from '../../../src/net/dns/message.js';

const A = (ttl: number): ResourceInput => ({ name: 'x.test.', ttl, data: { kind: 'A', address: Uint8Array.of(192, 0, 2, 1) } });
const SOA = (ttl: number, min: number): ResourceInput => ({
  name: 'test.', ttl, data: { kind: 'SOA', ns: 'ns.test.', mbox: 'a.test.', serial: 1, refresh: 1, retry: 1, expire: 1, minTTL: min },
});
const msg = (answers: ResourceInput[], authorities: ResourceInput[] = []) =>
  decodeMessage(encodeMessage({ header: { qr: true }, questions: [{ name: 'x.test.', type: 1 }], answers, authorities }));

test('cacheKey folds case and keeps the type apart', () => {
  assert.equal(cacheKey('X.Test.', 1), cacheKey('x.test.', 1));
  assert.notEqual(cacheKey('x.test.', 1), cacheKey('x.test.', 28));
});

test('positive entries live for the smallest answer TTL, capped by maxTTL; TTL 0 is not stored', () => {
  let now = 0;
  const c = new DNSCache({ now: () => now, maxTTL: 100 });
  c.putAnswer('a', msg([A(50), A(20)]), 's');
  c.putAnswer('b', msg([A(1000)]), 's');
  c.putAnswer('z', msg([A(0), A(50)]), 's');
  c.putAnswer('e', msg([]), 's');
  assert.equal(c.stats().size, 2);
  now = 19_999;
  assert.equal(c.get('a')?.kind, 'answer');
  now = 20_000;
  assert.equal(c.get('a'), null);
  now = 99_999;
  assert.equal(c.get('b')?.kind, 'answer');
  now = 100_000;
  assert.equal(c.get('b'), null);
  assert.deepEqual(c.stats(), { hits: 2, misses: 2, size: 0, evictions: 0 });
});

test('negative entries: min(SOA TTL, SOA MINIMUM), capped; none without an SOA or when disabled', () => {
  let now = 0;
  const c = new DNSCache({ now: () => now, maxNegativeTTL: 40 });
  c.putNegative('n1', 'nxdomain', msg([], [SOA(60, 30)]), 's');
  c.putNegative('n2', 'nodata', msg([], [SOA(10, 300)]), 's');
  c.putNegative('n3', 'nodata', msg([], [SOA(600, 600)]), 's');
  c.putNegative('n4', 'nxdomain', msg([]), 's');
  assert.equal(c.stats().size, 3);
  now = 9_999;
  assert.equal(c.get('n2')?.kind, 'nodata');
  now = 10_000;
  assert.equal(c.get('n2'), null);
  now = 29_999;
  assert.equal(c.get('n1')?.kind, 'nxdomain');
  now = 39_999;
  assert.equal(c.get('n3')?.kind, 'nodata');
  now = 40_000;
  assert.equal(c.get('n3'), null);
  const off = new DNSCache({ negative: false });
  off.putNegative('n', 'nxdomain', msg([], [SOA(60, 30)]), 's');
  assert.equal(off.stats().size, 0);
});

test('bounded: at most maxEntries; entries hit since the last pass get a second chance', () => {
  const c = new DNSCache({ maxEntries: 3 });
  const m = msg([A(300)]);
  c.putAnswer('a', m, 's');
  c.putAnswer('b', m, 's');
  c.putAnswer('c', m, 's');
  assert.ok(c.get('a'));
  c.putAnswer('d', m, 's'); // evicts b (a was used)
  assert.equal(c.stats().size, 3);
  assert.ok(c.get('a'));
  assert.equal(c.get('b'), null);
  assert.ok(c.get('c') && c.get('d'));
  for (let i = 0; i < 100; i++) c.putAnswer(`k${i}`, m, 's');
  assert.equal(c.stats().size, 3);
  assert.ok(c.stats().evictions >= 98);
  c.clear();
  assert.equal(c.stats().size, 0);
});

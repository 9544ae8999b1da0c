import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { utimesSync, rmSync, mkdirSync } from 'node:fs';
import { parseHosts, HostsFile, canonicalAddr } from '../../../src/net/dns/hosts.js';
import { TempDir } from './support.js';

const dir = new TempDir();
after(() => dir.remove());

const SAMPLE = [
  '# comment line',
  '127.0.0.1\tlocalhost',
  '::1 localhost ip6-localhost   # trailing comment',
  '192.0.2.10 Web.Example.COM web www.example.com.',
  '192.0.2.11 web.example.com',
  'fe80::1%eth0 linklocal.example',
  '::ffff:192.0.2.12 mapped.example',
  'not-an-ip bad.example',
  '192.0.2.13',
  '192.0.2.14 # only a comment after the address',
  '2001:db8::1 Web.Example.com',
  '',
].join('\n');

test('parseHosts: forward table with case folding, rooted dotted names, accumulation in file order', () => {
  const t = parseHosts(SAMPLE);
  assert.deepEqual(t.byName.get('localhost'), { addrs: ['127.0.0.1', '::1'], canonical: 'localhost' });
  assert.deepEqual(t.byName.get('web.example.com.'), { addrs: ['192.0.2.10', '192.0.2.11', '2001:db8::1'], canonical: 'web.example.com.' });
  assert.deepEqual(t.byName.get('web'), { addrs: ['192.0.2.10'], canonical: 'web.example.com.' });
  assert.deepEqual(t.byName.get('www.example.com.'), { addrs: ['192.0.2.10'], canonical: 'web.example.com.' });
  assert.deepEqual(t.byName.get('ip6-localhost'), { addrs: ['::1'], canonical: 'localhost' });
  assert.deepEqual(t.byName.get('linklocal.example.'), { addrs: ['fe80::1%eth0'], canonical: 'linklocal.example.' });
  assert.equal(t.byName.get('bad.example.'), undefined);
  assert.equal(t.byName.has('#'), false);
  assert.equal([...t.byName.keys()].some((k) => k.includes('comment')), false);
});

test('parseHosts: reverse table keeps names as written, rooted if dotted, per canonical address', () => {
  const t = parseHosts(SAMPLE);
  assert.deepEqual(t.byAddr.get('192.0.2.10'), ['Web.Example.COM.', 'web', 'www.example.com.']);
  assert.deepEqual(t.byAddr.get('::1'), ['localhost', 'ip6-localhost']);
  assert.deepEqual(t.byAddr.get('fe80::1%eth0'), ['linklocal.example.']);
  assert.deepEqual(t.byAddr.get('::ffff:192.0.2.12'), ['mapped.example.']);
  assert.equal(canonicalAddr('2001:0db8:0:0::1'), '2001:db8::1');
  assert.equal(canonicalAddr('192.0.2.1'), '192.0.2.1');
  assert.equal(canonicalAddr('::ffff:192.0.2.1'), '::ffff:192.0.2.1');
  assert.equal(canonicalAddr('fe80::1%eth0'), 'fe80::1%eth0');
  assert.equal(canonicalAddr('host'), '');
});

test('HostsFile lookups: case-insensitive, trailing dot optional, copies returned', () => {
  const h = new HostsFile(dir.file('hosts', SAMPLE));
  assert.deepEqual(h.lookupStatic('WEB.example.com'), ['192.0.2.10', '192.0.2.11', '2001:db8::1']);
  assert.deepEqual(h.lookupStatic('web.example.com.'), ['192.0.2.10', '192.0.2.11', '2001:db8::1']);
  assert.deepEqual(h.lookupStatic('LOCALHOST'), ['127.0.0.1', '::1']);
  assert.deepEqual(h.lookupStatic('nothere'), []);
  assert.equal(h.canonical('www.example.com'), 'web.example.com.');
  assert.equal(h.canonical('nothere'), null);
  const got = h.lookupStatic('web');
  got.push('mutated');
  assert.deepEqual(h.lookupStatic('web'), ['192.0.2.10']);
  assert.deepEqual(h.lookupStaticAddr('2001:db8:0::1'), ['Web.Example.com.']);
  assert.deepEqual(h.lookupStaticAddr('fe80::1%eth0'), ['linklocal.example.']);
  assert.deepEqual(h.lookupStaticAddr('fe80::1'), [], 'zones are part of the key');
  assert.deepEqual(h.lookupStaticAddr('not an ip'), []);
});

test('HostsFile re-reads at most every 5 s and only when mtime or size changed; missing file is empty', () => {
  let now = 1_000_000;
  const p = dir.file('hosts2', '192.0.2.1 one.example\n');
  const h = new HostsFile(p, { now: () => now });
  assert.deepEqual(h.lookupStatic('one.example'), ['192.0.2.1']);
  dir.file('hosts2', '192.0.2.2 one.example\n');
  utimesSync(p, new Date(Date.now() + 10_000), new Date(Date.now() + 10_000));
  now += 4999;
  assert.deepEqual(h.lookupStatic('one.example'), ['192.0.2.1'], 'still cached');
  now += 2;
  assert.deepEqual(h.lookupStatic('one.example'), ['192.0.2.2'], 're-read after the change');
  const gone = new HostsFile(dir.path + '/no-such-hosts', { now: () => now });
  assert.deepEqual(gone.lookupStatic('one.example'), []);
  assert.deepEqual(gone.lookupStaticAddr('192.0.2.2'), []);
});

test('HostsFile: a read error other than missing/permission keeps the previous table (as Go)', () => {
  let now = 2_000_000;
  const p = dir.file('hosts3', '192.0.2.3 three.example\n');
  const h = new HostsFile(p, { now: () => now });
  assert.deepEqual(h.lookupStatic('three.example'), ['192.0.2.3']);
  rmSync(p);
  mkdirSync(p); // reading a directory fails with EISDIR
  now += 6000;
  assert.deepEqual(h.lookupStatic('three.example'), ['192.0.2.3']);
  rmSync(p, { recursive: true });
  now += 6000;
  assert.deepEqual(h.lookupStatic('three.example'), [], 'missing now: empty');
});

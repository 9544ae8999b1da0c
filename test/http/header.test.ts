import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Header, canonicalHeaderKey } from '../../src/http/index.js';
import { hasToken, wireValue } from '../../src/http/header.js';

test('canonicalHeaderKey follows Go rules', () => {
  const cases: [string, string][] = [
    ['content-type', 'Content-Type'],
    ['CONTENT-LENGTH', 'Content-Length'],
    ['x-b3-traceid', 'X-B3-Traceid'],
    ['foo_bar', 'Foo_bar'],
    ['user-agent', 'User-Agent'],
    ['Host', 'Host'],
    ['a', 'A'],
    ['-foo-', '-Foo-'],
    ['www-authenticate', 'Www-Authenticate'],
    ['x-my-HEADER', 'X-My-Header'],
    // Not tokens: unchanged.
    ['foo bar', 'foo bar'],
    ['foo:bar', 'foo:bar'],
    ['naïve-key', 'naïve-key'],
    ['', ''],
  ];
  for (const [in_, out] of cases) assert.equal(canonicalHeaderKey(in_), out, in_);
});

test('Header get/set/add/del/has/values canonicalise', () => {
  const h = new Header();
  assert.equal(h.get('x'), '');
  h.add('x-foo', 'a').add('X-FOO', 'b');
  assert.deepEqual(h.values('X-Foo'), ['a', 'b']);
  assert.equal(h.get('x-foo'), 'a');
  assert.equal(h.has('X-Foo'), true);
  h.set('x-foo', 'c');
  assert.deepEqual(h.values('x-foo'), ['c']);
  h.set('accept', ['1', '2']);
  assert.deepEqual([...h.keys()], ['X-Foo', 'Accept']);
  h.del('X-FOO');
  assert.equal(h.has('x-foo'), false);
  assert.deepEqual(h.values('x-foo'), []);
  assert.equal(h.size, 1);
});

test('Header init forms and clone are deep', () => {
  const a = new Header({ 'content-type': 'text/plain', vary: ['a', 'b'] });
  assert.deepEqual(a.toJSON(), { 'Content-Type': ['text/plain'], Vary: ['a', 'b'] });
  const b = new Header([['x', '1'], ['x', '2']]);
  assert.deepEqual(b.values('X'), ['1', '2']);
  const c = a.clone();
  c.add('vary', 'c');
  assert.deepEqual(a.values('Vary'), ['a', 'b']);
  assert.deepEqual(c.values('Vary'), ['a', 'b', 'c']);
  const d = new Header(a);
  d.del('Vary');
  assert.equal(a.has('Vary'), true);
});

test('Header.write sorts keys, drops invalid names, neutralises CR/LF', () => {
  const h = new Header();
  h.add('Zeta', 'z');
  h.add('alpha', ' spaced\t');
  h.setRaw('bad name', ['x']);
  h.add('X-Inject', 'a\r\nEvil: 1');
  h.add('X-Nul', 'a\x00b');
  h.add('Utf', 'é€');
  const s = h.write();
  assert.equal(s,
    'Alpha: spaced\r\n' +
    'Utf: \xc3\xa9\xe2\x82\xac\r\n' + // a value with chars above U+00FF goes out as UTF-8
    'X-Inject: a  Evil: 1\r\n' +
    'X-Nul: a b\r\n' +
    'Zeta: z\r\n');
  assert.equal(h.write(new Set(['Zeta'])).includes('Zeta'), false);
  assert.deepEqual([...h.toBytes(new Set(['Alpha', 'Utf', 'X-Inject', 'X-Nul']))], [...Buffer.from('Zeta: z\r\n')]);
});

test('wireValue keeps latin1 and HTAB inside', () => {
  assert.equal(wireValue('a\tb'), 'a\tb');
  assert.equal(wireValue('caf\xe9'), 'caf\xe9');
  assert.equal(wireValue('x\x7f'), 'x');
});

test('hasToken matches comma lists case-insensitively', () => {
  assert.equal(hasToken(['Keep-Alive'], 'keep-alive'), true);
  assert.equal(hasToken(['foo, Close'], 'close'), true);
  assert.equal(hasToken(['closed'], 'close'), false);
  assert.equal(hasToken(['upgrade,  keep-alive '], 'keep-alive'), true);
  assert.equal(hasToken([], 'close'), false);
});

test('Header iterates [key, values] in insertion order', () => {
  const h = new Header({ b: '1', a: '2' });
  assert.deepEqual([...h], [['B', ['1']], ['A', ['2']]]);
  const seen: string[] = [];
  h.forEach((vs, k) => seen.push(k + '=' + vs.join()));
  assert.deepEqual(seen, ['B=1', 'A=2']);
  assert.deepEqual(h.sortedKeys(), ['A', 'B']);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AddrError } from '../../src/net/errors.js';
import { joinHostPort, splitHostPort } from '../../src/net/hostport.js';

// [input, host, port]; the tricky ones first.
const splitOK: [string, string, string][] = [
  ['[::1]:80', '::1', '80'],
  ['[::1]:http', '::1', 'http'],
  ['[fe80::1%eth0]:80', 'fe80::1%eth0', '80'],
  ['[fe80::1%lo0]:80', 'fe80::1%lo0', '80'],
  ['[localhost%lo0]:80', 'localhost%lo0', '80'],
  ['localhost%lo0:80', 'localhost%lo0', '80'],
  ['[::1%lo0]:80', '::1%lo0', '80'],
  // empty host and/or port
  [':80', '', '80'],
  [':0', '', '0'],
  [':', '', ''],
  [':http', '', 'http'],
  ['h:', 'h', ''],
  ['127.0.0.1:', '127.0.0.1', ''],
  ['[::1]:', '::1', ''],
  ['[]:80', '', '80'],
  ['[]:', '', ''],
  // no validation of host or port
  ['[:::]:80', ':::', '80'],
  ['[1.2.3.4]:80', '1.2.3.4', '80'],
  ['[localhost]:80', 'localhost', '80'],
  ['1.2.3.4:-1', '1.2.3.4', '-1'],
  ['localhost:65536', 'localhost', '65536'],
  ['localhost:99999999999', 'localhost', '99999999999'],
  [' :80', ' ', '80'],
  ['host: 80', 'host', ' 80'],
  ['ünïcödé:80', 'ünïcödé', '80'],
  ['a b:c d', 'a b', 'c d'],
  ['%:%', '%', '%'],
  ['[%]:%', '%', '%'],
  ['[fe80::1%eth0:1]:80', 'fe80::1%eth0:1', '80'],
  // ordinary
  ['localhost:http', 'localhost', 'http'],
  ['localhost:80', 'localhost', '80'],
  ['golang.org:http', 'golang.org', 'http'],
  ['golang.org:80', 'golang.org', '80'],
  ['127.0.0.1:80', '127.0.0.1', '80'],
  ['a.b.c.d:1234', 'a.b.c.d', '1234'],
  ['example.com:https', 'example.com', 'https'],
  ['0.0.0.0:0', '0.0.0.0', '0'],
  ['[::]:0', '::', '0'],
  ['[2001:db8::1]:443', '2001:db8::1', '443'],
  ['[::ffff:1.2.3.4]:8080', '::ffff:1.2.3.4', '8080'],
  ['x:y', 'x', 'y'],
];

const MISSING_PORT = 'missing port in address';
const TOO_MANY = 'too many colons in address';
const MISSING_BRACKET = "missing ']' in address";
const UNEXPECTED_OPEN = "unexpected '[' in address";
const UNEXPECTED_CLOSE = "unexpected ']' in address";

// [input, Go's AddrError.Err]; the AddrError's Addr is always the whole input.
const splitBad: [string, string][] = [
  ['::1:80', TOO_MANY],
  ['::1', TOO_MANY],
  ['fe80::1%lo0', TOO_MANY],
  ['fe80::1%lo0:80', TOO_MANY],
  ['1:2:3', TOO_MANY],
  ['host:port:', TOO_MANY],
  ['::', TOO_MANY],
  [':::', TOO_MANY],
  ['[::1]:80:', TOO_MANY],
  ['[foo]:[bar]:baz', TOO_MANY],
  ['[::1]::80', TOO_MANY],
  ['', MISSING_PORT],
  ['golang.org', MISSING_PORT],
  ['127.0.0.1', MISSING_PORT],
  ['[::1]', MISSING_PORT],
  ['[fe80::1%lo0]', MISSING_PORT],
  ['[localhost%lo0]', MISSING_PORT],
  ['localhost%lo0', MISSING_PORT],
  ['[1.2.3.4]', MISSING_PORT],
  ['[1.2.3.4', MISSING_PORT],
  ['[', MISSING_PORT],
  [']', MISSING_PORT],
  ['[]', MISSING_PORT],
  ['[foo:bar]', MISSING_PORT],
  ['[foo:bar]baz', MISSING_PORT],
  ['[foo]bar:baz', MISSING_PORT],
  ['[::1]80', MISSING_PORT],
  ['[foo]bar]:baz', MISSING_PORT],
  ['[foo]]:baz', MISSING_PORT],
  ['[[foo]]:80', MISSING_PORT],
  ['[foo[bar]]:80', MISSING_PORT],
  ['[::1', MISSING_BRACKET],
  ['[::1:80', MISSING_BRACKET],
  ['[:80', MISSING_BRACKET],
  ['[fe80::1%eth0:80', MISSING_BRACKET],
  ['[foo]:[bar]baz', UNEXPECTED_OPEN],
  ['foo[bar]:baz', UNEXPECTED_OPEN],
  ['[fo[o]:80', UNEXPECTED_OPEN],
  ['a[b:80', UNEXPECTED_OPEN],
  ['host:[80', UNEXPECTED_OPEN],
  ['[host]:[80', UNEXPECTED_OPEN],
  ['foo]bar:baz', UNEXPECTED_CLOSE],
  [']:80', UNEXPECTED_CLOSE],
  ['localhost:80]', UNEXPECTED_CLOSE],
  ['[foo]:baz]', UNEXPECTED_CLOSE],
  ['[::1]:8]0', UNEXPECTED_CLOSE],
];

test('splitHostPort: accepted forms', () => {
  for (const [s, host, port] of splitOK) {
    assert.deepEqual(splitHostPort(s), [host, port], s);
  }
});

test('splitHostPort: errors are AddrError with Go messages and the whole input', () => {
  for (const [s, why] of splitBad) {
    assert.throws(() => splitHostPort(s), (e: unknown) => {
      assert.ok(e instanceof AddrError, `${s}: ${String(e)}`);
      assert.equal(e.err, why, s);
      assert.equal(e.addr, s);
      assert.equal(e.message, s === '' ? why : `address ${s}: ${why}`);
      assert.equal(e.timeout, false);
      assert.equal(e.temporary, false);
      return true;
    }, s);
  }
});

// [host, port, joined]
const joinCases: [string, string, string][] = [
  ['::1', '80', '[::1]:80'],
  ['fe80::1%lo0', '80', '[fe80::1%lo0]:80'],
  ['fe80::1%eth0', 'http', '[fe80::1%eth0]:http'],
  ['localhost%lo0', '80', 'localhost%lo0:80'],
  ['', '0', ':0'],
  ['', '', ':'],
  ['', '80', ':80'],
  ['host', '', 'host:'],
  ['::', '0', '[::]:0'],
  ['[::1]', '80', '[[::1]]:80'],
  ['127.0.0.1', '80', '127.0.0.1:80'],
  ['example.com', 'http', 'example.com:http'],
  ['a b', 'c d', 'a b:c d'],
  ['::ffff:1.2.3.4', '443', '[::ffff:1.2.3.4]:443'],
  [':', ':', '[:]::'],
];

test('joinHostPort brackets iff the host has a colon', () => {
  for (const [host, port, want] of joinCases) assert.equal(joinHostPort(host, port), want, `${host} ${port}`);
  assert.equal(joinHostPort('a', 80), 'a:80');
  assert.equal(joinHostPort('::1', 0), '[::1]:0');
});

test('joinHostPort and splitHostPort round-trip', () => {
  for (const [s, host, port] of splitOK) {
    const joined = joinHostPort(host, port);
    assert.deepEqual(splitHostPort(joined), [host, port], `${s} -> ${joined}`);
  }
  for (const [host, port, joined] of joinCases) {
    if (host.includes('[') || host.includes(']') || port.includes(':')) continue;
    assert.deepEqual(splitHostPort(joined), [host, port], joined);
  }
});

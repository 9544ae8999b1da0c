import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddrError, CanceledError, DNSError, DeadlineExceededError, ErrClosed, OpError, ParseError,
  SyscallError, UnknownNetworkError, errorAs, errorIs, fromNodeError,
} from '../../src/net/errors.js';

const tcp = (s: string) => ({ network: 'tcp', toString: () => s });

test('OpError formats like Go', () => {
  const refused = new SyscallError('connect', 'ECONNREFUSED');
  const e = new OpError({ op: 'dial', net: 'tcp', addr: tcp('127.0.0.1:1'), cause: refused });
  assert.equal(e.message, 'dial tcp 127.0.0.1:1: connect: connection refused');
  assert.equal(e.code, 'ECONNREFUSED');
  assert.equal(e.timeout, false);
  const both = new OpError({ op: 'read', net: 'tcp', source: tcp('127.0.0.1:5000'), addr: tcp('127.0.0.1:6000'), cause: new DeadlineExceededError() });
  assert.equal(both.message, 'read tcp 127.0.0.1:5000->127.0.0.1:6000: i/o timeout');
  assert.equal(both.timeout, true);
  assert.equal(both.temporary, true);
  const bare = new OpError({ op: 'listen', cause: new ErrClosed() });
  assert.equal(bare.message, 'listen: use of closed network connection');
});

test('errorIs and errorAs walk the cause chain', () => {
  const e = new OpError({ op: 'read', net: 'tcp', cause: new ErrClosed() });
  assert.ok(errorIs(e, ErrClosed));
  assert.ok(errorIs(e, OpError));
  assert.ok(!errorIs(e, DeadlineExceededError));
  assert.equal(errorAs(e, ErrClosed)?.message, 'use of closed network connection');
  assert.equal(errorAs(new Error('x'), ErrClosed), null);
  const c = new CanceledError('because');
  assert.equal(c.message, 'operation was canceled');
  assert.equal(c.cause, 'because');
});

test('AddrError, ParseError, UnknownNetworkError, DNSError texts', () => {
  assert.equal(new AddrError('missing port in address', '1.2.3.4').message, 'address 1.2.3.4: missing port in address');
  assert.equal(new AddrError('no suitable address found', '').message, 'no suitable address found');
  assert.equal(new ParseError('CIDR address', '1.2.3.4/33').message, 'invalid CIDR address: 1.2.3.4/33');
  assert.equal(new UnknownNetworkError('tcp5').message, 'unknown network tcp5');
  const d = new DNSError({ err: 'no such host', name: 'x.invalid', server: '127.0.0.1:53', isNotFound: true });
  assert.equal(d.message, 'lookup x.invalid on 127.0.0.1:53: no such host');
  assert.equal(d.name, 'x.invalid');
  assert.equal(String(d), 'DNSError: lookup x.invalid on 127.0.0.1:53: no such host');
  assert.match(d.stack ?? '', /^DNSError: lookup x\.invalid/);
  assert.equal(d.code, 'ENOTFOUND');
  assert.equal(d.temporary, false);
  const t = new DNSError({ err: 'i/o timeout', name: 'a', isTimeout: true });
  assert.equal(t.message, 'lookup a: i/o timeout');
  assert.ok(t.timeout && t.temporary);
});

test('Node errno errors map to Go words', () => {
  const ne = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', syscall: 'connect', errno: -111 });
  const s = fromNodeError(ne, 'connect');
  assert.ok(s instanceof SyscallError);
  assert.equal(s.message, 'connect: connection refused');
  const inuse = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE', syscall: 'listen' });
  assert.equal(fromNodeError(inuse, 'bind').message, 'bind: address already in use');
  const reset = fromNodeError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', syscall: 'read' }), 'read');
  assert.equal(reset.message, 'read: connection reset by peer');
  assert.equal((reset as SyscallError).temporary, true);
  const plain = new Error('other');
  assert.equal(fromNodeError(plain, 'read'), plain);
});

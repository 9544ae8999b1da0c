import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ResponseRecorder, newRequest } from '../../src/http/httptest.js';

describe('ResponseRecorder', () => {
  test('defaults: 200, empty body, nothing written', () => {
    const w = new ResponseRecorder();
    assert.equal(w.code, 200);
    assert.equal(w.wroteHeader, false);
    assert.equal(w.body.length, 0);
    assert.equal(w.result().status, '200 OK');
  });

  test('first write sniffs Content-Type and writes 200', () => {
    const w = new ResponseRecorder();
    w.write('<html><body>x');
    assert.equal(w.wroteHeader, true);
    assert.equal(w.code, 200);
    assert.equal(w.header().get('Content-Type'), 'text/html; charset=utf-8');
    w.write(Uint8Array.from([0x41, 0x42]));
    assert.equal(w.bodyText, '<html><body>xAB');
  });

  test('no sniffing when Content-Type or Transfer-Encoding is set', () => {
    const a = new ResponseRecorder();
    a.header().set('Content-Type', 'application/x-a');
    a.write('<html>');
    assert.equal(a.header().get('Content-Type'), 'application/x-a');
    const b = new ResponseRecorder();
    b.header().set('Transfer-Encoding', 'chunked');
    b.write('<html>');
    assert.equal(b.header().has('Content-Type'), false);
  });

  test('writeHeader once; later calls and header changes do not alter the result', () => {
    const w = new ResponseRecorder();
    w.header().set('X-A', '1');
    w.writeHeader(404);
    w.writeHeader(500);
    w.header().set('X-B', '2');
    const res = w.result();
    assert.equal(res.statusCode, 404);
    assert.equal(res.status, '404 Not Found');
    assert.equal(res.header.get('X-A'), '1');
    assert.equal(res.header.has('X-B'), false);
    assert.equal(w.header().get('X-B'), '2', 'the live map still changes');
  });

  test('invalid status codes throw', () => {
    for (const code of [0, 99, 1000, 200.5, NaN]) {
      assert.throws(() => new ResponseRecorder().writeHeader(code), { message: `invalid WriteHeader code ${code}` });
    }
  });

  test('flush writes the header and marks flushed', () => {
    const w = new ResponseRecorder();
    w.flush();
    assert.equal(w.flushed, true);
    assert.equal(w.wroteHeader, true);
  });

  test('writes copy caller buffers', () => {
    const w = new ResponseRecorder();
    const buf = Buffer.from('abc');
    w.write(buf);
    buf.fill(0x7a);
    assert.equal(w.bodyText, 'abc');
    const res = w.result();
    w.write('d');
    assert.equal(res.text(), 'abc', 'a result is a snapshot');
    assert.equal(w.bodyText, 'abcd');
  });

  test('trailers declared in Trailer or set with the Trailer: prefix', () => {
    const w = new ResponseRecorder();
    w.header().set('Trailer', 'X-Sum, X-Count');
    w.writeHeader(200);
    w.write('body');
    w.header().set('X-Sum', 'abc');
    w.header().set('Trailer:X-Late', 'yes');
    const res = w.result();
    assert.equal(res.trailer.get('X-Sum'), 'abc');
    assert.equal(res.trailer.has('X-Count'), false);
    assert.equal(res.trailer.get('X-Late'), 'yes');
  });
});

describe('newRequest', () => {
  test('origin-form target with defaults', async () => {
    const r = newRequest('GET', '/a/b?x=1');
    assert.equal(r.method, 'GET');
    assert.equal(r.host, 'example.com');
    assert.equal(r.url.pathname, '/a/b');
    assert.equal(r.url.search, '?x=1');
    assert.equal(r.requestURI, '/a/b?x=1');
    assert.equal(r.proto, 'HTTP/1.1');
    assert.equal(r.protoMinor, 1);
    assert.equal(r.remoteAddr, '192.0.2.1:1234');
    assert.equal(r.contentLength, 0);
    assert.equal(await r.body.text(), '');
  });

  test('a path starting with // stays a path', () => {
    const r = newRequest('GET', '//evil.example/x');
    assert.equal(r.host, 'example.com');
    assert.equal(r.url.host, 'example.com');
    assert.equal(r.url.pathname, '//evil.example/x');
  });

  test('absolute target sets the host', () => {
    const r = newRequest('POST', 'http://api.test:8080/v1', { body: 'hi' });
    assert.equal(r.host, 'api.test:8080');
    assert.equal(r.url.pathname, '/v1');
    assert.equal(r.contentLength, 2);
  });

  test('host, header, proto options and body reads', async () => {
    const r = newRequest('PUT', '/x', { host: 'h.test', header: { 'content-type': 'text/plain' }, proto: 'HTTP/1.0', body: 'abcdef' });
    assert.equal(r.host, 'h.test');
    assert.equal(r.header.get('Content-Type'), 'text/plain');
    assert.equal(r.protoMinor, 0);
    const p = new Uint8Array(4);
    assert.equal(await r.body.read(p), 4);
    assert.equal(Buffer.from(p).toString(), 'abcd');
    assert.equal(await r.body.text(), 'ef');
    assert.equal(await r.body.read(p), null);
  });

  test('path values', () => {
    const r = newRequest('GET', '/');
    assert.equal(r.pathValue('a'), '');
    r.setPathValue('a', '1');
    assert.equal(r.pathValue('a'), '1');
  });

  test('an empty method means GET; a bad target throws', () => {
    assert.equal(newRequest('', '/').method, 'GET');
    assert.throws(() => newRequest('GET', 'relative/path'), TypeError);
  });
});

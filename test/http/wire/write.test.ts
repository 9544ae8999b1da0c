// Writing requests and responses: exact bytes, Go's field order, one write for head + small body,
// chunked bodies with trailers, and round trips through the readers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BufReader, ContentLengthError, Header, Request, Response, nextRequest, readRequest, readResponse,
} from '../../../src/http/index.js';
import { ChunkedWriter, IdentityWriter, encodeChunk, encodeLastChunk, encodeResponseHead, serializeRequestHead } from '../../../src/http/wire/write.js';
import { pipe } from '../../../src/net/index.js';

class Sink {
  writes: Buffer[] = [];
  async write(p: Uint8Array): Promise<number> {
    this.writes.push(Buffer.from(p));
    return p.length;
  }
  get text(): string {
    return Buffer.concat(this.writes).toString('latin1');
  }
}

async function* gen(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield Buffer.from(p);
}

test('Request.write: GET in Go order, one write', async () => {
  const s = new Sink();
  const r = new Request('GET', 'http://example.com/p?q=1', { header: { 'x-b': '2', accept: '*/*', host: 'ignored' } });
  assert.equal(r.contentLength, 0);
  await r.write(s);
  assert.equal(s.writes.length, 1);
  assert.equal(s.text, 'GET /p?q=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: Go-http-client/1.1\r\nAccept: */*\r\nX-B: 2\r\n\r\n');
});

test('Request.write: POST small body joins the head; empty POST sends Content-Length: 0', async () => {
  const s = new Sink();
  await new Request('POST', 'http://h:8080/', { body: 'héllo', header: { 'User-Agent': 'me' }, close: true }).write(s);
  assert.equal(s.writes.length, 1);
  assert.equal(s.text, 'POST / HTTP/1.1\r\nHost: h:8080\r\nUser-Agent: me\r\nConnection: close\r\nContent-Length: 6\r\n\r\nh\xc3\xa9llo');
  const e = new Sink();
  await new Request('POST', 'http://h/', { header: { 'User-Agent': '' } }).write(e);
  assert.equal(e.text, 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n');
  const g = new Sink();
  await new Request('DELETE', 'http://h/x', { header: { 'User-Agent': '' } }).write(g);
  assert.equal(g.text, 'DELETE /x HTTP/1.1\r\nHost: h\r\n\r\n');
});

test('Request.write: streamed body is chunked with trailers', async () => {
  const s = new Sink();
  const r = new Request('PUT', 'http://h/up', { body: gen('abc', '', 'defgh'), trailer: { 'x-sum': '8' }, header: { 'User-Agent': '' } });
  assert.equal(r.contentLength, -1);
  assert.deepEqual(r.transferEncoding, ['chunked']);
  assert.equal(r.getBody, null);
  await r.write(s);
  assert.equal(s.text, 'PUT /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n3\r\nabc\r\n5\r\ndefgh\r\n0\r\nX-Sum: 8\r\n\r\n');
  const back = await readRequest(Buffer.from(s.text, 'latin1'));
  assert.equal(await back.text(), 'abcdefgh');
  assert.equal(back.trailer.get('X-Sum'), '8');
});

test('Request.write: stream with a declared length is identity and checked', async () => {
  const s = new Sink();
  await new Request('POST', 'http://h/', { body: gen('ab', 'cd'), contentLength: 4, header: { 'User-Agent': '' } }).write(s);
  assert.equal(s.text, 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nabcd');
  await assert.rejects(new Request('POST', 'http://h/', { body: gen('abcde'), contentLength: 4 }).write(new Sink()), ContentLengthError);
  await assert.rejects(new Request('POST', 'http://h/', { body: gen('ab'), contentLength: 4 }).write(new Sink()),
    (e: unknown) => e instanceof ContentLengthError && e.message === 'http: wrote 2 bytes of a declared Content-Length of 4');
  await assert.rejects(new Request('POST', 'http://h/', { body: 'abc', contentLength: 4 }).write(new Sink()),
    (e: unknown) => e instanceof ContentLengthError && e.message === 'http: ContentLength=4 with Body length 3');
});

test('Request.write: proxy absolute form, CONNECT authority, getBody replays', async () => {
  const s = new Sink();
  await new Request('GET', 'http://example.com/a?b', { header: { 'User-Agent': '' } }).write(s, { proxy: true });
  assert.equal(s.text, 'GET http://example.com/a?b HTTP/1.1\r\nHost: example.com\r\n\r\n');
  const c = new Sink();
  const cr = new Request('CONNECT', 'https://example.com', { header: { 'User-Agent': '' } });
  assert.equal(cr.host, 'example.com:443');
  await cr.write(c);
  assert.equal(c.text, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
  const r = new Request('POST', 'http://h/', { body: 'xyz' });
  assert.ok(r.getBody !== null);
  assert.equal(await r.text(), 'xyz');
  assert.equal(await r.getBody().text(), 'xyz');
});

test('Request.write: CR/LF in values cannot split the head; bad method and target throw', async () => {
  const s = new Sink();
  await new Request('GET', 'http://h/', { header: { 'X-A': 'a\r\nX-Evil: 1', 'User-Agent': '' } }).write(s);
  assert.equal(s.text, 'GET / HTTP/1.1\r\nHost: h\r\nX-A: a  X-Evil: 1\r\n\r\n');
  assert.throws(() => serializeRequestHead({ method: 'G T', target: '/' }), { name: 'TypeError', message: 'net/http: invalid method "G T"' });
  assert.throws(() => serializeRequestHead({ method: 'GET', target: '/a b' }), TypeError);
  assert.throws(() => serializeRequestHead({ method: 'GET', target: '' }), TypeError);
});

test('Request round trip over a pipe', async () => {
  const [a, b] = pipe();
  const sent = new Request('POST', 'http://h/r?x', { body: gen('one', 'two'), header: { 'Content-Type': 'text/plain' } });
  const w = sent.write(a);
  const got = await nextRequest(new BufReader(b));
  assert.ok(got !== null);
  assert.equal(got.method, 'POST');
  assert.equal(got.requestURI, '/r?x');
  assert.equal(got.header.get('content-type'), 'text/plain');
  assert.equal(got.header.get('user-agent'), 'Go-http-client/1.1');
  assert.equal(await got.text(), 'onetwo');
  await w;
  a.close();
  b.close();
});

test('Response.write: small body in one write with Content-Length', async () => {
  const s = new Sink();
  await new Response({ statusCode: 200, header: { 'Content-Type': 'text/plain', 'content-length': '999' }, body: 'hello' }).write(s);
  assert.equal(s.writes.length, 1);
  assert.equal(s.text, 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello');
});

test('Response.write: streamed body chunked with trailers; HTTP/1.0 closes instead', async () => {
  const s = new Sink();
  await new Response({ statusCode: 201, body: gen('ab', 'c'), trailer: { 'X-T': 'v' } }).write(s);
  assert.equal(s.text, 'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\nX-T: v\r\n\r\n');
  const back = await readResponse(Buffer.from(s.text, 'latin1'));
  assert.equal(await back.text(), 'abc');
  assert.equal(back.trailer.get('X-T'), 'v');
  const t = new Sink();
  const r10 = new Response({ statusCode: 200, proto: 'HTTP/1.0', body: gen('xy') });
  await r10.write(t);
  assert.equal(t.text, 'HTTP/1.0 200 OK\r\nConnection: close\r\n\r\nxy');
  assert.equal(r10.close, true);
});

test('Response.write: 204/304 and HEAD carry no body; unknown code text', async () => {
  const s = new Sink();
  await new Response({ statusCode: 204, body: 'ignored' }).write(s);
  assert.equal(s.text, 'HTTP/1.1 204 No Content\r\n\r\n');
  const h = new Sink();
  const req = new Request('HEAD', 'http://h/');
  await new Response({ statusCode: 200, body: 'hello', request: req }).write(h);
  assert.equal(h.text, 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n');
  const u = new Sink();
  await new Response({ statusCode: 599 }).write(u);
  assert.equal(u.text, 'HTTP/1.1 599 status code 599\r\nContent-Length: 0\r\n\r\n');
  assert.throws(() => new Response({ statusCode: 99 }), RangeError);
  assert.throws(() => encodeResponseHead({ statusCode: 1000 }), RangeError);
});

test('encodeChunk / encodeLastChunk / writers', async () => {
  assert.equal(encodeChunk(Buffer.from('0123456789abcdef!')).toString('latin1'), '11\r\n0123456789abcdef!\r\n');
  assert.equal(encodeChunk(new Uint8Array(0)).length, 0);
  const t = new Header({ 'X-A': '1', 'Content-Length': '5', 'bad name': 'x' });
  assert.equal(encodeLastChunk(t).toString('latin1'), '0\r\nX-A: 1\r\n\r\n');
  assert.equal(encodeLastChunk().toString('latin1'), '0\r\n\r\n');
  const s = new Sink();
  const cw = new ChunkedWriter(s);
  const big = Buffer.alloc(100 * 1024, 0x61);
  await cw.write(big);
  await cw.close();
  await cw.close();
  await assert.rejects(cw.write(Buffer.from('x')), /finished chunked body/);
  assert.equal(s.text, '19000\r\n' + 'a'.repeat(100 * 1024) + '\r\n0\r\n\r\n');
  const iw = new IdentityWriter(new Sink(), 3);
  await iw.write(Buffer.from('ab'));
  assert.throws(() => iw.close(), ContentLengthError);
  await assert.rejects(iw.write(Buffer.from('cd')), ContentLengthError);
});

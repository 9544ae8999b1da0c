// Reading requests and responses: heads, framing, bodies, over bytes, a pipe and a BufReader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BufReader, ProtocolError, Request, Response, nextRequest, readRequest, readResponse,
} from '../../../src/http/index.js';
import { pipe } from '../../../src/net/index.js';

const enc = (s: string) => Buffer.from(s, 'latin1');

test('readRequest parses a simple GET', async () => {
  const r = await readRequest(enc('GET /a/b?x=1&y=%20 HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: t\r\nAccept: */*\r\nX-Multi: 1\r\nx-multi: 2\r\n\r\n'));
  assert.ok(r instanceof Request);
  assert.equal(r.method, 'GET');
  assert.equal(r.requestURI, '/a/b?x=1&y=%20');
  assert.equal(r.proto, 'HTTP/1.1');
  assert.equal(r.protoMajor, 1);
  assert.equal(r.protoMinor, 1);
  assert.equal(r.host, 'example.com:8080');
  assert.equal(r.header.has('Host'), false);
  assert.equal(r.header.get('user-agent'), 't');
  assert.deepEqual(r.header.values('X-Multi'), ['1', '2']);
  assert.equal(r.contentLength, 0);
  assert.deepEqual(r.transferEncoding, []);
  assert.equal(r.close, false);
  assert.equal(r.url.href, 'http://example.com:8080/a/b?x=1&y=%20');
  assert.equal(r.url.searchParams.get('y'), ' ');
  assert.equal(r.rawPath, '/a/b');
  assert.equal(r.rawQuery, 'x=1&y=%20');
  assert.equal(await r.text(), '');
  assert.equal(r.body.eof, true);
});

test('readRequest: Content-Length body, bytes/text/json', async () => {
  const r = await readRequest(enc('POST /j HTTP/1.1\r\nHost: h\r\nContent-Length: 13\r\n\r\n{"a":[1,2,3]}EXTRA'));
  assert.equal(r.contentLength, 13);
  assert.deepEqual(await r.json(), { a: [1, 2, 3] });
  assert.equal(r.body.eof, true);
  const r2 = await readRequest(enc('PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello'));
  const p = new Uint8Array(3);
  assert.equal(await r2.body.read(p), 3);
  assert.equal(Buffer.from(p).toString(), 'hel');
  assert.equal(await r2.body.read(p), 2);
  assert.equal(Buffer.from(p.subarray(0, 2)).toString(), 'lo');
  assert.equal(await r2.body.read(p), null);
});

test('readRequest: chunked body with extensions and trailers', async () => {
  const r = await readRequest(enc(
    'POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum, x-other\r\n\r\n' +
    '5;name=val\r\nhello\r\n' + '6 ; a="b"\r\n world\r\n' + 'A\r\n0123456789\r\n' + '0\r\nX-Sum: 42\r\nX-Other: yes\r\n\r\n'));
  assert.equal(r.contentLength, -1);
  assert.deepEqual(r.transferEncoding, ['chunked']);
  assert.deepEqual([...r.trailer.keys()], ['X-Sum', 'X-Other']);
  assert.equal(r.trailer.get('X-Sum'), '');
  const parts: string[] = [];
  for await (const c of r.body) parts.push(Buffer.from(c).toString());
  assert.equal(parts.join(''), 'hello world0123456789');
  assert.equal(r.trailer.get('x-sum'), '42');
  assert.equal(r.trailer.get('x-other'), 'yes');
  assert.equal(r.body.eof, true);
});

test('readRequest: web ReadableStream body', async () => {
  const r = await readRequest(enc('POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n'));
  const text = await new globalThis.Response(r.body.stream).text();
  assert.equal(text, 'abcde');
});

test('readRequest: HTTP/1.0 closes unless keep-alive; 1.1 Connection: close', async () => {
  assert.equal((await readRequest(enc('GET / HTTP/1.0\r\n\r\n'))).close, true);
  assert.equal((await readRequest(enc('GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n'))).close, false);
  assert.equal((await readRequest(enc('GET / HTTP/1.1\r\nHost: h\r\nConnection: foo, close\r\n\r\n'))).close, true);
  const r = await readRequest(enc('GET / HTTP/1.0\r\n\r\n'));
  assert.equal(r.host, '');
  assert.equal(r.protoMinor, 0);
});

test('readRequest: absolute-form target takes the host; CONNECT authority; OPTIONS *', async () => {
  const a = await readRequest(enc('GET http://other.example:81/p?q HTTP/1.1\r\nHost: ignored\r\n\r\n'));
  assert.equal(a.host, 'other.example:81');
  assert.equal(a.targetForm, 'absolute');
  assert.equal(a.rawPath, '/p');
  assert.equal(a.rawQuery, 'q');
  assert.equal(a.url.href, 'http://other.example:81/p?q');
  const c = await readRequest(enc('CONNECT example.com:443 HTTP/1.1\r\n\r\n'));
  assert.equal(c.host, 'example.com:443');
  assert.equal(c.targetForm, 'authority');
  assert.equal(c.url.host, 'example.com:443');
  const o = await readRequest(enc('OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n'));
  assert.equal(o.targetForm, 'asterisk');
  assert.equal(o.rawPath, '');
});

test('readRequest: rawPath keeps dot segments and escapes the URL resolves', async () => {
  const r = await readRequest(enc('GET /a/../b/%2e%2e/c HTTP/1.1\r\nHost: h\r\n\r\n'));
  assert.equal(r.rawPath, '/a/../b/%2e%2e/c');
  assert.equal(r.url.pathname, '/c');
});

test('readRequest: EOF before any byte is ERR_HTTP_EOF; mid-head is unexpected EOF', async () => {
  await assert.rejects(readRequest(new Uint8Array(0)), (e: unknown) => e instanceof ProtocolError && e.code === 'ERR_HTTP_EOF');
  await assert.rejects(readRequest(enc('GET / HTTP/1.1\r\nHost: h\r\n')),
    (e: unknown) => e instanceof ProtocolError && e.code === 'ERR_HTTP_UNEXPECTED_EOF' && e.status === 400);
  const r = await readRequest(enc('POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc'));
  await assert.rejects(r.text(), (e: unknown) => e instanceof ProtocolError && e.code === 'ERR_HTTP_UNEXPECTED_EOF' &&
    e.message === 'unexpected EOF reading request body');
});

test('nextRequest: pipelined requests from one BufReader, then null', async () => {
  const br = new BufReader(enc(
    'POST /1 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc' +
    'POST /2 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n' +
    'GET /3 HTTP/1.1\r\nHost: h\r\n\r\n'));
  const seen: string[] = [];
  for (;;) {
    const r = await nextRequest(br);
    if (r === null) break;
    seen.push(r.requestURI + '=' + (await r.text()));
  }
  assert.deepEqual(seen, ['/1=abc', '/2=x', '/3=']);
});

test('readRequest over a pipe, bytes trickled one at a time', async () => {
  const [a, b] = pipe();
  const msg = enc('POST /t HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTrailer: T\r\n\r\n4\r\nwxyz\r\n0\r\nT: v\r\n\r\n');
  const writer = (async () => {
    for (let i = 0; i < msg.length; i++) await a.write(msg.subarray(i, i + 1));
    await a.closeWrite();
  })();
  const br = new BufReader(b);
  const r = await nextRequest(br);
  assert.ok(r !== null);
  assert.equal(await r.text(), 'wxyz');
  assert.equal(r.trailer.get('T'), 'v');
  assert.equal(await nextRequest(br), null);
  await writer;
  a.close();
  b.close();
});

test('readRequest over a read()-only source', async () => {
  const msg = enc('POST /t HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\nabcdef');
  let off = 0;
  const src = {
    async read(p: Uint8Array): Promise<number | null> {
      if (off >= msg.length) return null;
      const n = Math.min(p.length, 5, msg.length - off);
      p.set(msg.subarray(off, off + n));
      off += n;
      return n;
    },
  };
  const r = await readRequest(src);
  assert.equal(r.requestURI, '/t');
  assert.equal(await r.text(), 'abcdef');
});

test('readResponse: status, length body, close-delimited, HEAD, 204/304', async () => {
  const r = await readResponse(enc('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi'));
  assert.ok(r instanceof Response);
  assert.equal(r.statusCode, 200);
  assert.equal(r.status, '200 OK');
  assert.equal(r.contentLength, 2);
  assert.equal(r.close, false);
  assert.equal(await r.text(), 'hi');
  const e = await readResponse(enc('HTTP/1.1 200 OK\r\n\r\nuntil close'));
  assert.equal(e.contentLength, -1);
  assert.equal(e.close, true);
  assert.equal(await e.text(), 'until close');
  const h = await readResponse(enc('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n'), { method: 'HEAD' });
  assert.equal(h.contentLength, 1000);
  assert.equal(await h.text(), '');
  for (const code of [204, 304, 100, 103]) {
    const n = await readResponse(enc(`HTTP/1.1 ${code} X\r\nContent-Length: 5\r\n\r\nhello`));
    assert.equal(n.statusCode, code);
    assert.equal(await n.text(), '');
  }
  const nr = await readResponse(enc('HTTP/1.1 404\r\n\r\n'));
  assert.equal(nr.status, '404');
  assert.equal(nr.statusCode, 404);
});

test('readResponse: chunked with trailer, obs-fold joined, bare LF tolerated', async () => {
  const r = await readResponse(enc('HTTP/1.1 200 OK\nTransfer-Encoding: chunked\nX-Fold: a\n  b\n\n3\r\nabc\r\n0\r\nT: 1\r\n\r\n'));
  assert.equal(r.header.get('X-Fold'), 'a b');
  assert.equal(await r.text(), 'abc');
  assert.equal(r.trailer.get('T'), '1');
});

test('readResponse: chunked + Content-Length drops the length and closes', async () => {
  const r = await readResponse(enc('HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n'));
  assert.equal(r.header.has('Content-Length'), false);
  assert.equal(r.close, true);
  assert.equal(await r.text(), 'a');
});

test('readResponse: EOF before any byte', async () => {
  await assert.rejects(readResponse(new Uint8Array(0)), (e: unknown) => e instanceof ProtocolError && e.code === 'ERR_HTTP_EOF' && e.status === 502);
});

test('readResponse: 2xx to CONNECT has no body; tunnel bytes stay buffered', async () => {
  const br = new BufReader(enc('HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01tls'));
  const r = await readResponse(br, { method: 'CONNECT' });
  assert.equal(r.statusCode, 200);
  assert.equal(await r.text(), '');
  assert.equal(Buffer.from(br.takeBuffered()).toString('latin1'), '\x16\x03\x01tls');
  const denied = await readResponse(enc('HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 4\r\n\r\nnope'), { method: 'CONNECT' });
  assert.equal(await denied.text(), 'nope');
});

test('readResponse: 1xx then the final response from one BufReader', async () => {
  const br = new BufReader(enc('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  const codes: number[] = [];
  let r;
  do {
    r = await readResponse(br);
    codes.push(r.statusCode);
  } while (r.statusCode < 200);
  assert.deepEqual(codes, [100, 103, 200]);
  assert.equal(await r.text(), 'ok');
});

test('readRequest over real loopback TCP, pipelined, then EOF', async () => {
  const { listen, dial } = await import('../../../src/net/index.js');
  const ln = await listen('tcp', '127.0.0.1:0');
  const addr = ln.addr.toString();
  const server = (async () => {
    const c = await ln.accept();
    const br = new BufReader(c);
    const got: string[] = [];
    for (;;) {
      const r = await nextRequest(br);
      if (r === null) break;
      got.push(`${r.method} ${r.requestURI} ${await r.text()}`);
    }
    c.close();
    return got;
  })();
  const c = await dial('tcp', addr);
  const big = 'z'.repeat(200000);
  await c.write(enc(`POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: ${big.length}\r\n\r\n${big}GET /b HTTP/1.1\r\nHost: h\r\n\r\n`));
  await c.closeWrite();
  const got = await server;
  c.close();
  ln.close();
  assert.deepEqual(got.map((s) => s.slice(0, 12)), ['POST /a ' + 'zzzz', 'GET /b ']);
  assert.equal(got[0].length, 'POST /a '.length + big.length);
});

test('nextRequest refuses to run while the previous body is unread; drain makes it reusable', async () => {
  const br = new BufReader(enc('POST /1 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabcGET /2 HTTP/1.1\r\nHost: h\r\n\r\n'));
  const first = await nextRequest(br);
  assert.ok(first !== null);
  await assert.rejects(nextRequest(br), { message: /previous message body on this reader was not read to its end/ });
  assert.equal(await first.body.drain(), true);
  const second = await nextRequest(br);
  assert.equal(second?.requestURI, '/2');
});

test('an origin-form target starting with // stays a path: the URL keeps the Host as authority', async () => {
  const r = await readRequest(enc('GET //evil.com/x?q=1 HTTP/1.1\r\nHost: good.test\r\n\r\n'));
  assert.equal(r.url.host, 'good.test');
  assert.equal(r.url.pathname, '//evil.com/x');
  assert.equal(r.url.search, '?q=1');
  assert.equal(r.rawPath, '//evil.com/x');
});

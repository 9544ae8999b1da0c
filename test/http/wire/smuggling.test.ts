// The smuggling table: every ambiguous or malformed framing is refused with one exact typed
// error and the status a server answers. Each row names where the error surfaces: reading the
// head (`head`) or reading the body (`body`, the server then closes the conn).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError, readRequest, readResponse } from '../../../src/http/index.js';

type Where = 'head' | 'body';
interface Row { name: string; raw: string; where: Where; status: number; code: string; msg?: string | RegExp }

const R = (h: string, body = '') => 'POST / HTTP/1.1\r\nHost: h\r\n' + h + '\r\n' + body;
const chunked = (body: string) => R('Transfer-Encoding: chunked\r\n', body);

async function outcome(raw: string, response = false, method?: string): Promise<{ where: Where | 'ok'; err?: unknown; body?: string }> {
  const src = Buffer.from(raw, 'latin1');
  let msg;
  try {
    msg = response ? await readResponse(src, { method }) : await readRequest(src);
  } catch (err) {
    return { where: 'head', err };
  }
  try {
    return { where: 'ok', body: await msg.text() };
  } catch (err) {
    return { where: 'body', err };
  }
}

function check(row: Row, got: { where: Where | 'ok'; err?: unknown; body?: string }): void {
  assert.equal(got.where, row.where, `${row.name}: expected failure in ${row.where}, got ${got.where} ${String(got.err ?? got.body)}`);
  const e = got.err;
  assert.ok(e instanceof ProtocolError, `${row.name}: ${String(e)}`);
  assert.equal(e.code, row.code, `${row.name}: ${e.message}`);
  assert.equal(e.status, row.status, `${row.name}: ${e.message}`);
  if (typeof row.msg === 'string') assert.equal(e.message, row.msg, row.name);
  else if (row.msg !== undefined) assert.match(e.message, row.msg, row.name);
}

const X = 'x'.repeat(5000);

const requestRows: Row[] = [
  // Framing conflicts.
  { name: 'CL + TE', raw: R('Content-Length: 5\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\n'), where: 'head', status: 400, code: 'ERR_HTTP_CL_AND_TE', msg: 'request has both Content-Length and Transfer-Encoding' },
  { name: 'TE + CL (other order)', raw: R('Transfer-Encoding: chunked\r\nContent-Length: 5\r\n', '0\r\n\r\n'), where: 'head', status: 400, code: 'ERR_HTTP_CL_AND_TE' },
  { name: 'duplicate differing CL', raw: R('Content-Length: 5\r\nContent-Length: 6\r\n', 'hello!'), where: 'head', status: 400, code: 'ERR_HTTP_CONTENT_LENGTH', msg: 'conflicting Content-Length values "5, 6"' },
  { name: 'CL 5 vs 05', raw: R('Content-Length: 5\r\nContent-Length: 05\r\n', 'hello'), where: 'head', status: 400, code: 'ERR_HTTP_CONTENT_LENGTH' },
  { name: 'CL list in one field', raw: R('Content-Length: 5, 5\r\n', 'hello'), where: 'head', status: 400, code: 'ERR_HTTP_CONTENT_LENGTH', msg: 'invalid Content-Length "5, 5"' },
  { name: 'CL negative', raw: R('Content-Length: -1\r\n'), where: 'head', status: 400, code: 'ERR_HTTP_CONTENT_LENGTH' },
  { name: 'CL plus sign', raw: R('Content-Length: +5\r\n', 'hello'), where: 'head', status: 400, code: 'ERR_HTTP_CONTENT_LENGTH' },
  { name: 'CL hex', raw: R('Content-Length: 0x5\r\n', 'hello'), where: 'head', status: 400, code: 'ERR_HTTP_CONTENT_LENGTH' },
  { name: 'CL empty', raw: R('Content-Length: \r\n'), where: 'head', status: 400, code: 'ERR_HTTP_CONTENT_LENGTH', msg: 'invalid Content-Length ""' },
  { name: 'CL inner space', raw: R('Content-Length: 1 2\r\n'), where: 'head', status: 400, code: 'ERR_HTTP_CONTENT_LENGTH' },
  { name: 'CL overflow', raw: R('Content-Length: 99999999999999999999\r\n'), where: 'head', status: 413, code: 'ERR_HTTP_CONTENT_LENGTH', msg: 'Content-Length "99999999999999999999" too large' },
  { name: 'TE chunked, identity', raw: R('Transfer-Encoding: chunked, identity\r\n', '0\r\n\r\n'), where: 'head', status: 501, code: 'ERR_HTTP_UNSUPPORTED_TE', msg: 'unsupported transfer encoding "chunked, identity"' },
  { name: 'TE gzip, chunked', raw: R('Transfer-Encoding: gzip, chunked\r\n', '0\r\n\r\n'), where: 'head', status: 501, code: 'ERR_HTTP_UNSUPPORTED_TE' },
  { name: 'TE identity', raw: R('Transfer-Encoding: identity\r\n'), where: 'head', status: 501, code: 'ERR_HTTP_UNSUPPORTED_TE' },
  { name: 'TE chunked twice (two fields)', raw: R('Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\n'), where: 'head', status: 501, code: 'ERR_HTTP_UNSUPPORTED_TE' },
  { name: 'TE xchunked', raw: R('Transfer-Encoding: xchunked\r\n', '0\r\n\r\n'), where: 'head', status: 501, code: 'ERR_HTTP_UNSUPPORTED_TE' },
  { name: 'TE empty', raw: R('Transfer-Encoding:\r\n'), where: 'head', status: 501, code: 'ERR_HTTP_UNSUPPORTED_TE' },
  { name: 'TE on HTTP/1.0', raw: 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', where: 'head', status: 400, code: 'ERR_HTTP_TE_HTTP10' },
  // Field syntax.
  { name: 'obs-fold', raw: R('X-A: a\r\n b\r\n'), where: 'head', status: 400, code: 'ERR_HTTP_OBS_FOLD' },
  { name: 'obs-fold hiding TE', raw: R('X-A: a\r\n\tTransfer-Encoding: chunked\r\nContent-Length: 0\r\n'), where: 'head', status: 400, code: 'ERR_HTTP_OBS_FOLD' },
  { name: 'leading whitespace on first field', raw: 'GET / HTTP/1.1\r\n Host: h\r\n\r\n', where: 'head', status: 400, code: 'ERR_HTTP_OBS_FOLD' },
  { name: 'space before colon', raw: R('Transfer-Encoding : chunked\r\n', '0\r\n\r\n'), where: 'head', status: 400, code: 'ERR_HTTP_INVALID_HEADER_NAME', msg: 'whitespace between header field name and colon: "Transfer-Encoding "' },
  { name: 'tab before colon', raw: R('Content-Length\t: 0\r\n'), where: 'head', status: 400, code: 'ERR_HTTP_INVALID_HEADER_NAME' },
  { name: 'no colon', raw: R('Content-Length 0\r\n'), where: 'head', status: 400, code: 'ERR_HTTP_MALFORMED_HEADER', msg: 'malformed header line (no colon): "Content-Length 0"' },
  { name: 'empty name', raw: R(': v\r\n'), where: 'head', status: 400, code: 'ERR_HTTP_INVALID_HEADER_NAME', msg: 'empty header field name' },
  { name: 'non-token name', raw: R('X[1]: v\r\n'), where: 'head', status: 400, code: 'ERR_HTTP_INVALID_HEADER_NAME', msg: 'invalid header field name "X[1]"' },
  { name: 'non-ASCII name', raw: R('X-\xe9: v\r\n'), where: 'head', status: 400, code: 'ERR_HTTP_INVALID_HEADER_NAME' },
  { name: 'bare CR in value', raw: R('X-A: a\rTransfer-Encoding: chunked\r\n'), where: 'head', status: 400, code: 'ERR_HTTP_BARE_CR', msg: 'bare CR in header field' },
  { name: 'bare CR in request line', raw: 'GET /\r HTTP/1.1\r\nHost: h\r\n\r\n', where: 'head', status: 400, code: 'ERR_HTTP_BARE_CR', msg: 'bare CR in request line' },
  { name: 'bare LF line end', raw: 'GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n', where: 'head', status: 400, code: 'ERR_HTTP_BARE_LF', msg: 'bare LF line ending in header field (CRLF required)' },
  { name: 'bare LF everywhere', raw: 'GET / HTTP/1.1\nHost: h\n\n', where: 'head', status: 400, code: 'ERR_HTTP_BARE_LF' },
  { name: 'NUL in value', raw: R('X-A: a\x00b\r\n'), where: 'head', status: 400, code: 'ERR_HTTP_INVALID_BYTE', msg: 'invalid byte 0x00 in header field' },
  { name: 'DEL in value', raw: R('X-A: a\x7fb\r\n'), where: 'head', status: 400, code: 'ERR_HTTP_INVALID_BYTE' },
  { name: 'VT in value', raw: R('X-A: a\x0bb\r\n'), where: 'head', status: 400, code: 'ERR_HTTP_INVALID_BYTE' },
  { name: 'NUL in target', raw: 'GET /a\x00 HTTP/1.1\r\nHost: h\r\n\r\n', where: 'head', status: 400, code: 'ERR_HTTP_INVALID_BYTE', msg: 'invalid byte 0x00 in request line' },
  { name: 'tab in target', raw: 'GET /a\tb HTTP/1.1\r\nHost: h\r\n\r\n', where: 'head', status: 400, code: 'ERR_HTTP_INVALID_TARGET' },
  // Host.
  { name: 'missing Host on 1.1', raw: 'GET / HTTP/1.1\r\n\r\n', where: 'head', status: 400, code: 'ERR_HTTP_HOST', msg: 'missing required Host header' },
  { name: 'two Hosts', raw: 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', where: 'head', status: 400, code: 'ERR_HTTP_HOST', msg: 'too many Host headers' },
  { name: 'malformed Host', raw: 'GET / HTTP/1.1\r\nHost: a b\r\n\r\n', where: 'head', status: 400, code: 'ERR_HTTP_HOST', msg: 'malformed Host header "a b"' },
  { name: 'Host with slash', raw: 'GET / HTTP/1.1\r\nHost: a/b\r\n\r\n', where: 'head', status: 400, code: 'ERR_HTTP_HOST' },
  // Request line.
  { name: 'bad method', raw: 'G(T / HTTP/1.1\r\nHost: h\r\n\r\n', where: 'head', status: 400, code: 'ERR_HTTP_INVALID_METHOD', msg: 'invalid method "G(T"' },
  { name: 'one token only', raw: 'GET\r\nHost: h\r\n\r\n', where: 'head', status: 400, code: 'ERR_HTTP_MALFORMED_REQUEST', msg: 'malformed HTTP request "GET"' },
  { name: 'double space', raw: 'GET  / HTTP/1.1\r\nHost: h\r\n\r\n', where: 'head', status: 400, code: 'ERR_HTTP_MALFORMED_VERSION' },
  { name: 'trailing space after version', raw: 'GET / HTTP/1.1 \r\nHost: h\r\n\r\n', where: 'head', status: 400, code: 'ERR_HTTP_MALFORMED_VERSION' },
  { name: 'lower-case version', raw: 'GET / http/1.1\r\nHost: h\r\n\r\n', where: 'head', status: 400, code: 'ERR_HTTP_MALFORMED_VERSION', msg: 'malformed HTTP version "http/1.1"' },
  { name: 'version HTTP/1', raw: 'GET / HTTP/1\r\nHost: h\r\n\r\n', where: 'head', status: 400, code: 'ERR_HTTP_MALFORMED_VERSION' },
  { name: 'version HTTP/1.10', raw: 'GET / HTTP/1.10\r\nHost: h\r\n\r\n', where: 'head', status: 400, code: 'ERR_HTTP_MALFORMED_VERSION' },
  { name: 'version HTTP/2.0', raw: 'GET / HTTP/2.0\r\nHost: h\r\n\r\n', where: 'head', status: 505, code: 'ERR_HTTP_VERSION', msg: 'unsupported protocol version "HTTP/2.0"' },
  { name: 'version HTTP/0.9', raw: 'GET / HTTP/0.9\r\n\r\n', where: 'head', status: 505, code: 'ERR_HTTP_VERSION' },
  { name: 'h2 preface', raw: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', where: 'head', status: 505, code: 'ERR_HTTP2_PREFACE' },
  { name: 'relative target', raw: 'GET foo HTTP/1.1\r\nHost: h\r\n\r\n', where: 'head', status: 400, code: 'ERR_HTTP_INVALID_TARGET', msg: 'invalid request-target "foo"' },
  { name: '* with GET', raw: 'GET * HTTP/1.1\r\nHost: h\r\n\r\n', where: 'head', status: 400, code: 'ERR_HTTP_INVALID_TARGET' },
  { name: 'CONNECT without port', raw: 'CONNECT example.com HTTP/1.1\r\n\r\n', where: 'head', status: 400, code: 'ERR_HTTP_INVALID_TARGET' },
  { name: 'absolute without host', raw: 'GET http:///x HTTP/1.1\r\nHost: h\r\n\r\n', where: 'head', status: 400, code: 'ERR_HTTP_INVALID_TARGET' },
  { name: 'two empty lines first', raw: '\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n', where: 'head', status: 400, code: 'ERR_HTTP_MALFORMED_REQUEST' },
  // Sizes.
  { name: 'request line too long', raw: 'GET /' + 'a'.repeat(70000) + ' HTTP/1.1\r\nHost: h\r\n\r\n', where: 'head', status: 414, code: 'ERR_HTTP_URI_TOO_LONG', msg: 'request line longer than 65536 bytes' },
  { name: 'header line too long', raw: R('X-Big: ' + 'a'.repeat(70000) + '\r\n'), where: 'head', status: 431, code: 'ERR_HTTP_HEADER_LINE_TOO_LONG' },
  { name: 'head too large', raw: R(('X-Many: ' + 'a'.repeat(1000) + '\r\n').repeat(1100)), where: 'head', status: 431, code: 'ERR_HTTP_HEADERS_TOO_LARGE', msg: 'request headers larger than 1052672 bytes' },
  { name: 'truncated head', raw: 'GET / HTTP/1.1\r\nHost: h\r\n', where: 'head', status: 400, code: 'ERR_HTTP_UNEXPECTED_EOF', msg: 'unexpected EOF reading request head' },
  // Trailers declared in the head.
  { name: 'declared trailer Content-Length', raw: R('Transfer-Encoding: chunked\r\nTrailer: Content-Length\r\n', '0\r\n\r\n'), where: 'head', status: 400, code: 'ERR_HTTP_BAD_TRAILER' },
  // Chunked body.
  { name: 'chunk size not hex', raw: chunked('g\r\nx\r\n0\r\n\r\n'), where: 'body', status: 400, code: 'ERR_HTTP_CHUNKED', msg: 'invalid chunk size "g"' },
  { name: 'chunk size 0x', raw: chunked('0x5\r\nhello\r\n0\r\n\r\n'), where: 'body', status: 400, code: 'ERR_HTTP_CHUNKED', msg: 'invalid chunk size "0x5"' },
  { name: 'chunk size negative', raw: chunked('-5\r\nhello\r\n0\r\n\r\n'), where: 'body', status: 400, code: 'ERR_HTTP_CHUNKED' },
  { name: 'chunk size leading space', raw: chunked(' 5\r\nhello\r\n0\r\n\r\n'), where: 'body', status: 400, code: 'ERR_HTTP_CHUNKED' },
  { name: 'chunk size empty', raw: chunked('\r\nhello\r\n0\r\n\r\n'), where: 'body', status: 400, code: 'ERR_HTTP_CHUNKED', msg: 'invalid chunk size ""' },
  { name: 'chunk size overflow', raw: chunked('fffffffffffffffffff\r\nx\r\n'), where: 'body', status: 400, code: 'ERR_HTTP_CHUNKED', msg: 'http chunk length too large' },
  { name: 'chunk size 2^53', raw: chunked('20000000000000\r\nx\r\n'), where: 'body', status: 400, code: 'ERR_HTTP_CHUNKED', msg: 'http chunk length too large' },
  { name: 'chunk size bare LF', raw: chunked('5\nhello\r\n0\r\n\r\n'), where: 'body', status: 400, code: 'ERR_HTTP_BARE_LF' },
  { name: 'chunk data not followed by CRLF', raw: chunked('5\r\nhelloXX0\r\n\r\n'), where: 'body', status: 400, code: 'ERR_HTTP_CHUNKED', msg: 'malformed chunked encoding: chunk data not followed by CRLF' },
  { name: 'chunk data followed by LF only', raw: chunked('5\r\nhello\n0\r\n\r\n'), where: 'body', status: 400, code: 'ERR_HTTP_CHUNKED' },
  { name: 'chunk data longer than size', raw: chunked('3\r\nhello\r\n0\r\n\r\n'), where: 'body', status: 400, code: 'ERR_HTTP_CHUNKED' },
  { name: 'huge chunk-ext line', raw: chunked('5;' + X + '\r\nhello\r\n0\r\n\r\n'), where: 'body', status: 400, code: 'ERR_HTTP_CHUNKED', msg: 'chunk-size line longer than 4096 bytes' },
  { name: 'huge chunk-ext, no line end yet', raw: chunked('5;' + X), where: 'body', status: 400, code: 'ERR_HTTP_CHUNKED', msg: 'chunk-size line longer than 4096 bytes' },
  { name: 'NUL in chunk-ext', raw: chunked('5;a\x00b\r\nhello\r\n0\r\n\r\n'), where: 'body', status: 400, code: 'ERR_HTTP_CHUNKED', msg: 'invalid byte in chunk extension' },
  { name: 'bare CR in chunk-ext', raw: chunked('5;a\rb\r\nhello\r\n0\r\n\r\n'), where: 'body', status: 400, code: 'ERR_HTTP_CHUNKED' },
  { name: 'too much non-data', raw: chunked(('1;' + 'e'.repeat(200) + '\r\nx\r\n').repeat(200) + '0\r\n\r\n'), where: 'body', status: 400, code: 'ERR_HTTP_CHUNKED', msg: 'chunked encoding contains too much non-data' },
  { name: 'missing last chunk', raw: chunked('5\r\nhello\r\n'), where: 'body', status: 400, code: 'ERR_HTTP_UNEXPECTED_EOF', msg: 'unexpected EOF reading chunked request body' },
  { name: 'missing final CRLF', raw: chunked('0\r\n'), where: 'body', status: 400, code: 'ERR_HTTP_UNEXPECTED_EOF' },
  { name: 'trailer Content-Length', raw: chunked('0\r\nContent-Length: 5\r\n\r\n'), where: 'body', status: 400, code: 'ERR_HTTP_BAD_TRAILER', msg: 'bad trailer key "Content-Length"' },
  { name: 'trailer Transfer-Encoding', raw: chunked('0\r\nTransfer-Encoding: chunked\r\n\r\n'), where: 'body', status: 400, code: 'ERR_HTTP_BAD_TRAILER' },
  { name: 'trailer obs-fold', raw: chunked('0\r\nX: a\r\n b\r\n\r\n'), where: 'body', status: 400, code: 'ERR_HTTP_OBS_FOLD' },
  { name: 'trailer bare LF', raw: chunked('0\r\nX: a\n\r\n'), where: 'body', status: 400, code: 'ERR_HTTP_BARE_LF' },
  { name: 'trailer NUL', raw: chunked('0\r\nX: a\x00\r\n\r\n'), where: 'body', status: 400, code: 'ERR_HTTP_INVALID_BYTE' },
  { name: 'trailer too large', raw: chunked('0\r\n' + ('X: ' + 'a'.repeat(1000) + '\r\n').repeat(70) + '\r\n'), where: 'body', status: 400, code: 'ERR_HTTP_HEADERS_TOO_LARGE' },
  { name: 'short CL body', raw: R('Content-Length: 10\r\n', 'abc'), where: 'body', status: 400, code: 'ERR_HTTP_UNEXPECTED_EOF' },
];

test('request smuggling table: each row one exact typed error', async () => {
  for (const row of requestRows) check(row, await outcome(row.raw));
});

test('accepted variants stay unambiguous', async () => {
  const ok = async (raw: string) => {
    const got = await outcome(raw);
    assert.equal(got.where, 'ok', `${JSON.stringify(raw.slice(0, 80))}: ${String(got.err)}`);
    return got.body;
  };
  assert.equal(await ok(R('Content-Length: 5\r\nContent-Length: 5\r\n', 'hello')), 'hello');
  assert.equal(await ok(R('Transfer-Encoding: Chunked\r\n', '5\r\nhello\r\n0\r\n\r\n')), 'hello');
  assert.equal(await ok(R('Transfer-Encoding:  chunked \t\r\n', '5 ;a=b\r\nhello\r\n0\r\n\r\n')), 'hello');
  assert.equal(await ok(R('Content-Length: 0005\r\n', 'hello')), 'hello');
  assert.equal(await ok('\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n'), '');
  assert.equal(await ok(chunked('A\r\n0123456789\r\n0\r\n\r\n')), '0123456789');
  assert.equal(await ok(chunked('a\r\n0123456789\r\n0;last\r\n\r\n')), '0123456789');
  assert.equal(await ok(R('X-Obs: caf\xe9\r\n')), '');
});

const S = (h: string, body = '') => 'HTTP/1.1 200 OK\r\n' + h + '\r\n' + body;
const responseRows: Row[] = [
  { name: 'resp differing CL', raw: S('Content-Length: 1\r\nContent-Length: 2\r\n', 'ab'), where: 'head', status: 502, code: 'ERR_HTTP_CONTENT_LENGTH' },
  { name: 'resp bad CL', raw: S('Content-Length: x\r\n'), where: 'head', status: 502, code: 'ERR_HTTP_CONTENT_LENGTH' },
  { name: 'resp TE gzip', raw: S('Transfer-Encoding: gzip\r\n'), where: 'head', status: 502, code: 'ERR_HTTP_UNSUPPORTED_TE' },
  { name: 'resp TE chunked, identity', raw: S('Transfer-Encoding: chunked, identity\r\n'), where: 'head', status: 502, code: 'ERR_HTTP_UNSUPPORTED_TE' },
  { name: 'resp space before colon', raw: S('Content-Length : 1\r\n'), where: 'head', status: 502, code: 'ERR_HTTP_INVALID_HEADER_NAME' },
  { name: 'resp bare CR', raw: S('X: a\rb\r\n'), where: 'head', status: 502, code: 'ERR_HTTP_BARE_CR', msg: 'bare CR in header field' },
  { name: 'resp NUL', raw: S('X: a\x00\r\n'), where: 'head', status: 502, code: 'ERR_HTTP_INVALID_BYTE' },
  { name: 'resp status 4 digits', raw: 'HTTP/1.1 2000 OK\r\n\r\n', where: 'head', status: 502, code: 'ERR_HTTP_MALFORMED_STATUS', msg: 'malformed HTTP status code "2000 OK"' },
  { name: 'resp status 2 digits', raw: 'HTTP/1.1 20 OK\r\n\r\n', where: 'head', status: 502, code: 'ERR_HTTP_MALFORMED_STATUS' },
  { name: 'resp status 099', raw: 'HTTP/1.1 099 X\r\n\r\n', where: 'head', status: 502, code: 'ERR_HTTP_MALFORMED_STATUS' },
  { name: 'resp no status', raw: 'HTTP/1.1\r\n\r\n', where: 'head', status: 502, code: 'ERR_HTTP_MALFORMED_RESPONSE' },
  { name: 'resp bad version', raw: 'HTTP/1.x 200 OK\r\n\r\n', where: 'head', status: 502, code: 'ERR_HTTP_MALFORMED_VERSION' },
  { name: 'resp version 2', raw: 'HTTP/2.0 200 OK\r\n\r\n', where: 'head', status: 502, code: 'ERR_HTTP_VERSION' },
  { name: 'resp chunk 0x', raw: S('Transfer-Encoding: chunked\r\n', '0x1\r\na\r\n0\r\n\r\n'), where: 'body', status: 502, code: 'ERR_HTTP_CHUNKED' },
  { name: 'resp chunk overflow', raw: S('Transfer-Encoding: chunked\r\n', 'ffffffffffffffffffff\r\n'), where: 'body', status: 502, code: 'ERR_HTTP_CHUNKED', msg: 'http chunk length too large' },
  { name: 'resp truncated chunked', raw: S('Transfer-Encoding: chunked\r\n', '5\r\nab'), where: 'body', status: 502, code: 'ERR_HTTP_UNEXPECTED_EOF', msg: 'unexpected EOF reading chunked response body' },
  { name: 'resp trailer too large', raw: S('Transfer-Encoding: chunked\r\n', '0\r\n' + ('X: ' + 'a'.repeat(1000) + '\r\n').repeat(70) + '\r\n'), where: 'body', status: 502, code: 'ERR_HTTP_HEADERS_TOO_LARGE' },
  { name: 'resp trailer CL', raw: S('Transfer-Encoding: chunked\r\n', '0\r\nContent-Length: 1\r\n\r\n'), where: 'body', status: 502, code: 'ERR_HTTP_BAD_TRAILER' },
  { name: 'resp short CL body', raw: S('Content-Length: 9\r\n', 'abc'), where: 'body', status: 502, code: 'ERR_HTTP_UNEXPECTED_EOF', msg: 'unexpected EOF reading response body' },
  { name: 'resp truncated head', raw: 'HTTP/1.1 200 OK\r\nX: y', where: 'head', status: 502, code: 'ERR_HTTP_UNEXPECTED_EOF', msg: 'unexpected EOF reading response head' },
];

test('response smuggling table: each row one exact typed error (502)', async () => {
  for (const row of responseRows) check(row, await outcome(row.raw, true));
});

test('response header limit is configurable', async () => {
  const raw = Buffer.from(S(('X: ' + 'a'.repeat(100) + '\r\n').repeat(20)), 'latin1');
  await assert.rejects(readResponse(raw, { maxHeaderBytes: 1000 }), (e: unknown) =>
    e instanceof ProtocolError && e.code === 'ERR_HTTP_HEADERS_TOO_LARGE' && e.status === 502 &&
    e.message === 'server response headers exceeded 1000 bytes; aborted');
  const r = await readResponse(raw, { maxHeaderBytes: 4000 });
  assert.equal(r.header.values('X').length, 20);
});

test('request limits are configurable', async () => {
  const raw = Buffer.from(R(('X: ' + 'a'.repeat(100) + '\r\n').repeat(20)), 'latin1');
  await assert.rejects(readRequest(raw, { maxHeaderBytes: 1000 }), (e: unknown) =>
    e instanceof ProtocolError && e.status === 431 && e.code === 'ERR_HTTP_HEADERS_TOO_LARGE');
  await assert.rejects(readRequest(Buffer.from('GET /' + 'a'.repeat(200) + ' HTTP/1.1\r\nHost: h\r\n\r\n'), { maxLineBytes: 100 }), (e: unknown) =>
    e instanceof ProtocolError && e.status === 414);
  const lax = await readRequest(Buffer.from('GET / HTTP/1.1\nHost: h\n\n'), { allowBareLF: true });
  assert.equal(lax.host, 'h');
  const noHost = await readRequest(Buffer.from('GET / HTTP/1.1\r\n\r\n'), { requireHost: false });
  assert.equal(noHost.host, '');
});

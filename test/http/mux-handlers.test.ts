import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  error, notFound, redirect, redirectHandler, stripPrefix, timeoutHandler, HandlerTimeoutError, cleanPath,
  cleanPathLexical, serveWith, maxBytesHandler, MaxBytesError, type HandlerFunc,
} from '../../src/http/handler.js';
import { ResponseRecorder, newRequest } from '../../src/http/httptest.js';

describe('error and notFound', () => {
  test('error sets text/plain, nosniff, drops Content-Length, adds a newline', async () => {
    const w = new ResponseRecorder();
    w.header().set('Content-Length', '99');
    await error(w, 'nope', 418);
    assert.equal(w.code, 418);
    assert.equal(w.header().has('Content-Length'), false);
    assert.equal(w.header().get('Content-Type'), 'text/plain; charset=utf-8');
    assert.equal(w.header().get('X-Content-Type-Options'), 'nosniff');
    assert.equal(w.bodyText, 'nope\n');
  });

  test('notFound', async () => {
    const w = new ResponseRecorder();
    await notFound(w);
    assert.equal(w.code, 404);
    assert.equal(w.bodyText, '404 page not found\n');
  });
});

describe('redirect', () => {
  // Request path /qux/, as in Go's own tests.
  const cases: [string, string][] = [
    ['http://foobar.com/baz', 'http://foobar.com/baz'],
    ['https://foobar.com/baz', 'https://foobar.com/baz'],
    ['test://foobar.com/baz', 'test://foobar.com/baz'],
    ['//foobar.com/baz', '//foobar.com/baz'],
    ['/foobar.com/baz', '/foobar.com/baz'],
    ['foobar.com/baz', '/qux/foobar.com/baz'],
    ['../quux/foobar.com/baz', '/quux/foobar.com/baz'],
    ['/quux/../foobar.com/baz', '/foobar.com/baz'],
    ['/../quux/foobar.com/baz', '/quux/foobar.com/baz'],
    ['../quux/foobar.com/baz?a=b', '/quux/foobar.com/baz?a=b'],
    ['./', '/qux/'],
    ['../', '/'],
    ['.', '/qux'],
    ['', '/qux/'],
    ['?q=1', '/qux/?q=1'],
    ['a//b/./c/', '/qux/a/b/c/'],
    ['/你好', '/%E4%BD%A0%E5%A5%BD'],
    ['/%e4%bd%a0', '/%e4%bd%a0'],
    ['http://example.com/hello?q=%e4%bd%a0', 'http://example.com/hello?q=%e4%bd%a0'],
  ];
  for (const [url, location] of cases) {
    test(`${JSON.stringify(url)} → ${location}`, async () => {
      const w = new ResponseRecorder();
      await redirect(w, newRequest('GET', '/qux/'), url, 302);
      assert.equal(w.code, 302);
      assert.equal(w.header().get('Location'), location);
    });
  }

  test('GET gets text/html and a link body; HEAD no body; POST neither', async () => {
    const g = new ResponseRecorder();
    await redirect(g, newRequest('GET', '/'), '/a?x=<1>&y="2"', 301);
    assert.equal(g.header().get('Content-Type'), 'text/html; charset=utf-8');
    assert.equal(g.bodyText, '<a href="/a?x=&lt;1&gt;&amp;y=&#34;2&#34;">Moved Permanently</a>.\n\n');
    const h = new ResponseRecorder();
    await redirect(h, newRequest('HEAD', '/'), '/a', 307);
    assert.equal(h.header().get('Content-Type'), 'text/html; charset=utf-8');
    assert.equal(h.bodyText, '');
    const p = new ResponseRecorder();
    await redirect(p, newRequest('POST', '/'), '/a', 303);
    assert.equal(p.header().has('Content-Type'), false);
    assert.equal(p.bodyText, '');
  });

  test('an existing Content-Type suppresses the body', async () => {
    const w = new ResponseRecorder();
    w.header().set('Content-Type', 'application/json');
    await redirect(w, newRequest('GET', '/'), '/a', 302);
    assert.equal(w.header().get('Content-Type'), 'application/json');
    assert.equal(w.bodyText, '');
  });

  test('redirectHandler', async () => {
    const w = new ResponseRecorder();
    await serveWith(redirectHandler('/new', 308), w, newRequest('PUT', '/old'));
    assert.equal(w.code, 308);
    assert.equal(w.header().get('Location'), '/new');
  });
});

describe('cleanPath', () => {
  const cases: [string, string][] = [
    ['', '/'], ['/', '/'], ['a', '/a'], ['/a/', '/a/'], ['//a//b//', '/a/b/'], ['/a/./b', '/a/b'], ['/a/../b', '/b'],
    ['/../a', '/a'], ['/a/b/..', '/a'], ['/a/b/../', '/a/'], ['/./', '/'], ['/..', '/'], ['/...', '/...'],
  ];
  for (const [p, want] of cases) test(`${JSON.stringify(p)} → ${want}`, () => assert.equal(cleanPath(p), want));
  test('lexical clean of relative paths keeps leading ..', () => {
    assert.equal(cleanPathLexical('../a/../../b'), '../../b');
    assert.equal(cleanPathLexical(''), '.');
    assert.equal(cleanPathLexical('a/..'), '.');
  });
});

describe('stripPrefix', () => {
  const seen: HandlerFunc = (w, r) => { w.write(r.url.pathname + r.url.search); };

  test('strips and passes the rest on; the original request is untouched', async () => {
    const w = new ResponseRecorder();
    const r = newRequest('GET', '/static/css/a.css?v=2');
    await serveWith(stripPrefix('/static', seen), w, r);
    assert.equal(w.bodyText, '/css/a.css?v=2');
    assert.equal(r.url.pathname, '/static/css/a.css');
  });

  test('prefix with a trailing slash: the rest gets a leading slash', async () => {
    const w = new ResponseRecorder();
    await serveWith(stripPrefix('/static/', seen), w, newRequest('GET', '/static/a.css'));
    assert.equal(w.bodyText, '/a.css');
  });

  test('no match → 404', async () => {
    const w = new ResponseRecorder();
    await serveWith(stripPrefix('/static', seen), w, newRequest('GET', '/other/a.css'));
    assert.equal(w.code, 404);
  });

  test('path values and methods still work on the stripped request', async () => {
    const r = newRequest('GET', '/p/x');
    r.setPathValue('k', 'v');
    const w = new ResponseRecorder();
    await serveWith(stripPrefix('/p', (w2, r2) => {
      r2.setPathValue('k2', 'v2');
      w2.write(r2.pathValue('k') + r2.pathValue('k2') + r2.method);
    }), w, r);
    assert.equal(w.bodyText, 'vv2GET');
  });

  test('empty prefix returns the handler itself', () => {
    assert.equal(stripPrefix('', seen), seen);
  });
});

describe('timeoutHandler', () => {
  test('a fast handler is passed through with its status, headers and body', async () => {
    const h = timeoutHandler((w) => {
      w.header().set('X-A', '1');
      w.writeHeader(201);
      w.write('made');
    }, 1000);
    const w = new ResponseRecorder();
    await h(w, newRequest('POST', '/'));
    assert.equal(w.code, 201);
    assert.equal(w.header().get('X-A'), '1');
    assert.equal(w.bodyText, 'made');
  });

  test('a slow handler: 503 with the message, its signal aborted, later writes throw', async () => {
    let signal: AbortSignal | undefined;
    let lateWrite: unknown;
    let done!: () => void;
    const finished = new Promise<void>((r) => { done = r; });
    const h = timeoutHandler(async (w, r) => {
      signal = r.signal;
      await new Promise((res) => setTimeout(res, 60));
      try { w.write('too late'); } catch (e) { lateWrite = e; }
      done();
    }, 20, 'slow down');
    const w = new ResponseRecorder();
    await h(w, newRequest('GET', '/'));
    assert.equal(w.code, 503);
    assert.equal(w.bodyText, 'slow down');
    assert.equal(signal?.aborted, true);
    await finished;
    assert.ok(lateWrite instanceof HandlerTimeoutError);
    assert.equal(w.bodyText, 'slow down');
  });

  test('default message is Go\'s timeout page', async () => {
    const h = timeoutHandler(() => new Promise((r) => setTimeout(r, 50)), 5);
    const w = new ResponseRecorder();
    await h(w, newRequest('GET', '/'));
    assert.equal(w.code, 503);
    assert.equal(w.bodyText, '<html><head><title>Timeout</title></head><body><h1>Timeout</h1></body></html>');
  });

  test('a handler error propagates', async () => {
    const h = timeoutHandler(async () => { throw new Error('bad'); }, 1000);
    await assert.rejects(async () => h(new ResponseRecorder(), newRequest('GET', '/')), { message: 'bad' });
  });
});

describe('maxBytesHandler', () => {
  const reader: HandlerFunc = async (w, r) => {
    try {
      const body = await r.body.text();
      w.write('got ' + body);
    } catch (e) {
      if (e instanceof MaxBytesError) await error(w, `too large (limit ${e.limit})`, 413);
      else throw e;
    }
  };

  for (const [size, limit, ok] of [[0, 0, true], [5, 10, true], [10, 10, true], [11, 10, false], [100000, 10, false], [1, 0, false]] as const) {
    test(`${size}-byte body, limit ${limit}: ${ok ? 'read' : '413'}`, async () => {
      const w = new ResponseRecorder();
      await maxBytesHandler(reader, limit)(w, newRequest('POST', '/', { body: 'x'.repeat(size) }));
      if (ok) {
        assert.equal(w.code, 200);
        assert.equal(w.bodyText, 'got ' + 'x'.repeat(size));
      } else {
        assert.equal(w.code, 413);
        assert.equal(w.bodyText, `too large (limit ${limit})\n`);
      }
    });
  }

  test('reads up to the limit, then the error; requestTooLarge is called', async () => {
    let told = 0;
    const w = Object.assign(new ResponseRecorder(), { requestTooLarge: () => { told++; } });
    await maxBytesHandler(async (_w, r) => {
      const p = new Uint8Array(4);
      assert.equal(await r.body.read(p), 4);
      assert.equal(await r.body.read(p), 2); // the 6 allowed bytes
      await assert.rejects(() => r.body.read(p), MaxBytesError);
    }, 6)(w, newRequest('POST', '/', { body: 'abcdefgh' }));
    assert.equal(told, 1);
  });
});

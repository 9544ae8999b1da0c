import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ServeMux, PatternError, parsePattern, _testing } from '../../src/http/mux.js';
import { ResponseRecorder, newRequest, type NewRequestInit } from '../../src/http/httptest.js';
import type { HandlerFunc } from '../../src/http/handler.js';
import type { Request } from '../../src/http/request.js';

const { comparePaths, compareMethods, conflicts, commonPath, differencePath, describeConflict } = _testing;

const inverse = (r: string): string => (r === 'moreGeneral' ? 'moreSpecific' : r === 'moreSpecific' ? 'moreGeneral' : r);

/** A handler that writes its pattern and the path values it was given. */
function tag(pattern: string, names: string[] = []): HandlerFunc {
  return (w, r) => {
    w.header().set('X-Pattern', pattern);
    w.write(JSON.stringify({ pattern, values: Object.fromEntries(names.map((n) => [n, r.pathValue(n)])) }));
  };
}

/** Registers each pattern with a handler that reports it, capturing `{name}` wildcard names. */
function muxOf(patterns: string[]): ServeMux {
  const mux = new ServeMux();
  for (const p of patterns) {
    const names = [...p.matchAll(/\{([^}.$]+)(?:\.\.\.)?\}/g)].map((m) => m[1]);
    mux.handle(p, tag(p, names));
  }
  return mux;
}

async function serve(mux: ServeMux, method: string, target: string, init?: NewRequestInit): Promise<{ w: ResponseRecorder; r: Request }> {
  const w = new ResponseRecorder();
  const r = newRequest(method, target, init);
  await mux.serveHTTP(w, r);
  return { w, r };
}


describe('parsePattern', () => {
  const lit = (s: string) => ({ s, wild: false, multi: false });
  const wild = (s: string) => ({ s, wild: true, multi: false });
  const multi = (s: string) => ({ s, wild: true, multi: true });
  const cases: [string, string, string, object[]][] = [
    ['/', '', '', [multi('')]],
    ['/a', '', '', [lit('a')]],
    ['/a/', '', '', [lit('a'), multi('')]],
    ['/path/to/something', '', '', [lit('path'), lit('to'), lit('something')]],
    ['/{w1}/lit/{w2}', '', '', [wild('w1'), lit('lit'), wild('w2')]],
    ['/{w1}/lit/{w2}/', '', '', [wild('w1'), lit('lit'), wild('w2'), multi('')]],
    ['example.com/', '', 'example.com', [multi('')]],
    ['GET /', 'GET', '', [multi('')]],
    ['POST example.com/foo/{w}', 'POST', 'example.com', [lit('foo'), wild('w')]],
    ['/{$}', '', '', [lit('/')]],
    ['DELETE example.com/a/{foo12}/{$}', 'DELETE', 'example.com', [lit('a'), wild('foo12'), lit('/')]],
    ['/foo/{$}', '', '', [lit('foo'), lit('/')]],
    ['/{a}/foo/{rest...}', '', '', [wild('a'), lit('foo'), multi('rest')]],
    ['//', '', '', [lit(''), multi('')]],
    ['/foo///./../bar', '', '', [lit('foo'), lit(''), lit(''), lit('.'), lit('..'), lit('bar')]],
    ['a.com/foo//', '', 'a.com', [lit('foo'), lit(''), multi('')]],
    ['/%61%62/%7b/%', '', '', [lit('ab'), lit('{'), lit('%')]],
    ['/caf%C3%A9', '', '', [lit('café')]],
    ['GET\t  /', 'GET', '', [multi('')]],
    ['POST \t  example.com/foo/{w}', 'POST', 'example.com', [lit('foo'), wild('w')]],
    ['DELETE    \texample.com/a/{foo12}/{$}', 'DELETE', 'example.com', [lit('a'), wild('foo12'), lit('/')]],
    ['CONNECT //a/../b', 'CONNECT', '', [lit(''), lit('a'), lit('..'), lit('b')]],
    ['/{_x9}/{ünï}', '', '', [wild('_x9'), wild('ünï')]],
  ];
  for (const [input, method, host, segs] of cases) {
    test(JSON.stringify(input), () => {
      const p = parsePattern(input);
      assert.equal(p.method, method);
      assert.equal(p.host, host);
      assert.deepEqual(p.segments, segs);
      assert.equal(p.toString(), input);
    });
  }

  const errors: [string, string][] = [
    ['A=B /', 'at offset 0: invalid method "A=B"'],
    [' ', 'at offset 1: host/path missing /'],
    ['a.com', 'at offset 0: host/path missing /'],
    ['/{w}x', "at offset 1: bad wildcard segment (must end with '}')"],
    ['/x{w}', "at offset 1: bad wildcard segment (must start with '{')"],
    ['/{wx', "at offset 1: bad wildcard segment (must end with '}')"],
    ['/a/{/}/c', "at offset 3: bad wildcard segment (must end with '}')"],
    ['/a/{%61}/c', 'at offset 3: bad wildcard name "%61"'],
    ['/{a$}', 'at offset 1: bad wildcard name "a$"'],
    ['/{1a}', 'at offset 1: bad wildcard name "1a"'],
    ['/{a-b}', 'at offset 1: bad wildcard name "a-b"'],
    ['/{}', 'at offset 1: empty wildcard'],
    ['POST a.com/x/{}/y', 'at offset 13: empty wildcard'],
    ['/{...}', 'at offset 1: empty wildcard'],
    ['/{$...}', 'at offset 1: bad wildcard name "$"'],
    ['/{$}/', 'at offset 1: {$} not at end'],
    ['/{$}/x', 'at offset 1: {$} not at end'],
    ['/abc/{$}/x', 'at offset 5: {$} not at end'],
    ['/{a...}/', 'at offset 1: {...} wildcard not at end'],
    ['/{a...}/x', 'at offset 1: {...} wildcard not at end'],
    ['{a}/b', "at offset 0: host contains '{' (missing initial '/'?)"],
    ['x{a}/b', "at offset 1: host contains '{' (missing initial '/'?)"],
    ['GET {a}/b', "at offset 4: host contains '{' (missing initial '/'?)"],
    ['/a/{x}/b/{x...}', 'at offset 9: duplicate wildcard name "x"'],
    ['GET //', 'at offset 4: non-CONNECT pattern with unclean path can never match'],
    ['GET /a/../b', 'at offset 4: non-CONNECT pattern with unclean path can never match'],
    ['GET /a/./b', 'at offset 4: non-CONNECT pattern with unclean path can never match'],
    ['POST a.com//x', 'at offset 10: non-CONNECT pattern with unclean path can never match'],
  ];
  for (const [input, msg] of errors) {
    test(`error ${JSON.stringify(input)}`, () => {
      assert.throws(() => parsePattern(input), (e: unknown) => e instanceof PatternError && e.message === msg);
      // Through the mux the message names the pattern, as Go's panic does.
      assert.throws(() => new ServeMux().handle(input, () => undefined),
        (e: unknown) => e instanceof PatternError && e.message === `parsing ${JSON.stringify(input)}: ${msg}`);
    });
  }

  test('empty pattern and missing handler', () => {
    assert.throws(() => parsePattern(''), { message: 'empty pattern' });
    assert.throws(() => new ServeMux().handle('', () => undefined), { message: 'http: invalid pattern' });
    assert.throws(() => new ServeMux().handle('/', null as unknown as HandlerFunc), { message: 'http: nil handler' });
    assert.throws(() => new ServeMux().handle('/', {} as unknown as HandlerFunc), { message: 'http: nil handler' });
  });
});

describe('pattern relationships', () => {
  const methodCases: [string, string, string][] = [
    ['/', '/', 'equivalent'],
    ['GET /', 'GET /', 'equivalent'],
    ['HEAD /', 'HEAD /', 'equivalent'],
    ['POST /', 'POST /', 'equivalent'],
    ['GET /', 'POST /', 'disjoint'],
    ['GET /', '/', 'moreSpecific'],
    ['HEAD /', '/', 'moreSpecific'],
    ['GET /', 'HEAD /', 'moreGeneral'],
    ['PUT /', 'HEAD /', 'disjoint'],
  ];
  for (const [a, b, want] of methodCases) {
    test(`methods ${a} vs ${b}: ${want}`, () => {
      assert.equal(compareMethods(a, b), want);
      assert.equal(compareMethods(b, a), inverse(want));
    });
  }

  const pathCases: [string, string, string][] = [
    // A literal is more specific than anything it overlaps, except itself.
    ['/a', '/a', 'equivalent'], ['/a', '/b', 'disjoint'], ['/a', '/', 'moreSpecific'],
    ['/a', '/{$}', 'disjoint'], ['/a', '/{x}', 'moreSpecific'], ['/a', '/{x...}', 'moreSpecific'],
    ['/b/a', '/b/a', 'equivalent'], ['/b/a', '/b/b', 'disjoint'], ['/b/a', '/b/', 'moreSpecific'],
    ['/b/a', '/b/{$}', 'disjoint'], ['/b/a', '/b/{x}', 'moreSpecific'], ['/b/a', '/b/{x...}', 'moreSpecific'],
    ['/{z}/a', '/{z}/a', 'equivalent'], ['/{z}/a', '/{z}/b', 'disjoint'], ['/{z}/a', '/{z}/', 'moreSpecific'],
    ['/{z}/a', '/{z}/{$}', 'disjoint'], ['/{z}/a', '/{z}/{x}', 'moreSpecific'], ['/{z}/a', '/{z}/{x...}', 'moreSpecific'],
    // Single wildcard on the left.
    ['/{z}', '/a', 'moreGeneral'], ['/{z}', '/a/b', 'disjoint'], ['/{z}', '/{$}', 'disjoint'],
    ['/{z}', '/{x}', 'equivalent'], ['/{z}', '/', 'moreSpecific'], ['/{z}', '/{x...}', 'moreSpecific'],
    ['/b/{z}', '/b/a', 'moreGeneral'], ['/b/{z}', '/b/a/b', 'disjoint'], ['/b/{z}', '/b/{$}', 'disjoint'],
    ['/b/{z}', '/b/{x}', 'equivalent'], ['/b/{z}', '/b/', 'moreSpecific'], ['/b/{z}', '/b/{x...}', 'moreSpecific'],
    // Trailing slash on the left.
    ['/', '/a', 'moreGeneral'], ['/', '/a/b', 'moreGeneral'], ['/', '/{$}', 'moreGeneral'],
    ['/', '/{x}', 'moreGeneral'], ['/', '/', 'equivalent'], ['/', '/{x...}', 'equivalent'],
    ['/b/', '/b/a', 'moreGeneral'], ['/b/', '/b/a/b', 'moreGeneral'], ['/b/', '/b/{$}', 'moreGeneral'],
    ['/b/', '/b/{x}', 'moreGeneral'], ['/b/', '/b/', 'equivalent'], ['/b/', '/b/{x...}', 'equivalent'],
    ['/{z}/', '/{z}/a', 'moreGeneral'], ['/{z}/', '/{z}/a/b', 'moreGeneral'], ['/{z}/', '/{z}/{$}', 'moreGeneral'],
    ['/{z}/', '/{z}/{x}', 'moreGeneral'], ['/{z}/', '/{z}/', 'equivalent'], ['/{z}/', '/a/', 'moreGeneral'],
    ['/{z}/', '/{z}/{x...}', 'equivalent'], ['/{z}/', '/a/{x...}', 'moreGeneral'],
    ['/a/{z}/', '/{z}/a/', 'overlaps'], ['/a/{z}/b/', '/{x}/c/{y...}', 'overlaps'],
    // Multi wildcard on the left.
    ['/{m...}', '/a', 'moreGeneral'], ['/{m...}', '/a/b', 'moreGeneral'], ['/{m...}', '/{$}', 'moreGeneral'],
    ['/{m...}', '/{x}', 'moreGeneral'], ['/{m...}', '/', 'equivalent'], ['/{m...}', '/{x...}', 'equivalent'],
    ['/b/{m...}', '/b/a', 'moreGeneral'], ['/b/{m...}', '/b/a/b', 'moreGeneral'], ['/b/{m...}', '/b/{$}', 'moreGeneral'],
    ['/b/{m...}', '/b/{x}', 'moreGeneral'], ['/b/{m...}', '/b/', 'equivalent'], ['/b/{m...}', '/b/{x...}', 'equivalent'],
    ['/b/{m...}', '/a/{x...}', 'disjoint'],
    ['/{z}/{m...}', '/{z}/a', 'moreGeneral'], ['/{z}/{m...}', '/{z}/a/b', 'moreGeneral'],
    ['/{z}/{m...}', '/{z}/{$}', 'moreGeneral'], ['/{z}/{m...}', '/{z}/{x}', 'moreGeneral'],
    ['/{z}/{m...}', '/{w}/', 'equivalent'], ['/{z}/{m...}', '/a/', 'moreGeneral'],
    ['/{z}/{m...}', '/{z}/{x...}', 'equivalent'], ['/{z}/{m...}', '/a/{x...}', 'moreGeneral'],
    ['/a/{m...}', '/a/b/{y...}', 'moreGeneral'], ['/a/{m...}', '/a/{x}/{y...}', 'moreGeneral'],
    ['/a/{z}/{m...}', '/a/b/{y...}', 'moreGeneral'], ['/a/{z}/{m...}', '/{z}/a/', 'overlaps'],
    ['/a/{z}/{m...}', '/{z}/b/{y...}', 'overlaps'], ['/a/{z}/b/{m...}', '/{x}/c/{y...}', 'overlaps'],
    ['/a/{z}/a/{m...}', '/{x}/b', 'disjoint'],
    // Dollar on the left.
    ['/{$}', '/a', 'disjoint'], ['/{$}', '/a/b', 'disjoint'], ['/{$}', '/{$}', 'equivalent'],
    ['/{$}', '/{x}', 'disjoint'], ['/{$}', '/', 'moreSpecific'], ['/{$}', '/{x...}', 'moreSpecific'],
    ['/b/{$}', '/b', 'disjoint'], ['/b/{$}', '/b/a', 'disjoint'], ['/b/{$}', '/b/a/b', 'disjoint'],
    ['/b/{$}', '/b/{$}', 'equivalent'], ['/b/{$}', '/b/{x}', 'disjoint'], ['/b/{$}', '/b/', 'moreSpecific'],
    ['/b/{$}', '/b/{x...}', 'moreSpecific'], ['/b/{$}', '/b/c/{x...}', 'disjoint'],
    ['/b/{x}/a/{$}', '/{x}/c/{y...}', 'overlaps'], ['/{x}/b/{$}', '/a/{x}/{y}', 'disjoint'],
    ['/{x}/b/{$}', '/a/{x}/c', 'disjoint'],
    ['/{z}/{$}', '/{z}/a', 'disjoint'], ['/{z}/{$}', '/{z}/a/b', 'disjoint'], ['/{z}/{$}', '/{z}/{$}', 'equivalent'],
    ['/{z}/{$}', '/{z}/{x}', 'disjoint'], ['/{z}/{$}', '/{z}/', 'moreSpecific'], ['/{z}/{$}', '/a/', 'overlaps'],
    ['/{z}/{$}', '/a/{x...}', 'overlaps'], ['/{z}/{$}', '/{z}/{x...}', 'moreSpecific'],
    ['/a/{z}/{$}', '/{z}/a/', 'overlaps'],
  ];
  for (const [a, b, want] of pathCases) {
    test(`paths ${a} vs ${b}: ${want}`, () => {
      assert.equal(comparePaths(a, a), 'equivalent');
      assert.equal(comparePaths(a, b), want);
      assert.equal(comparePaths(b, a), inverse(want));
    });
  }

  const conflictCases: [string, string, boolean][] = [
    ['/a', '/a', true], ['/a', '/ab', false], ['/a/b/cd', '/a/b/cd', true], ['/a/b/cd', '/a/b/c', false],
    ['/a/b/c', '/a/c/c', false], ['/{x}', '/{y}', true], ['/{x}', '/a', false], ['/{x}/{y}', '/{x}/a', false],
    ['/{x}/{y}', '/{x}/a/b', false], ['/{x}', '/a/{y}', false], ['/{x}/{y}', '/{x}/a/', false],
    ['/{x}', '/a/{y...}', false], ['/{x}/a/{y}', '/{x}/a/{y...}', false], ['/{x}/{y}', '/{x}/a/{$}', false],
    ['/{x}/{y}/{$}', '/{x}/a/{$}', false], ['/a/{x}', '/{x}/b', true], ['/', 'GET /', false],
    ['/', 'GET /foo', false], ['GET /', 'GET /foo', false], ['GET /', '/foo', true], ['GET /foo', 'HEAD /', true],
    ['a.com/x', 'b.com/x', false], ['a.com/x', '/x', false], ['a.com/{x}', 'a.com/{y}', true],
    ['a.com/', 'a.com/{p...}', true], ['POST /x', 'PUT /x', false], ['HEAD /x', 'GET /x', false],
  ];
  for (const [a, b, want] of conflictCases) {
    test(`conflict ${a} vs ${b}: ${want}`, () => {
      assert.equal(conflicts(a, b), want);
      assert.equal(conflicts(b, a), want);
    });
  }

  const common: [string, string, string][] = [
    ['/a/{x}', '/{x}/a', '/a/a'], ['/a/{z}/', '/{z}/a/', '/a/a/'], ['/a/{z}/{m...}', '/{z}/a/', '/a/a/'],
    ['/{z}/{$}', '/a/', '/a/'], ['/{z}/{$}', '/a/{x...}', '/a/'], ['/a/{z}/{$}', '/{z}/a/', '/a/a/'],
    ['/a/{x}/b/{y...}', '/{x}/c/{y...}', '/a/c/b/'], ['/a/{x}/b/', '/{x}/c/{y...}', '/a/c/b/'],
    ['/a/{x}/b/{$}', '/{x}/c/{y...}', '/a/c/b/'], ['/a/{z}/{x...}', '/{z}/b/{y...}', '/a/b/'],
  ];
  for (const [a, b, want] of common) {
    test(`commonPath ${a} vs ${b} = ${want}`, () => {
      assert.equal(comparePaths(a, b), 'overlaps');
      assert.equal(commonPath(a, b), want);
    });
  }

  const difference: [string, string, string][] = [
    ['/a/{x}', '/{x}/a', '/a/x'], ['/{x}/a', '/a/{x}', '/x/a'], ['/a/{z}/', '/{z}/a/', '/a/z/'],
    ['/{z}/a/', '/a/{z}/', '/z/a/'], ['/{a}/a/', '/a/{z}/', '/ax/a/'], ['/a/{z}/{x...}', '/{z}/b/{y...}', '/a/z/'],
    ['/{z}/b/{y...}', '/a/{z}/{x...}', '/z/b/'], ['/a/b/', '/a/b/c', '/a/b/'], ['/a/b/{x...}', '/a/b/c', '/a/b/'],
    ['/a/b/{x...}', '/a/b/c/d', '/a/b/'], ['/a/b/{x...}', '/a/b/c/d/', '/a/b/'], ['/a/{z}/{m...}', '/{z}/a/', '/a/z/'],
    ['/{z}/a/', '/a/{z}/{m...}', '/z/a/'], ['/{z}/{$}', '/a/', '/z/'], ['/a/', '/{z}/{$}', '/a/x'],
    ['/{z}/{$}', '/a/{x...}', '/z/'], ['/a/{foo...}', '/{z}/{$}', '/a/foo'], ['/a/{z}/{$}', '/{z}/a/', '/a/z/'],
    ['/{z}/a/', '/a/{z}/{$}', '/z/a/x'], ['/a/{x}/b/{y...}', '/{x}/c/{y...}', '/a/x/b/'],
    ['/{x}/c/{y...}', '/a/{x}/b/{y...}', '/x/c/'], ['/a/{c}/b/', '/{x}/c/{y...}', '/a/cx/b/'],
    ['/{x}/c/{y...}', '/a/{c}/b/', '/x/c/'], ['/a/{x}/b/{$}', '/{x}/c/{y...}', '/a/x/b/'],
    ['/{x}/c/{y...}', '/a/{x}/b/{$}', '/x/c/'],
  ];
  for (const [a, b, want] of difference) {
    test(`differencePath ${a} vs ${b} = ${want}`, () => {
      assert.ok(['overlaps', 'moreGeneral'].includes(comparePaths(a, b)));
      assert.equal(differencePath(a, b), want);
    });
  }

  const described: [string, string, string][] = [
    ['/a/{x}', '/a/{y}', '/a/{x} matches the same requests as /a/{y}'],
    ['/', '/{m...}', '/ matches the same requests as /{m...}'],
    ['/a/{x}', '/{y}/b', '/a/{x} and /{y}/b both match some paths, like "/a/b".\nBut neither is more specific than the other.\n' +
      '/a/{x} matches "/a/x", but /{y}/b doesn\'t.\n/{y}/b matches "/y/b", but /a/{x} doesn\'t.'],
    ['/a', 'GET /{x}', '/a matches more methods than GET /{x}, but has a more specific path pattern'],
    ['GET /a', 'HEAD /', 'GET /a matches more methods than HEAD /, but has a more specific path pattern'],
    ['POST /', '/a', 'POST / matches fewer methods than /a, but has a more general path pattern'],
  ];
  for (const [a, b, want] of described) {
    test(`describeConflict ${a} vs ${b}`, () => assert.equal(describeConflict(a, b), want));
  }
});

describe('registration conflicts', () => {
  test('duplicate pattern names both registration sites', () => {
    const mux = new ServeMux();
    mux.handle('/a', () => undefined);
    let err: unknown;
    try {
      mux.handle('/a', (_w) => undefined);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof PatternError);
    const m = /^pattern "\/a" \(registered at (.+):(\d+)\) conflicts with pattern "\/a" \(registered at (.+):(\d+)\):\n\/a matches the same requests as \/a$/.exec(err.message);
    assert.ok(m, err.message);
    assert.match(m[1], /mux\.test\.js$/);
    assert.equal(m[1], m[3]);
    // Each location points at the line of its handle() call.
    const lines = readFileSync(m[1], 'utf8').split('\n');
    assert.match(lines[Number(m[2]) - 1], /mux\.handle\('\/a', \(_w\) => undefined\)/);
    assert.match(lines[Number(m[4]) - 1], /mux\.handle\('\/a', \(\) => undefined\)/);
  });

  const pairs: [string, string, string][] = [
    ['/a/{x}', '/{y}/b', '/{y}/b and /a/{x} both match some paths, like "/a/b".\nBut neither is more specific than the other.\n' +
      '/{y}/b matches "/y/b", but /a/{x} doesn\'t.\n/a/{x} matches "/a/x", but /{y}/b doesn\'t.'],
    ['GET /', '/foo', '/foo matches more methods than GET /, but has a more specific path pattern'],
    ['/a', 'POST /', 'POST / matches fewer methods than /a, but has a more general path pattern'],
    ['/a/{x}/', '/a/{y}/{z...}', '/a/{y}/{z...} matches the same requests as /a/{x}/'],
    ['/items/{id}', '/items/{name}', '/items/{name} matches the same requests as /items/{id}'],
    ['/index.html', 'GET /', 'GET / matches fewer methods than /index.html, but has a more general path pattern'],
    ['/a/{x}/', '/{y}/b/', '/{y}/b/ and /a/{x}/ both match some paths, like "/a/b/".\nBut neither is more specific than the other.\n' +
      '/{y}/b/ matches "/y/b/", but /a/{x}/ doesn\'t.\n/a/{x}/ matches "/a/x/", but /{y}/b/ doesn\'t.'],
    ['a.com/{x}', 'a.com/{y}', 'a.com/{y} matches the same requests as a.com/{x}'],
  ];
  for (const [first, second, detail] of pairs) {
    test(`${first} then ${second}`, () => {
      const mux = new ServeMux();
      mux.handle(first, () => undefined);
      assert.throws(() => mux.handle(second, () => undefined), (e: unknown) => {
        assert.ok(e instanceof PatternError);
        const re = new RegExp(`^pattern ${JSON.stringify(second).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(registered at .+mux\\.test\\.js:\\d+\\) ` +
          `conflicts with pattern ${JSON.stringify(first).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(registered at .+mux\\.test\\.js:\\d+\\):\\n`);
        assert.match(e.message, re);
        assert.equal(e.message.slice(e.message.indexOf(':\n') + 2), detail);
        return true;
      });
      // The failed registration changed nothing.
      assert.deepEqual(mux.registered, [first]);
    });
  }

  test('non-conflicting registrations are all accepted', () => {
    const mux = new ServeMux();
    const all = ['/', 'GET /foo', '/foo/', '/foo/{x}', '/foo/{x}/bar', 'a.com/', 'a.com/foo', 'b.com/foo',
      'POST /foo', 'PUT /foo/{id}', '/foo/{x}/{$}', 'HEAD /foo/{x}', '/bar/{a}/b/{c...}', '/bar/{a}/b/c', 'a.com/{x}/{y}'];
    for (const p of all) mux.handle(p, () => undefined);
    assert.deepEqual(mux.registered, all);
  });
});

describe('routing', () => {
  const patterns = [
    '/', '/a', '/a/', '/a/b', '/a/{x}', '/a/{x}/c', '/b/{rest...}', '/b/special', '/c/{$}', '/c/d/',
    'GET /get', 'POST /post', 'GET /item/{id}', 'DELETE /item/{id}', '/item/{id}/edit',
    'h.test/', 'h.test/host/{x}', 'GET h.test/only-get', '/files/{path...}',
    '/x/{a}/{b}', '/x/{a}/z', '/%61bc', '/caf%C3%A9', '/esc/{x}', '/u/{name}/{$}', '/deep/{a}/{b}/{c}/{d...}',
    '/bt/a/z', '/bt/{x}/c', 'PUT /put/',
  ];
  const mux = muxOf(patterns);
  // [method, target, host, pattern, path values]
  const cases: [string, string, string | undefined, string, Record<string, string>][] = [
    ['GET', '/', undefined, '/', {}],
    ['GET', '/zzz', undefined, '/', {}],
    ['GET', '/zzz/yyy/', undefined, '/', {}],
    ['GET', '/a', undefined, '/a', {}],
    ['GET', '/a/', undefined, '/a/', {}],
    ['GET', '/a/b', undefined, '/a/b', {}],
    ['GET', '/a/q', undefined, '/a/{x}', { x: 'q' }],
    ['GET', '/a/q/c', undefined, '/a/{x}/c', { x: 'q' }],
    ['GET', '/a/b/c', undefined, '/a/{x}/c', { x: 'b' }],
    ['GET', '/a/q/d', undefined, '/a/', {}],
    ['GET', '/a/b/', undefined, '/a/', {}],
    ['GET', '/b/', undefined, '/b/{rest...}', { rest: '' }],
    ['GET', '/b/x/y', undefined, '/b/{rest...}', { rest: 'x/y' }],
    ['GET', '/b/x/y%2Fz', undefined, '/b/{rest...}', { rest: 'x/y/z' }],
    ['GET', '/b/x/', undefined, '/b/{rest...}', { rest: 'x/' }],
    ['GET', '/b/special', undefined, '/b/special', {}],
    ['GET', '/b/special/', undefined, '/b/{rest...}', { rest: 'special/' }],
    ['GET', '/c/', undefined, '/c/{$}', {}],
    ['GET', '/c/x', undefined, '/', {}],
    ['GET', '/c/d/', undefined, '/c/d/', {}],
    ['GET', '/c/d/e', undefined, '/c/d/', {}],
    ['GET', '/get', undefined, 'GET /get', {}],
    ['HEAD', '/get', undefined, 'GET /get', {}],
    ['POST', '/get', undefined, '/', {}],
    ['POST', '/post', undefined, 'POST /post', {}],
    ['GET', '/post', undefined, '/', {}],
    ['GET', '/item/42', undefined, 'GET /item/{id}', { id: '42' }],
    ['HEAD', '/item/42', undefined, 'GET /item/{id}', { id: '42' }],
    ['DELETE', '/item/42', undefined, 'DELETE /item/{id}', { id: '42' }],
    ['PATCH', '/item/42', undefined, '/', {}],
    ['GET', '/item/42/edit', undefined, '/item/{id}/edit', { id: '42' }],
    ['POST', '/item/42/edit', undefined, '/item/{id}/edit', { id: '42' }],
    ['GET', '/item/a%20b', undefined, 'GET /item/{id}', { id: 'a b' }],
    ['GET', '/item/caf%C3%A9', undefined, 'GET /item/{id}', { id: 'café' }],
    ['GET', '/anything', 'h.test', 'h.test/', {}],
    ['GET', '/a', 'h.test', 'h.test/', {}],
    ['GET', '/a', 'h.test:8080', 'h.test/', {}],
    ['GET', '/a', 'EXAMPLE.COM', '/a', {}],
    ['GET', '/a', 'other.org', '/a', {}],
    ['GET', '/host/v', 'h.test', 'h.test/host/{x}', { x: 'v' }],
    ['GET', '/host/v', 'h.test:443', 'h.test/host/{x}', { x: 'v' }],
    ['GET', '/host/v', 'other.org', '/', {}],
    ['GET', '/only-get', 'h.test', 'GET h.test/only-get', {}],
    ['HEAD', '/only-get', 'h.test', 'GET h.test/only-get', {}],
    ['POST', '/only-get', 'h.test', 'h.test/', {}],
    ['GET', '/files/', undefined, '/files/{path...}', { path: '' }],
    ['GET', '/files/a/b/c.txt', undefined, '/files/{path...}', { path: 'a/b/c.txt' }],
    ['GET', '/files/a%2Fb', undefined, '/files/{path...}', { path: 'a/b' }],
    ['GET', '/x/1/2', undefined, '/x/{a}/{b}', { a: '1', b: '2' }],
    ['GET', '/x/1/z', undefined, '/x/{a}/z', { a: '1' }],
    ['GET', '/x/1/2/3', undefined, '/', {}],
    ['GET', '/abc', undefined, '/%61bc', {}],
    ['GET', '/%61bc', undefined, '/%61bc', {}],
    ['GET', '/café', undefined, '/caf%C3%A9', {}],
    ['GET', '/caf%c3%a9', undefined, '/caf%C3%A9', {}],
    ['GET', '/esc/a%2Fb', undefined, '/esc/{x}', { x: 'a/b' }],
    ['GET', '/esc/%7Bx%7D', undefined, '/esc/{x}', { x: '{x}' }],
    ['GET', '/esc/a%zzb', undefined, '/esc/{x}', { x: 'a%zzb' }],
    ['GET', '/u/bob/', undefined, '/u/{name}/{$}', { name: 'bob' }],
    ['GET', '/u/bob/x', undefined, '/', {}],
    ['GET', '/deep/1/2/3/', undefined, '/deep/{a}/{b}/{c}/{d...}', { a: '1', b: '2', c: '3', d: '' }],
    ['GET', '/deep/1/2/3/4/5', undefined, '/deep/{a}/{b}/{c}/{d...}', { a: '1', b: '2', c: '3', d: '4/5' }],
    // Backtracking: the literal branch fails further down, the wildcard branch matches.
    ['GET', '/bt/a/z', undefined, '/bt/a/z', {}],
    ['GET', '/bt/a/c', undefined, '/bt/{x}/c', { x: 'a' }],
    ['GET', '/bt/q/c', undefined, '/bt/{x}/c', { x: 'q' }],
    ['PUT', '/put/', undefined, 'PUT /put/', {}],
    ['PUT', '/put/x/y', undefined, 'PUT /put/', {}],
    ['GET', '/put/x', undefined, '/', {}],
  ];
  for (const [method, target, host, pattern, values] of cases) {
    test(`${method} ${host ?? ''}${target} → ${pattern}`, async () => {
      const { w, r } = await serve(mux, method, target, host === undefined ? undefined : { host });
      assert.equal(w.code, 200);
      assert.equal(w.header().get('X-Pattern'), pattern);
      assert.deepEqual(JSON.parse(w.bodyText).values, values);
      assert.equal(r.pattern, pattern);
      const found = mux.handler(newRequest(method, target, host === undefined ? undefined : { host }));
      assert.equal(found.pattern, pattern);
    });
  }

  // [method, target, host, Location, pattern reported by handler()]
  const redirects: [string, string, string | undefined, string, string][] = [
    ['GET', '/b', undefined, '/b/', '/b/{rest...}'],
    ['GET', '/b?x=1&y=2', undefined, '/b/?x=1&y=2', '/b/{rest...}'],
    ['GET', '/c', undefined, '/c/', '/c/{$}'],
    ['GET', '/c/d', undefined, '/c/d/', '/c/d/'],
    ['GET', '/files', undefined, '/files/', '/files/{path...}'],
    ['GET', '/u/bob', undefined, '/u/bob/', '/u/{name}/{$}'],
    ['PUT', '/put', undefined, '/put/', 'PUT /put/'],
    ['POST', '/b', undefined, '/b/', '/b/{rest...}'],
    ['GET', '//a', undefined, '/a', '/a'],
    ['GET', '//a//b', undefined, '/a/b', '/a/b'],
    ['GET', '/a//b?q=1', undefined, '/a/b?q=1', '/a/b'],
    ['GET', '//a/../b', undefined, '/b/', '/b/{rest...}'],
    ['GET', '//a/../a', undefined, '/a', '/a'],
    ['GET', '/a//', undefined, '/a/', '/a/'],
    ['GET', '//b', undefined, '/b/', '/b/{rest...}'],
    ['GET', '//nothing', undefined, '/nothing', '/'],
    // Dot segments in the path as sent are cleaned with a redirect, as Go does.
    ['GET', '/a/../a/b', undefined, '/a/b', '/a/b'],
    ['GET', '/x/./1/2?k=v', undefined, '/x/1/2?k=v', '/x/{a}/{b}'],
    ['GET', '/b/x/..', undefined, '/b/', '/b/{rest...}'],
    ['GET', '/..', undefined, '/', '/'],
    ['DELETE', '/item/7/../8', undefined, '/item/8', 'DELETE /item/{id}'],
  ];
  for (const [method, target, host, location, pattern] of redirects) {
    test(`${method} ${target} → 301 ${location}`, async () => {
      const { w } = await serve(mux, method, target, host === undefined ? undefined : { host });
      assert.equal(w.code, 301);
      assert.equal(w.header().get('Location'), location);
      if (method === 'GET') {
        assert.equal(w.header().get('Content-Type'), 'text/html; charset=utf-8');
        assert.equal(w.bodyText, `<a href="${location.replace(/&/g, '&amp;')}">Moved Permanently</a>.\n\n`);
      } else {
        assert.equal(w.bodyText, '');
      }
      assert.equal(mux.handler(newRequest(method, target)).pattern, pattern);
    });
  }

  test('registering the slash-less path disables the trailing-slash redirect', async () => {
    const m = muxOf(['/t/', '/t']);
    const { w } = await serve(m, 'GET', '/t');
    assert.equal(w.code, 200);
    assert.equal(w.header().get('X-Pattern'), '/t');
  });

  test('caseInsensitiveHosts option', async () => {
    const m = new ServeMux({ caseInsensitiveHosts: true });
    m.handle('Api.Example.com/', tag('Api.Example.com/'));
    m.handle('/', tag('/'));
    for (const host of ['api.example.com', 'API.EXAMPLE.COM:8443', 'Api.Example.com']) {
      const { w } = await serve(m, 'GET', '/x', { host });
      assert.equal(w.header().get('X-Pattern'), 'Api.Example.com/', host);
    }
    assert.throws(() => m.handle('api.example.COM/', () => undefined), PatternError);
    // Go's default: exact comparison.
    const exact = muxOf(['Api.Example.com/', '/']);
    assert.equal((await serve(exact, 'GET', '/x', { host: 'api.example.com' })).w.header().get('X-Pattern'), '/');
  });

  test('redirectCode option (308 keeps the method)', async () => {
    const m = new ServeMux({ redirectCode: 308 });
    m.handle('/t/', () => undefined);
    const { w } = await serve(m, 'POST', '/t?a=1');
    assert.equal(w.code, 308);
    assert.equal(w.header().get('Location'), '/t/?a=1');
  });

  test('handler() does not set path values and serveHTTP does', async () => {
    const r = newRequest('GET', '/item/7');
    const found = mux.handler(r);
    assert.equal(found.pattern, 'GET /item/{id}');
    assert.equal(r.pathValue('id'), '');
    assert.equal(r.pattern, '');
    const w = new ResponseRecorder();
    await mux.serveHTTP(w, r);
    assert.equal(r.pathValue('id'), '7');
    assert.equal(r.pathValue('nope'), '');
    assert.equal(r.pattern, 'GET /item/{id}');
  });

  test('setPathValue before routing survives for other names', async () => {
    const r = newRequest('GET', '/item/9');
    r.setPathValue('extra', 'yes');
    await mux.serveHTTP(new ResponseRecorder(), r);
    assert.equal(r.pathValue('extra'), 'yes');
    assert.equal(r.pathValue('id'), '9');
  });
});

describe('404 and 405', () => {
  const mux = muxOf(['GET /r', 'POST /r', 'DELETE /d/{id}', 'PUT /t/', 'GET a.com/h', 'POST /h', '/any']);
  const cases: [string, string, string | undefined, number, string][] = [
    ['PATCH', '/r', undefined, 405, 'GET, HEAD, POST'],
    ['OPTIONS', '/r', undefined, 405, 'GET, HEAD, POST'],
    ['GET', '/d/5', undefined, 405, 'DELETE'],
    ['POST', '/d/5', undefined, 405, 'DELETE'],
    ['GET', '/t', undefined, 405, 'PUT'],
    ['GET', '/t/x', undefined, 405, 'PUT'],
    ['PUT', '/h', 'a.com', 405, 'GET, HEAD, POST'],
    ['PUT', '/h', undefined, 405, 'POST'],
    ['GET', '/nothing', undefined, 404, ''],
    ['GET', '/d', undefined, 404, ''],
    ['GET', '/d/5/6', undefined, 404, ''],
  ];
  for (const [method, target, host, code, allow] of cases) {
    test(`${method} ${host ?? ''}${target} → ${code} ${allow}`, async () => {
      const { w, r } = await serve(mux, method, target, host === undefined ? undefined : { host });
      assert.equal(w.code, code);
      assert.equal(w.header().get('Content-Type'), 'text/plain; charset=utf-8');
      assert.equal(w.header().get('X-Content-Type-Options'), 'nosniff');
      if (code === 405) {
        assert.equal(w.header().get('Allow'), allow);
        assert.equal(w.bodyText, 'Method Not Allowed\n');
      } else {
        assert.equal(w.header().has('Allow'), false);
        assert.equal(w.bodyText, '404 page not found\n');
      }
      assert.equal(r.pattern, '');
      assert.equal(mux.handler(newRequest(method, target, host === undefined ? undefined : { host })).pattern, '');
    });
  }

  test('methods that match are served, HEAD through GET', async () => {
    for (const [m, p] of [['GET', 'GET /r'], ['HEAD', 'GET /r'], ['POST', 'POST /r'], ['DELETE', '/any'], ['PUT', 'PUT /t/']]) {
      const { w } = await serve(mux, m, m === 'PUT' ? '/t/' : m === 'DELETE' ? '/any' : '/r');
      assert.equal(w.code, 200, m);
      assert.equal(w.header().get('X-Pattern'), p);
    }
  });

  test('path cleaning redirect comes before 404/405', async () => {
    const { w } = await serve(mux, 'PATCH', '//r');
    assert.equal(w.code, 301);
    assert.equal(w.header().get('Location'), '/r');
    assert.equal(w.bodyText, '');
  });

  test('empty mux: 404 for everything', async () => {
    const { w } = await serve(new ServeMux(), 'GET', '/');
    assert.equal(w.code, 404);
    assert.equal(w.bodyText, '404 page not found\n');
  });

  test('request-target * gets 400 and Connection: close on HTTP/1.1', async () => {
    const m = muxOf(['/']);
    const r1 = newRequest('OPTIONS', '*');
    const w1 = new ResponseRecorder();
    await m.serveHTTP(w1, r1);
    assert.equal(w1.code, 400);
    assert.equal(w1.header().get('Connection'), 'close');
    const r0 = newRequest('OPTIONS', '*', { proto: 'HTTP/1.0' });
    const w0 = new ResponseRecorder();
    await m.serveHTTP(w0, r0);
    assert.equal(w0.code, 400);
    assert.equal(w0.header().has('Connection'), false);
  });
});

describe('mux composition', () => {
  test('handler objects and async handlers', async () => {
    const mux = new ServeMux();
    const order: string[] = [];
    mux.handle('/obj', { serveHTTP(w) { order.push('obj'); w.write('object'); } });
    mux.handleFunc('/async', async (w) => {
      await new Promise((r) => setTimeout(r, 5));
      order.push('async');
      w.write('later');
    });
    const a = await serve(mux, 'GET', '/obj');
    assert.equal(a.w.bodyText, 'object');
    const b = await serve(mux, 'GET', '/async');
    assert.equal(b.w.bodyText, 'later');
    assert.deepEqual(order, ['obj', 'async']);
  });

  test('a mux mounted under another', async () => {
    const inner = muxOf(['/api/users/{id}']);
    const outer = new ServeMux();
    outer.handle('/api/', inner);
    outer.handle('/', tag('/'));
    const { w, r } = await serve(outer, 'GET', '/api/users/5');
    assert.equal(w.header().get('X-Pattern'), '/api/users/{id}');
    assert.equal(r.pathValue('id'), '5');
    assert.equal(r.pattern, '/api/users/{id}');
    const miss = await serve(outer, 'GET', '/api/other');
    assert.equal(miss.w.code, 404);
  });

  test('handler errors propagate to the caller', async () => {
    const mux = new ServeMux();
    mux.handle('/boom', async () => { throw new Error('boom'); });
    await assert.rejects(async () => serve(mux, 'GET', '/boom'), { message: 'boom' });
  });

  test('many routes', async () => {
    const mux = new ServeMux();
    for (let i = 0; i < 500; i++) mux.handle(`GET /r${i}/{id}`, tag(`GET /r${i}/{id}`, ['id']));
    const { w, r } = await serve(mux, 'GET', '/r377/abc');
    assert.equal(w.header().get('X-Pattern'), 'GET /r377/{id}');
    assert.equal(r.pathValue('id'), 'abc');
  });
});

describe('CONNECT', () => {
  test('CONNECT paths are not cleaned', async () => {
    const mux = muxOf(['CONNECT /', '/']);
    const r = newRequest('CONNECT', 'proxy.example:443');
    const w = new ResponseRecorder();
    await mux.serveHTTP(w, r);
    assert.equal(w.header().get('X-Pattern'), 'CONNECT /');
  });
});

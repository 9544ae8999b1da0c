// CookieJar: RFC 6265 storage and retrieval with Go's cookiejar rules, driven by scenarios of
// Set-Cookie lines received from a URL and the Cookie header expected for later requests.
// The clock is fixed and moved explicitly.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CookieJar, builtinPublicSuffixList, type PublicSuffixList, type CookieJarOptions } from '../../src/http/cookiejar.js';
import { Cookie, parseSetCookie, formatHTTPDate } from '../../src/http/cookie.js';

const T0 = Date.UTC(2013, 0, 1, 12, 0, 0);
const at = (ms: number): string => formatHTTPDate(new Date(T0 + ms));
const HOUR = 3600_000;

type Step =
  | { set: string; lines: string[] }
  | { advance: number }
  | { get: string; want: string };

interface Scenario {
  name: string;
  steps: Step[];
  opts?: CookieJarOptions;
}

const set = (url: string, ...lines: string[]): Step => ({ set: url, lines });
const get = (url: string, want: string): Step => ({ get: url, want });
const advance = (ms: number): Step => ({ advance: ms });

const scenarios: Scenario[] = [
  {
    name: 'a host cookie goes back to its host only, any port or case',
    steps: [
      set('http://www.host.test/', 'A=a'),
      get('http://www.host.test', 'A=a'),
      get('http://www.host.test/', 'A=a'),
      get('http://www.host.test/some/path', 'A=a'),
      get('https://www.host.test/', 'A=a'),
      get('http://www.host.test:1234/', 'A=a'),
      get('http://WWW.HOST.TEST/', 'A=a'),
      get('http://www.host.test./', 'A=a'),
      get('http://other.host.test/', ''),
      get('http://host.test/', ''),
      get('http://sub.www.host.test/', ''),
      get('ftp://www.host.test/', ''),
      get('ws://www.host.test/', ''),
    ],
  },
  {
    name: 'secure cookies only over https',
    steps: [
      set('https://www.host.test/', 'A=a; secure', 'B=b'),
      get('https://www.host.test/', 'A=a B=b'),
      get('http://www.host.test/', 'B=b'),
    ],
  },
  {
    name: 'secure cookies: localhost and loopback IPs are secure origins',
    steps: [
      set('http://localhost:8080/', 'A=a; secure'),
      get('http://localhost:8080/', 'A=a'),
      set('http://127.0.0.1/', 'B=b; secure'),
      get('http://127.0.0.1/', 'B=b'),
      set('http://[::1]:80/', 'C=c; secure'),
      get('http://[::1]/', 'C=c'),
      set('http://app.localhost/', 'D=d; secure'),
      get('http://app.localhost/', 'D=d'),
      set('http://10.0.0.1/', 'E=e; secure'),
      get('http://10.0.0.1/', ''),
      get('https://10.0.0.1/', 'E=e'),
    ],
  },
  {
    name: 'explicit path: path-match rules',
    steps: [
      set('http://www.host.test/', 'A=a; path=/some/path'),
      get('http://www.host.test/some/path', 'A=a'),
      get('http://www.host.test/some/path/', 'A=a'),
      get('http://www.host.test/some/path/foo', 'A=a'),
      get('http://www.host.test/some/paths', ''),
      get('http://www.host.test/some', ''),
      get('http://www.host.test/', ''),
      get('http://www.host.test/SOME/PATH', ''),
    ],
  },
  {
    name: 'explicit path with a trailing slash',
    steps: [
      set('http://www.host.test/', 'A=a; path=/some/path/'),
      get('http://www.host.test/some/path', ''),
      get('http://www.host.test/some/path/', 'A=a'),
      get('http://www.host.test/some/path/x', 'A=a'),
    ],
  },
  {
    name: 'default path: the directory of the request path',
    steps: [
      set('http://www.host.test/some/path/', 'A=a'),
      set('http://www.host.test/some/file', 'B=b'),
      set('http://www.host.test/top', 'C=c'),
      set('http://www.host.test/x/y/', 'D=d; path=relative'),
      get('http://www.host.test/some/path', 'A=a B=b C=c'),
      get('http://www.host.test/some/path/deeper', 'A=a B=b C=c'),
      get('http://www.host.test/some', 'B=b C=c'),
      get('http://www.host.test/somewhere', 'C=c'),
      get('http://www.host.test/', 'C=c'),
      get('http://www.host.test/x/y', 'D=d C=c'),
    ],
  },
  {
    name: 'domain cookies reach the domain and its subdomains',
    steps: [
      set('http://www.host.test/', 'A=a; domain=host.test', 'B=b; domain=.host.test', 'C=c; domain=www.host.test'),
      get('http://host.test/', 'A=a B=b'),
      get('http://www.host.test/', 'A=a B=b C=c'),
      get('http://foo.www.host.test/', 'A=a B=b C=c'),
      get('http://bar.host.test/', 'A=a B=b'),
      get('http://otherhost.test/', ''),
      get('http://xhost.test/', ''),
    ],
  },
  {
    name: 'a host may not set cookies for other sites or for its own subdomains',
    steps: [
      set('http://www.host.test/', 'A=a; domain=other.test', 'B=b; domain=sub.www.host.test', 'C=c; domain=ost.test'),
      set('http://host.test/', 'D=d; domain=www.host.test'),
      get('http://other.test/', ''),
      get('http://sub.www.host.test/', ''),
      get('http://www.host.test/', ''),
      get('http://host.test/', ''),
    ],
  },
  {
    name: 'a TLD is a public suffix: domain cookies for it are refused',
    steps: [
      set('http://www.host.test/', 'A=a; domain=test', 'B=b; domain=.test', 'C=c; domain=TEST'),
      get('http://www.host.test/', ''),
      get('http://other.test/', ''),
    ],
  },
  {
    name: 'multi-label public suffixes (co.uk) from the built-in list',
    steps: [
      set('http://www.bbc.co.uk/', 'A=a; domain=co.uk', 'B=b; domain=bbc.co.uk'),
      get('http://other.co.uk/', ''),
      get('http://news.bbc.co.uk/', 'B=b'),
      get('http://bbc.co.uk/', 'B=b'),
      set('http://user.github.io/', 'G=g; domain=github.io', 'H=h'),
      get('http://other.github.io/', ''),
      get('http://user.github.io/', 'H=h'),
    ],
  },
  {
    name: 'a host that is itself a public suffix gets a host-only cookie',
    steps: [
      set('http://co.uk/', 'A=a; domain=co.uk'),
      get('http://co.uk/', 'A=a'),
      get('http://www.co.uk/', ''),
      set('http://localhost/', 'L=l; domain=localhost'),
      get('http://localhost/', 'L=l'),
      get('http://sub.localhost/', ''),
    ],
  },
  {
    name: 'without a public suffix list (Go\'s nil): parent domains are not checked',
    opts: { publicSuffixList: null },
    steps: [
      set('http://www.bbc.co.uk/', 'A=a; domain=co.uk'),
      get('http://other.co.uk/', 'A=a'),
      // Stored under the setting host's key (host.test), so only that site's hosts see it.
      set('http://www.host.test/', 'T=t; domain=test'),
      get('http://sub.host.test/', 'T=t'),
      get('http://x.test/', ''),
    ],
  },
  {
    name: 'malformed domain attributes are refused',
    steps: [
      set('http://www.host.test/', 'A=a; domain=.', 'B=b; domain=..host.test', 'C=c; domain=www.host.test.', 'E=e; domain=..'),
      get('http://www.host.test/', ''),
      get('http://host.test/', ''),
    ],
  },
  {
    name: 'the domain attribute is case-insensitive',
    steps: [
      set('http://www.host.test/', 'A=a; domain=HOST.Test'),
      get('http://www.host.test/', 'A=a'),
      get('http://api.host.test/', 'A=a'),
    ],
  },
  {
    name: 'IP hosts: only host-only cookies; the domain may only repeat the IP',
    steps: [
      set('http://192.168.0.10/', 'A=a', 'B=b; domain=192.168.0.10', 'C=c; domain=.192.168.0.10', 'D=d; domain=168.0.10', 'E=e; domain=0.10'),
      get('http://192.168.0.10/', 'A=a B=b'),
      get('http://192.168.0.10:8080/x', 'A=a B=b'),
      get('http://192.168.0.11/', ''),
      set('http://[2001:db8::1]:8080/', 'V6=six'),
      get('http://[2001:db8::1]/', 'V6=six'),
      get('http://[2001:db8::2]/', ''),
    ],
  },
  {
    name: 'a name host may not set an IP domain',
    steps: [
      set('http://www.host.test/', 'A=a; domain=127.0.0.1'),
      get('http://127.0.0.1/', ''),
      get('http://www.host.test/', ''),
    ],
  },
  {
    name: 'order: longest path first',
    steps: [
      set('http://www.host.test/a/b/c', 'A=a; path=/', 'B=b; path=/a', 'C=c; path=/a/b'),
      get('http://www.host.test/a/b/c', 'C=c B=b A=a'),
      get('http://www.host.test/a/x', 'B=b A=a'),
    ],
  },
  {
    name: 'order: same path length, oldest first (then arrival order)',
    steps: [
      set('http://www.host.test/', 'Z=z'),
      advance(1000),
      set('http://www.host.test/', 'A=a'),
      set('http://www.host.test/', 'M=m', 'B=b'),
      get('http://www.host.test/', 'Z=z A=a M=m B=b'),
    ],
  },
  {
    name: 'replacing a cookie keeps its creation time (and so its place)',
    steps: [
      set('http://www.host.test/', 'A=1'),
      advance(1000),
      set('http://www.host.test/', 'B=2'),
      advance(1000),
      set('http://www.host.test/', 'A=3'),
      get('http://www.host.test/', 'A=3 B=2'),
    ],
  },
  {
    name: 'same name, different path or domain: distinct cookies',
    steps: [
      set('http://www.host.test/', 'A=1; path=/', 'A=2; path=/foo', 'A=3; domain=host.test'),
      get('http://www.host.test/foo', 'A=2 A=1 A=3'),
      get('http://www.host.test/', 'A=1 A=3'),
      get('http://host.test/', 'A=3'),
    ],
  },
  {
    name: 'Max-Age: gone once the time is up',
    steps: [
      set('http://www.host.test/', 'A=a; max-age=60', 'S=session'),
      get('http://www.host.test/', 'A=a S=session'),
      advance(59_999),
      get('http://www.host.test/', 'A=a S=session'),
      advance(1),
      get('http://www.host.test/', 'S=session'),
    ],
  },
  {
    name: 'Expires: gone once the time is up',
    steps: [
      set('http://www.host.test/', `A=a; expires=${at(HOUR)}`),
      advance(HOUR - 1000),
      get('http://www.host.test/', 'A=a'),
      advance(1000),
      get('http://www.host.test/', ''),
    ],
  },
  {
    name: 'an already expired cookie is not stored, and deletes the stored one',
    steps: [
      set('http://www.host.test/', 'A=a', 'B=b', 'C=c'),
      set('http://www.host.test/', 'A=x; expires=Thu, 01 Jan 1970 00:00:00 GMT', `B=y; expires=${at(0)}`, `N=new; expires=${at(-1000)}`),
      get('http://www.host.test/', 'C=c'),
    ],
  },
  {
    name: 'Max-Age=0 or negative deletes',
    steps: [
      set('http://www.host.test/', 'A=a', 'B=b'),
      set('http://www.host.test/', 'A=; Max-Age=0', 'B=; Max-Age=-1'),
      get('http://www.host.test/', ''),
    ],
  },
  {
    name: 'deletion must name the same domain and path',
    steps: [
      set('http://www.host.test/', 'A=a; path=/foo', 'B=b; domain=host.test'),
      set('http://www.host.test/', 'A=; max-age=-1', 'B=; max-age=-1'),
      get('http://www.host.test/foo', 'A=a B=b'),
      set('http://www.host.test/', 'A=; max-age=-1; path=/foo', 'B=; max-age=-1; domain=.host.test'),
      get('http://www.host.test/foo', ''),
    ],
  },
  {
    name: 'Max-Age wins over Expires',
    steps: [
      set('http://www.host.test/', 'A=a; max-age=60; expires=Thu, 01 Jan 1970 00:00:00 GMT', `B=b; max-age=-1; expires=${at(HOUR)}`),
      get('http://www.host.test/', 'A=a'),
    ],
  },
  {
    name: 'session cookies last (until the end of 9999)',
    steps: [
      set('http://www.host.test/', 'S=s', 'P=p; max-age=3153600000'),
      advance(100 * 365 * 24 * HOUR),
      get('http://www.host.test/', 'S=s'),
    ],
  },
  {
    name: 'non-http URLs neither set nor get',
    steps: [
      set('ftp://www.host.test/', 'A=a'),
      set('file:///tmp/x', 'B=b'),
      get('http://www.host.test/', ''),
    ],
  },
  {
    name: 'quoted values are sent quoted; HttpOnly and SameSite cookies are sent',
    steps: [
      set('http://www.host.test/', 'Q="a b"', 'R="plain"', 'H=h; HttpOnly', 'L=l; SameSite=Lax'),
      get('http://www.host.test/', 'Q="a b" R="plain" H=h L=l'),
    ],
  },
  {
    name: 'sites are kept apart; a domain cookie is shared among siblings',
    steps: [
      set('http://a.host.test/', 'A=a; domain=host.test', 'X=only-a'),
      set('http://b.other.test/', 'B=b; domain=other.test'),
      get('http://b.host.test/', 'A=a'),
      get('http://c.other.test/', 'B=b'),
      get('http://a.host.test/', 'A=a X=only-a'),
    ],
  },
];

describe('CookieJar scenarios', () => {
  for (const sc of scenarios) {
    test(sc.name, () => {
      let now = T0;
      const jar = new CookieJar({ ...sc.opts, now: () => now });
      for (const [i, st] of sc.steps.entries()) {
        if ('advance' in st) now += st.advance;
        else if ('set' in st) jar.setCookies(new URL(st.set), st.lines.map((l) => parseSetCookie(l)));
        else {
          const got = jar.cookies(new URL(st.get)).map((c) => c.toString()).join(' ');
          assert.equal(got, st.want, `step ${i}: GET ${st.get}`);
        }
      }
    });
  }
});

describe('CookieJar details', () => {
  test('cookies() returns name/value/quoted only', () => {
    const jar = new CookieJar();
    jar.setCookies(new URL('https://www.host.test/'), [parseSetCookie('A="v"; Path=/; Secure; HttpOnly; Max-Age=60; SameSite=Strict')]);
    const [c] = jar.cookies(new URL('https://www.host.test/'));
    assert.ok(c instanceof Cookie);
    assert.deepEqual([c.name, c.value, c.quoted, c.path, c.domain, c.secure, c.httpOnly, c.maxAge, c.sameSite], ['A', 'v', true, '', '', false, false, 0, '']);
  });

  test('plain objects are accepted as cookies', () => {
    const jar = new CookieJar();
    jar.setCookies(new URL('http://www.host.test/dir/page'), [{ name: 'a', value: '1' }, { name: 'b', value: '2', path: '/', domain: 'host.test' }]);
    assert.equal(jar.cookies(new URL('http://www.host.test/dir/x')).map(String).join(' '), 'a=1 b=2');
    assert.equal(jar.cookies(new URL('http://api.host.test/')).map(String).join(' '), 'b=2');
  });

  test('a non-ASCII domain attribute is malformed (only reachable with plain objects)', () => {
    const jar = new CookieJar();
    jar.setCookies(new URL('http://www.xn--hst-gna.test/'), [{ name: 'D', value: 'd', domain: 'hóst.test' }, { name: 'P', value: 'p', domain: 'xn--hst-gna.test' }]);
    assert.equal(jar.cookies(new URL('http://hóst.test/')).map(String).join(' '), 'P=p');
    assert.equal(jar.cookies(new URL('http://www.hóst.test/')).map(String).join(' '), 'P=p');
  });

  test('size counts stored cookies and drops expired ones when touched', () => {
    let now = T0;
    const jar = new CookieJar({ now: () => now });
    jar.setCookies(new URL('http://h.test/'), [parseSetCookie('a=1; max-age=1'), parseSetCookie('b=2')]);
    assert.equal(jar.size, 2);
    now += 1000;
    jar.cookies(new URL('http://h.test/'));
    assert.equal(jar.size, 1);
    jar.setCookies(new URL('http://h.test/'), [parseSetCookie('b=; max-age=0')]);
    assert.equal(jar.size, 0);
    jar.setCookies(new URL('http://h.test/'), []);
    assert.equal(jar.size, 0);
  });

  test('maxCookiesPerDomain evicts the least recently used cookie of that site', () => {
    let now = T0;
    const jar = new CookieJar({ now: () => now, maxCookiesPerDomain: 3 });
    const u = (p: string): URL => new URL(`http://www.host.test${p}`);
    jar.setCookies(u('/'), ['A=a; path=/a', 'B=b; path=/b', 'C=c; path=/c'].map(parseSetCookie));
    now += 1000;
    assert.equal(jar.cookies(u('/a')).map(String).join(' '), 'A=a');
    now += 1000;
    jar.setCookies(u('/'), [parseSetCookie('D=d; path=/d')]);
    assert.equal(jar.size, 3);
    assert.equal(jar.cookies(u('/a')).map(String).join(' '), 'A=a');
    assert.equal(jar.cookies(u('/b')).map(String).join(' '), '');
    assert.equal(jar.cookies(u('/c')).map(String).join(' '), 'C=c');
    assert.equal(jar.cookies(u('/d')).map(String).join(' '), 'D=d');
    // Another site is not affected by this site's bound.
    jar.setCookies(new URL('http://other.test/'), ['X=1', 'Y=2', 'Z=3'].map(parseSetCookie));
    assert.equal(jar.size, 6);
  });

  test('eviction prefers expired cookies', () => {
    let now = T0;
    const jar = new CookieJar({ now: () => now, maxCookiesPerDomain: 2 });
    jar.setCookies(new URL('http://h.test/'), ['A=a', 'E=e; max-age=1'].map(parseSetCookie));
    now += 2000;
    jar.setCookies(new URL('http://h.test/'), [parseSetCookie('B=b')]);
    assert.equal(jar.cookies(new URL('http://h.test/')).map(String).join(' '), 'A=a B=b');
  });

  test('maxCookies bounds the whole jar', () => {
    let now = T0;
    const jar = new CookieJar({ now: () => now, maxCookies: 2 });
    jar.setCookies(new URL('http://a.test/'), [parseSetCookie('A=a')]);
    now += 1;
    jar.setCookies(new URL('http://b.test/'), [parseSetCookie('B=b')]);
    now += 1;
    jar.setCookies(new URL('http://c.test/'), [parseSetCookie('C=c')]);
    assert.equal(jar.size, 2);
    assert.equal(jar.cookies(new URL('http://a.test/')).length, 0);
    assert.equal(jar.cookies(new URL('http://b.test/')).length, 1);
    assert.equal(jar.cookies(new URL('http://c.test/')).length, 1);
  });

  test('a custom public suffix list is used', () => {
    const psl: PublicSuffixList = {
      publicSuffix: (d) => (d === 'host.test' || d.endsWith('.host.test') ? 'host.test' : d.slice(d.lastIndexOf('.') + 1)),
      toString: () => 'test list',
    };
    const jar = new CookieJar({ publicSuffixList: psl });
    jar.setCookies(new URL('http://www.host.test/'), ['A=a; domain=host.test', 'B=b; domain=www.host.test'].map(parseSetCookie));
    assert.equal(jar.cookies(new URL('http://other.host.test/')).map(String).join(' '), '');
    assert.equal(jar.cookies(new URL('http://x.www.host.test/')).map(String).join(' '), 'B=b');
    assert.equal(jar.publicSuffixList?.toString(), 'test list');
  });

  test('builtinPublicSuffixList', () => {
    const cases: [string, string][] = [
      ['example.com', 'com'], ['www.example.com', 'com'], ['a.b.co.uk', 'co.uk'], ['co.uk', 'co.uk'], ['uk', 'uk'],
      ['com', 'com'], ['user.github.io', 'github.io'], ['github.io', 'github.io'], ['io', 'io'], ['localhost', 'localhost'],
      ['x.y.z', 'z'], ['foo.bar.com.au', 'com.au'], ['example.co.jp', 'co.jp'], ['s3.amazonaws.com', 's3.amazonaws.com'],
      ['bucket.s3.amazonaws.com', 's3.amazonaws.com'], ['amazonaws.com', 'com'],
    ];
    for (const [d, want] of cases) assert.equal(builtinPublicSuffixList.publicSuffix(d), want, d);
  });
});

// Cookies: Set-Cookie serialization with Go's sanitizing, Set-Cookie and Cookie header parsing,
// Valid(), the Expires date grammar. Tables modeled on Go's net/http behaviour.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Cookie, CookieError, parseSetCookie, parseCookie, readSetCookies, readCookies, validCookieValue, validCookieName,
  validCookieDomain, parseCookieExpires, formatHTTPDate, cookieHeaderPair, sanitizeCookieName, type CookieInit,
} from '../../src/http/cookie.js';
import { Header } from '../../src/http/header.js';

const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0): Date => new Date(Date.UTC(y, mo - 1, d, h, mi, s));

describe('Cookie.toString (Set-Cookie serialization)', () => {
  const cases: [CookieInit, string][] = [
    [{ name: 'cookie-1', value: 'v$1' }, 'cookie-1=v$1'],
    [{ name: 'cookie-2', value: 'two', maxAge: 3600 }, 'cookie-2=two; Max-Age=3600'],
    [{ name: 'cookie-3', value: 'three', domain: '.example.com' }, 'cookie-3=three; Domain=example.com'],
    [{ name: 'cookie-4', value: 'four', path: '/restricted/' }, 'cookie-4=four; Path=/restricted/'],
    [{ name: 'cookie-5', value: 'five', domain: 'wrong;bad.abc' }, 'cookie-5=five'],
    [{ name: 'cookie-6', value: 'six', domain: 'bad-.abc' }, 'cookie-6=six'],
    [{ name: 'cookie-7', value: 'seven', domain: '127.0.0.1' }, 'cookie-7=seven; Domain=127.0.0.1'],
    [{ name: 'cookie-8', value: 'eight', domain: '::1' }, 'cookie-8=eight'],
    [{ name: 'c', value: 'v', domain: '1.2.3.4.5' }, 'c=v'],
    [{ name: 'c', value: 'v', domain: '256.1.1.1' }, 'c=v'],
    [{ name: 'c', value: 'v', domain: 'a..b.com' }, 'c=v'],
    [{ name: 'c', value: 'v', domain: '-a.com' }, 'c=v'],
    [{ name: 'c', value: 'v', domain: 'a_b.com' }, 'c=v'],
    [{ name: 'c', value: 'v', domain: 'a'.repeat(64) + '.com' }, 'c=v'],
    [{ name: 'c', value: 'v', domain: 'a'.repeat(63) + '.com' }, `c=v; Domain=${'a'.repeat(63)}.com`],
    [{ name: 'c', value: 'v', domain: '..example.com' }, 'c=v'],
    [{ name: 'c', value: 'v', domain: 'Example.COM' }, 'c=v; Domain=Example.COM'],
    [{ name: 'c', value: 'v', domain: 'example.com.' }, 'c=v; Domain=example.com.'],
    [{ name: 'c', value: 'v', domain: 'xn--bcher-kva.de' }, 'c=v; Domain=xn--bcher-kva.de'],
    [{ name: 'c', value: 'v', domain: 'bücher.de' }, 'c=v'],
    [{ name: 'c', value: 'v', domain: '123' }, 'c=v'],
    [{ name: 'cookie-9', value: 'expiring', expires: utc(2009, 11, 10, 23, 0, 0) }, 'cookie-9=expiring; Expires=Tue, 10 Nov 2009 23:00:00 GMT'],
    [{ name: 'c', value: 'v', expires: utc(1601, 1, 1) }, 'c=v; Expires=Mon, 01 Jan 1601 00:00:00 GMT'],
    [{ name: 'c', value: 'v', expires: utc(1600, 12, 31, 23, 59, 59) }, 'c=v'],
    [{ name: 'c', value: 'v', expires: new Date(NaN) }, 'c=v'],
    [{ name: 'c', value: 'v', maxAge: -1 }, 'c=v; Max-Age=0'],
    [{ name: 'c', value: 'v', maxAge: 0 }, 'c=v'],
    [{ name: 'c', value: 'v', httpOnly: true }, 'c=v; HttpOnly'],
    [{ name: 'c', value: 'v', secure: true }, 'c=v; Secure'],
    [{ name: 'c', value: 'v', sameSite: 'default' }, 'c=v'],
    [{ name: 'c', value: 'v', sameSite: 'lax' }, 'c=v; SameSite=Lax'],
    [{ name: 'c', value: 'v', sameSite: 'strict' }, 'c=v; SameSite=Strict'],
    [{ name: 'c', value: 'v', sameSite: 'none' }, 'c=v; SameSite=None'],
    [{ name: 'c', value: 'v', secure: true, partitioned: true }, 'c=v; Secure; Partitioned'],
    [{ name: 'c', value: 'v', httpOnly: true, secure: true, sameSite: 'lax' }, 'c=v; HttpOnly; Secure; SameSite=Lax'],
    [{
      name: 'all', value: 'x', path: '/p', domain: 'example.com', expires: utc(2030, 1, 2, 3, 4, 5), maxAge: 10,
      httpOnly: true, secure: true, sameSite: 'strict', partitioned: true,
    }, 'all=x; Path=/p; Domain=example.com; Expires=Wed, 02 Jan 2030 03:04:05 GMT; Max-Age=10; HttpOnly; Secure; SameSite=Strict; Partitioned'],
    // Values: bad characters dropped; space or comma → quoted.
    [{ name: 'special-1', value: 'a z' }, 'special-1="a z"'],
    [{ name: 'special-2', value: ' z' }, 'special-2=" z"'],
    [{ name: 'special-3', value: 'a ' }, 'special-3="a "'],
    [{ name: 'special-4', value: ' ' }, 'special-4=" "'],
    [{ name: 'special-5', value: 'a,z' }, 'special-5="a,z"'],
    [{ name: 'special-6', value: ',z' }, 'special-6=",z"'],
    [{ name: 'special-7', value: 'a,' }, 'special-7="a,"'],
    [{ name: 'special-8', value: ',' }, 'special-8=","'],
    [{ name: 'empty-value', value: '' }, 'empty-value='],
    [{ name: 'c', value: '"' }, 'c='],
    [{ name: 'c', value: 'a"b;c\\d' }, 'c=abcd'],
    [{ name: 'c', value: 'x\ny\r\tz' }, 'c=xyz'],
    [{ name: 'c', value: 'caf\u00e9' }, 'c=caf'],
    [{ name: 'c', value: 'a\u007fb' }, 'c=ab'],
    [{ name: 'c', value: '"quoted"' }, 'c=quoted'],
    [{ name: 'c', value: 'abc', quoted: true }, 'c="abc"'],
    [{ name: 'c', value: '', quoted: true }, 'c='],
    [{ name: 'c', value: '=!#$%&\'()*+-./:<>?@[]^_`{|}~' }, 'c==!#$%&\'()*+-./:<>?@[]^_`{|}~'],
    // Paths: ';' and control characters dropped.
    [{ name: 'c', value: 'v', path: '/a;b' }, 'c=v; Path=/ab'],
    [{ name: 'c', value: 'v', path: '\x00/a\x7f' }, 'c=v; Path=/a'],
    [{ name: 'c', value: 'v', path: '/with space,comma' }, 'c=v; Path=/with space,comma'],
    // Names: invalid → nothing at all.
    [{ name: '', value: 'v' }, ''],
    [{ name: 'a b', value: 'v' }, ''],
    [{ name: 'a\n', value: 'v' }, ''],
    [{ name: 'a=b', value: 'v' }, ''],
    [{ name: 'a;b', value: 'v' }, ''],
    [{ name: 'a"', value: 'v' }, ''],
    [{ name: 'ñ', value: 'v' }, ''],
    [{ name: "!#$%&'*+-.^_`|~", value: 'v' }, "!#$%&'*+-.^_`|~=v"],
  ];
  for (const [init, want] of cases) {
    test(`${JSON.stringify(init)} → ${JSON.stringify(want)}`, () => {
      assert.equal(new Cookie(init).toString(), want);
    });
  }
});

interface Parsed {
  name: string;
  value: string;
  quoted?: boolean;
  path?: string;
  domain?: string;
  expires?: Date | null;
  rawExpires?: string;
  maxAge?: number;
  secure?: boolean;
  httpOnly?: boolean;
  sameSite?: string;
  partitioned?: boolean;
  unparsed?: string[];
}

function shape(c: Cookie): Parsed {
  return {
    name: c.name, value: c.value, quoted: c.quoted, path: c.path, domain: c.domain, expires: c.expires,
    rawExpires: c.rawExpires, maxAge: c.maxAge, secure: c.secure, httpOnly: c.httpOnly, sameSite: c.sameSite,
    partitioned: c.partitioned, unparsed: c.unparsed,
  };
}

function full(p: Parsed): Parsed {
  return {
    quoted: false, path: '', domain: '', expires: null, rawExpires: '', maxAge: 0, secure: false, httpOnly: false,
    sameSite: '', partitioned: false, unparsed: [], ...p,
  };
}

describe('parseSetCookie', () => {
  const cases: [string, Parsed | string][] = [
    ['Cookie-1=v$1', { name: 'Cookie-1', value: 'v$1' }],
    ['NID=99=YsDT5i3E-CXax-; expires=Wed, 23-Nov-2011 01:05:03 GMT; path=/; domain=.google.ch; HttpOnly', {
      name: 'NID', value: '99=YsDT5i3E-CXax-', path: '/', domain: '.google.ch', httpOnly: true,
      expires: utc(2011, 11, 23, 1, 5, 3), rawExpires: 'Wed, 23-Nov-2011 01:05:03 GMT',
    }],
    ['.ASPXAUTH=7E3AA; expires=Wed, 07-Mar-2012 14:25:06 GMT; path=/; HttpOnly', {
      name: '.ASPXAUTH', value: '7E3AA', path: '/', httpOnly: true, expires: utc(2012, 3, 7, 14, 25, 6), rawExpires: 'Wed, 07-Mar-2012 14:25:06 GMT',
    }],
    ['ASP.NET_SessionId=foo; path=/; HttpOnly', { name: 'ASP.NET_SessionId', value: 'foo', path: '/', httpOnly: true }],
    ['samesitedefault=foo; SameSite', { name: 'samesitedefault', value: 'foo', sameSite: 'default' }],
    ['samesiteinvalid=foo; SameSite=invalid', { name: 'samesiteinvalid', value: 'foo', sameSite: 'default' }],
    ['samesitelax=foo; SameSite=Lax', { name: 'samesitelax', value: 'foo', sameSite: 'lax' }],
    ['samesitestrict=foo; SameSite=Strict', { name: 'samesitestrict', value: 'foo', sameSite: 'strict' }],
    ['samesitenone=foo; SameSite=None', { name: 'samesitenone', value: 'foo', sameSite: 'none' }],
    ['a=b; samesite=LAX', { name: 'a', value: 'b', sameSite: 'lax' }],
    ['a=b; SAMESITE=sTrIcT', { name: 'a', value: 'b', sameSite: 'strict' }],
    ['special-1=a z', { name: 'special-1', value: 'a z' }],
    ['special-2=" z"', { name: 'special-2', value: ' z', quoted: true }],
    ['special-3="a "', { name: 'special-3', value: 'a ', quoted: true }],
    ['special-4=" "', { name: 'special-4', value: ' ', quoted: true }],
    ['special-5=a,z', { name: 'special-5', value: 'a,z' }],
    ['special-6=",z"', { name: 'special-6', value: ',z', quoted: true }],
    ['special-7=a,', { name: 'special-7', value: 'a,' }],
    ['special-8=","', { name: 'special-8', value: ',', quoted: true }],
    ['empty-value=', { name: 'empty-value', value: '' }],
    ['empty-quoted=""', { name: 'empty-quoted', value: '', quoted: true }],
    [' name = value ', { name: 'name', value: ' value' }],
    ['a=b;Path=/p;Domain=d.test', { name: 'a', value: 'b', path: '/p', domain: 'd.test' }],
    ['a=b; Secure; HttpOnly; Partitioned', { name: 'a', value: 'b', secure: true, httpOnly: true, partitioned: true }],
    ['a=b; secure=yes; httponly=', { name: 'a', value: 'b', secure: true, httpOnly: true }],
    ['a=b; Path=/x"y', { name: 'a', value: 'b', unparsed: ['Path=/x"y'] }],
    ['a=b; Path=', { name: 'a', value: 'b' }],
    ['a=b; Domain=EXAMPLE.com', { name: 'a', value: 'b', domain: 'EXAMPLE.com' }],
    ['a=b; Foo=bar; Baz', { name: 'a', value: 'b', unparsed: ['Foo=bar', 'Baz'] }],
    ['a=b; ;  ; Secure', { name: 'a', value: 'b', secure: true }],
    ['a=b; Sécure', { name: 'a', value: 'b' }],
    ['a=b; Max-Age =5', { name: 'a', value: 'b', unparsed: ['Max-Age =5'] }],
    ['a=b; Max-Age=60', { name: 'a', value: 'b', maxAge: 60 }],
    ['a=b; max-age=10', { name: 'a', value: 'b', maxAge: 10 }],
    ['a=b; MAX-AGE=10', { name: 'a', value: 'b', maxAge: 10 }],
    ['a=b; Max-Age=0', { name: 'a', value: 'b', maxAge: -1 }],
    ['a=b; Max-Age=00', { name: 'a', value: 'b', maxAge: -1 }],
    ['a=b; Max-Age=-1', { name: 'a', value: 'b', maxAge: -1 }],
    ['a=b; Max-Age=-60', { name: 'a', value: 'b', maxAge: -1 }],
    ['a=b; Max-Age=+5', { name: 'a', value: 'b', maxAge: 5 }],
    ['a=b; Max-Age=05', { name: 'a', value: 'b', unparsed: ['Max-Age=05'] }],
    ['a=b; Max-Age=abc', { name: 'a', value: 'b', unparsed: ['Max-Age=abc'] }],
    ['a=b; Max-Age=', { name: 'a', value: 'b', unparsed: ['Max-Age='] }],
    ['a=b; Max-Age=1.5', { name: 'a', value: 'b', unparsed: ['Max-Age=1.5'] }],
    ['a=b; Max-Age=99999999999999999999', { name: 'a', value: 'b', unparsed: ['Max-Age=99999999999999999999'] }],
    ['a=b; Max-Age=9223372036854775807', { name: 'a', value: 'b', maxAge: Number(9223372036854775807n) }],
    ['a=b; Expires=Wed, 09 Jun 2021 10:18:14 GMT', { name: 'a', value: 'b', expires: utc(2021, 6, 9, 10, 18, 14), rawExpires: 'Wed, 09 Jun 2021 10:18:14 GMT' }],
    ['a=b; expires=Thu, 01 Jan 1970 00:00:00 GMT', { name: 'a', value: 'b', expires: new Date(0), rawExpires: 'Thu, 01 Jan 1970 00:00:00 GMT' }],
    ['a=b; Expires=tomorrow', { name: 'a', value: 'b', rawExpires: 'tomorrow', unparsed: ['Expires=tomorrow'] }],
    ['a=b; Expires=', { name: 'a', value: 'b', unparsed: ['Expires='] }],
    ['a=b; Expires=Wed, 09 Jun 2021 10:18:14 GMT; Max-Age=5', {
      name: 'a', value: 'b', expires: utc(2021, 6, 9, 10, 18, 14), rawExpires: 'Wed, 09 Jun 2021 10:18:14 GMT', maxAge: 5,
    }],
    ['a=b; c', { name: 'a', value: 'b', unparsed: ['c'] }],
    // Errors.
    ['', "CookieError: http: blank cookie"],
    ['   ', 'CookieError: http: blank cookie'],
    ['noequals', "CookieError: http: '=' not found in cookie"],
    ['noequals; Path=/', "CookieError: http: '=' not found in cookie"],
    ['=value', 'CookieError: http: invalid cookie name'],
    ['a b=c', 'CookieError: http: invalid cookie name'],
    ['a,b=c', 'CookieError: http: invalid cookie name'],
    ['ñ=c', 'CookieError: http: invalid cookie name'],
    ['a=b\\c', 'CookieError: http: invalid cookie value'],
    ['a=b"c', 'CookieError: http: invalid cookie value'],
    ['a="', 'CookieError: http: invalid cookie value'],
    ['a="b', 'CookieError: http: invalid cookie value'],
    ['a=\x01', 'CookieError: http: invalid cookie value'],
    ['a=é', 'CookieError: http: invalid cookie value'],
  ];
  for (const [line, want] of cases) {
    test(JSON.stringify(line), () => {
      if (typeof want === 'string') {
        assert.throws(() => parseSetCookie(line), (e: unknown) => e instanceof CookieError && `${e.name}: ${e.message}` === want);
        return;
      }
      const c = parseSetCookie(line);
      assert.deepEqual(shape(c), full(want));
      assert.equal(c.raw, line);
    });
  }
});

describe('parseCookieExpires', () => {
  const cases: [string, Date | null][] = [
    ['Wed, 09 Jun 2021 10:18:14 GMT', utc(2021, 6, 9, 10, 18, 14)],
    ['Wed, 09-Jun-2021 10:18:14 GMT', utc(2021, 6, 9, 10, 18, 14)],
    ['wed, 09 jun 2021 10:18:14 GMT', utc(2021, 6, 9, 10, 18, 14)],
    ['Mon, 09 JUN 2021 10:18:14 GMT', utc(2021, 6, 9, 10, 18, 14)],
    ['Wed, 09 Jun 2021 1:18:14 GMT', utc(2021, 6, 9, 1, 18, 14)],
    ['Wed, 09 Jun 2021 10:18:14 UTC', utc(2021, 6, 9, 10, 18, 14)],
    ['Wed, 09 Jun 2021 10:18:14 PST', utc(2021, 6, 9, 10, 18, 14)],
    ['Wed, 09 Jun 2021 10:18:14 CEST', utc(2021, 6, 9, 10, 18, 14)],
    ['Wed, 09 Jun 2021 10:18:14 GMT+2', utc(2021, 6, 9, 8, 18, 14)],
    ['Wed, 09 Jun 2021 01:18:14 GMT+3', utc(2021, 6, 8, 22, 18, 14)],
    ['Wed, 09 Jun 2021 10:18:14 GMT-10', utc(2021, 6, 9, 20, 18, 14)],
    ['Wed, 09 Jun 2021 10:18:14.123 GMT', utc(2021, 6, 9, 10, 18, 14)],
    ['Thu, 29 Feb 2024 00:00:00 GMT', utc(2024, 2, 29)],
    ['Sat, 01 Jan 0001 00:00:00 GMT', (() => { const d = new Date(0); d.setUTCFullYear(1, 0, 1); return d; })()],
    ['Fri, 31 Dec 9999 23:59:59 GMT', utc(9999, 12, 31, 23, 59, 59)],
    ['Wed, 29 Feb 2023 00:00:00 GMT', null],
    ['Wed, 31 Apr 2021 00:00:00 GMT', null],
    ['Wed, 00 Jun 2021 10:18:14 GMT', null],
    ['Wed, 9 Jun 2021 10:18:14 GMT', null],
    ['Wed, 09 Jun 21 10:18:14 GMT', null],
    ['Wed, 09 Jun 2021 24:00:00 GMT', null],
    ['Wed, 09 Jun 2021 10:60:00 GMT', null],
    ['Wed, 09 Jun 2021 10:18:60 GMT', null],
    ['Wed, 09 Jun 2021 10:18:14 gmt', null],
    ['Wed, 09 Jun 2021 10:18:14', null],
    ['Wed, 09 Jun 2021 10:18:14 GMT ', null],
    ['Wed, 09 Jun-2021 10:18:14 GMT', null],
    ['Wednesday, 09 Jun 2021 10:18:14 GMT', null],
    ['Xyz, 09 Jun 2021 10:18:14 GMT', null],
    ['Wed, 09 Jux 2021 10:18:14 GMT', null],
    ['Wed, 09 Jun 2021 10:18:14 PSTX', null],
    ['Wed, 09 Jun 2021 10:18:14 UT', null],
    ['Wed, 09 Jun 2021 10:18:14 EST+5', null],
    ['2021-06-09T10:18:14Z', null],
    ['', null],
  ];
  for (const [s, want] of cases) {
    test(`${JSON.stringify(s)} → ${want === null ? 'invalid' : want.toISOString()}`, () => {
      assert.deepEqual(parseCookieExpires(s), want);
    });
  }

  test('formatHTTPDate is Go\'s TimeFormat in UTC and parses back', () => {
    for (const d of [utc(2021, 6, 9, 10, 18, 14), utc(1601, 1, 1), utc(1999, 12, 31, 23, 59, 59), new Date(0)]) {
      const s = formatHTTPDate(d);
      assert.match(s, /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
      assert.deepEqual(parseCookieExpires(s), d);
    }
    assert.equal(formatHTTPDate(utc(2010, 11, 23, 1, 2, 3)), 'Tue, 23 Nov 2010 01:02:03 GMT');
  });
});

describe('readSetCookies', () => {
  test('all valid lines, in order; invalid lines dropped', () => {
    const h = new Header();
    h.add('Set-Cookie', 'a=1; Path=/');
    h.add('Set-Cookie', 'bad line');
    h.add('Set-Cookie', 'b=2; Secure');
    h.add('set-cookie', 'c="3"');
    h.add('Set-Cookie', '=nameless');
    const cs = readSetCookies(h);
    assert.deepEqual(cs.map((c) => c.toString()), ['a=1; Path=/', 'b=2; Secure', 'c="3"']);
    assert.equal(cs[2]!.quoted, true);
  });
  test('no Set-Cookie header → []', () => {
    assert.deepEqual(readSetCookies(new Header({ 'Content-Type': 'text/plain' })), []);
  });
  test('a structural header works too', () => {
    const cs = readSetCookies({ values: (k) => (k === 'Set-Cookie' ? ['x=y; HttpOnly'] : []) });
    assert.equal(cs.length, 1);
    assert.equal(cs[0]!.httpOnly, true);
  });
});

describe('readCookies', () => {
  const cases: [string[], string, [string, string, boolean][]][] = [
    [['Cookie-1=v$1', 'c2=v2'], '', [['Cookie-1', 'v$1', false], ['c2', 'v2', false]]],
    [['Cookie-1=v$1', 'c2=v2'], 'c2', [['c2', 'v2', false]]],
    [['Cookie-1=v$1; c2=v2'], '', [['Cookie-1', 'v$1', false], ['c2', 'v2', false]]],
    [['Cookie-1=v$1; c2=v2'], 'c2', [['c2', 'v2', false]]],
    [['Cookie-1=v$1; c2=v2'], 'nope', []],
    [[' Cookie-1="v$1"; c2="v2" '], '', [['Cookie-1', 'v$1', true], ['c2', 'v2', true]]],
    [['Cookie-1=v$1;c2=v2;'], '', [['Cookie-1', 'v$1', false], ['c2', 'v2', false]]],
    [['a'], '', [['a', '', false]]],
    [['a=;b=2'], '', [['a', '', false], ['b', '2', false]]],
    [['x=1; y'], '', [['x', '1', false], ['y', '', false]]],
    [['=b'], '', []],
    [['bad name=1; ok=2'], '', [['ok', '2', false]]],
    [['a=b"c; d=e'], '', [['d', 'e', false]]],
    [['a=" b "'], '', [['a', ' b ', true]]],
    [['a=b c'], '', [['a', 'b c', false]]],
    [['a=1; a=2'], 'a', [['a', '1', false], ['a', '2', false]]],
    [[''], '', []],
    [['  ;  ; '], '', []],
    [['a=1', 'b=2; c=3'], '', [['a', '1', false], ['b', '2', false], ['c', '3', false]]],
    [['a =1;  b  =  2'], '', [['a', '1', false], ['b', '  2', false]]],
    [['a=\u00e9; b=ok'], '', [['b', 'ok', false]]],
    [['a="'], '', []],
    [['a=""'], '', [['a', '', true]]],
    [[], '', []],
  ];
  for (const [lines, filter, want] of cases) {
    test(`${JSON.stringify(lines)} filter ${JSON.stringify(filter)}`, () => {
      const h = new Header();
      for (const l of lines) h.add('Cookie', l);
      assert.deepEqual(readCookies(h, filter).map((c) => [c.name, c.value, c.quoted]), want);
    });
  }
});

describe('parseCookie (strict)', () => {
  const cases: [string, [string, string][] | string][] = [
    ['a=1; b=2', [['a', '1'], ['b', '2']]],
    ['a="1";b=2', [['a', '1'], ['b', '2']]],
    ['  a=1  ', [['a', '1']]],
    ['a=', [['a', '']]],
    ['', 'http: blank cookie'],
    ['a=1; b', "http: '=' not found in cookie"],
    ['a=1;', "http: '=' not found in cookie"],
    ['a =1', 'http: invalid cookie name'],
    ['=1', 'http: invalid cookie name'],
    ['a=1; b="x', 'http: invalid cookie value'],
    ['a=x;y', "http: '=' not found in cookie"],
  ];
  for (const [line, want] of cases) {
    test(JSON.stringify(line), () => {
      if (typeof want === 'string') {
        assert.throws(() => parseCookie(line), (e: unknown) => e instanceof CookieError && e.message === want);
      } else {
        assert.deepEqual(parseCookie(line).map((c) => [c.name, c.value]), want);
      }
    });
  }
});

describe('Cookie.valid', () => {
  const cases: [CookieInit, string | null][] = [
    [{ name: 'a', value: 'b' }, null],
    [{ name: 'a', value: 'b c,d' }, null],
    [{ name: '', value: 'b' }, 'http: invalid Cookie.Name'],
    [{ name: 'a b', value: 'b' }, 'http: invalid Cookie.Name'],
    [{ name: 'a', value: 'b', expires: utc(1600, 1, 1) }, 'http: invalid Cookie.Expires'],
    [{ name: 'a', value: 'b', expires: utc(1601, 1, 1) }, null],
    [{ name: 'a', value: 'b"' }, 'http: invalid byte \'"\' in Cookie.Value'],
    [{ name: 'a', value: 'b;' }, "http: invalid byte ';' in Cookie.Value"],
    [{ name: 'a', value: 'b\\' }, "http: invalid byte '\\\\' in Cookie.Value"],
    [{ name: 'a', value: 'b\n' }, "http: invalid byte '\\n' in Cookie.Value"],
    [{ name: 'a', value: '\x01' }, "http: invalid byte '\\x01' in Cookie.Value"],
    [{ name: 'a', value: 'b', path: '/a;b' }, "http: invalid byte ';' in Cookie.Path"],
    [{ name: 'a', value: 'b', path: '/a\tb' }, "http: invalid byte '\\t' in Cookie.Path"],
    [{ name: 'a', value: 'b', path: '/a"b c' }, null],
    [{ name: 'a', value: 'b', domain: 'example.com' }, null],
    [{ name: 'a', value: 'b', domain: '.example.com' }, null],
    [{ name: 'a', value: 'b', domain: '127.0.0.1' }, null],
    [{ name: 'a', value: 'b', domain: '::1' }, 'http: invalid Cookie.Domain'],
    [{ name: 'a', value: 'b', domain: 'exa mple.com' }, 'http: invalid Cookie.Domain'],
    [{ name: 'a', value: 'b', partitioned: true }, 'http: partitioned cookies must be set with Secure'],
    [{ name: 'a', value: 'b', partitioned: true, secure: true }, null],
  ];
  for (const [init, want] of cases) {
    test(`${JSON.stringify(init)} → ${want}`, () => {
      const e = new Cookie(init).valid();
      if (want === null) assert.equal(e, null);
      else {
        assert.ok(e instanceof CookieError);
        assert.equal(e.message, want);
      }
    });
  }
});

describe('character classes', () => {
  test('validCookieValue', () => {
    for (const v of ['', 'abc', 'a b', 'a,b', '!#$%&\'()*+-./:<>?@[]^_`{|}~=', '~']) assert.equal(validCookieValue(v), true, v);
    for (const v of ['"', ';', '\\', '\x00', '\x1f', '\x7f', 'é', 'a\tb', 'a\nb', '\u{1F600}']) assert.equal(validCookieValue(v), false, JSON.stringify(v));
  });
  test('validCookieName', () => {
    for (const v of ['a', 'A-b_c.d', "!#$%&'*+-.^_`|~", '0']) assert.equal(validCookieName(v), true, v);
    for (const v of ['', 'a b', 'a=b', 'a;b', 'a,b', 'a"', '(a)', 'a/b', 'a:b', 'é']) assert.equal(validCookieName(v), false, v);
  });
  test('validCookieDomain', () => {
    for (const v of ['example.com', '.example.com', 'a-b.c', 'x1.y2', '127.0.0.1', '0.0.0.0', 'localhost']) assert.equal(validCookieDomain(v), true, v);
    for (const v of ['', '.', '..a.com', 'a-.com', '-a.com', 'a_b.com', '1.2.3', '::1', '[::1]', 'a b', '1.2.3.256']) assert.equal(validCookieDomain(v), false, v);
  });
});

describe('Cookie request header pairs', () => {
  const cases: [{ name: string; value: string; quoted?: boolean }, string][] = [
    [{ name: 'a', value: '1' }, 'a=1'],
    [{ name: 'a', value: 'x y' }, 'a="x y"'],
    [{ name: 'a', value: 'q', quoted: true }, 'a="q"'],
    [{ name: 'a', value: 'b;c"d' }, 'a=bcd'],
    [{ name: 'a\r\nb', value: '1' }, 'a--b=1'],
    [{ name: '', value: 'v' }, '=v'],
  ];
  for (const [c, want] of cases) {
    test(`${JSON.stringify(c)} → ${want}`, () => assert.equal(cookieHeaderPair(c), want));
  }
  test('sanitizeCookieName only replaces CR and LF', () => {
    assert.equal(sanitizeCookieName('a b\n\rc=;'), 'a b--c=;');
  });
});

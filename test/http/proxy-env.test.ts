// proxyFuncFromEnv: a table of environment × request URL → proxy URL, none, or a typed error.
// Expectations follow Go's x/net/http/httpproxy rules, with gonet's documented differences
// (lowercase wins, CGI ignores HTTP_PROXY, bad values are errors, `[v6]` in NO_PROXY matches).

import { describe, test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  proxyFuncFromEnv, proxyFromEnvironment, reloadProxyEnvironment, parseProxyURL, InvalidProxyURLError,
  type ProxyEnv, type ProxyEnvOptions,
} from '../../src/http/proxy.js';

type Want = string | null | { error: string };
interface Case {
  env: ProxyEnv;
  url: string;
  want: Want;
  opts?: ProxyEnvOptions;
}

const cases: Case[] = [];
function c(env: ProxyEnv, url: string, want: Want, opts?: ProxyEnvOptions): void {
  cases.push({ env, url, want, opts });
}

const P = 'http://p:1/';
const S = 'http://s:2/';
const BOTH = { HTTP_PROXY: 'http://p:1', HTTPS_PROXY: 'http://s:2' };
const np = (list: string): ProxyEnv => ({ ...BOTH, NO_PROXY: list });

// ---- which variable applies to which scheme ----
c({ HTTP_PROXY: 'http://p:1' }, 'http://example.com/', P);
c({ HTTP_PROXY: 'http://p:1' }, 'https://example.com/', null);
c({ HTTPS_PROXY: 'http://s:2' }, 'https://example.com/', S);
c({ HTTPS_PROXY: 'http://s:2' }, 'http://example.com/', null);
c(BOTH, 'http://example.com/', P);
c(BOTH, 'https://example.com/', S);
c(BOTH, 'http://example.com:8080/x?y=1', P);
c(BOTH, 'https://example.com:8443/', S);
c(BOTH, 'ftp://example.com/', null);
c(BOTH, 'ws://example.com/', null);
c(BOTH, 'wss://example.com/', null);
c(BOTH, 'socks5://example.com/', null);
c({}, 'http://example.com/', null);
c({}, 'https://example.com/', null);
c({ HTTP_PROXY: '' }, 'http://example.com/', null);
c({ HTTPS_PROXY: '', https_proxy: '' }, 'https://example.com/', null);
c({ ALL_PROXY: 'http://a:1', all_proxy: 'http://a:1' }, 'http://example.com/', null);

// ---- lowercase wins; empty counts as unset; names are exact ----
c({ http_proxy: 'http://lower:1' }, 'http://example.com/', 'http://lower:1/');
c({ http_proxy: 'http://lower:1', HTTP_PROXY: 'http://upper:2' }, 'http://example.com/', 'http://lower:1/');
c({ http_proxy: '', HTTP_PROXY: 'http://upper:2' }, 'http://example.com/', 'http://upper:2/');
c({ https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' }, 'https://example.com/', 'http://lower:1/');
c({ https_proxy: '', HTTPS_PROXY: 'http://upper:2' }, 'https://example.com/', 'http://upper:2/');
c({ https_proxy: 'http://lower:1' }, 'https://example.com/', 'http://lower:1/');
c({ Http_Proxy: 'http://mixed:1' }, 'http://example.com/', null);
c({ HTTPS_proxy: 'http://mixed:1' }, 'https://example.com/', null);
c({ ...BOTH, no_proxy: 'a.com', NO_PROXY: 'b.com' }, 'http://a.com/', null);
c({ ...BOTH, no_proxy: 'a.com', NO_PROXY: 'b.com' }, 'http://b.com/', P);
c({ ...BOTH, no_proxy: '', NO_PROXY: 'b.com' }, 'http://b.com/', null);
c({ ...BOTH, No_Proxy: 'b.com' }, 'http://b.com/', P);
// Go's order on request.
const GO = { preferUppercase: true };
c({ http_proxy: 'http://lower:1', HTTP_PROXY: 'http://upper:2' }, 'http://example.com/', 'http://upper:2/', GO);
c({ https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' }, 'https://example.com/', 'http://upper:2/', GO);
c({ http_proxy: 'http://lower:1', HTTP_PROXY: '' }, 'http://example.com/', 'http://lower:1/', GO);
c({ ...BOTH, no_proxy: 'a.com', NO_PROXY: 'b.com' }, 'http://a.com/', P, GO);
c({ ...BOTH, no_proxy: 'a.com', NO_PROXY: 'b.com' }, 'http://b.com/', null, GO);

// ---- CGI: REQUEST_METHOD set → the uppercase HTTP_PROXY is ignored ----
c({ REQUEST_METHOD: 'GET', HTTP_PROXY: 'http://evil:1' }, 'http://example.com/', null);
c({ REQUEST_METHOD: 'GET', http_proxy: 'http://lower:1' }, 'http://example.com/', 'http://lower:1/');
c({ REQUEST_METHOD: 'GET', HTTP_PROXY: 'http://evil:1', http_proxy: 'http://lower:1' }, 'http://example.com/', 'http://lower:1/');
c({ REQUEST_METHOD: 'GET', HTTPS_PROXY: 'http://s:2' }, 'https://example.com/', S);
c({ REQUEST_METHOD: 'POST', HTTP_PROXY: 'ftp://not a url' }, 'http://example.com/', null);
c({ REQUEST_METHOD: '', HTTP_PROXY: 'http://p:1' }, 'http://example.com/', P);
c({ REQUEST_METHOD: 'GET', HTTP_PROXY: 'http://evil:1' }, 'http://example.com/', null, GO);
c({ request_method: 'GET', HTTP_PROXY: 'http://p:1' }, 'http://example.com/', P);

// ---- proxy value forms ----
const viaHTTP = (v: string, want: Want): void => c({ HTTP_PROXY: v }, 'http://example.com/', want);
viaHTTP('proxy:3128', 'http://proxy:3128/');
viaHTTP('1.2.3.4:8080', 'http://1.2.3.4:8080/');
viaHTTP('[2001:db8::1]:3128', 'http://[2001:db8::1]:3128/');
viaHTTP('proxy', 'http://proxy/');
viaHTTP('localhost:3128', 'http://localhost:3128/');
viaHTTP('user:pw@proxy:3128', 'http://user:pw@proxy:3128/');
viaHTTP('http://proxy', 'http://proxy/');
viaHTTP('https://proxy:8443', 'https://proxy:8443/');
viaHTTP('socks5://proxy:1080', 'socks5://proxy:1080');
viaHTTP('socks5h://proxy', 'socks5h://proxy');
viaHTTP('socks5://user:pw@127.0.0.1:1080', 'socks5://user:pw@127.0.0.1:1080');
viaHTTP('HTTP://PROXY:80', 'http://proxy/');
viaHTTP('http://proxy:3128/path', 'http://proxy:3128/path');
viaHTTP('http://u%40x:p%3A@proxy', 'http://u%40x:p%3A@proxy/');
viaHTTP('bücher.de:3128', 'http://xn--bcher-kva.de:3128/');
viaHTTP('http://[::1]:3128', 'http://[::1]:3128/');

// ---- bad proxy values: an error when used, naming the variable ----
const invalid = (variable: string, value: string, reason: string): { error: string } =>
  ({ error: `proxy: invalid ${variable} value ${JSON.stringify(value)}: ${reason}` });
const SCHEMES = '(want http, https, socks5 or socks5h)';
viaHTTP('ftp://proxy:21', invalid('HTTP_PROXY', 'ftp://proxy:21', `unsupported proxy scheme "ftp" ${SCHEMES}`));
viaHTTP('socks4://p:1080', invalid('HTTP_PROXY', 'socks4://p:1080', `unsupported proxy scheme "socks4" ${SCHEMES}`));
viaHTTP('http://proxy:99999', invalid('HTTP_PROXY', 'http://proxy:99999', 'not a valid URL'));
viaHTTP('proxy:port', invalid('HTTP_PROXY', 'proxy:port', 'not a valid URL'));
viaHTTP('http://', invalid('HTTP_PROXY', 'http://', 'not a valid URL'));
viaHTTP('socks5://', invalid('HTTP_PROXY', 'socks5://', 'missing proxy host'));
viaHTTP('http://pro xy:1', invalid('HTTP_PROXY', 'http://pro xy:1', 'not a valid URL'));
viaHTTP('http://p:1/?x=1', invalid('HTTP_PROXY', 'http://p:1/?x=1', 'a proxy URL takes no query or fragment'));
viaHTTP('http://p:1#frag', invalid('HTTP_PROXY', 'http://p:1#frag', 'a proxy URL takes no query or fragment'));
c({ http_proxy: 'gopher://g' }, 'http://example.com/', invalid('http_proxy', 'gopher://g', `unsupported proxy scheme "gopher" ${SCHEMES}`));
c({ HTTPS_PROXY: 'ftp://s' }, 'https://example.com/', invalid('HTTPS_PROXY', 'ftp://s', `unsupported proxy scheme "ftp" ${SCHEMES}`));
c({ https_proxy: '[::1' }, 'https://example.com/', invalid('https_proxy', '[::1', 'not a valid URL'));
// The bad value is not consulted when it would not be used.
c({ HTTPS_PROXY: 'ftp://s', HTTP_PROXY: 'http://p:1' }, 'http://example.com/', P);
c({ HTTP_PROXY: 'ftp://bad', HTTPS_PROXY: 'http://s:2' }, 'https://example.com/', S);
c({ HTTP_PROXY: 'ftp://bad', NO_PROXY: 'example.com' }, 'http://example.com/', null);
c({ HTTP_PROXY: 'ftp://bad', NO_PROXY: '*' }, 'http://example.com/', null);
c({ HTTP_PROXY: 'ftp://bad' }, 'http://localhost/', null);
c({ HTTP_PROXY: 'ftp://bad' }, 'http://127.0.0.1/', null);
c({ HTTP_PROXY: 'ftp://bad' }, 'ftp://example.com/', null);
// A bad lowercase value is not rescued by a good uppercase one: the chosen variable is bad.
c({ http_proxy: 'ftp://bad', HTTP_PROXY: 'http://p:1' }, 'http://example.com/', invalid('http_proxy', 'ftp://bad', `unsupported proxy scheme "ftp" ${SCHEMES}`));

// ---- localhost and loopback never go through a proxy ----
for (const u of [
  'http://localhost/', 'http://localhost:8080/', 'https://localhost/', 'https://localhost:8443/', 'http://LOCALHOST/',
  'http://127.0.0.1/', 'http://127.0.0.1:9/', 'https://127.0.0.1/', 'http://127.1.2.3/', 'http://127.255.255.254:80/',
  'http://[::1]/', 'http://[::1]:8080/', 'https://[0:0:0:0:0:0:0:1]/', 'http://[::ffff:127.0.0.1]/', 'http://0x7f.1/',
]) c(BOTH, u, null);
for (const u of [
  'http://localhost./', 'http://foo.localhost/', 'http://localhost.example.com/', 'http://128.0.0.1/', 'http://[::2]/',
  'http://0.0.0.0/', 'http://126.255.255.255/',
]) c(BOTH, u, P);

// ---- NO_PROXY: `*` ----
c(np('*'), 'http://example.com/', null);
c(np('*'), 'https://example.com:8443/', null);
c(np('*'), 'http://10.0.0.1/', null);
c(np('*'), 'http://[2001:db8::1]/', null);
c(np('a.com,*'), 'http://b.com/', null);
c(np(' * '), 'http://b.com/', null);
c(np('**'), 'http://example.com/', P);
c(np('*.'), 'http://example.com/', P);

// ---- NO_PROXY: domains ----
c(np('example.com'), 'http://example.com/', null);
c(np('example.com'), 'https://example.com/', null);
c(np('example.com'), 'http://www.example.com/', null);
c(np('example.com'), 'http://a.b.example.com:8080/', null);
c(np('example.com'), 'http://notexample.com/', P);
c(np('example.com'), 'http://example.com.evil.net/', P);
c(np('example.com'), 'http://example.org/', P);
c(np('example.com'), 'https://wwwexample.com/', S);
c(np('.example.com'), 'http://example.com/', P);
c(np('.example.com'), 'http://www.example.com/', null);
c(np('.example.com'), 'https://deep.sub.example.com/', null);
c(np('*.example.com'), 'http://example.com/', P);
c(np('*.example.com'), 'http://www.example.com/', null);
c(np('EXAMPLE.COM'), 'http://example.com/', null);
c(np('Example.Com'), 'http://Www.Example.COM/', null);
c(np(' example.com , other.org '), 'http://other.org/', null);
c(np(' example.com , other.org '), 'http://example.com/', null);
c(np(' example.com , other.org '), 'http://third.net/', P);
c(np('example.com,'), 'http://example.com/', null);
c(np(',,,'), 'http://example.com/', P);
c(np(''), 'http://example.com/', P);
c(np('com'), 'http://example.com/', null);
c(np('.com'), 'https://example.com/', null);
c(np('.com'), 'https://example.org/', S);
c(np('bücher.de'), 'http://bücher.de/', null);
c(np('bücher.de'), 'http://www.xn--bcher-kva.de/', null);
c(np('xn--bcher-kva.de'), 'http://bücher.de/', null);
c(np('.bücher.de'), 'http://bücher.de/', P);
c(np('.bücher.de'), 'http://www.bücher.de/', null);
c(np('a_b.example.com'), 'http://a_b.example.com/', null);
c(np('a .com'), 'http://a.com/', P);
c(np('example.com/'), 'http://example.com/', P);
// A domain entry is a text suffix, so it can match an IP literal's tail (Go does the same).
c(np('0.0.1'), 'http://10.0.0.1/', null);
c(np('1.2.3.4'), 'http://1.2.3.4.example.com/', P);

// ---- NO_PROXY: ports ----
c(np('example.com:8080'), 'http://example.com:8080/', null);
c(np('example.com:8080'), 'http://example.com/', P);
c(np('example.com:8080'), 'http://www.example.com:8080/', null);
c(np('example.com:8080'), 'https://example.com:8080/', null);
c(np('example.com:8080'), 'https://example.com/', S);
c(np('example.com:443'), 'https://example.com/', null);
c(np('example.com:443'), 'https://example.com:443/', null);
c(np('example.com:443'), 'http://example.com/', P);
c(np('example.com:443'), 'http://example.com:443/', null);
c(np('example.com:80'), 'http://example.com/', null);
c(np('example.com:80'), 'http://example.com:80/', null);
c(np('example.com:80'), 'https://example.com:80/', null);
c(np('example.com:80'), 'https://example.com/', S);
c(np('.example.com:8080'), 'http://www.example.com:8080/', null);
c(np('.example.com:8080'), 'http://example.com:8080/', P);
c(np('*.example.com:8080'), 'http://www.example.com:8080/', null);
c(np('*.example.com:8080'), 'http://www.example.com:8081/', P);
c(np('example.com:'), 'http://example.com:1234/', null);
c(np(':8080'), 'http://example.com:8080/', P);
c(np('example.com:080'), 'http://example.com:80/', P);

// ---- NO_PROXY: IP literals ----
c(np('10.1.2.3'), 'http://10.1.2.3/', null);
c(np('10.1.2.3'), 'https://10.1.2.3:8443/', null);
c(np('10.1.2.3'), 'http://10.1.2.4/', P);
c(np('10.1.2.3:8080'), 'http://10.1.2.3:8080/', null);
c(np('10.1.2.3:8080'), 'http://10.1.2.3/', P);
c(np('10.1.2.3:443'), 'https://10.1.2.3/', null);
c(np('2001:db8::1'), 'http://[2001:db8::1]/', null);
c(np('2001:db8::1'), 'http://[2001:db8::1]:8080/', null);
c(np('2001:db8::1'), 'http://[2001:db8::2]/', P);
c(np('2001:db8::1'), 'http://[2001:0db8:0:0::1]/', null);
c(np('2001:DB8::1'), 'https://[2001:db8::1]/', null);
c(np('[2001:db8::1]:443'), 'https://[2001:db8::1]/', null);
c(np('[2001:db8::1]:443'), 'http://[2001:db8::1]/', P);
c(np('[2001:db8::1]:8080'), 'http://[2001:db8::1]:8080/', null);
c(np('[2001:db8::1]'), 'http://[2001:db8::1]/', null);
c(np('[2001:db8::1]'), 'http://[2001:db8::2]/', P);
c(np('::ffff:10.1.2.3'), 'http://10.1.2.3/', null);
c(np('10.1.2.3'), 'http://[::ffff:10.1.2.3]/', null);
c(np('10.1.2.3'), 'http://ten.example/', P);
c(np('10.001.2.3'), 'http://10.1.2.3/', P);

// ---- NO_PROXY: CIDR blocks (IP literals only, any port) ----
c(np('10.0.0.0/8'), 'http://10.255.1.1/', null);
c(np('10.0.0.0/8'), 'http://10.0.0.1:9999/', null);
c(np('10.0.0.0/8'), 'https://10.9.9.9/', null);
c(np('10.0.0.0/8'), 'http://11.0.0.1/', P);
c(np('10.0.0.0/8'), 'http://ten.example/', P);
c(np('192.168.1.0/24'), 'http://192.168.1.200/', null);
c(np('192.168.1.0/24'), 'http://192.168.2.1/', P);
c(np('192.168.1.77/24'), 'http://192.168.1.1/', null);
c(np('192.168.1.1/32'), 'http://192.168.1.1/', null);
c(np('192.168.1.1/32'), 'http://192.168.1.2/', P);
c(np('2001:db8::/32'), 'http://[2001:db8:ffff::1]/', null);
c(np('2001:db8::/32'), 'http://[2001:db9::1]/', P);
c(np('2001:DB8::/32'), 'https://[2001:db8::abcd]:8443/', null);
c(np('0.0.0.0/0'), 'http://203.0.113.9/', null);
c(np('0.0.0.0/0'), 'http://example.com/', P);
c(np('0.0.0.0/0'), 'http://[2001:db8::1]/', P);
c(np('::/0'), 'http://[2001:db8::1]/', null);
c(np('::/0'), 'http://10.1.1.1/', P);
c(np('10.0.0.0/33'), 'http://10.0.0.1/', P);
c(np('10.0.0.0/8:80'), 'http://10.0.0.1/', P);

// ---- a realistic mixed list ----
const MIXED = np('localhost,127.0.0.1,.internal,10.0.0.0/8,[2001:db8::5]:8080,Corp.Example:8443, *.svc');
c(MIXED, 'http://api.internal/', null);
c(MIXED, 'http://internal/', P);
c(MIXED, 'http://10.3.2.1:8080/', null);
c(MIXED, 'http://[2001:db8::5]:8080/', null);
c(MIXED, 'http://[2001:db8::5]/', P);
c(MIXED, 'https://corp.example:8443/', null);
c(MIXED, 'https://corp.example/', S);
c(MIXED, 'http://db.ns.svc/', null);
c(MIXED, 'http://public.example.net/', P);

describe('proxyFuncFromEnv table', () => {
  test('the table is large enough', () => {
    assert.ok(cases.length >= 150, `${cases.length} cases`);
  });
  for (const [i, k] of cases.entries()) {
    const name = `#${i} ${JSON.stringify(k.env)}${k.opts ? ' ' + JSON.stringify(k.opts) : ''} ${k.url} → ${typeof k.want === 'object' && k.want !== null ? 'error' : String(k.want)}`;
    test(name, () => {
      const f = proxyFuncFromEnv(k.env, k.opts);
      const url = new URL(k.url);
      if (k.want !== null && typeof k.want === 'object') {
        const err = (() => {
          try {
            f(url);
          } catch (e) {
            return e;
          }
          return null;
        })();
        assert.ok(err instanceof InvalidProxyURLError, `expected InvalidProxyURLError, got ${String(err)}`);
        assert.equal(err.message, k.want.error);
        return;
      }
      const got = f(url);
      assert.equal(got === null ? null : got.href, k.want);
    });
  }
});

describe('proxy env details', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    reloadProxyEnvironment();
  });

  test('the returned URL is a copy: changing it does not change later answers', () => {
    const f = proxyFuncFromEnv({ HTTP_PROXY: 'http://p:1' });
    const a = f(new URL('http://example.com/'));
    assert.ok(a);
    a.hostname = 'changed';
    assert.equal(f(new URL('http://example.com/'))?.href, 'http://p:1/');
  });

  test('the error carries the variable, the value and the reason', () => {
    const f = proxyFuncFromEnv({ HTTPS_PROXY: 'ftp://x' });
    try {
      f(new URL('https://example.com/'));
      assert.fail('no error');
    } catch (e) {
      assert.ok(e instanceof InvalidProxyURLError);
      assert.equal(e.variable, 'HTTPS_PROXY');
      assert.equal(e.value, 'ftp://x');
      assert.match(e.reason, /^unsupported proxy scheme "ftp"/);
      assert.equal(e.timeout, false);
    }
  });

  test('parseProxyURL: the cause of an unparsable value is kept', () => {
    try {
      parseProxyURL('http://[zz', 'HTTP_PROXY');
      assert.fail('no error');
    } catch (e) {
      assert.ok(e instanceof InvalidProxyURLError);
      assert.ok(e.cause instanceof TypeError);
    }
  });

  test('proxyFromEnvironment reads process.env once, until reloadProxyEnvironment', () => {
    for (const k of ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy', 'REQUEST_METHOD']) delete process.env[k];
    reloadProxyEnvironment();
    process.env.HTTP_PROXY = 'http://first:1';
    assert.equal(proxyFromEnvironment({ url: new URL('http://example.com/') })?.href, 'http://first:1/');
    process.env.HTTP_PROXY = 'http://second:2';
    assert.equal(proxyFromEnvironment({ url: new URL('http://example.com/') })?.href, 'http://first:1/');
    reloadProxyEnvironment();
    assert.equal(proxyFromEnvironment({ url: new URL('http://example.com/') })?.href, 'http://second:2/');
    assert.equal(proxyFromEnvironment({ url: new URL('http://localhost:8080/') }), null);
    assert.equal(proxyFromEnvironment({ url: new URL('https://example.com/') }), null);
  });
});

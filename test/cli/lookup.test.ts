import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/nginx.js';
import { run } from './helpers.js';

// A real DNS server on loopback: dnsmasq answering only from its command line (no upstream,
// no hosts file), with names under .test NXDOMAIN instead of REFUSED.
let dnsmasq: ChildProcess;
let port = 0;
let server = '';
let dir = '';

async function waitTCP(p: number): Promise<void> {
  const until = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port: p });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until || dnsmasq.exitCode !== null) throw new Error(`dnsmasq did not start on ${p}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

before(async () => {
  port = await freePort();
  server = `127.0.0.1:${port}`;
  dir = mkdtempSync(join(tmpdir(), 'gonet-cli-dns-'));
  const bigTXT = 'y'.repeat(200);
  dnsmasq = spawn('/usr/sbin/dnsmasq', [
    '-k', '--no-resolv', '--no-hosts', `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces',
    `--pid-file=${join(dir, 'pid')}`, '--user=root', '--local=/test/', '--local-ttl=300',
    '--host-record=web.test,192.0.2.10,2001:db8::10', '--host-record=only4.test,192.0.2.11',
    '--mx-host=mail.test,mx1.mail.test,10', '--mx-host=mail.test,mx2.mail.test,20',
    '--txt-record=web.test,hello world,second string',
    ...Array.from({ length: 12 }, (_, i) => `--txt-record=big.test,${bigTXT}${i}`),
    '--srv-host=_http._tcp.web.test,web.test,8080,1,2',
    '--cname=www.test,web.test',
    '--ptr-record=10.2.0.192.in-addr.arpa,web.test',
    '--host-record=app.corp.test,192.0.2.20',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  const killer = setTimeout(() => dnsmasq.kill('SIGKILL'), 5 * 60_000);
  killer.unref();
  await waitTCP(port);
});

after(async () => {
  if (dnsmasq.exitCode === null) {
    const gone = new Promise((r) => dnsmasq.once('exit', r));
    dnsmasq.kill('SIGTERM');
    await gone;
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Rows of the answer table: [name, ttl, class, type, data]. */
function rows(out: string): string[][] {
  return out.split('\n').filter((l) => l !== '' && !l.startsWith(';;')).map((l) => l.split(/\s+/).slice(0, 4).concat(l.split(/\s+/).slice(4).join(' ')));
}

test('lookup name: A and AAAA with TTLs, and which server answered over which transport', async () => {
  const r = await run(['lookup', 'web.test', '--server', server]);
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  const out = r.stdout.toString();
  assert.deepEqual(rows(out), [['web.test.', '300', 'IN', 'A', '192.0.2.10'], ['web.test.', '300', 'IN', 'AAAA', '2001:db8::10']]);
  const info = out.split('\n').filter((l) => l.startsWith(';;'));
  assert.equal(info.length, 2);
  assert.match(info[0]!, new RegExp(`^;; A web\\.test\\.: NOERROR from 127\\.0\\.0\\.1:${port} over udp in [\\d.]+ ms, authoritative$`));
  assert.match(info[1]!, new RegExp(`^;; AAAA web\\.test\\.: NOERROR from 127\\.0\\.0\\.1:${port} over udp in [\\d.]+ ms, authoritative$`));
});

test('lookup -t MX / TXT / SRV / CNAME / PTR', async () => {
  const mx = await run(['lookup', '-t', 'MX', 'mail.test', '--server', server]);
  assert.equal(mx.code, 0, mx.stderr);
  assert.deepEqual(rows(mx.stdout.toString()).map((x) => x.slice(3)).sort(), [['MX', '10 mx1.mail.test.'], ['MX', '20 mx2.mail.test.']]);

  const txt = await run(['lookup', '--type=txt', 'web.test', '--server', server]);
  assert.equal(txt.code, 0, txt.stderr);
  assert.deepEqual(rows(txt.stdout.toString()), [['web.test.', '300', 'IN', 'TXT', '"hello world" "second string"']]);

  const srv = await run(['lookup', '-t', 'SRV', '_http._tcp.web.test', '--server', server]);
  assert.equal(srv.code, 0, srv.stderr);
  assert.deepEqual(rows(srv.stdout.toString()), [['_http._tcp.web.test.', '300', 'IN', 'SRV', '1 2 8080 web.test.']]);

  const cname = await run(['lookup', '-t', 'CNAME', 'www.test', '--server', server]);
  assert.equal(cname.code, 0, cname.stderr);
  assert.deepEqual(rows(cname.stdout.toString()), [['www.test.', '300', 'IN', 'CNAME', 'web.test.']]);

  // An address means PTR; the CNAME chain is shown for an A lookup through an alias.
  const ptr = await run(['lookup', '192.0.2.10', '--server', server]);
  assert.equal(ptr.code, 0, ptr.stderr);
  assert.deepEqual(rows(ptr.stdout.toString()), [['10.2.0.192.in-addr.arpa.', '300', 'IN', 'PTR', 'web.test.']]);
  const alias = await run(['lookup', '-t', 'A', 'www.test', '--server', server]);
  assert.deepEqual(rows(alias.stdout.toString()).map((x) => x[3]), ['CNAME', 'A']);
});

test('lookup --tcp, and a reply too big for UDP is asked again over TCP', async () => {
  const t = await run(['lookup', '-t', 'A', 'web.test', '--tcp', '--server', server]);
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout.toString(), /over tcp in/);
  const big = await run(['lookup', '-t', 'TXT', 'big.test', '--server', server]);
  assert.equal(big.code, 0, big.stderr);
  assert.equal(rows(big.stdout.toString()).length, 12);
  assert.match(big.stdout.toString(), /^;; TXT big\.test\.: NOERROR from 127\.0\.0\.1:\d+ over tcp in/m);
});

test('a name that does not exist: one line, exit 3; a type with no records is exit 3 too', async () => {
  const r = await run(['lookup', 'nope.test', '--server', server]);
  assert.equal(r.code, 3);
  assert.equal(r.stderr, `gonet lookup: lookup nope.test. on ${server}: no such host\n`);
  assert.match(r.stdout.toString(), /^;; A nope\.test\.: no records, NXDOMAIN from/m);
  const v4only = await run(['lookup', '-t', 'AAAA', 'only4.test', '--server', server]);
  assert.equal(v4only.code, 3);
  assert.equal(v4only.stderr, `gonet lookup: lookup only4.test. on ${server}: no such host (no records of that type)\n`);
  // A and AAAA asked, only A there: still success.
  const both = await run(['lookup', 'only4.test', '--server', server]);
  assert.equal(both.code, 0, both.stderr);
  assert.match(both.stdout.toString(), /^;; AAAA only4\.test\.: no records, NOERROR/m);
});

test('lookup --conf: nameserver, search list and ndots from a resolv.conf', async () => {
  // resolv.conf has no port syntax, so this needs a server on port 53: a second dnsmasq on a
  // loopback address of its own (all of 127/8 is local).
  const ip = `127.0.0.${100 + Math.floor(Math.random() * 150)}`;
  const dm = spawn('/usr/sbin/dnsmasq', [
    '-k', '--no-resolv', '--no-hosts', '--port=53', `--listen-address=${ip}`, '--bind-interfaces', '--user=root',
    `--pid-file=${join(dir, 'pid2')}`, '--local=/test/', '--host-record=app.corp.test,192.0.2.20',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const until = Date.now() + 10_000;
    const conf = join(dir, 'resolv.conf');
    writeFileSync(conf, `search corp.test\noptions ndots:2 timeout:1 attempts:1\nnameserver ${ip}\n`);
    let r;
    for (;;) {
      r = await run(['lookup', '-t', 'A', 'app', '--conf', conf]);
      if (r.code === 0 || Date.now() > until || dm.exitCode !== null) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(rows(r.stdout.toString()), [['app.corp.test.', '0', 'IN', 'A', '192.0.2.20']]);
    assert.match(r.stdout.toString(), new RegExp(`^;; A app\\.corp\\.test\\.: NOERROR from ${ip.replace(/\./g, '\\.')}:53 over udp`, 'm'));
  } finally {
    const gone = new Promise((res) => dm.once('exit', res));
    dm.kill('SIGTERM');
    await gone;
  }
  // Nothing listens on 127.0.0.1:53 here: a DNS failure (exit 3) naming the server.
  const dead = join(dir, 'dead.conf');
  writeFileSync(dead, 'search corp.test\noptions ndots:2 timeout:1 attempts:1\nnameserver 127.0.0.1\n');
  const d = await run(['lookup', '-t', 'A', 'app', '--conf', dead], { timeout: 15_000 });
  assert.equal(d.code, 3);
  assert.match(d.stderr, /^gonet lookup: lookup app(\.corp\.test)?\. on 127\.0\.0\.1:53: .+\n$/);
});

test('a server that does not answer: a DNS timeout naming the server, exit 3', async () => {
  const dead = await freePort();
  const r = await run(['lookup', 'web.test', '--server', `127.0.0.1:${dead}`, '--timeout', '300ms'], { timeout: 15_000 });
  assert.equal(r.code, 3);
  assert.match(r.stderr, new RegExp(`^gonet lookup: lookup web\\.test\\. on 127\\.0\\.0\\.1:${dead}: .+\\n$`));
});

test('loopback-only mode refuses a nameserver off this machine without sending anything (exit 3)', async () => {
  const r = await run(['lookup', 'web.test', '--server', '192.0.2.1']);
  assert.equal(r.code, 3);
  assert.equal(r.stderr, 'gonet lookup: lookup web.test: refusing to ask nameserver 192.0.2.1:53 in loopback-only mode\n');
  const sys = await run(['lookup', '--system', 'web.test']);
  assert.equal(sys.code, 3);
  assert.match(sys.stderr, /^gonet lookup: lookup web\.test: refusing the system resolver in loopback-only mode/);
});

test('lookup --system answers an address literal through getaddrinfo (no TTLs)', async () => {
  const r = await run(['lookup', '--system', '-t', 'A', '127.0.0.1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout.toString(), /^127\.0\.0\.1 {2}IN {2}A {5}127\.0\.0\.1\n;; answered by the system resolver \(getaddrinfo\) in [\d.]+ ms; no TTLs\n$/);
});

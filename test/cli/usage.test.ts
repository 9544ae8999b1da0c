import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './helpers.js';

test('gonet --help lists every command and the exit codes, exit 0', async () => {
  const r = await run(['--help']);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, '');
  const out = r.stdout.toString();
  for (const cmd of ['demo', 'dial', 'listen', 'lookup', 'get', 'serve']) assert.match(out, new RegExp(`^  ${cmd} +\\S`, 'm'));
  for (const code of ['0', '1', '2', '3', '4', '5', '6', '7', '22']) assert.match(out, new RegExp(`^  ${code} +\\S`, 'm'));
});

test('gonet <cmd> --help (and gonet help <cmd>) prints that command\'s usage, exit 0', async () => {
  const want: Record<string, RegExp[]> = {
    demo: [/^usage: gonet demo/],
    dial: [/^usage: gonet dial/, /--timeout D/, /-u, --udp/, /--unix/],
    listen: [/^usage: gonet listen/, /--echo/],
    lookup: [/^usage: gonet lookup/, /-t, --type T/, /--server S/, /--system/],
    get: [/^usage: gonet get/, /-X, --request/, /-H, --header/, /-d, --data/, /-o, --output/, /-L, --location/, /--proxy URL/, /-v, --verbose/, /--http1\.1/, /--http2/, /-f, --fail/],
    serve: [/^usage: gonet serve \[dir\]/, /--addr A/, /--tls CERT KEY/],
  };
  for (const [cmd, res] of Object.entries(want)) {
    for (const args of [[cmd, '--help'], [cmd, '-h'], ['help', cmd]]) {
      const r = await run(args);
      assert.equal(r.code, 0, args.join(' '));
      assert.equal(r.stderr, '');
      for (const re of res) assert.match(r.stdout.toString(), re, args.join(' '));
    }
  }
});

test('bad arguments are one line on stderr and exit 2', async () => {
  const cases: [string[], string][] = [
    [['get'], 'gonet get: missing URL (see "gonet get --help")'],
    [['get', '--bogus', 'http://127.0.0.1/'], 'gonet get: unknown flag --bogus (see "gonet get --help")'],
    [['get', '-X'], 'gonet get: flag -X needs a value (see "gonet get --help")'],
    [['get', 'ftp://127.0.0.1/'], 'gonet get: unsupported scheme "ftp" (want http or https) (see "gonet get --help")'],
    [['get', '-H', 'NoColon', 'http://127.0.0.1/'], 'gonet get: bad header "NoColon" (want \'Name: value\') (see "gonet get --help")'],
    [['get', '-m', 'soon', 'http://127.0.0.1/'], 'gonet get: invalid duration "soon" for --max-time (want e.g. 500ms, 2s, 1m) (see "gonet get --help")'],
    [['get', '--http2', '--http1.1', 'http://127.0.0.1/'], 'gonet get: --http2 and --http1.1 exclude each other (see "gonet get --help")'],
    [['dial', 'tcp'], 'gonet dial: missing address (or give -u / --unix) (see "gonet dial --help")'],
    [['dial', 'sctp', '127.0.0.1:1'], 'gonet dial: unsupported network "sctp" (want tcp, tcp4, tcp6, udp, udp4, udp6 or unix) (see "gonet dial --help")'],
    [['dial', '-u', 'tcp', '127.0.0.1:1'], 'gonet dial: -u given with network "tcp" (see "gonet dial --help")'],
    [['listen', 'tcp'], 'gonet listen: want network and address (see "gonet listen --help")'],
    [['lookup'], 'gonet lookup: missing name (see "gonet lookup --help")'],
    [['lookup', '-t', 'BOGUS', 'x.test', '--server', '127.0.0.1:1'], 'gonet lookup: unknown record type "BOGUS" (want A, AAAA, CNAME, MX, NS, SRV, TXT, PTR, SOA or ANY) (see "gonet lookup --help")'],
    [['lookup', '--server', 'not-an-ip', 'x.test'], 'gonet lookup: --server: address not-an-ip: invalid nameserver address (see "gonet lookup --help")'],
    [['serve', 'a', 'b'], 'gonet serve: too many arguments (want at most one directory) (see "gonet serve --help")'],
    [['serve', '--tls', 'only-cert'], 'gonet serve: flag --tls needs 2 values (see "gonet serve --help")'],
  ];
  for (const [args, line] of cases) {
    const r = await run(args);
    assert.equal(r.stderr, line + '\n', args.join(' '));
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(r.stdout.length, 0);
  }
});

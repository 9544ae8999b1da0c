// One exchange against a misbehaving server written here (UDP + TCP on 127.0.0.1).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { exchange, judge, defaultDNSDial, UDPSocketPool, EDNS_UDP_SIZE, type DNSDialFunc } from '../../../src/net/dns/client.js';
import { Type, RCode, getOPT, decodeMessage, encodeMessage, type MessageInput } from '../../../src/net/dns/message.js';
import { DNSError, CanceledError, errorIs } from '../../../src/net/errors.js';
import { FakeDNS, answer, rr, a4, freePort, type FakeQuery, type Reply } from './support.js';

const servers: FakeDNS[] = [];
after(() => servers.forEach((s) => s.close()));

async function fake(handler: (q: FakeQuery) => Reply[] | Promise<Reply[]>, opts?: { tcp?: boolean }): Promise<FakeDNS> {
  const s = await FakeDNS.start(handler, opts);
  servers.push(s);
  return s;
}

const A = (name: string, ip: string) => rr(name, { kind: 'A', address: a4(ip) });

test('UDP: wrong IDs, wrong question, missing QR and garbage are ignored until the real answer', async () => {
  const s = await fake((q) => {
    const good = answer(q.msg, { answers: [A('ok.test.', '192.0.2.1')] });
    return [
      { ...answer(q.msg, { answers: [A('ok.test.', '6.6.6.6')] }), header: { id: (q.msg.header.id + 1) & 0xffff, qr: true } },
      { ...answer(q.msg, { answers: [A('ok.test.', '6.6.6.7')] }), questions: [{ name: 'other.test.', type: Type.A }] },
      { ...answer(q.msg, { answers: [A('ok.test.', '6.6.6.8')] }), questions: [{ name: 'ok.test.', type: Type.AAAA }] },
      { ...good, header: { ...good.header, qr: false } },
      Uint8Array.of(1, 2, 3),
      new Uint8Array(40).fill(0xc0),
      good,
    ];
  });
  const r = await exchange({ server: s.address, name: 'ok.test.', type: Type.A, timeout: 2000 });
  assert.equal(r.tcp, false);
  assert.equal(r.server, s.address);
  assert.equal(r.msg.answers.length, 1);
  assert.deepEqual([...(r.msg.answers[0]!.data as { address: Uint8Array }).address], [192, 0, 2, 1]);
  // Name comparison is case-insensitive (0x20 mixing by servers is fine).
  const s2 = await fake((q) => [{ ...answer(q.msg, { answers: [A('OK.Test.', '192.0.2.2')] }), questions: [{ name: 'OK.TEST.', type: Type.A }] }]);
  const r2 = await exchange({ server: s2.address, name: 'ok.test.', type: Type.A, timeout: 2000 });
  assert.equal(r2.msg.answers.length, 1);
});

test('the query: random ID and source port per exchange, RD set, one question, EDNS0 OPT advertising 1232, AD only with trust-ad', async () => {
  const s = await fake((q) => [answer(q.msg, { answers: [A('q.test.', '192.0.2.1')] })]);
  for (let i = 0; i < 6; i++) await exchange({ server: s.address, name: 'q.test.', type: Type.A, timeout: 2000, trustAD: i === 5 });
  const ids = new Set(s.queries.map((q) => q.msg.header.id));
  const ports = new Set(s.queries.map((q) => q.port));
  assert.ok(ids.size >= 5, `IDs vary: ${[...ids].join(',')}`);
  assert.ok(ports.size >= 5, `source ports vary: ${[...ports].join(',')}`);
  for (const [i, q] of s.queries.entries()) {
    assert.equal(q.msg.header.rd, true);
    assert.equal(q.msg.header.qr, false);
    assert.equal(q.msg.header.ad, i === 5);
    assert.equal(q.msg.questions.length, 1);
    assert.equal(getOPT(q.msg)?.data.udpSize, EDNS_UDP_SIZE);
    assert.equal(getOPT(q.msg)?.data.dnssecOK, false);
  }
});

test('TC bit: the same question again over TCP, whose answer is used', async () => {
  const many = Array.from({ length: 60 }, (_, i) => A('big.test.', `10.0.${i >> 8}.${i & 255}`));
  const s = await fake((q) => (q.transport === 'udp'
    ? [answer(q.msg, { header: { tc: true }, answers: many.slice(0, 3) })]
    : [answer(q.msg, { answers: many })]));
  const r = await exchange({ server: s.address, name: 'big.test.', type: Type.A, timeout: 2000 });
  assert.equal(r.tcp, true);
  assert.equal(r.msg.answers.length, 60);
  assert.deepEqual(s.queries.map((q) => q.transport), ['udp', 'tcp']);
  assert.equal(s.queries[0]!.msg.questions[0]!.name, s.queries[1]!.msg.questions[0]!.name);
});

test('use-vc: TCP only', async () => {
  const s = await fake((q) => [answer(q.msg, { answers: [A('vc.test.', '192.0.2.3')] })]);
  const r = await exchange({ server: s.address, name: 'vc.test.', type: Type.A, timeout: 2000, useTCP: true });
  assert.equal(r.tcp, true);
  assert.deepEqual(s.queries.map((q) => q.transport), ['tcp']);
});

test('truncated answer but no TCP listener: a temporary error naming the server', async () => {
  const s = await fake((q) => [answer(q.msg, { header: { tc: true } })], { tcp: false });
  const e = await exchange({ server: s.address, name: 'tc.test.', type: Type.A, timeout: 2000 }).catch((x: unknown) => x);
  assert.ok(e instanceof DNSError, String(e));
  assert.equal(e.isTemporary, true);
  assert.equal(e.server, s.address);
  assert.match(e.message, new RegExp(`^lookup tc\\.test\\. on 127\\.0\\.0\\.1:${s.port}: dial tcp 127\\.0\\.0\\.1:${s.port}: connect: connection refused$`));
});

test('TCP: a mismatched reply is an error ("invalid DNS response"), garbage is "cannot unmarshal DNS message"', async () => {
  const s = await fake((q) => [{ ...answer(q.msg), header: { id: (q.msg.header.id + 1) & 0xffff, qr: true } }]);
  const e = await exchange({ server: s.address, name: 'x.test.', type: Type.A, timeout: 2000, useTCP: true }).catch((x: unknown) => x);
  assert.ok(e instanceof DNSError);
  assert.equal(e.err, 'invalid DNS response');
  const g = await fake(() => [Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13)]);
  const e2 = await exchange({ server: g.address, name: 'x.test.', type: Type.A, timeout: 2000, useTCP: true }).catch((x: unknown) => x);
  assert.ok(e2 instanceof DNSError);
  assert.equal(e2.err, 'cannot unmarshal DNS message');
  assert.equal(e2.isTemporary, false);
});

test('silence: the attempt ends at its timeout with an IsTimeout error', async () => {
  const s = await fake(() => ['drop']);
  const t0 = Date.now();
  const e = await exchange({ server: s.address, name: 'slow.test.', type: Type.A, timeout: 300 }).catch((x: unknown) => x);
  const took = Date.now() - t0;
  assert.ok(e instanceof DNSError, String(e));
  assert.equal(e.isTimeout, true);
  assert.equal(e.timeout, true);
  assert.equal(e.err, 'i/o timeout');
  assert.ok(took >= 280 && took < 1500, `took ${took} ms`);
});

test('TCP retry after TC gets its own full timeout', async () => {
  // Each leg takes 600 ms of a 1000 ms timeout: together they exceed one timeout.
  const s = await fake(async (q) => {
    if (q.transport === 'udp') {
      await new Promise((r) => setTimeout(r, 600));
      return [answer(q.msg, { header: { tc: true } })];
    }
    await new Promise((r) => setTimeout(r, 600));
    return [answer(q.msg, { answers: [A('t.test.', '192.0.2.9')] })];
  });
  const r = await exchange({ server: s.address, name: 't.test.', type: Type.A, timeout: 1000 });
  assert.equal(r.tcp, true);
  assert.equal(r.msg.answers.length, 1);
});

test('cancellation mid-exchange rejects at once with "operation was canceled"', async () => {
  const s = await fake(() => ['drop']);
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 100);
  const t0 = Date.now();
  const e = await exchange({ server: s.address, name: 'c.test.', type: Type.A, timeout: 5000, signal: ac.signal }).catch((x: unknown) => x);
  assert.ok(Date.now() - t0 < 1000);
  assert.ok(e instanceof DNSError);
  assert.equal(e.err, 'operation was canceled');
  assert.ok(errorIs(e, CanceledError));
  const pre = await exchange({ server: s.address, name: 'c.test.', type: Type.A, timeout: 5000, signal: AbortSignal.abort() }).catch((x: unknown) => x);
  assert.ok(pre instanceof DNSError && pre.err === 'operation was canceled');
});

test('a name that cannot be encoded is "cannot marshal DNS message"; no packet is sent', async () => {
  const s = await fake(() => ['drop']);
  const e = await exchange({ server: s.address, name: 'a..b.', type: Type.A, timeout: 300 }).catch((x: unknown) => x);
  assert.ok(e instanceof DNSError);
  assert.equal(e.err, 'cannot marshal DNS message');
  assert.equal(s.queries.length, 0);
});

test('nobody listening on the UDP port: a quick temporary error (ICMP refused), not a timeout', async () => {
  const port = await freePort();
  const t0 = Date.now();
  const e = await exchange({ server: `127.0.0.1:${port}`, name: 'x.test.', type: Type.A, timeout: 3000 }).catch((x: unknown) => x);
  assert.ok(Date.now() - t0 < 2000);
  assert.ok(e instanceof DNSError);
  assert.equal(e.isTemporary, true);
  assert.equal(e.isTimeout, false);
  assert.match(e.message, new RegExp(`^lookup x\\.test\\. on 127\\.0\\.0\\.1:${port}: read udp 127\\.0\\.0\\.1:\\d+->127\\.0\\.0\\.1:${port}: .*connection refused$`));
});

test('judge: the reply verdicts of Go\'s checkHeader / skipToAnswer', () => {
  const q = { header: { id: 1, qr: true, ra: true }, questions: [{ name: 'j.test.', type: Type.A }] };
  const msg = (extra: Partial<MessageInput>) => decodeMessage(encodeMessage({ ...q, ...extra, header: { ...q.header, ...extra.header } }));
  assert.equal(judge(msg({ answers: [A('j.test.', '192.0.2.1')] }), Type.A), 'answer');
  assert.equal(judge(msg({ answers: [rr('j.test.', { kind: 'CNAME', cname: 'k.test.' })] }), Type.A), 'nodata');
  assert.equal(judge(msg({}), Type.A), 'nodata');
  assert.equal(judge(msg({ header: { rcode: RCode.NameError } }), Type.A), 'nxdomain');
  assert.equal(judge(msg({ header: { rcode: RCode.ServerFailure } }), Type.A), 'servfail');
  assert.equal(judge(msg({ header: { rcode: RCode.Refused } }), Type.A), 'misbehaving');
  assert.equal(judge(msg({ header: { ra: false } }), Type.A), 'lame');
  assert.equal(judge(msg({ header: { ra: false, aa: true } }), Type.A), 'nodata', 'authoritative empty answer is NODATA');
  const opt = rr('.', { kind: 'OPT', udpSize: 1232, extRcode: 0, version: 0, dnssecOK: false, z: 0, options: [] });
  assert.equal(judge(msg({ header: { ra: false }, additionals: [opt] }), Type.A), 'nodata', 'any additional record (even OPT) is not lame, as Go 1.23');
  const badvers = rr('.', { kind: 'OPT', udpSize: 1232, extRcode: 1, version: 0, dnssecOK: false, z: 0, options: [] });
  assert.equal(judge(msg({ additionals: [badvers] }), Type.A), 'misbehaving');
});

test('UDPSocketPool: queries share a socket up to maxQueries, then a fresh socket (new port) takes over', async () => {
  const s = await fake((q) => [answer(q.msg, { answers: [A(q.msg.questions[0]!.name, '192.0.2.1')] })]);
  const pool = new UDPSocketPool(defaultDNSDial, { maxQueries: 3 });
  try {
    for (let i = 0; i < 9; i++) {
      const r = await exchange({ server: s.address, name: `p${i}.test.`, type: Type.A, timeout: 2000, pool });
      assert.equal(r.msg.answers[0]!.name, `p${i}.test.`);
    }
    const ports = s.queries.map((q) => q.port);
    assert.equal(new Set(ports).size, 3, `ports ${ports.join(',')}`);
    assert.equal(new Set(ports.slice(0, 3)).size, 1);
    assert.equal(new Set(ports.slice(3, 6)).size, 1);
    assert.equal(pool.size, 1);
  } finally {
    pool.close();
  }
  assert.equal(pool.size, 0);
});

test('UDPSocketPool: replies out of order reach the right query; forged IDs and questions are ignored', async () => {
  const held: FakeQuery[] = [];
  let release: () => void = () => {};
  const all = new Promise<void>((r) => { release = r; });
  const s = await fake(async (q) => {
    held.push(q);
    if (held.length === 5) release();
    await all;
    const name = q.msg.questions[0]!.name;
    const last = Number(name.slice(1, 2));
    await new Promise((r) => setTimeout(r, (5 - last) * 20)); // the last asked is answered first
    return [
      { ...answer(q.msg, { answers: [A(name, '6.6.6.6')] }), header: { id: (q.msg.header.id + 7) & 0xffff, qr: true } },
      { ...answer(q.msg, { answers: [A(name, '6.6.6.7')] }), questions: [{ name: 'other.test.', type: Type.A }] },
      answer(q.msg, { answers: [A(name, `192.0.2.${last}`)] }),
    ];
  });
  const pool = new UDPSocketPool(defaultDNSDial);
  try {
    const rs = await Promise.all([0, 1, 2, 3, 4].map((i) => exchange({ server: s.address, name: `q${i}.test.`, type: Type.A, timeout: 3000, pool })));
    rs.forEach((r, i) => {
      assert.equal(r.msg.questions[0]!.name, `q${i}.test.`);
      assert.equal(r.msg.answers.length, 1);
      assert.deepEqual([...(r.msg.answers[0]!.data as { address: Uint8Array }).address], [192, 0, 2, i]);
    });
    assert.equal(new Set(s.queries.map((q) => q.port)).size, 1, 'one socket');
    assert.equal(new Set(s.queries.map((q) => q.msg.header.id)).size, 5, 'distinct IDs in flight');
  } finally {
    pool.close();
  }
});

test('UDPSocketPool: a forged reply (right ID and question) from another address is ignored; closing the pool fails queries at once', async () => {
  let forge: (q: FakeQuery) => void = () => {};
  const s = await fake(async (q) => {
    forge(q);
    await new Promise((r) => setTimeout(r, 150));
    return [answer(q.msg, { answers: [A(q.msg.questions[0]!.name, '192.0.2.9')] })];
  });
  const spoofer = createSocket('udp4');
  await new Promise<void>((r) => spoofer.bind(0, '127.0.0.2', () => r()));
  let forged = 0;
  forge = (q) => {
    // A perfect forgery but for the source address (and port): it must not be taken.
    const bytes = encodeMessage(answer(q.msg, { answers: [A(q.msg.questions[0]!.name, '6.6.6.6')] }));
    spoofer.send(bytes, q.port, '127.0.0.1', () => { forged++; });
  };
  const pool = new UDPSocketPool(defaultDNSDial);
  try {
    const r = await exchange({ server: s.address, name: 'spoof.test.', type: Type.A, timeout: 3000, pool });
    assert.deepEqual([...(r.msg.answers[0]!.data as { address: Uint8Array }).address], [192, 0, 2, 9]);
    assert.equal(forged, 1);
    // Closing the pool ends a query in flight with an error, not a timeout.
    s.handler = () => ['drop'];
    const t0 = Date.now();
    const pending = exchange({ server: s.address, name: 'closed.test.', type: Type.A, timeout: 5000, pool }).catch((x: unknown) => x);
    await new Promise((res) => setTimeout(res, 50));
    pool.close();
    const e = await pending;
    assert.ok(e instanceof DNSError && !e.isTimeout, String(e));
    assert.ok(Date.now() - t0 < 2000);
  } finally {
    pool.close();
    spoofer.close();
  }
});

test('UDPSocketPool: a silent server times out per query; a refused port fails fast; TC still goes to TCP', async () => {
  const silent = await fake(() => ['drop']);
  const pool = new UDPSocketPool(defaultDNSDial, { idleMs: 50 });
  try {
    const t0 = Date.now();
    const e = await exchange({ server: silent.address, name: 's.test.', type: Type.A, timeout: 200, pool }).catch((x: unknown) => x);
    assert.ok(e instanceof DNSError && e.isTimeout, String(e));
    assert.ok(Date.now() - t0 < 1500);
    const port = await freePort();
    const r = await exchange({ server: `127.0.0.1:${port}`, name: 'r.test.', type: Type.A, timeout: 3000, pool }).catch((x: unknown) => x);
    assert.ok(r instanceof DNSError && r.isTemporary && /connection refused/.test(r.message), String(r));
    const tc = await fake((q) => (q.transport === 'udp' ? [answer(q.msg, { header: { tc: true } })] : [answer(q.msg, { answers: [A('t.test.', '192.0.2.3')] })]));
    const x = await exchange({ server: tc.address, name: 't.test.', type: Type.A, timeout: 2000, pool });
    assert.equal(x.tcp, true);
    await new Promise((res) => setTimeout(res, 150));
    assert.equal(pool.size, 0, 'idle sockets closed');
  } finally {
    pool.close();
  }
});

test('TCP: the server closing without an answer is "no answer from DNS server" (temporary)', async () => {
  const s = await fake(() => ['close']);
  const e = await exchange({ server: s.address, name: 'eof.test.', type: Type.A, timeout: 2000, useTCP: true }).catch((x: unknown) => x);
  assert.ok(e instanceof DNSError, String(e));
  assert.equal(e.err, 'no answer from DNS server');
  assert.equal(e.isTemporary, true);
});

test('a custom dial whose conns have only read(p) (no chunk reader) works for UDP and TCP', async () => {
  const s = await fake((q) => (q.transport === 'udp'
    ? [Uint8Array.of(9, 9, 9), answer(q.msg, { header: { tc: true } })]
    : [answer(q.msg, { answers: [A('plain.test.', '192.0.2.4')] })]));
  const plainDial: DNSDialFunc = async (net, addr, o) => {
    const c = await defaultDNSDial(net, addr, o);
    return {
      read: (p: Uint8Array) => c.read(p), write: (p: Uint8Array) => c.write(p), close: () => c.close(), closeWrite: () => c.closeWrite(),
      localAddr: c.localAddr, remoteAddr: c.remoteAddr, setDeadline: (t: Date | null) => c.setDeadline(t),
      setReadDeadline: (t: Date | null) => c.setReadDeadline(t), setWriteDeadline: (t: Date | null) => c.setWriteDeadline(t),
      readable: c.readable, writable: c.writable, [Symbol.asyncIterator]: () => c[Symbol.asyncIterator](), [Symbol.asyncDispose]: () => c[Symbol.asyncDispose](),
    };
  };
  const r = await exchange({ server: s.address, name: 'plain.test.', type: Type.A, timeout: 2000, dial: plainDial });
  assert.equal(r.tcp, true);
  assert.equal(r.msg.answers.length, 1);
});

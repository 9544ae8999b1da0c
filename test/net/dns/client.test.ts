// One exchange against a misbehaving server written here (UDP + TCP on 127.0.0.1).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { exchange, judge, EDNS_UDP_SIZE } from '../../../src/net/dns/client.js';
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
  const s = await fake(async (q) => {
    if (q.transport === 'udp') {
      await new Promise((r) => setTimeout(r, 200));
      return [answer(q.msg, { header: { tc: true } })];
    }
    await new Promise((r) => setTimeout(r, 200));
    return [answer(q.msg, { answers: [A('t.test.', '192.0.2.9')] })];
  });
  const r = await exchange({ server: s.address, name: 't.test.', type: Type.A, timeout: 300 });
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

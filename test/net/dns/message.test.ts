import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Class, DNSMessageError, RCode, Type, buildQuery, decodeMessage, encodeMessage, extendedRCode, followCNAMEs,
  getOPT, isResponseTo, namesEqual, negativeTTL, recordsOf, typeString,
  type DNSMessageErrorReason, type MessageInput, type ResourceInput,
} from '../../../src/net/dns/message.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

function throwsReason(fn: () => unknown, reason: DNSMessageErrorReason): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DNSMessageError, `want DNSMessageError, got ${String(e)}`);
    assert.equal(e.reason, reason, e.message);
    return true;
  });
}

const everyType: ResourceInput[] = [
  { name: 'example.com.', ttl: 300, data: { kind: 'A', address: new Uint8Array([192, 0, 2, 1]) } },
  { name: 'example.com.', ttl: 300, data: { kind: 'AAAA', address: unhex('20010db8000000000000000000000001') } },
  { name: 'www.example.com.', ttl: 60, data: { kind: 'CNAME', cname: 'example.com.' } },
  { name: 'example.com.', ttl: 86400, data: { kind: 'NS', ns: 'ns1.example.com.' } },
  { name: '1.2.0.192.in-addr.arpa.', ttl: 5, data: { kind: 'PTR', ptr: 'host.example.com.' } },
  { name: 'example.com.', ttl: 1, data: { kind: 'MX', pref: 10, mx: 'mail.example.com.' } },
  { name: '_sip._tcp.example.com.', ttl: 2, data: { kind: 'SRV', priority: 1, weight: 5, port: 5060, target: 'sip.example.com.' } },
  { name: 'example.com.', ttl: 3, data: { kind: 'TXT', txt: ['v=spf1 -all', '', 'x'.repeat(255), 'ünïcödé'] } },
  {
    name: 'example.com.', ttl: 3600,
    data: { kind: 'SOA', ns: 'ns1.example.com.', mbox: 'hostmaster.example.com.', serial: 2024010101, refresh: 7200, retry: 3600, expire: 1209600, minTTL: 0xffffffff },
  },
  { name: 'example.com.', type: 99, class: Class.CH, ttl: 0xffffffff, data: { kind: 'raw', bytes: new Uint8Array([1, 2, 3]) } },
  { name: 'example.com.', type: 65, ttl: 7, data: { kind: 'raw', bytes: new Uint8Array(0) } },
];

const opt: ResourceInput = {
  name: '.',
  data: { kind: 'OPT', udpSize: 1232, extRcode: 1, version: 0, dnssecOK: true, z: 0, options: [{ code: 10, data: unhex('0102030405060708') }, { code: 12, data: new Uint8Array(0) }] },
};

function fullMessage(): MessageInput {
  return {
    header: { id: 0xbeef, qr: true, opcode: 0, aa: true, tc: false, rd: true, ra: true, ad: true, cd: false, rcode: RCode.NameError },
    questions: [{ name: 'example.com.', type: Type.ANY }],
    answers: everyType,
    authorities: [everyType[8]!],
    additionals: [opt],
  };
}

test('round trip of every record type, with and without compression', () => {
  for (const compress of [true, false]) {
    const msg = fullMessage();
    const wire = encodeMessage(msg, { compress });
    const d = decodeMessage(wire);
    assert.equal(d.header.id, 0xbeef);
    assert.equal(d.header.rcode, 3);
    assert.deepEqual(
      { qr: d.header.qr, aa: d.header.aa, tc: d.header.tc, rd: d.header.rd, ra: d.header.ra, ad: d.header.ad, cd: d.header.cd, z: d.header.z },
      { qr: true, aa: true, tc: false, rd: true, ra: true, ad: true, cd: false, z: false },
    );
    assert.deepEqual(d.questions, [{ name: 'example.com.', type: 255, class: 1 }]);
    assert.equal(d.answers.length, everyType.length);
    d.answers.forEach((rr, i) => {
      const want = everyType[i]!;
      assert.equal(rr.name, want.name);
      assert.equal(rr.ttl, want.ttl);
      assert.equal(rr.class, want.class ?? 1);
      assert.deepEqual(rr.data, want.data);
    });
    assert.equal(d.answers[9]!.type, 99);
    assert.equal(d.answers[1]!.type, Type.AAAA);
    assert.deepEqual(d.authorities[0]!.data, everyType[8]!.data);
    const o = getOPT(d);
    assert.ok(o);
    assert.deepEqual(o.data, opt.data);
    assert.equal(o.class, 1232);
    assert.equal(extendedRCode(d), (1 << 4) | 3);
    // re-encoding the decoded message gives the same bytes
    assert.equal(hex(encodeMessage(d, { compress })), hex(wire));
  }
  const small = encodeMessage(fullMessage());
  const big = encodeMessage(fullMessage(), { compress: false });
  assert.ok(small.length < big.length - 100, `${small.length} vs ${big.length}`);
});

test('golden bytes for a known query', () => {
  const q = buildQuery({ id: 0x1234, name: 'example.com.', type: Type.A, edns: { udpSize: 1232 } });
  assert.equal(hex(q), '1234' + '0100' + '0001' + '0000' + '0000' + '0001'
    + '076578616d706c6503636f6d00' + '0001' + '0001'
    + '00' + '0029' + '04d0' + '00000000' + '0000');
  assert.equal(hex(buildQuery({ id: 0x1234, name: 'example.com', type: Type.A, edns: { udpSize: 1232 } })), hex(q));
  const plain = buildQuery({ id: 1, name: 'a.', type: Type.AAAA, rd: false, ad: true, cd: true });
  assert.equal(hex(plain), '0001' + '0030' + '0001000000000000' + '016100' + '001c0001');
  const tcp = buildQuery({ id: 1, name: 'a.', type: Type.AAAA, rd: false, ad: true, cd: true, tcp: true });
  assert.equal(hex(tcp), '0013' + hex(plain));
  const dnssec = decodeMessage(buildQuery({ id: 7, name: '.', type: Type.NS, edns: { udpSize: 4096, dnssecOK: true } }));
  assert.equal(dnssec.questions[0]!.name, '.');
  assert.equal(getOPT(dnssec)!.data.dnssecOK, true);
  // encodeMessage gives the same bytes for the same query
  const viaEncode = encodeMessage({
    header: { id: 0x1234, rd: true }, questions: [{ name: 'example.com.', type: Type.A }],
    additionals: [{ name: '.', data: { kind: 'OPT', udpSize: 1232, extRcode: 0, version: 0, dnssecOK: false, z: 0, options: [] } }],
  });
  assert.equal(hex(viaEncode), hex(q));
  throwsReason(() => buildQuery({ id: 70000, name: 'a.', type: 1 }), 'badValue');
  throwsReason(() => buildQuery({ id: 1, name: 'a..b.', type: 1 }), 'badName');
});

test('compression pointers are produced and followed', () => {
  const wire = encodeMessage({
    header: { id: 1, qr: true },
    questions: [{ name: 'www.example.com.', type: Type.A }],
    answers: [
      { name: 'www.example.com.', ttl: 60, data: { kind: 'CNAME', cname: 'a.example.com.' } },
      { name: 'a.example.com.', ttl: 5, data: { kind: 'A', address: new Uint8Array([1, 2, 3, 4]) } },
      { name: 'example.com.', ttl: 5, data: { kind: 'SRV', priority: 0, weight: 0, port: 1, target: 'www.example.com.' } },
    ],
  });
  assert.equal(hex(wire),
    '0001800000010003000000000377777707' + '6578616d706c6503636f6d00' + '00010001'
    + 'c00c' + '0005' + '0001' + '0000003c' + '0004' + '0161c010' // owner → question; target 'a' + → example.com
    + 'c02d' + '0001' + '0001' + '00000005' + '0004' + '01020304' // owner → the CNAME target
    + 'c010' + '0021' + '0001' + '00000005' + '0017' + '000000000001' + '03777777076578616d706c6503636f6d00'); // SRV target uncompressed
  const d = decodeMessage(wire);
  assert.deepEqual(d.answers.map((r) => r.name), ['www.example.com.', 'a.example.com.', 'example.com.']);
  assert.equal(recordsOf(d.answers, 'CNAME')[0]!.data.cname, 'a.example.com.');
  // a compressed SRV target (not produced, but legal to receive) is followed
  const srvPtr = unhex('0001800000010001000000000377777707' + '6578616d706c6503636f6d00' + '00210001'
    + 'c00c' + '0021' + '0001' + '00000005' + '0008' + '000100020003' + 'c00c');
  assert.equal(recordsOf(decodeMessage(srvPtr).answers, 'SRV')[0]!.data.target, 'www.example.com.');
  // case differences are not merged: names keep their case
  const mixed = decodeMessage(encodeMessage({ questions: [{ name: 'Example.COM.', type: 1 }], answers: [{ name: 'example.com.', data: { kind: 'NS', ns: 'EXAMPLE.com.' } }] }));
  assert.equal(mixed.answers[0]!.name, 'example.com.');
  assert.equal(mixed.questions[0]!.name, 'Example.COM.');
});

test('a hand-crafted reply with a CNAME chain', () => {
  // www.example.org. CNAME web.example.org. CNAME edge.cdn.example.net. A 203.0.113.7, A 203.0.113.8
  const reply = unhex(
    'abcd 8180 0001 0004 0001 0000'
    + '03777777 076578616d706c65 036f7267 00 0001 0001' // q: www.example.org. A IN (12)
    + 'c00c 0005 0001 00000e10 0006 03776562 c010' // www → web.example.org (rdata at 45)
    + 'c02d 0005 0001 00000e10 0016 0465646765 0363646e 076578616d706c65 036e6574 00' // web → edge.cdn.example.net. (rdata at 63)
    + 'c03f 0001 0001 0000003c 0004 cb007107'
    + 'c03f 0001 0001 0000003c 0004 cb007108'
    + 'c048 0006 0001 00000384 0018 c048 c048 00000001 00000002 00000003 00000004 0000012c',
  );
  const d = decodeMessage(reply);
  assert.equal(d.header.id, 0xabcd);
  assert.ok(d.header.qr && d.header.rd && d.header.ra && !d.header.aa);
  assert.ok(isResponseTo(d, { id: 0xabcd, name: 'WWW.Example.ORG', type: Type.A }));
  assert.ok(!isResponseTo(d, { id: 0xabce, name: 'www.example.org.', type: Type.A }));
  assert.ok(!isResponseTo(d, { id: 0xabcd, name: 'www.example.org.', type: Type.AAAA }));
  assert.ok(!isResponseTo(d, { id: 0xabcd, name: 'ww.example.org.', type: Type.A }));
  const chain = followCNAMEs(d.answers, 'www.example.org');
  assert.deepEqual(chain, { name: 'edge.cdn.example.net.', chain: ['www.example.org.', 'web.example.org.'] });
  const as = recordsOf(d.answers, 'A', chain.name);
  assert.deepEqual(as.map((r) => [...r.data.address].join('.')), ['203.0.113.7', '203.0.113.8']);
  assert.equal(recordsOf(d.answers, 'A', 'www.example.org.').length, 0);
  assert.deepEqual(d.authorities[0]!.data, {
    kind: 'SOA', ns: 'example.net.', mbox: 'example.net.', serial: 1, refresh: 2, retry: 3, expire: 4, minTTL: 300,
  });
  assert.equal(negativeTTL(d), 300);
  assert.equal(extendedRCode(d), 0);
  assert.equal(getOPT(d), null);
  // a CNAME loop ends
  const loop = followCNAMEs([
    { name: 'a.', type: 5, class: 1, ttl: 1, data: { kind: 'CNAME', cname: 'b.' } },
    { name: 'b.', type: 5, class: 1, ttl: 1, data: { kind: 'CNAME', cname: 'a.' } },
  ], 'a.');
  assert.equal(loop.chain.length, 2);
});

test('names: escapes, root, case-insensitive comparison', () => {
  const labels = unhex('0000 8000 0001 0000 0000 0000' + '04612e5c62' + '0320ff41' + '00' + '0001 0001');
  const d = decodeMessage(labels);
  assert.equal(d.questions[0]!.name, 'a\\.\\\\b.\\032\\255A.');
  // the escaped form encodes back to the same labels
  assert.equal(hex(encodeMessage({ header: { qr: true }, questions: d.questions })), hex(labels));
  assert.equal(hex(buildQuery({ id: 0, name: 'a\\046b', type: 1 })).slice(24, 36), '03612e620000');
  throwsReason(() => buildQuery({ id: 0, name: 'a\\', type: 1 }), 'badName');
  throwsReason(() => buildQuery({ id: 0, name: 'a\\25', type: 1 }), 'badName');
  throwsReason(() => buildQuery({ id: 0, name: 'a\\256.', type: 1 }), 'badName');
  throwsReason(() => buildQuery({ id: 0, name: '.a.', type: 1 }), 'badName');
  throwsReason(() => buildQuery({ id: 0, name: 'ä€.', type: 1 }), 'badName');
  throwsReason(() => buildQuery({ id: 0, name: 'x'.repeat(64) + '.', type: 1 }), 'labelTooLong');
  buildQuery({ id: 0, name: 'x'.repeat(63) + '.', type: 1 });
  const l63 = 'x'.repeat(63);
  // 4 labels of 63 + root = 257 octets; 3 of 63 + one of 61 = 255
  throwsReason(() => buildQuery({ id: 0, name: [l63, l63, l63, l63, ''].join('.'), type: 1 }), 'nameTooLong');
  const max = [l63, l63, l63, 'y'.repeat(61), ''].join('.');
  assert.equal(decodeMessage(buildQuery({ id: 0, name: max, type: 1 })).questions[0]!.name, max);
  throwsReason(() => buildQuery({ id: 0, name: [l63, l63, l63, 'y'.repeat(62), ''].join('.'), type: 1 }), 'nameTooLong');
  assert.equal(decodeMessage(buildQuery({ id: 0, name: '', type: 1 })).questions[0]!.name, '.');
  assert.ok(namesEqual('Example.COM', 'example.com.'));
  assert.ok(!namesEqual('example.co', 'example.com.'));
  assert.ok(!namesEqual('exampl[.com', 'exampl{.com'));
  assert.equal(typeString(28), 'AAAA');
  assert.equal(typeString(65), 'TYPE65');
});

test('encode rejects unencodable input with typed errors', () => {
  throwsReason(() => encodeMessage({ answers: [{ name: 'a.', type: 1, data: { kind: 'MX', pref: 1, mx: 'b.' } }] }), 'typeMismatch');
  throwsReason(() => encodeMessage({ answers: [{ name: 'a.', data: { kind: 'raw', bytes: new Uint8Array(1) } }] }), 'typeMismatch');
  throwsReason(() => encodeMessage({ answers: [{ name: 'a.', data: { kind: 'A', address: new Uint8Array(16) } }] }), 'badValue');
  throwsReason(() => encodeMessage({ answers: [{ name: 'a.', ttl: -1, data: { kind: 'A', address: new Uint8Array(4) } }] }), 'badValue');
  throwsReason(() => encodeMessage({ answers: [{ name: 'a.', data: { kind: 'TXT', txt: ['x'.repeat(256)] } }] }), 'badValue');
  throwsReason(() => encodeMessage({ header: { rcode: 16 } }), 'badValue');
  throwsReason(() => encodeMessage({ header: { opcode: 1.5 } }), 'badValue');
  const huge = Array.from({ length: 300 }, (): ResourceInput => ({ name: 'a.', data: { kind: 'raw', bytes: new Uint8Array(250) }, type: 99 }));
  throwsReason(() => encodeMessage({ answers: huge }), 'messageTooLong');
  throwsReason(() => encodeMessage({ answers: [{ name: 'a.', type: 99, data: { kind: 'raw', bytes: new Uint8Array(70000) } }] }), 'badValue');
});

// A valid reply to mutate: question at 12, one A answer whose owner points at 12.
const base = 'abcd 8180 0001 0001 0000 0000 016100 0001 0001 c00c 0001 0001 0000003c 0004 01020304';

test('malformed messages each throw DNSMessageError with the right reason', () => {
  assert.doesNotThrow(() => decodeMessage(unhex(base)));
  const cases: Array<[string, string, DNSMessageErrorReason]> = [
    ['empty', '', 'truncatedHeader'],
    ['11-byte header', 'abcd81800001000100000000'.slice(0, 22), 'truncatedHeader'],
    ['question count lies', 'abcd 8180 0002 0000 0000 0000 01610000010001', 'countMismatch'],
    ['answer count lies', 'abcd 8180 0001 0005 0000 0000 01610000010001 c00c000100010000003c000401020304', 'countMismatch'],
    ['additional count lies', 'abcd 8180 0000 0000 0000 0001', 'countMismatch'],
    ['huge counts, no records', 'abcd 8180 ffff ffff ffff ffff', 'countMismatch'],
    ['question type cut', 'abcd 8180 0001 0000 0000 0000 016100 0001', 'truncatedQuestion'],
    ['name without terminator', 'abcd 8180 0001 0000 0000 0000 0161', 'truncatedName'],
    ['label runs past end', 'abcd 8180 0001 0000 0000 0000 0561', 'truncatedName'],
    ['pointer cut short', 'abcd 8180 0001 0000 0000 0000 c0', 'truncatedName'],
    ['record header cut', 'abcd 8180 0001 0001 0000 0000 01610000010001 c00c 0001 0001 0000', 'truncatedRecord'],
    ['rdata cut', 'abcd 8180 0001 0001 0000 0000 01610000010001 c00c000100010000003c0004 0102', 'truncatedRecord'],
    ['self pointer', 'abcd 8180 0001 0000 0000 0000 c00c 0001 0001', 'pointerLoop'],
    ['label then pointer back to itself', 'abcd 8180 0001 0000 0000 0000 0161 c00c 0001 0001', 'pointerLoop'],
    ['two-name loop', 'abcd 8180 0002 0000 0000 0000 0161 c012 0001 0001 0162 c00c 0001 0001', 'forwardPointer'],
    ['forward pointer', 'abcd 8180 0001 0000 0000 0000 c00e 0161 00 0001 0001', 'forwardPointer'],
    ['pointer beyond end', 'abcd 8180 0001 0000 0000 0000 ffff 0001 0001', 'pointerOutOfBounds'],
    ['pointer into the header then past end', 'abcd 8180 0001 0000 0000 0000 c0ff 0001 0001', 'pointerOutOfBounds'],
    ['label length 64', 'abcd 8180 0001 0000 0000 0000 40' + '61'.repeat(64) + '00 0001 0001', 'labelTooLong'],
    ['label type 0x80', 'abcd 8180 0001 0000 0000 0000 80 00 0001 0001', 'labelTooLong'],
    ['name > 255 on the wire', 'abcd 8180 0001 0000 0000 0000 ' + ('3f' + '61'.repeat(63)).repeat(4) + '00 0001 0001', 'nameTooLong'],
    ['A rdlength 5', 'abcd 8180 0001 0001 0000 0000 01610000010001 c00c000100010000003c0005 0102030405', 'rdataLength'],
    ['AAAA rdlength 4', 'abcd 8180 0001 0001 0000 0000 01610000010001 c00c001c00010000003c0004 01020304', 'rdataLength'],
    ['CNAME with a trailing byte', 'abcd 8180 0001 0001 0000 0000 01610000010001 c00c000500010000003c0003 c00c 00', 'rdataLength'],
    ['CNAME name crosses rdata end', 'abcd 8180 0001 0001 0000 0000 01610000010001 c00c000500010000003c0002 0162 00 0000', 'rdataLength'],
    ['MX too short', 'abcd 8180 0001 0001 0000 0000 01610000010001 c00c000f00010000003c0001 00', 'rdataLength'],
    ['SRV too short', 'abcd 8180 0001 0001 0000 0000 01610000010001 c00c002100010000003c0004 00010002', 'rdataLength'],
    ['SOA numbers short', 'abcd 8180 0001 0001 0000 0000 01610000010001 c00c000600010000003c0008 c00c c00c 00000001', 'rdataLength'],
    ['TXT string overruns', 'abcd 8180 0001 0001 0000 0000 01610000010001 c00c001000010000003c0003 05616263', 'rdataLength'],
    ['OPT option overruns', 'abcd 8180 0000 0000 0000 0001 00 0029 04d0 00000000 0006 000a 0004 0102', 'rdataLength'],
    ['OPT option header cut', 'abcd 8180 0000 0000 0000 0001 00 0029 04d0 00000000 0002 000a', 'rdataLength'],
  ];
  for (const [what, bytes, reason] of cases) {
    assert.throws(() => decodeMessage(unhex(bytes)), (e: unknown) => {
      assert.ok(e instanceof DNSMessageError, `${what}: ${String(e)}`);
      assert.equal(e.reason, reason, `${what}: ${e.message}`);
      assert.ok(e.message.startsWith('dns message: '));
      return true;
    }, what);
  }
});

test('trailing bytes after the counted records are ignored; decoded data does not alias input', () => {
  const b = unhex(base + 'deadbeef');
  const d = decodeMessage(b);
  b.fill(0);
  assert.deepEqual([...recordsOf(d.answers, 'A')[0]!.data.address], [1, 2, 3, 4]);
  // a view into a larger buffer decodes from its own offset
  const big = new Uint8Array(100);
  big.set(unhex(base), 37);
  assert.equal(decodeMessage(big.subarray(37, 37 + unhex(base).length)).header.id, 0xabcd);
});

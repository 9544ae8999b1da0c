// Deterministic fuzzing of the decoder: valid messages mutated (bit flips, byte sets, truncation,
// splices, count and pointer tampering) and random bytes. Each decode must return a message or
// throw DNSMessageError, and the whole run is time-bounded so a hang shows as a failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DNSMessageError, Type, buildQuery, decodeMessage, encodeMessage, type DNSMessageErrorReason, type ResourceInput,
} from '../../../src/net/dns/message.js';

// xorshift32: reproducible from the seed printed on failure.
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

function corpus(): Uint8Array[] {
  const rr: ResourceInput[] = [
    { name: 'www.example.com.', ttl: 60, data: { kind: 'CNAME', cname: 'edge.example.com.' } },
    { name: 'edge.example.com.', ttl: 60, data: { kind: 'A', address: new Uint8Array([192, 0, 2, 1]) } },
    { name: 'edge.example.com.', ttl: 60, data: { kind: 'AAAA', address: new Uint8Array(16).fill(0x20) } },
    { name: 'example.com.', ttl: 60, data: { kind: 'MX', pref: 10, mx: 'mail.example.com.' } },
    { name: 'example.com.', ttl: 60, data: { kind: 'NS', ns: 'ns.example.com.' } },
    { name: '_x._tcp.example.com.', ttl: 60, data: { kind: 'SRV', priority: 1, weight: 2, port: 3, target: 'edge.example.com.' } },
    { name: 'example.com.', ttl: 60, data: { kind: 'TXT', txt: ['hello', 'world'] } },
    { name: '4.3.2.1.in-addr.arpa.', ttl: 60, data: { kind: 'PTR', ptr: 'example.com.' } },
    { name: 'zz.', type: 99, ttl: 1, data: { kind: 'raw', bytes: new Uint8Array([9, 9, 9]) } },
  ];
  const soa: ResourceInput = {
    name: 'example.com.', ttl: 300,
    data: { kind: 'SOA', ns: 'ns.example.com.', mbox: 'admin.example.com.', serial: 1, refresh: 2, retry: 3, expire: 4, minTTL: 5 },
  };
  const opt: ResourceInput = {
    name: '.', data: { kind: 'OPT', udpSize: 1232, extRcode: 0, version: 0, dnssecOK: false, z: 0, options: [{ code: 10, data: new Uint8Array(8) }] },
  };
  const out = [
    buildQuery({ id: 1, name: 'www.example.com.', type: Type.A, edns: { udpSize: 1232 } }),
    encodeMessage({ header: { id: 2, qr: true, rd: true, ra: true }, questions: [{ name: 'www.example.com.', type: Type.A }], answers: rr, authorities: [soa], additionals: [opt] }),
    encodeMessage({ header: { id: 3, qr: true, rcode: 3 }, questions: [{ name: 'nx.example.com.', type: Type.AAAA }], authorities: [soa] }),
  ];
  for (const r of rr) out.push(encodeMessage({ header: { id: 4, qr: true }, questions: [{ name: r.name, type: 255 }], answers: [r, r] }));
  return out;
}

function check(input: Uint8Array, reasons: Map<DNSMessageErrorReason, number>, seed: number, i: number): void {
  try {
    decodeMessage(input);
  } catch (e) {
    if (!(e instanceof DNSMessageError)) {
      assert.fail(`seed ${seed} case ${i}: ${String(e)} for ${Buffer.from(input).toString('hex')}`);
    }
    reasons.set(e.reason, (reasons.get(e.reason) ?? 0) + 1);
  }
}

function mutate(src: Uint8Array, next: () => number): Uint8Array {
  const b = Uint8Array.from(src);
  const ops = 1 + (next() % 4);
  let out = b;
  for (let k = 0; k < ops; k++) {
    const pos = next() % Math.max(1, out.length);
    switch (next() % 8) {
      case 0: // flip a bit
        out[pos] = out[pos]! ^ (1 << (next() % 8));
        break;
      case 1: // set a random byte
        out[pos] = next() & 0xff;
        break;
      case 2: // truncate
        out = out.slice(0, pos);
        break;
      case 3: // lie in a count
        if (out.length >= 12) out[4 + 2 * (next() % 4) + 1] = next() & 0xff;
        break;
      case 4: // plant a compression pointer
        if (pos + 1 < out.length) {
          out[pos] = 0xc0 | (next() & 0x3f);
          out[pos + 1] = next() & 0xff;
        }
        break;
      case 5: // plant a length byte
        out[pos] = next() % 256;
        break;
      case 6: { // duplicate a slice (splice)
        const from = next() % Math.max(1, out.length);
        const len = next() % 32;
        const merged = new Uint8Array(out.length + len);
        merged.set(out.subarray(0, pos));
        merged.set(out.subarray(from, from + len), pos);
        merged.set(out.subarray(pos), pos + Math.min(len, out.length - from));
        out = merged.subarray(0, out.length + Math.min(len, out.length - from));
        break;
      }
      default: // append junk
        out = Uint8Array.from([...out, ...Array.from({ length: next() % 8 }, () => next() & 0xff)]);
    }
  }
  return out;
}

test('decoder fuzz: mutated valid messages and random bytes only ever give DNSMessageError', (t) => {
  const seed = 0x5eed1234;
  const next = rng(seed);
  const base = corpus();
  for (const m of base) decodeMessage(m); // the corpus itself is valid
  const reasons = new Map<DNSMessageErrorReason, number>();
  // A fixed number of cases (deterministic, and independent of how busy the machine is); each
  // decode is timed so a near-hang shows up as one slow case. A case that looks slow is timed
  // again (best of 3), so a GC pause or a busy machine is not mistaken for one.
  const cases = 20_000;
  const start = performance.now();
  let slowest = 0;
  const suspects: Uint8Array[] = [];
  let n = 0;
  while (n < cases) {
    for (let k = 0; k < 100; k++, n++) {
      let input: Uint8Array;
      if (n % 10 === 9) {
        input = new Uint8Array(next() % 600);
        for (let j = 0; j < input.length; j++) input[j] = next() & 0xff;
        // give random data a plausible header sometimes, so decoding gets past it
        if (input.length >= 12 && next() % 2 === 0) input.set([0, 1, 0x81, 0x80, 0, 1, 0, next() % 4, 0, 0, 0, next() % 2], 0);
      } else {
        input = mutate(base[n % base.length]!, next);
      }
      const t0 = performance.now();
      check(input, reasons, seed, n);
      const took = performance.now() - t0;
      if (took > 20) suspects.push(input);
      slowest = Math.max(slowest, took);
    }
  }
  const elapsed = performance.now() - start;
  t.diagnostic(`${n} cases in ${elapsed.toFixed(0)} ms, slowest ${slowest.toFixed(2)} ms: ${JSON.stringify([...reasons])}`);
  assert.equal(n, cases);
  for (const input of suspects) {
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      try {
        decodeMessage(input);
      } catch {
        // typed errors were checked above
      }
      best = Math.min(best, performance.now() - t0);
    }
    assert.ok(best < 20, `a ${input.length}-byte input takes ${best.toFixed(1)} ms to decode`);
  }
  // the mutations reach the interesting checks, not just the header
  for (const r of ['countMismatch', 'truncatedRecord', 'rdataLength', 'forwardPointer', 'labelTooLong', 'pointerOutOfBounds'] as const) {
    assert.ok((reasons.get(r) ?? 0) > 0, `no ${r} in ${n} cases: ${JSON.stringify([...reasons])}`);
  }
});

test('adversarial pointer chains end quickly', () => {
  // Record 1 is an unknown type whose RDATA holds a root label then 8000 pointers, each to the
  // one before; record 2's owner points at the last of them.
  const n = 8000;
  const rdStart = 12 + 1 + 10;
  const rdata = new Uint8Array(1 + 2 * n);
  for (let i = 0; i < n; i++) {
    const target = rdStart + (i === 0 ? 0 : 1 + 2 * (i - 1));
    rdata[1 + 2 * i] = 0xc0 | (target >> 8);
    rdata[2 + 2 * i] = target & 0xff;
  }
  const last = rdStart + 1 + 2 * (n - 1);
  const msg = Uint8Array.from([
    0, 1, 0x81, 0x80, 0, 0, 0, 2, 0, 0, 0, 0,
    0, 0, 99, 0, 1, 0, 0, 0, 1, rdata.length >> 8, rdata.length & 0xff, ...rdata,
    0xc0 | (last >> 8), last & 0xff, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0,
  ]);
  const t0 = performance.now();
  assert.throws(() => decodeMessage(msg), (e: unknown) => e instanceof DNSMessageError && e.reason === 'pointerLoop');
  assert.ok(performance.now() - t0 < 200);
  // a short chain of the same shape is fine
  msg[7] = 1;
  assert.equal(decodeMessage(msg).answers.length, 1);
});

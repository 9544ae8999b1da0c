import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseNetwork, resolveTCPAddr, resolveUDPAddr, resolveIPAddr, resolveUnixAddr, TCPAddr, UDPAddr, UnixAddr,
  UnknownNetworkError, AddrError, DNSError, parseIP, interfaces, interfaceAddrs, interfaceByName, interfaceByIndex,
} from '../../src/net/index.js';
import { IPAddr as IPAddrValue } from '../../src/net/addr.js';
import { tableResolver } from '../support/net.js';

test('parseNetwork: plain networks, ip with protocol names and numbers', () => {
  const ok: [string, boolean, string, number][] = [
    ['tcp', true, 'tcp', 0], ['tcp4', true, 'tcp4', 0], ['tcp6', true, 'tcp6', 0],
    ['udp', true, 'udp', 0], ['udp4', false, 'udp4', 0], ['udp6', false, 'udp6', 0],
    ['unix', true, 'unix', 0], ['unixgram', true, 'unixgram', 0], ['unixpacket', true, 'unixpacket', 0],
    ['ip', false, 'ip', 0], ['ip4', false, 'ip4', 0], ['ip6', false, 'ip6', 0],
    ['ip:icmp', true, 'ip', 1], ['ip4:icmp', true, 'ip4', 1], ['ip4:ICMP', true, 'ip4', 1],
    ['ip6:ipv6-icmp', true, 'ip6', 58], ['ip6:58', true, 'ip6', 58], ['ip4:1', true, 'ip4', 1],
    ['ip:tcp', true, 'ip', 6], ['ip:udp', true, 'ip', 17], ['ip4:0', true, 'ip4', 0], ['ip:255', true, 'ip', 255],
  ];
  for (const [net, needsProto, afnet, proto] of ok) {
    assert.deepEqual(parseNetwork(net, needsProto), { afnet, proto }, net);
  }
  const bad: [string, boolean][] = [
    ['', false], ['tcp7', false], ['TCP', false], ['ip', true], ['ip4', true], ['ip:', true], ['ip:256', true],
    ['ip:nosuchproto', true], ['tcp:6', true], ['udp4:17', true], ['unix:1', false], ['ip4:-1', true], [':icmp', true],
    ['ip5:icmp', true], ['sctp', false],
  ];
  for (const [net, needsProto] of bad) {
    assert.throws(() => parseNetwork(net, needsProto), (e: unknown) => {
      assert.ok(e instanceof UnknownNetworkError, net);
      assert.equal(e.message, `unknown network ${net}`);
      return true;
    });
  }
});

test('address values print like Go', () => {
  assert.equal(new TCPAddr(parseIP('127.0.0.1'), 80).toString(), '127.0.0.1:80');
  assert.equal(new TCPAddr(parseIP('::1'), 443).toString(), '[::1]:443');
  assert.equal(new TCPAddr(parseIP('fe80::1'), 8080, 'eth0').toString(), '[fe80::1%eth0]:8080');
  assert.equal(new TCPAddr(null, 8080).toString(), ':8080');
  assert.equal(new TCPAddr(parseIP('::ffff:10.0.0.1'), 1).toString(), '10.0.0.1:1');
  assert.equal(new UDPAddr(parseIP('::'), 53).toString(), '[::]:53');
  assert.equal(new UDPAddr(null, 0).network, 'udp');
  assert.equal(new IPAddrValue(parseIP('fe80::2')!, 'lo').toString(), 'fe80::2%lo');
  assert.equal(new UnixAddr('/run/x.sock', 'unix').toString(), '/run/x.sock');
  assert.equal(resolveUnixAddr('unixpacket', '@abstract').network, 'unixpacket');
  assert.throws(() => resolveUnixAddr('tcp', '/x'), UnknownNetworkError);
});

test('resolveTCPAddr: literals skip the resolver; names prefer IPv4 unless the address is bracketed IPv6', async () => {
  const r = tableResolver({ 'dual.test': ['::1', '127.0.0.1'], 'v6.test': ['::1'] });
  const cases: [string, string, string][] = [
    ['tcp', '127.0.0.1:80', '127.0.0.1:80'],
    ['tcp', '[::1]:http', '[::1]:80'],
    ['tcp', 'dual.test:https', '127.0.0.1:443'],
    ['tcp6', 'dual.test:1', '[::1]:1'],
    ['tcp4', 'dual.test:1', '127.0.0.1:1'],
    ['tcp', 'v6.test:2', '[::1]:2'],
    ['tcp', ':8080', ':8080'],
    ['tcp', '', ':0'],
    ['', '[fe80::1%lo]:5', '[fe80::1%lo]:5'],
  ];
  for (const [net, address, want] of cases) {
    const a = await resolveTCPAddr(net, address, { resolver: r });
    assert.ok(a instanceof TCPAddr);
    assert.equal(a.toString(), want, `${net} ${address}`);
  }
  assert.deepEqual(r.asked, ['dual.test/ip', 'dual.test/ip6', 'dual.test/ip4', 'v6.test/ip']);
});

test('resolve* errors: wrong network kinds, bad ports, families with no address', async () => {
  const r = tableResolver({ 'v6.test': ['::1'] });
  await assert.rejects(resolveTCPAddr('udp', '127.0.0.1:1'), (e: unknown) => e instanceof UnknownNetworkError && e.message === 'unknown network udp');
  await assert.rejects(resolveUDPAddr('tcp4', '127.0.0.1:1'), UnknownNetworkError);
  await assert.rejects(resolveTCPAddr('tcp', '127.0.0.1:99999'), (e: unknown) => e instanceof AddrError && e.message === 'address 99999: invalid port');
  await assert.rejects(resolveTCPAddr('tcp', '127.0.0.1:nosuchservice'), (e: unknown) => e instanceof DNSError && e.message === 'lookup tcp/nosuchservice: unknown port');
  await assert.rejects(resolveTCPAddr('tcp', '127.0.0.1'), (e: unknown) => e instanceof AddrError && e.message === 'address 127.0.0.1: missing port in address');
  await assert.rejects(resolveTCPAddr('tcp4', '[::1]:80'), (e: unknown) => e instanceof AddrError && e.message === 'address ::1: no suitable address found');
  await assert.rejects(resolveTCPAddr('tcp4', 'v6.test:80', { resolver: r }), (e: unknown) => e instanceof AddrError && /no suitable address found/.test(e.message));
  assert.equal((await resolveUDPAddr('udp6', '[::1]:domain')).toString(), '[::1]:53');
  assert.equal((await resolveIPAddr('ip', '::1')).toString(), '::1');
  assert.equal((await resolveIPAddr('ip4', '127.0.0.9')).toString(), '127.0.0.9');
});

test('interfaces: loopback is listed with its index, flags and own address', () => {
  const all = interfaces();
  const lo = all.find((i) => i.flags.includes('loopback'));
  assert.ok(lo, `a loopback interface among ${all.map((i) => i.name).join(', ')}`);
  assert.ok(lo.index > 0);
  assert.ok(lo.mtu > 0);
  assert.ok(lo.flags.includes('up'));
  assert.equal(lo.hardwareAddr.length, 0);
  const addrs = lo.addrs().map((a) => a.toString());
  assert.ok(addrs.includes('127.0.0.1/8'), `loopback addrs: ${addrs.join(' ')}`);
  assert.equal(interfaceByName(lo.name)?.index, lo.index);
  assert.equal(interfaceByIndex(lo.index)?.name, lo.name);
  assert.equal(interfaceByName('no-such-if0'), null);
  assert.ok(interfaceAddrs().some((n) => n.toString() === '127.0.0.1/8'));
  assert.equal(new Set(all.map((i) => i.index)).size, all.length, 'indexes are unique');
});

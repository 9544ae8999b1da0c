// Network interfaces (Go's net.Interfaces): Node's os.networkInterfaces gives names and
// addresses; Linux's /sys/class/net adds the index, MTU and flags Go reports.

import { networkInterfaces } from 'node:os';
import { readFileSync } from 'node:fs';
import { IPNet, parseCIDR } from './ip.js';

/** Go's interface flags, as names. */
export type InterfaceFlag = 'up' | 'broadcast' | 'loopback' | 'pointtopoint' | 'multicast' | 'running';

/** One network interface, as Go's net.Interface. */
export interface Interface {
  index: number;
  mtu: number;
  name: string;
  /** The link-layer address (empty when the interface has none). */
  hardwareAddr: Uint8Array;
  flags: InterfaceFlag[];
  /** The unicast addresses assigned to this interface. */
  addrs(): IPNet[];
}

const IFF: [number, InterfaceFlag][] = [[0x1, 'up'], [0x2, 'broadcast'], [0x8, 'loopback'], [0x10, 'pointtopoint'], [0x1000, 'multicast']];

function sysValue(name: string, file: string): string | null {
  try {
    return readFileSync(`/sys/class/net/${name}/${file}`, 'latin1').trim();
  } catch {
    return null;
  }
}

function parseMac(mac: string): Uint8Array {
  const parts = mac.split(':');
  if (parts.length < 2 || parts.every((p) => p === '00')) return new Uint8Array(0);
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}

function addrsOf(name: string): IPNet[] {
  const out: IPNet[] = [];
  for (const a of networkInterfaces()[name] ?? []) {
    if (!a.cidr) continue;
    try {
      // Go reports the interface's own address with its mask (127.0.0.1/8), not the network.
      const { ip, net } = parseCIDR(a.cidr.replace(/%[^/]*/, ''));
      out.push(new IPNet(ip.to4() ?? ip, net.mask));
    } catch {
      // Node printed something that is not a CIDR; skip rather than fail the listing.
    }
  }
  return out;
}

function describe(name: string, mac: string, fallbackIndex: number): Interface {
  const flagsNum = parseInt(sysValue(name, 'flags') ?? '0', 16);
  const flags = IFF.filter(([bit]) => flagsNum & bit).map(([, f]) => f);
  if (sysValue(name, 'carrier') === '1') flags.push('running');
  return {
    index: Number(sysValue(name, 'ifindex') ?? fallbackIndex),
    mtu: Number(sysValue(name, 'mtu') ?? 0),
    name,
    hardwareAddr: parseMac(sysValue(name, 'address') ?? mac),
    flags,
    addrs: () => addrsOf(name),
  };
}

/** Lists the system's network interfaces. */
export function interfaces(): Interface[] {
  const seen = networkInterfaces();
  let names: string[];
  try {
    names = (readFileSync('/proc/net/dev', 'latin1').split('\n').slice(2)
      .map((l) => l.split(':')[0]!.trim()).filter(Boolean));
  } catch {
    names = Object.keys(seen);
  }
  return names.map((n, i) => describe(n, seen[n]?.[0]?.mac ?? '', i + 1)).sort((a, b) => a.index - b.index);
}

/** Finds an interface by name, or null. */
export function interfaceByName(name: string): Interface | null {
  return interfaces().find((i) => i.name === name) ?? null;
}

/** Finds an interface by index, or null. */
export function interfaceByIndex(index: number): Interface | null {
  return interfaces().find((i) => i.index === index) ?? null;
}

/** Every unicast address of every interface. */
export function interfaceAddrs(): IPNet[] {
  return Object.keys(networkInterfaces()).flatMap(addrsOf);
}

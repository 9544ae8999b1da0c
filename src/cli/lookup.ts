// `gonet lookup`: dig-like. Asks the DNS servers (from --server, --conf or /etc/resolv.conf)
// one question at a time with gonet's own DNS exchange, so it can show what the Resolver's
// lookups do not return: each record's TTL and which server answered, over UDP or TCP.
// Names go through Go's candidate list (ndots, search) when a resolv.conf gives one.

import { DNSError, IP, IPAddr, parseIPZone, systemResolver } from '../net/index.js';
import { exchange } from '../net/dns/client.js';
import { loadResolvConf } from '../net/dns/config.js';
import { loopbackOnlyByEnv } from '../net/dns/default.js';
import { RCode, Type, typeString, type Message, type Resource } from '../net/dns/message.js';
import { isLocalhost, isLoopbackServer, nameList, parseServer, reverseAddr } from '../net/dns/names.js';
import { flagSet, flagValue, parseArgs, parseDuration, UsageError, type FlagSpec } from './args.js';
import { Exit, ExitError } from './errors.js';

export const LOOKUP_HELP = `usage: gonet lookup [flags] name

Asks DNS for name's records and prints them dig-style, with their TTLs, then a ";;"
line saying which server answered, over UDP or TCP, and how fast. Without -t, asks
for A and AAAA (PTR when name is an IP address).

flags:
  -t, --type T       A, AAAA, CNAME, MX, NS, SRV, TXT, PTR (or SOA, ANY)
      --server S     ask this server (ip, ip:port or [ip6]:port; repeatable) instead of
                     the nameservers in resolv.conf; no search list is applied
      --conf PATH    read nameservers, search list, ndots, timeout and attempts from PATH
                     (default /etc/resolv.conf)
      --system       ask the operating system (getaddrinfo) instead: A/AAAA only, no TTLs
      --tcp          query over TCP
      --timeout D    per-attempt timeout (default from resolv.conf, 5s)
  -h, --help         show this help

Under a test runner (NODE_TEST_CONTEXT) or with GONET_DNS_LOOPBACK_ONLY=1, only
loopback nameservers are asked.
`;

const SPECS: FlagSpec[] = [
  { name: 'type', short: 't', arity: 1 },
  { name: 'server', arity: 1, multi: true },
  { name: 'conf', arity: 1 },
  { name: 'system' },
  { name: 'tcp' },
  { name: 'timeout', arity: 1 },
];

const TYPES: Record<string, number> = { ...Type };
delete TYPES.OPT;

function rdataText(r: Resource): string {
  const d = r.data;
  switch (d.kind) {
    case 'A':
    case 'AAAA': return new IP(d.address).toString();
    case 'CNAME': return d.cname;
    case 'NS': return d.ns;
    case 'PTR': return d.ptr;
    case 'MX': return `${d.pref} ${d.mx}`;
    case 'SRV': return `${d.priority} ${d.weight} ${d.port} ${d.target}`;
    case 'TXT': return d.txt.map((s) => JSON.stringify(s)).join(' ');
    case 'SOA': return `${d.ns} ${d.mbox} ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minTTL}`;
    case 'OPT': return '';
    case 'raw': return `\\# ${d.bytes.length} ${Buffer.from(d.bytes).toString('hex')}`;
  }
}

function rcodeName(rc: number): string {
  const names: Record<number, string> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED' };
  return names[rc] ?? `RCODE${rc}`;
}

interface Settings {
  servers: string[];
  search: string[];
  ndots: number;
  timeout: number;
  attempts: number;
  useTCP: boolean;
}

interface Outcome {
  name: string;
  msg: Message;
  server: string;
  tcp: boolean;
  ms: number;
}

/** One question over the candidate names, servers and attempts; the first useful reply wins. */
async function ask(s: Settings, name: string, qtype: number): Promise<Outcome> {
  const rooted = name.endsWith('.');
  const candidates = rooted ? [name] : nameList(name, s.ndots, s.search);
  if (candidates.length === 0) throw new DNSError({ err: 'no such host', name, isNotFound: true });
  let last: Outcome | null = null;
  let lastErr: unknown = null;
  for (const cand of candidates) {
    let moveOn = false;
    for (let a = 0; a < s.attempts && !moveOn; a++) {
      for (const server of s.servers) {
        const t0 = performance.now();
        let r;
        try {
          r = await exchange({ server, name: cand, type: qtype, timeout: s.timeout, useTCP: s.useTCP });
        } catch (e) {
          lastErr = e;
          continue;
        }
        const out = { name: cand, msg: r.msg, server: r.server, tcp: r.tcp, ms: performance.now() - t0 };
        const rc = r.msg.header.rcode;
        if (rc === RCode.Success || rc === RCode.NameError) {
          last = out;
          if (rc === RCode.Success && r.msg.answers.some((x) => x.type === qtype || qtype === Type.ANY)) return out;
          moveOn = true;
          break;
        }
        lastErr = new DNSError({ err: `server misbehaving (${rcodeName(rc)})`, name: cand, server, isTemporary: true });
      }
    }
  }
  if (last !== null) return last;
  throw lastErr ?? new DNSError({ err: 'no answer from DNS server', name, isTemporary: true });
}

function table(rows: Resource[]): string {
  const w = Math.max(...rows.map((r) => r.name.length));
  const tw = Math.max(...rows.map((r) => String(r.ttl).length));
  return rows.map((r) => `${r.name.padEnd(w)}  ${String(r.ttl).padStart(tw)}  IN  ${typeString(r.type).padEnd(5)} ${rdataText(r)}\n`).join('');
}

/** Runs `gonet lookup`; resolves with the exit code. */
export async function lookupCmd(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const p = parseArgs(argv, SPECS);
  if (flagSet(p, 'help')) {
    out.write(LOOKUP_HELP);
    return 0;
  }
  if (p.args.length !== 1) throw new UsageError(p.args.length === 0 ? 'missing name' : 'too many arguments (want one name)');
  let name = p.args[0]!;
  const typeFlag = flagValue(p, 'type')?.toUpperCase();
  if (typeFlag !== undefined && !(typeFlag in TYPES)) throw new UsageError(`unknown record type ${JSON.stringify(typeFlag)} (want A, AAAA, CNAME, MX, NS, SRV, TXT, PTR, SOA or ANY)`);
  const isIP = parseIPZone(name) !== null;
  let types: number[];
  if (typeFlag !== undefined) types = [TYPES[typeFlag]!];
  else types = isIP ? [Type.PTR] : [Type.A, Type.AAAA];
  if (types[0] === Type.PTR && isIP) name = reverseAddr(name)!;
  const loopbackOnly = loopbackOnlyByEnv();
  const timeoutFlag = flagValue(p, 'timeout');

  if (flagSet(p, 'system')) {
    if (p.flags.has('server') || p.flags.has('conf')) throw new UsageError('--system cannot be combined with --server or --conf');
    if (types.some((t) => t !== Type.A && t !== Type.AAAA)) throw new UsageError('--system answers A and AAAA only');
    if (loopbackOnly && !isIP && !isLocalhost(name)) {
      throw new ExitError(Exit.dns, `lookup ${name}: refusing the system resolver in loopback-only mode (it may ask a nameserver off this machine)`);
    }
    const t0 = performance.now();
    const all: IPAddr[] = await systemResolver.lookupIPAddr(name);
    const ms = performance.now() - t0;
    for (const t of types) {
      const addrs = all.filter((a) => (t === Type.A) === (a.ip.to4() !== null));
      for (const a of addrs) out.write(`${name}  IN  ${typeString(t).padEnd(5)} ${a.ip}\n`);
    }
    out.write(`;; answered by the system resolver (getaddrinfo) in ${ms.toFixed(1)} ms; no TTLs\n`);
    return 0;
  }

  const conf = flagValue(p, 'conf');
  let settings: Settings;
  if (p.flags.has('server')) {
    if (conf !== undefined) throw new UsageError('--server and --conf cannot be combined');
    let servers: string[];
    try {
      servers = p.flags.get('server')!.map(parseServer);
    } catch (e) {
      throw new UsageError(`--server: ${(e as Error).message}`);
    }
    settings = { servers, search: [], ndots: 1, timeout: 5000, attempts: 2, useTCP: false };
  } else {
    const path = conf ?? '/etc/resolv.conf';
    const rc = loadResolvConf(path);
    if (rc.err !== undefined) throw new ExitError(Exit.failure, `read ${path}: ${rc.err.message}`);
    settings = { servers: rc.servers, search: rc.search, ndots: rc.ndots, timeout: rc.timeout, attempts: rc.attempts, useTCP: rc.useTCP };
  }
  if (timeoutFlag !== undefined) settings.timeout = parseDuration(timeoutFlag, '--timeout');
  if (flagSet(p, 'tcp')) settings.useTCP = true;
  if (loopbackOnly) {
    const off = settings.servers.find((s) => !isLoopbackServer(s));
    if (off !== undefined) throw new ExitError(Exit.dns, `lookup ${name}: refusing to ask nameserver ${off} in loopback-only mode`);
  }

  let found = 0;
  let lastNotFound: DNSError | null = null;
  for (const t of types) {
    const o = await ask(settings, name, t);
    const rc = o.msg.header.rcode;
    const answers = o.msg.answers.filter((r) => r.type !== Type.OPT);
    const matching = answers.filter((r) => r.type === t || t === Type.ANY);
    if (answers.length > 0) out.write(table(answers));
    const how = `${rcodeName(rc)} from ${o.server} over ${o.tcp ? 'tcp' : 'udp'} in ${o.ms.toFixed(1)} ms${o.msg.header.aa ? ', authoritative' : ''}`;
    out.write(`;; ${typeString(t)} ${o.name}: ${matching.length === 0 ? 'no records, ' : ''}${how}\n`);
    found += matching.length;
    if (matching.length === 0) {
      lastNotFound = new DNSError({ err: rc === RCode.NameError ? 'no such host' : 'no such host (no records of that type)', name: o.name, server: o.server, isNotFound: true });
    }
  }
  if (found === 0 && lastNotFound !== null) throw lastNotFound;
  return 0;
}

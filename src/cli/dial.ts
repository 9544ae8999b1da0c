// `gonet dial`: netcat's client. stdin goes to the conn, the conn to stdout; stdin's EOF
// half-closes the conn (the peer reads EOF and may still answer); it ends at the peer's EOF.

import { Dialer } from '../net/index.js';
import { flagSet, flagValue, parseArgs, parseDuration, UsageError, type FlagSpec } from './args.js';
import { pipeConn, type Stdio } from './stdio.js';

export const DIAL_HELP = `usage: gonet dial [flags] network address
       gonet dial -u host:port        (UDP)
       gonet dial --unix path         (unix stream socket)

Connects to address and copies stdin to the connection and the connection to stdout.
At EOF on stdin the write side is shut down (half-close) and the reply is still read;
gonet exits when the peer closes its side.

network is tcp, tcp4, tcp6, udp, udp4, udp6 or unix; address is host:port
([ipv6]:port) or a socket path for unix.

flags:
  -u, --udp          use UDP: each chunk of stdin is one datagram
      --unix         use a unix stream socket
      --timeout D    give up connecting after D (e.g. 500ms, 3s; a bare number is seconds)
      --linger D     UDP: after stdin's EOF, wait this long for more replies (default 1s)
  -v, --verbose      print the connection's addresses on stderr
  -h, --help         show this help
`;

const SPECS: FlagSpec[] = [
  { name: 'udp', short: 'u' },
  { name: 'unix' },
  { name: 'timeout', arity: 1 },
  { name: 'linger', arity: 1 },
  { name: 'verbose', short: 'v' },
];

/** Runs `gonet dial`; resolves with the exit code (failures throw). */
export async function dialCmd(argv: string[], io: Stdio & { stderr: NodeJS.WritableStream }): Promise<number> {
  const p = parseArgs(argv, SPECS);
  if (flagSet(p, 'help')) {
    io.stdout.write(DIAL_HELP);
    return 0;
  }
  const udp = flagSet(p, 'udp');
  const unix = flagSet(p, 'unix');
  if (udp && unix) throw new UsageError('-u and --unix cannot be combined');
  let network: string;
  let address: string;
  if (p.args.length === 2) {
    [network, address] = p.args as [string, string];
    if (udp && !network.startsWith('udp')) throw new UsageError(`-u given with network ${JSON.stringify(network)}`);
    if (unix && network !== 'unix') throw new UsageError(`--unix given with network ${JSON.stringify(network)}`);
  } else if (p.args.length === 1 && (udp || unix)) {
    network = udp ? 'udp' : 'unix';
    address = p.args[0]!;
  } else {
    throw new UsageError(p.args.length === 0 ? 'missing network and address' : p.args.length === 1 ? 'missing address (or give -u / --unix)' : 'too many arguments');
  }
  if (!/^(tcp[46]?|udp[46]?|unix)$/.test(network)) throw new UsageError(`unsupported network ${JSON.stringify(network)} (want tcp, tcp4, tcp6, udp, udp4, udp6 or unix)`);
  const timeoutFlag = flagValue(p, 'timeout');
  const lingerFlag = flagValue(p, 'linger');
  const timeout = timeoutFlag === undefined ? 0 : parseDuration(timeoutFlag, '--timeout');
  const linger = lingerFlag === undefined ? 1000 : parseDuration(lingerFlag, '--linger');
  const conn = await new Dialer({ timeout }).dial(network, address);
  if (flagSet(p, 'verbose')) io.stderr.write(`connected ${conn.localAddr} → ${conn.remoteAddr} (${network})\n`);
  await pipeConn(conn, io, { packet: network.startsWith('udp'), linger });
  return 0;
}

// `gonet listen`: netcat's server. Without --echo it accepts one conn and pipes it to stdio
// (stdin EOF half-closes, the peer's EOF ends it); with --echo it echoes every conn until
// interrupted. Each accepted peer is reported on stderr.

import { listen, type Conn, type Listener } from '../net/index.js';
import { flagSet, parseArgs, UsageError, type FlagSpec } from './args.js';
import { pipeConn, readSome, type Stdio } from './stdio.js';

export const LISTEN_HELP = `usage: gonet listen [flags] network address

Listens on address and prints "listening on <addr>" to stderr. Without --echo, accepts
one connection, copies it to stdout and stdin to it (EOF on stdin half-closes it), and
exits when the peer closes its side. With --echo, echoes every connection until
interrupted (Ctrl-C). Each accepted peer is reported on stderr.

network is tcp, tcp4, tcp6 or unix; address is host:port (port 0 picks a free port)
or a socket path for unix.

flags:
      --echo      echo every connection back to its sender
  -h, --help      show this help
`;

const SPECS: FlagSpec[] = [{ name: 'echo' }];

async function echo(c: Conn, log: (s: string) => void): Promise<void> {
  const peer = String(c.remoteAddr);
  let n = 0;
  try {
    for (let chunk = await readSome(c); chunk !== null; chunk = await readSome(c)) {
      n += chunk.length;
      await c.write(chunk);
    }
    await c.closeWrite();
    log(`closed ${peer} (${n} bytes echoed)`);
  } catch (e) {
    log(`error ${peer}: ${(e as Error).message}`);
  } finally {
    c.close();
  }
}

/** Runs `gonet listen`; resolves with the exit code. */
export async function listenCmd(argv: string[], io: Stdio & { stderr: NodeJS.WritableStream }): Promise<number> {
  const p = parseArgs(argv, SPECS);
  if (flagSet(p, 'help')) {
    io.stdout.write(LISTEN_HELP);
    return 0;
  }
  if (p.args.length !== 2) throw new UsageError(p.args.length < 2 ? 'want network and address' : 'too many arguments');
  const [network, address] = p.args as [string, string];
  if (!/^(tcp[46]?|unix)$/.test(network)) throw new UsageError(`unsupported network ${JSON.stringify(network)} (want tcp, tcp4, tcp6 or unix)`);
  const log = (s: string): void => void io.stderr.write(s + '\n');
  const ln: Listener = await listen(network, address);
  log(`listening on ${ln.addr}`);
  let stopping = false;
  const stop = (): void => {
    stopping = true;
    ln.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    if (flagSet(p, 'echo')) {
      const conns = new Set<Promise<void>>();
      try {
        for await (const c of ln) {
          log(`accepted ${c.remoteAddr}`);
          const t = echo(c, log).finally(() => conns.delete(t));
          conns.add(t);
        }
      } catch (e) {
        if (!stopping) throw e;
      }
      await Promise.all(conns);
      return 0;
    }
    let c: Conn;
    try {
      c = await ln.accept();
    } catch (e) {
      if (stopping) return 0;
      throw e;
    }
    ln.close();
    log(`accepted ${c.remoteAddr}`);
    await pipeConn(c, io);
    return 0;
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
    ln.close();
  }
}

// The `gonet` command: dispatches to one module per subcommand, turns failures into one line
// on stderr and an exit code that says what kind of failure it was (errors.ts).

import { UsageError } from './args.js';
import { demo } from './demo.js';
import { dialCmd } from './dial.js';
import { listenCmd } from './listen.js';
import { lookupCmd } from './lookup.js';
import { getCmd } from './get.js';
import { serveCmd } from './serve.js';
import { EXIT_CODES_HELP, Exit, errorLine, exitCodeFor } from './errors.js';

export const USAGE = `usage: gonet <command> [arguments]

Go's net and net/http, rebuilt for Node.js, as a command.

commands:
  demo      walk a dial and an HTTP exchange on loopback, step by step, with timings
  dial      connect and copy stdin/stdout to the connection (netcat)
  listen    accept connections: pipe one to stdin/stdout, or --echo them all
  lookup    ask DNS for a name's records, with TTLs and the server that answered (dig)
  get       make an HTTP request and print the body (curl)
  serve     serve a directory over HTTP(S) with an access log

Run "gonet <command> --help" for a command's flags.

${EXIT_CODES_HELP}`;

const DEMO_HELP = `usage: gonet demo

Starts a TCP echo server and an HTTP server on loopback and walks gonet's layers step
by step, with the time each step took: listen, parse the network and address, resolve
(saying which resolver answered), dial (each address tried), write, read, then an HTTP
request through the Transport, its response, a second request on the same kept-alive
connection, and a graceful shutdown. Needs nothing outside this machine. Colored when
stdout is a terminal (set NO_COLOR to turn that off).
`;

type Command = (argv: string[]) => Promise<number>;

const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };

const COMMANDS: Record<string, Command> = {
  demo: async (argv) => {
    if (argv.includes('--help') || argv.includes('-h')) {
      process.stdout.write(DEMO_HELP);
      return 0;
    }
    if (argv.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(argv[0])}`);
    return demo({ write: (s) => process.stdout.write(s), color: process.stdout.isTTY === true && !process.env['NO_COLOR'] });
  },
  dial: (argv) => dialCmd(argv, io),
  listen: (argv) => listenCmd(argv, io),
  lookup: (argv) => lookupCmd(argv, process.stdout),
  get: (argv) => getCmd(argv, io),
  serve: (argv) => serveCmd(argv, io),
};

/** Runs the CLI with `argv` (without node and script); resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    if (cmd === 'help' && rest[0] !== undefined && rest[0] in COMMANDS) return main([rest[0], '--help']);
    process.stdout.write(USAGE);
    return cmd === undefined ? Exit.usage : Exit.ok;
  }
  const run = Object.hasOwn(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
  if (run === undefined) {
    process.stderr.write(`gonet: unknown command ${JSON.stringify(cmd)} (see "gonet --help")\n`);
    return Exit.usage;
  }
  // A reader that went away (`gonet get URL | head -1`) ends us quietly, as SIGPIPE would.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(Exit.ok);
  });
  try {
    return await run(rest);
  } catch (e) {
    const line = errorLine(cmd, e);
    process.stderr.write(e instanceof UsageError ? line.replace(/\n$/, ` (see "gonet ${cmd} --help")\n`) : line);
    return exitCodeFor(e);
  }
}

// The `gonet` command: dispatches to one module per subcommand.

import { demo } from './demo.js';

const USAGE = `usage: gonet <command> [arguments]

commands:
  demo      walk a dial and an HTTP exchange on loopback, step by step
`;

/** Runs the CLI with `argv` (without node and script); resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [cmd] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(USAGE);
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === 'demo') return demo({ write: (s) => process.stdout.write(s), color: process.stdout.isTTY === true && !process.env['NO_COLOR'] });
  process.stderr.write(`gonet: unknown command ${JSON.stringify(cmd)}\n${USAGE}`);
  return 2;
}

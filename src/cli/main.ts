// The `gonet` command: dispatches to one module per subcommand.

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
  process.stderr.write(`gonet: unknown command ${JSON.stringify(cmd)}\n${USAGE}`);
  return 2;
}

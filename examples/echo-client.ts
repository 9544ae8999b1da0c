// Sends one line to an echo server and prints what comes back.
//
//   node dist/examples/echo-client.js <host:port> [message]

import { dial } from '../src/net/index.js';

async function main(): Promise<void> {
  const [addr, msg = 'hello, gonet'] = process.argv.slice(2);
  if (!addr) {
    console.error('usage: echo-client <host:port> [message]');
    process.exitCode = 2;
    return;
  }
  const c = await dial('tcp', addr, { timeout: 10_000 });
  try {
    await c.write(Buffer.from(msg + '\n'));
    // Half-close so the server sees EOF, then everything up to its EOF is the echo.
    await c.closeWrite();
    const buf = new Uint8Array(64 * 1024);
    for (;;) {
      const n = await c.read(buf);
      if (n === null) break;
      process.stdout.write(buf.slice(0, n));
    }
  } finally {
    c.close();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});

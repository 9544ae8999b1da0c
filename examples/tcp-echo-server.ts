// Go's classic TCP server: listen, accept in a loop, one handler per conn.
//
//   node dist/examples/tcp-echo-server.js [address]   (default 127.0.0.1:0)
//
// Prints `listening on <addr>` once bound; SIGINT/SIGTERM stop it.

import { listen, type Conn } from '../src/net/index.js';

/** Copies everything the peer sends back to it; at EOF, half-closes so the peer sees EOF too. */
async function handle(c: Conn): Promise<void> {
  const buf = new Uint8Array(32 * 1024);
  try {
    for (;;) {
      const n = await c.read(buf);
      if (n === null) break;
      await c.write(buf.subarray(0, n));
    }
    await c.closeWrite();
  } catch (e) {
    // One broken conn (reset, closed at shutdown) must not take the server down.
    if (!stopping) console.error(`${c.remoteAddr}: ${(e as Error).message}`);
  } finally {
    c.close();
  }
}

let stopping = false;

async function main(): Promise<void> {
  const addr = process.argv[2] ?? '127.0.0.1:0';
  const ln = await listen('tcp', addr);
  const conns = new Set<Conn>();
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    ln.close(); // ends the accept loop below
    for (const c of conns) c.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  console.log(`listening on ${ln.addr}`);

  for await (const c of ln) {
    conns.add(c);
    void handle(c).finally(() => conns.delete(c));
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});

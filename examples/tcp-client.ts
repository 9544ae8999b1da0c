// Go's classic TCP client: dial, send a request, print the status line.
//
//   node dist/examples/tcp-client.js <host:port>

import { dial } from '../src/net/index.js';

async function main(): Promise<void> {
  const addr = process.argv[2];
  if (!addr) {
    console.error('usage: tcp-client <host:port>');
    process.exitCode = 2;
    return;
  }
  const c = await dial('tcp', addr, { timeout: 10_000 });
  try {
    await c.write(Buffer.from('GET / HTTP/1.0\r\n\r\n', 'latin1'));
    // Read only until the first line end: the status line is all we print.
    const buf = Buffer.alloc(4096);
    let n = 0;
    let eol = -1;
    while (eol < 0 && n < buf.length) {
      const k = await c.read(buf.subarray(n));
      if (k === null) break;
      eol = buf.indexOf(10, n); // '\n'; a preceding '\r' is trimmed below
      n += k;
    }
    if (n === 0) throw new Error('connection closed before a reply');
    const end = eol >= 0 ? eol : n;
    const line = buf.toString('latin1', 0, end > 0 && buf[end - 1] === 13 ? end - 1 : end);
    console.log(line);
  } finally {
    c.close();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});

// Handing a gonet Conn to node:http2. nghttp2 runs fastest on a socket with a native stream
// handle (it then reads the TLS plaintext without a hop through JS), so a SocketConn — a TCP
// conn, or a TLS conn over any Conn — gives up its Node socket, with whatever it had queued put
// back in front. Any other Conn (in-memory pipes, wrapped tunnels) is driven through a Duplex.

import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { Conn } from '../../net/conn.js';
import { ConnStream } from '../connstream.js';
import { SocketConn } from '../../net/sockconn.js';

/**
 * The stream node:http2 should run on for `conn`. A SocketConn's own socket is taken over (the
 * Conn must not be read or written afterwards; closing it still closes the socket); bytes it had
 * queued are put back in front so the session sees them first. The session must be created on
 * the returned stream in the same tick.
 */
export async function h2Stream(conn: Conn): Promise<Duplex> {
  if (!(conn instanceof SocketConn)) return new ConnStream(conn);
  const s: Socket = conn.socket;
  // Stop the conn's own reader: paused, data stays in the socket's buffer; the session's
  // native reader takes over from there.
  s.pause();
  s.removeAllListeners('data');
  const queued: Uint8Array[] = [];
  while (conn.buffered > 0) {
    const c = await conn.readChunk();
    if (c === null) break;
    queued.push(c);
  }
  s.pause();
  for (let i = queued.length - 1; i >= 0; i--) s.unshift(Buffer.from(queued[i]!.buffer, queued[i]!.byteOffset, queued[i]!.byteLength));
  // A server-side TLSSocket made without a tls.Server never leaves `secureConnecting`; the
  // handshake is done (tls.ts resolved), and http2 would otherwise wait for it forever.
  const t = s as Socket & { secureConnecting?: boolean };
  if (t.secureConnecting === true) t.secureConnecting = false;
  // Once the session took the buffered bytes (on its first tick), let the socket flow again:
  // data goes to nghttp2 natively, but the end of the stream is still reported through the JS
  // side, and a paused socket would never emit 'end' (the session would miss the peer leaving).
  setImmediate(() => {
    if (!s.destroyed) s.resume();
  });
  return s;
}

// TLS over any gonet Conn: node:tls runs the protocol on a Duplex that reads and writes the
// inner Conn, and the TLSSocket is wrapped back into a Conn (TLSConn) with the same pull reads,
// deadlines and half-close as a TCPConn. Servers use tlsServer, the client Transport tlsClient.

import { TLSSocket, connect as tlsConnect, createSecureContext, type ConnectionOptions, type PeerCertificate, type TlsOptions } from 'node:tls';
import { SocketConn } from '../net/sockconn.js';
import type { Conn } from '../net/conn.js';
import { ConnStream } from './connstream.js';
import { CanceledError, DeadlineExceededError, OpError, type Addr } from '../net/errors.js';

/** What the handshake settled on (Go's tls.ConnectionState, the parts Node exposes). */
export interface ConnectionState {
  /** `TLSv1.3`, `TLSv1.2`, ... */
  version: string;
  cipherSuite: string;
  /** ALPN result, '' if none. */
  negotiatedProtocol: string;
  /** SNI name the client sent (server side) or asked for (client side). */
  serverName: string;
  /** The peer's certificate; empty object when it sent none. */
  peerCertificate: PeerCertificate | Record<string, never>;
  /** The peer's chain was verified against the trusted CAs. */
  verified: boolean;
  resumed: boolean;
}

/** A TLS conn over an inner Conn. Addresses are the inner conn's. */
export class TLSConn extends SocketConn {
  protected readonly netName: string;
  readonly localAddr: Addr;
  readonly remoteAddr: Addr;
  /** The TLSSocket running the protocol. */
  readonly tlsSocket: TLSSocket;

  constructor(readonly inner: Conn, tlsSocket: TLSSocket) {
    super(tlsSocket);
    this.tlsSocket = tlsSocket;
    this.localAddr = inner.localAddr;
    this.remoteAddr = inner.remoteAddr;
    this.netName = inner.localAddr.network;
  }

  /** The negotiated parameters. */
  connectionState(): ConnectionState {
    const s = this.tlsSocket;
    const alpn = s.alpnProtocol;
    return {
      version: s.getProtocol() ?? '',
      cipherSuite: s.getCipher()?.name ?? '',
      negotiatedProtocol: typeof alpn === 'string' ? alpn : '',
      serverName: (s as TLSSocket & { servername?: string | false }).servername || '',
      peerCertificate: s.getPeerCertificate() ?? {},
      verified: s.authorized,
      resumed: s.isSessionReused(),
    };
  }

  override close(): void {
    super.close();
    this.inner.close();
  }
}

/** Options shared by both sides. */
interface HandshakeOptions {
  /** Bound on the handshake in ms (0 or unset: none). */
  handshakeTimeout?: number;
  /** Aborts the handshake. */
  signal?: AbortSignal;
  /** Bytes already read from the conn that belong to the TLS stream (a server's sniffed first read). */
  prefix?: Uint8Array | null;
}

/** tlsServer options: node:tls server options (cert, key, ca, ALPNProtocols, SNICallback...). */
export interface TLSServerOptions extends TlsOptions, HandshakeOptions {}

/** tlsClient options: node:tls connect options (servername, ca, ALPNProtocols...). */
export interface TLSClientOptions extends Omit<ConnectionOptions, 'socket' | 'host' | 'port' | 'path'>, HandshakeOptions {}

function handshake(conn: Conn, tc: TLSConn, event: 'secure' | 'secureConnect', opts: HandshakeOptions, side: string): Promise<TLSConn> {
  const s = tc.tlsSocket;
  return new Promise<TLSConn>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const fail = (cause: Error): void => {
      cleanup();
      tc.close();
      reject(new OpError({ op: 'tls handshake', net: conn.localAddr.network, source: conn.localAddr, addr: conn.remoteAddr, cause }));
    };
    const onErr = (e: Error): void => fail(e);
    const onClose = (): void => fail(new Error(`${side}: connection closed during handshake`));
    const onAbort = (): void => fail(new CanceledError(opts.signal?.reason));
    const onOK = (): void => {
      cleanup();
      resolve(tc);
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      s.off('error', onErr);
      s.off('close', onClose);
      s.off('end', onClose);
      s.off(event, onOK);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    if (opts.signal?.aborted) {
      onAbort();
      return;
    }
    s.once('error', onErr);
    s.once('close', onClose);
    s.once('end', onClose);
    s.once(event, onOK);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.handshakeTimeout !== undefined && opts.handshakeTimeout > 0) {
      timer = setTimeout(() => fail(new DeadlineExceededError()), opts.handshakeTimeout);
    }
  });
}

/** Runs the server side of a TLS handshake on `conn`; resolves with the TLS Conn. */
export function tlsServer(conn: Conn, opts: TLSServerOptions): Promise<TLSConn> {
  const { handshakeTimeout, signal, prefix, ...tlsOpts } = opts;
  const secureContext = tlsOpts.secureContext ?? createSecureContext(tlsOpts);
  const s = new TLSSocket(new ConnStream(conn, prefix ?? null), {
    ...tlsOpts,
    isServer: true,
    secureContext,
  });
  const tc = new TLSConn(conn, s);
  return handshake(conn, tc, 'secure', { handshakeTimeout, signal }, 'tls server');
}

/** Runs the client side of a TLS handshake on `conn` (set `servername` for SNI and checks). */
export function tlsClient(conn: Conn, opts: TLSClientOptions = {}): Promise<TLSConn> {
  const { handshakeTimeout, signal, prefix, ...tlsOpts } = opts;
  const s = tlsConnect({ ...tlsOpts, socket: new ConnStream(conn, prefix ?? null) });
  const tc = new TLSConn(conn, s);
  return handshake(conn, tc, 'secureConnect', { handshakeTimeout, signal }, 'tls client');
}

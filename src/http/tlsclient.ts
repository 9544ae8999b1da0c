// The client side of TLS over any gonet Conn: node:tls runs the handshake and the record layer
// over a Duplex that reads and writes the Conn, so TLS works the same over TCP, unix sockets,
// in-memory pipes and proxy tunnels. The result is a Conn again (TLSConn) with the state.

import { Duplex } from 'node:stream';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { SocketConn, type Addr, type Conn } from '../net/index.js';
import { hasChunkReader } from '../net/conn.js';
import { abortCause } from '../net/context.js';
import type { TLSState } from './trace.js';

/** Client TLS settings (Go's tls.Config, the parts a client uses). */
export interface TLSClientOptions {
  /** SNI and the name the certificate must match; default the dialed host (IP literals: no SNI). */
  serverName?: string;
  /** Trusted CAs (PEM); default Node's bundled roots. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client certificate and key (PEM) for mutual TLS. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Go's InsecureSkipVerify: accept any certificate. Default false. */
  insecureSkipVerify?: boolean;
  /** ALPN protocols to offer; default `['http/1.1']`. */
  nextProtos?: string[];
  minVersion?: ConnectionOptions['minVersion'];
  maxVersion?: ConnectionOptions['maxVersion'];
  /** Anything else node:tls accepts (ciphers, session, checkServerIdentity...). */
  node?: ConnectionOptions;
}

/** Options for one handshake. */
export interface TLSHandshakeOptions extends TLSClientOptions {
  signal?: AbortSignal;
  /** Bound on the handshake in ms (0 = none). */
  timeout?: number;
}

/** Node's error codes for a certificate that did not verify. */
const VERIFY_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'CERT_SIGNATURE_FAILURE', 'INVALID_CA',
]);

/** The server's certificate did not verify: `tls: failed to verify certificate for "h": ...`. */
export class TLSVerifyError extends Error {
  override name = 'TLSVerifyError';
  readonly timeout = false;
  readonly temporary = false;
  /** Node's reason code, e.g. `SELF_SIGNED_CERT_IN_CHAIN`, `ERR_TLS_CERT_ALTNAME_INVALID`. */
  readonly code: string;
  readonly serverName: string;
  constructor(serverName: string, code: string, cause: Error) {
    super(`tls: failed to verify certificate for ${JSON.stringify(serverName)}: ${cause.message} (${code})`, { cause });
    this.code = code;
    this.serverName = serverName;
  }
}

/** The handshake failed for another reason (alert, protocol error, peer closed). */
export class TLSHandshakeError extends Error {
  override name = 'TLSHandshakeError';
  readonly timeout: boolean;
  readonly temporary = false;
  readonly code: string;
  constructor(message: string, code: string, cause?: unknown, timeout = false) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.timeout = timeout;
  }
}

/** A Duplex over a Conn: what node:tls reads ciphertext from and writes it to. */
class ConnDuplex extends Duplex {
  private reading = false;
  constructor(private readonly conn: Conn) {
    super({ allowHalfOpen: true });
  }
  override _read(): void {
    if (this.reading) return;
    this.reading = true;
    void this.pump();
  }
  private async pump(): Promise<void> {
    const c = this.conn;
    try {
      for (;;) {
        let chunk: Uint8Array | null;
        if (hasChunkReader(c)) chunk = await c.readChunk();
        else {
          const buf = Buffer.allocUnsafe(64 * 1024);
          const n = await c.read(buf);
          chunk = n === null ? null : buf.subarray(0, n);
        }
        if (chunk === null) {
          this.push(null);
          return;
        }
        if (!this.push(chunk)) break;
      }
    } catch (e) {
      this.destroy(e as Error);
    } finally {
      this.reading = false;
    }
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.conn.write(chunk).then(() => cb(), cb);
  }
  override _final(cb: (err?: Error | null) => void): void {
    this.conn.closeWrite().then(() => cb(), cb);
  }
  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.conn.close();
    cb(err);
  }
}

/** A TLS client conn over another Conn: Go's *tls.Conn. */
export class TLSConn extends SocketConn {
  protected readonly netName: string;
  readonly localAddr: Addr;
  readonly remoteAddr: Addr;
  /** The conn underneath (TCP, unix, a proxy tunnel...). */
  readonly netConn: Conn;
  private readonly tls: TLSSocket;
  private readonly serverName: string;

  constructor(tls: TLSSocket, under: Conn, serverName: string) {
    super(tls);
    this.tls = tls;
    this.netConn = under;
    this.localAddr = under.localAddr;
    this.remoteAddr = under.remoteAddr;
    this.netName = under.remoteAddr.network;
    this.serverName = serverName;
  }

  /** Go's ConnectionState. */
  connectionState(): TLSState {
    return tlsState(this.tls, this.serverName);
  }
}

function tlsState(s: TLSSocket, serverName: string): TLSState {
  const p = s.alpnProtocol;
  return {
    version: s.getProtocol() ?? '',
    cipherSuite: s.getCipher()?.name ?? '',
    negotiatedProtocol: typeof p === 'string' ? p : '',
    serverName,
    handshakeComplete: true,
    peerCertificate: s.getPeerCertificate(true) ?? null,
    didResume: s.isSessionReused(),
  };
}

function isIPLiteral(h: string): boolean {
  return /^[0-9.]+$/.test(h) || h.includes(':');
}

/**
 * Runs a client handshake over `conn` and resolves with the TLS conn. On failure or abort the
 * underlying conn is closed. Errors: TLSVerifyError (certificate), TLSHandshakeError (anything
 * else; `timeout` set when `opts.timeout` expired), or the signal's cause.
 */
export function tlsClient(conn: Conn, host: string, opts: TLSHandshakeOptions = {}): Promise<TLSConn> {
  const serverName = opts.serverName ?? host.replace(/^\[|\]$/g, '');
  const co: ConnectionOptions = {
    ...opts.node,
    socket: new ConnDuplex(conn),
    servername: isIPLiteral(serverName) ? undefined : serverName,
    ALPNProtocols: opts.nextProtos ?? ['http/1.1'],
    rejectUnauthorized: opts.insecureSkipVerify !== true,
  };
  if (opts.ca !== undefined) co.ca = opts.ca;
  if (opts.cert !== undefined) co.cert = opts.cert;
  if (opts.key !== undefined) co.key = opts.key;
  if (opts.minVersion !== undefined) co.minVersion = opts.minVersion;
  if (opts.maxVersion !== undefined) co.maxVersion = opts.maxVersion;
  // Node checks the identity against `servername`; an IP literal needs it passed explicitly.
  if (co.servername === undefined && co.checkServerIdentity === undefined) co.host = serverName;
  return new Promise<TLSConn>((resolve, reject) => {
    const signal = opts.signal;
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const s = tlsConnect(co);
    const finish = (err: Error | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      s.off('secureConnect', onSecure);
      s.off('error', onError);
      s.off('close', onClose);
      if (err !== null) {
        s.destroy();
        conn.close();
        reject(err);
        return;
      }
      resolve(new TLSConn(s, conn, serverName));
    };
    const onSecure = (): void => finish(null);
    const onError = (e: Error): void => {
      const code = (e as { code?: string }).code ?? '';
      if (VERIFY_CODES.has(code)) finish(new TLSVerifyError(serverName, code, e));
      else finish(new TLSHandshakeError(`tls: handshake with ${JSON.stringify(serverName)} failed: ${e.message}`, code || 'ERR_TLS_HANDSHAKE', e));
    };
    const onClose = (): void => finish(new TLSHandshakeError(`tls: handshake with ${JSON.stringify(serverName)} failed: connection closed by peer`, 'ECONNRESET'));
    const onAbort = (): void => finish(abortCause(signal!));
    s.once('secureConnect', onSecure);
    s.on('error', onError);
    s.once('close', onClose);
    if (signal !== undefined) {
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    }
    if (opts.timeout !== undefined && opts.timeout > 0) {
      timer = setTimeout(() => finish(new TLSHandshakeError('net/http: TLS handshake timeout', 'ETIMEDOUT', undefined, true)), opts.timeout);
    }
  });
}

// The Transport's TLS client: Go's client defaults (SNI from the dialed host, verification on,
// ALPN http/1.1, a handshake bound) and Go-style errors, on top of the Conn-level TLS in tls.ts
// (node:tls over any gonet Conn: TCP, unix sockets, pipes, proxy tunnels).

import { checkServerIdentity, type ConnectionOptions } from 'node:tls';
import { DeadlineExceededError, OpError, type Conn } from '../net/index.js';
import { abortCause } from '../net/context.js';
import { TLSConn, tlsClient as connTLSClient } from './tls.js';
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

export { TLSConn };

/** Go's ConnectionState for a client conn, as the Transport reports it. */
export function tlsState(c: TLSConn, serverName: string): TLSState {
  const s = c.tlsSocket;
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
 * Runs a client handshake over `conn` (the Conn-level TLS of ./tls.ts) and resolves with the TLS
 * conn. On failure or abort the underlying conn is closed. Errors: TLSVerifyError (certificate),
 * TLSHandshakeError (anything else; `timeout` set when `opts.timeout` expired, with Go's
 * message), or the signal's cause.
 */
export async function tlsClient(conn: Conn, host: string, opts: TLSHandshakeOptions = {}): Promise<TLSConn> {
  const serverName = opts.serverName ?? host.replace(/^\[|\]$/g, '');
  const co: ConnectionOptions = {
    ...opts.node,
    servername: isIPLiteral(serverName) ? undefined : serverName,
    ALPNProtocols: opts.nextProtos ?? ['http/1.1'],
    rejectUnauthorized: opts.insecureSkipVerify !== true,
  };
  if (opts.ca !== undefined) co.ca = opts.ca;
  if (opts.cert !== undefined) co.cert = opts.cert;
  if (opts.key !== undefined) co.key = opts.key;
  if (opts.minVersion !== undefined) co.minVersion = opts.minVersion;
  if (opts.maxVersion !== undefined) co.maxVersion = opts.maxVersion;
  // Without SNI (IP literals) Node checks the certificate against `host`.
  if (co.servername === undefined && co.checkServerIdentity === undefined) {
    co.checkServerIdentity = (_h, cert) => checkServerIdentity(serverName, cert);
  }
  const { socket: _s, host: _h, port: _p, path: _path, ...rest } = co;
  const signal = opts.signal;
  try {
    return await connTLSClient(conn, { ...rest, signal, handshakeTimeout: opts.timeout });
  } catch (e) {
    conn.close();
    if (signal?.aborted) throw abortCause(signal);
    const cause = e instanceof OpError ? e.cause : (e as Error);
    if (cause instanceof DeadlineExceededError) {
      throw new TLSHandshakeError('net/http: TLS handshake timeout', 'ETIMEDOUT', e, true);
    }
    const code = (cause as { code?: string }).code ?? '';
    if (VERIFY_CODES.has(code)) throw new TLSVerifyError(serverName, code, cause);
    if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_HTTP_REQUEST') {
      // What a plain-HTTP server's reply looks like to a TLS client (Go's ErrSchemeMismatch).
      throw new TLSHandshakeError('http: server gave HTTP response to HTTPS client', 'ERR_HTTP_SCHEME_MISMATCH', e);
    }
    throw new TLSHandshakeError(`tls: handshake with ${JSON.stringify(serverName)} failed: ${cause.message}`, code || 'ERR_TLS_HANDSHAKE', e);
  }
}

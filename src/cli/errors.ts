// Exit codes by kind of failure, and the one line a failure prints on stderr. A script can
// tell "the name does not exist" from "nothing listens there" from "the certificate is bad"
// from "the server said 404" without parsing text.

import { DNSError, DeadlineExceededError, OpError } from '../net/index.js';
import { ProtocolError, RedirectError, TLSHandshakeError, TLSVerifyError, TransportError } from '../http/index.js';
import { UsageError } from './args.js';

/** gonet's exit codes. */
export const Exit = {
  /** Everything worked. */
  ok: 0,
  /** Anything not listed below (a local file that cannot be read or written, a bug). */
  failure: 1,
  /** Bad command line: unknown command or flag, missing or malformed argument. */
  usage: 2,
  /** Name resolution failed: no such host, no records, the DNS server failed or did not answer. */
  dns: 3,
  /** The network failed: connection refused or reset, unreachable, address in use. */
  connect: 4,
  /** The TLS handshake failed or the certificate did not verify. */
  tls: 5,
  /** The HTTP exchange failed: malformed reply, connection lost mid-reply, too many redirects. */
  http: 6,
  /** A timeout (--timeout, --max-time, a DNS or dial deadline) ran out. */
  timeout: 7,
  /** `get --fail`: the server answered with a status of 400 or more (curl's code). */
  httpStatus: 22,
} as const;

/** The help text's table of exit codes. */
export const EXIT_CODES_HELP = `exit codes:
  0   success
  1   other failure (a local file, an unexpected error)
  2   usage: unknown command or flag, bad argument
  3   DNS: no such host, no records, no answer from the DNS server
  4   network: connection refused / reset, unreachable, address in use
  5   TLS: handshake failed, certificate not trusted
  6   HTTP: malformed reply, connection lost mid-exchange, too many redirects
  7   timeout
  22  HTTP status >= 400 with get --fail
`;

/** An error that already knows its exit code (e.g. `--fail`). */
export class ExitError extends Error {
  override name = 'ExitError';
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

function chain(e: unknown): unknown[] {
  const out: unknown[] = [];
  for (let c = e, i = 0; c !== undefined && c !== null && i < 16; c = (c as { cause?: unknown }).cause, i++) out.push(c);
  return out;
}

/** The exit code for a failure, from the kind of error (looking through `cause` chains). */
export function exitCodeFor(e: unknown): number {
  if (e instanceof ExitError) return e.code;
  if (e instanceof UsageError) return Exit.usage;
  const errs = chain(e);
  if (errs.some((x) => x instanceof DNSError)) return Exit.dns;
  if (errs.some((x) => x instanceof TLSVerifyError || x instanceof TLSHandshakeError)) return Exit.tls;
  if (errs.some((x) => x instanceof DeadlineExceededError || (x as { timeout?: unknown })?.timeout === true)) return Exit.timeout;
  if (errs.some((x) => x instanceof OpError)) return Exit.connect;
  if (errs.some((x) => x instanceof TransportError || x instanceof ProtocolError || x instanceof RedirectError)) return Exit.http;
  return Exit.failure;
}

/** The one line printed for a failure: `gonet <cmd>: <message>`, newlines folded. */
export function errorLine(cmd: string, e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return `gonet${cmd === '' ? '' : ' ' + cmd}: ${msg.replace(/\s*\n\s*/g, '; ')}\n`;
}

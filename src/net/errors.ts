// Structured network errors, shaped like Go's: each says what was being done (op), on which
// network, between which addresses, and why (cause). Users test kinds with `errorIs`.

/** Anything with a network name and a printable form: TCPAddr, UDPAddr, UnixAddr, PipeAddr. */
export interface Addr {
  readonly network: string;
  toString(): string;
}

/** The two questions Go's net.Error answers, on every error this package throws. */
export interface NetError extends Error {
  readonly timeout: boolean;
  readonly temporary: boolean;
}

function flag(err: unknown, key: 'timeout' | 'temporary'): boolean {
  return typeof err === 'object' && err !== null && (err as Record<string, unknown>)[key] === true;
}

/**
 * Reports whether `err` or any error in its `cause` chain is an instance of `kind`
 * (Go's errors.Is / errors.As for error classes).
 */
export function errorIs<T extends Error>(err: unknown, kind: abstract new (...args: never[]) => T): boolean {
  return errorAs(err, kind) !== null;
}

/** Returns the first error in `err`'s cause chain that is an instance of `kind`, or null. */
export function errorAs<T extends Error>(err: unknown, kind: abstract new (...args: never[]) => T): T | null {
  for (let e = err, depth = 0; e != null && depth < 32; depth++) {
    if (e instanceof kind) return e;
    e = typeof e === 'object' ? (e as { cause?: unknown }).cause : undefined;
  }
  return null;
}

/** A deadline passed before the operation finished (Go's os.ErrDeadlineExceeded). */
export class DeadlineExceededError extends Error implements NetError {
  override name = 'DeadlineExceededError';
  readonly timeout = true;
  readonly temporary = true;
  readonly code = 'ETIMEDOUT';
  constructor() {
    super('i/o timeout');
  }
}

/** The caller's AbortSignal fired (Go's context.Canceled); `cause` holds the signal's reason. */
export class CanceledError extends Error implements NetError {
  override name = 'CanceledError';
  readonly timeout = false;
  readonly temporary = false;
  readonly code = 'ECANCELED';
  constructor(reason?: unknown) {
    super('operation was canceled', reason === undefined ? undefined : { cause: reason });
  }
}

/** An operation on a conn or listener that this process already closed. */
export class ErrClosed extends Error implements NetError {
  override name = 'ErrClosed';
  readonly timeout = false;
  readonly temporary = false;
  readonly code = 'ERR_NET_CLOSED';
  constructor() {
    super('use of closed network connection');
  }
}

/** Read or write on a pipe end that is closed (Go's io.ErrClosedPipe). */
export class ErrClosedPipe extends Error implements NetError {
  override name = 'ErrClosedPipe';
  readonly timeout = false;
  readonly temporary = false;
  readonly code = 'ERR_CLOSED_PIPE';
  constructor() {
    super('io: read/write on closed pipe');
  }
}

/** WriteTo on a UDP socket that was connected by dial (Go's ErrWriteToConnected). */
export class ErrWriteToConnected extends Error implements NetError {
  override name = 'ErrWriteToConnected';
  readonly timeout = false;
  readonly temporary = false;
  constructor() {
    super('use of WriteTo with pre-connected connection');
  }
}

/** A system call failed: renders as `connect: connection refused`, keeps Node's errno code. */
export class SyscallError extends Error implements NetError {
  override name = 'SyscallError';
  readonly syscall: string;
  readonly code: string;
  readonly errno: number | undefined;
  constructor(syscall: string, code: string, errno?: number, cause?: unknown) {
    super(`${syscall}: ${errnoText(code)}`, cause === undefined ? undefined : { cause });
    this.syscall = syscall;
    this.code = code;
    this.errno = errno;
  }
  get timeout(): boolean {
    return this.code === 'ETIMEDOUT' || this.code === 'EAGAIN';
  }
  get temporary(): boolean {
    return TEMPORARY_CODES.has(this.code) || this.timeout;
  }
}

const TEMPORARY_CODES = new Set(['EINTR', 'EMFILE', 'ENFILE', 'ECONNRESET', 'ECONNABORTED', 'EAGAIN', 'EWOULDBLOCK']);

// Node reports errno names; Go prints the C library's text for them.
const ERRNO_TEXT: Record<string, string> = {
  EACCES: 'permission denied',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'cannot assign requested address',
  EAFNOSUPPORT: 'address family not supported by protocol',
  EAGAIN: 'resource temporarily unavailable',
  EALREADY: 'operation already in progress',
  EBADF: 'bad file descriptor',
  ECANCELED: 'operation canceled',
  ECONNABORTED: 'software caused connection abort',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  EDESTADDRREQ: 'destination address required',
  EHOSTDOWN: 'host is down',
  EHOSTUNREACH: 'no route to host',
  EINPROGRESS: 'operation now in progress',
  EINTR: 'interrupted system call',
  EINVAL: 'invalid argument',
  EISCONN: 'transport endpoint is already connected',
  EMFILE: 'too many open files',
  EMSGSIZE: 'message too long',
  ENAMETOOLONG: 'file name too long',
  ENETDOWN: 'network is down',
  ENETRESET: 'network dropped connection on reset',
  ENETUNREACH: 'network is unreachable',
  ENFILE: 'too many open files in system',
  ENOBUFS: 'no buffer space available',
  ENOENT: 'no such file or directory',
  ENOMEM: 'cannot allocate memory',
  ENOPROTOOPT: 'protocol not available',
  ENOSPC: 'no space left on device',
  ENOSYS: 'function not implemented',
  ENOTCONN: 'transport endpoint is not connected',
  ENOTDIR: 'not a directory',
  ENOTSOCK: 'socket operation on non-socket',
  ENOTSUP: 'operation not supported',
  EOPNOTSUPP: 'operation not supported',
  EPERM: 'operation not permitted',
  EPIPE: 'broken pipe',
  EPROTO: 'protocol error',
  EPROTONOSUPPORT: 'protocol not supported',
  EPROTOTYPE: 'protocol wrong type for socket',
  ETIMEDOUT: 'connection timed out',
  EEXIST: 'file exists',
  EISDIR: 'is a directory',
  EROFS: 'read-only file system',
};

/** The C library's text for a Node errno code (`ECONNREFUSED` → `connection refused`). */
export function errnoText(code: string): string {
  return ERRNO_TEXT[code] ?? code.toLowerCase();
}

/** Options for OpError; `cause` is the underlying error (SyscallError, DeadlineExceededError...). */
export interface OpErrorInit {
  op: string;
  net?: string;
  source?: Addr | null;
  addr?: Addr | null;
  cause: Error;
}

/**
 * The error of a failed network operation: `dial tcp 127.0.0.1:1: connect: connection refused`.
 * `timeout` / `temporary` look through to the cause; `code` is the cause's errno code, if any,
 * so code written for Node's errors (`err.code === 'ECONNREFUSED'`) keeps working.
 */
export class OpError extends Error implements NetError {
  override name = 'OpError';
  readonly op: string;
  readonly net: string;
  readonly source: Addr | null;
  readonly addr: Addr | null;
  declare readonly cause: Error;
  constructor(init: OpErrorInit) {
    super(opErrorText(init), { cause: init.cause });
    this.op = init.op;
    this.net = init.net ?? '';
    this.source = init.source ?? null;
    this.addr = init.addr ?? null;
  }
  get timeout(): boolean {
    return flag(this.cause, 'timeout');
  }
  get temporary(): boolean {
    return flag(this.cause, 'temporary');
  }
  get code(): string | undefined {
    const c = (this.cause as { code?: unknown }).code;
    return typeof c === 'string' ? c : undefined;
  }
}

function opErrorText(e: OpErrorInit): string {
  let s = e.op;
  if (e.net) s += ' ' + e.net;
  if (e.source) s += ' ' + e.source.toString();
  if (e.addr) s += (e.source ? '->' : ' ') + e.addr.toString();
  return s + ': ' + e.cause.message;
}

/** A malformed or unusable address: `address 1.2.3.4: missing port in address`. */
export class AddrError extends Error implements NetError {
  override name = 'AddrError';
  readonly err: string;
  readonly addr: string;
  readonly timeout = false;
  readonly temporary = false;
  constructor(err: string, addr: string) {
    super(addr ? `address ${addr}: ${err}` : err);
    this.err = err;
    this.addr = addr;
  }
}

/** Text that does not parse as the named kind: `invalid CIDR address: 1.2.3.4/33`. */
export class ParseError extends Error implements NetError {
  override name = 'ParseError';
  readonly type: string;
  readonly text: string;
  readonly timeout = false;
  readonly temporary = false;
  constructor(type: string, text: string) {
    super(`invalid ${type}: ${text}`);
    this.type = type;
    this.text = text;
  }
}

/** A network name Go does not know: `unknown network tcp5`. */
export class UnknownNetworkError extends Error implements NetError {
  override name = 'UnknownNetworkError';
  readonly network: string;
  readonly timeout = false;
  readonly temporary = false;
  constructor(network: string) {
    super(`unknown network ${network}`);
    this.network = network;
  }
}

/** An address value of the wrong kind for the call (Go's InvalidAddrError). */
export class InvalidAddrError extends Error implements NetError {
  override name = 'InvalidAddrError';
  readonly timeout = false;
  readonly temporary = false;
}

/** The operation exists in Go but Node offers no socket for it (raw IP, unixgram...). */
export class UnsupportedError extends Error implements NetError {
  override name = 'UnsupportedError';
  readonly timeout = false;
  readonly temporary = false;
  readonly code = 'ENOTSUP';
}

/** Options for DNSError. `err` is the short reason, e.g. `no such host`. */
export interface DNSErrorInit {
  err: string;
  name: string;
  server?: string;
  isTimeout?: boolean;
  isTemporary?: boolean;
  isNotFound?: boolean;
  cause?: unknown;
}

/**
 * A failed lookup: `lookup example.invalid on 127.0.0.1:53: no such host`. As in Go, `name` is
 * the name the caller asked for (never a search-suffixed candidate); the class name shows in
 * stack traces and `toString()`.
 */
export class DNSError extends Error implements NetError {
  declare name: string;
  readonly err: string;
  readonly server: string;
  readonly isTimeout: boolean;
  readonly isTemporary: boolean;
  readonly isNotFound: boolean;
  constructor(init: DNSErrorInit) {
    super(`lookup ${init.name}${init.server ? ' on ' + init.server : ''}: ${init.err}`,
      init.cause === undefined ? undefined : { cause: init.cause });
    void this.stack; // fix the stack header while `name` is still the class name
    this.name = init.name;
    this.err = init.err;
    this.server = init.server ?? '';
    this.isTimeout = init.isTimeout ?? false;
    this.isTemporary = init.isTemporary ?? false;
    this.isNotFound = init.isNotFound ?? false;
  }
  override toString(): string {
    return `DNSError: ${this.message}`;
  }
  get timeout(): boolean {
    return this.isTimeout;
  }
  get temporary(): boolean {
    return this.isTimeout || this.isTemporary;
  }
  get code(): string {
    if (this.isNotFound) return 'ENOTFOUND';
    if (this.isTimeout) return 'ETIMEOUT';
    return 'ESERVFAIL';
  }
}

/**
 * Turns an error thrown by a Node socket call into our cause value: Node errno errors become
 * SyscallError with the syscall name Go would print; our own errors pass through.
 */
export function fromNodeError(err: unknown, syscall: string): Error {
  if (err instanceof Error) {
    const e = err as NodeJS.ErrnoException;
    if (typeof e.code === 'string' && /^E[A-Z0-9]+$/.test(e.code)) {
      return new SyscallError(e.syscall && !e.syscall.startsWith('listen') ? mapSyscall(e.syscall) : syscall, e.code, e.errno, err);
    }
    return err;
  }
  return new Error(String(err));
}

function mapSyscall(s: string): string {
  // Node names some calls after libuv (`uv_pipe_open`, `getsockname`...); keep the plain verb.
  return s.replace(/^uv_/, '');
}

Object.defineProperty(DNSError.prototype, 'name', { value: 'DNSError', writable: true, configurable: true });

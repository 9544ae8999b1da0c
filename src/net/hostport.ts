// Go's SplitHostPort / JoinHostPort: pure string handling, no validation of host or port.

import { AddrError } from './errors.js';

const MISSING_PORT = 'missing port in address';
const TOO_MANY_COLONS = 'too many colons in address';

/**
 * Splits `host:port`, `[host]:port` or `[host%zone]:port` into host and port. The port is the
 * text after the last colon and may be empty (`h:` gives port ""). An IPv6 host must be
 * bracketed. Throws AddrError with Go's messages; its `addr` is the whole input.
 */
export function splitHostPort(hostport: string): [host: string, port: string] {
  const i = hostport.lastIndexOf(':');
  if (i < 0) throw new AddrError(MISSING_PORT, hostport);
  let host: string;
  // Positions before which a '[' resp. ']' may legitimately appear.
  let j = 0;
  let k = 0;
  if (hostport.charCodeAt(0) === 0x5b /* [ */) {
    const end = hostport.indexOf(']');
    if (end < 0) throw new AddrError("missing ']' in address", hostport);
    if (end + 1 === hostport.length) throw new AddrError(MISSING_PORT, hostport);
    if (end + 1 !== i) {
      // The ']' is followed by something other than the last colon.
      throw new AddrError(hostport.charCodeAt(end + 1) === 0x3a ? TOO_MANY_COLONS : MISSING_PORT, hostport);
    }
    host = hostport.slice(1, end);
    j = 1;
    k = end + 1;
  } else {
    host = hostport.slice(0, i);
    if (host.indexOf(':') >= 0) throw new AddrError(TOO_MANY_COLONS, hostport);
  }
  if (hostport.indexOf('[', j) >= 0) throw new AddrError("unexpected '[' in address", hostport);
  if (hostport.indexOf(']', k) >= 0) throw new AddrError("unexpected ']' in address", hostport);
  return [host, hostport.slice(i + 1)];
}

/** `host:port`, with the host bracketed iff it contains a colon (IPv6); nothing is escaped. */
export function joinHostPort(host: string, port: string | number): string {
  return host.indexOf(':') >= 0 ? '[' + host + ']:' + port : host + ':' + port;
}

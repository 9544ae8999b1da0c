// gonet/net: Go's net package for Node.js.
export * from './errors.js';
export type { Conn, ChunkReader } from './conn.js';
export {
  IP, IPMask, IPNet, parseIP, parseIPZone, parseCIDR, cidrMask, ipv4Mask, compareIP,
  IPv4len, IPv6len, IPv4bcast, IPv4allsys, IPv4allrouter, IPv4zero, IPv6zero, IPv6unspecified,
  IPv6loopback, IPv6interfacelocalallnodes, IPv6linklocalallnodes, IPv6linklocalallrouters,
} from './ip.js';
export { splitHostPort, joinHostPort } from './hostport.js';
export { lookupPort, parsePort } from './port.js';
export { TCPAddr, UDPAddr, IPAddr, UnixAddr, parseNetwork, resolveUnixAddr } from './addr.js';
export type { UnixNetwork, NetAddr } from './addr.js';
export { resolveTCPAddr, resolveUDPAddr, resolveIPAddr } from './ipsock.js';
export type { ResolveOptions } from './ipsock.js';
export { systemResolver, defaultResolver, setDefaultResolver } from './lookup.js';
export type { HostResolver, IPNetwork, LookupOptions } from './lookup.js';
export { TCPConn, UnixConn, SocketConn, DEFAULT_READ_QUEUE_LIMIT } from './sockconn.js';
export type { SocketConnOptions } from './sockconn.js';
export { listen, listenPacket, ListenConfig, TCPListener, UnixListener, DEFAULT_KEEP_ALIVE_MS } from './listen.js';
export type { Listener, ListenOptions } from './listen.js';
export { UDPConn, DEFAULT_PACKET_QUEUE_LIMIT } from './packet.js';
export type { PacketConn } from './packet.js';
export { dial, Dialer, DEFAULT_FALLBACK_DELAY_MS } from './dial.js';
export type { DialerOptions, DialCallOptions, DialControl } from './dial.js';
export { pipe, PipeConn, PipeAddr } from './pipe.js';
export { interfaces, interfaceAddrs, interfaceByName, interfaceByIndex } from './interface.js';
export type { Interface, InterfaceFlag } from './interface.js';
export { withDeadline } from './context.js';
export { SOCKS5Dialer, SOCKSConn, SOCKSAddr, SOCKSReplyError, SOCKSAuthError, SOCKSProtocolError, socksDialerFromURL } from './socks.js';
export type { SOCKS5Auth, SOCKS5DialerOptions, SOCKSURLOptions, ContextDialer } from './socks.js';
export { Resolver, MalformedRecordsError } from './dns/resolver.js';
export { lookupHost, lookupIP, lookupCNAME, lookupMX, lookupNS, lookupSRV, lookupTXT, lookupAddr } from './dns/default.js';
export type { ResolverOptions, ResolverMode, MX, NS, SRV } from './dns/resolver.js';
export type { CacheOptions, CacheStats } from './dns/cache.js';
export type { DNSDialFunc } from './dns/client.js';

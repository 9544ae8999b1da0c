// HTTP/2 for gonet/http, on node:http2 (nghttp2 for framing, HPACK and flow control) over
// gonet's own conns. The client side (sessions and their pool) is in h2/client.ts, the server
// side in h2/server.ts, bodies in h2/body.ts, the Conn hand-over in h2/sock.ts.

export {
  H2ClientConn, H2Pool, H2RetryError, H2_USER_AGENT, isReplayable,
  type H2ClientOptions, type H2PoolOptions, type H2RoundTripOptions, type H2Dial, type H2DialResult, type H2Outcome,
} from './h2/client.js';
export {
  H2Server, H2ServerConn, H2ResponseWriter, StreamGoneError,
  type H2ServerHost, type H2ServerOptions, type H2StateHook,
} from './h2/server.js';
export { HTTP2Error, errCodeName } from './h2/common.js';
export { H2Body } from './h2/body.js';
export { h2Stream } from './h2/sock.js';
export { ConnStream } from './connstream.js';

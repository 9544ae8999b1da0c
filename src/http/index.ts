// gonet/http: Go's net/http for Node.js.

export { Header, canonicalHeaderKey, type HeaderInit } from './header.js';
export {
  Request, readRequest, nextRequest, DEFAULT_USER_AGENT,
  type RequestInit, type ReadRequestOptions, type WriteRequestOptions, type MessageSource,
} from './request.js';
export { Response, readResponse, nextResponse, type ResponseInit, type ReadResponseOptions } from './response.js';
export {
  BufReader, DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_RESPONSE_HEADER_BYTES, type ByteSource,
} from './wire/bufreader.js';
export { ProtocolError } from './wire/head.js';
export {
  Body, BodyClosedError, BytesBody, EmptyBody, StreamBody, bodyFrom, type BodyInit,
} from './wire/body.js';
export { ChunkedWriter, ContentLengthError, IdentityWriter, statusText, type ByteSink } from './wire/write.js';
export {
  Server, ErrServerClosed, listenAndServe, listenAndServeTLS, serve, ServerResponseWriter, ErrBodyNotAllowed,
  ErrHijacked, ErrAbortHandler, ClientGoneError, HandlerDoneError,
  type ServerOptions, type ShutdownOptions, type ConnState,
} from './server.js';
export { tlsServer, tlsClient, TLSConn, type TLSServerOptions, type TLSClientOptions, type ConnectionState } from './tls.js';
export {
  Transport, defaultTransport, TransportError, RequestCanceledError, upgradedConn,
  type TransportOptions, type RoundTripOptions, type RoundTripper, type DialFunc, type ProxySelector,
  type ProxyDialFunc, type ProxyTarget,
} from './transport.js';
export type { HostStats } from './pool.js';
export { DecodeError } from './transport/decode.js';
export { TLSVerifyError, TLSHandshakeError } from './tlsclient.js';
export {
  Client, defaultClient, get, head, post, postForm, URLError, RedirectError, useLastResponse, defaultCheckRedirect,
  type ClientOptions, type CheckRedirect, type DoOptions, type ShorthandOptions, type Jar,
} from './client.js';
export { fetch, fetchWith, type FetchInit, type FetchOptions } from './fetch.js';
export {
  withClientTrace, contextClientTrace, composeTraces,
  type ClientTrace, type GotConnInfo, type DNSDoneInfo, type WroteRequestInfo, type TLSState,
} from './trace.js';
export {
  type ResponseWriter, type Handler, type HandlerFunc, type HandlerObject, serveWith, isHandler,
  error, notFound, notFoundHandler, redirect, redirectHandler, stripPrefix, timeoutHandler, HandlerTimeoutError,
  maxBytesHandler, maxBytesReader, MaxBytesError, cleanPath, htmlEscape,
} from './handler.js';
export { ServeMux, PatternError, parsePattern, type ServeMuxOptions, type HandlerMatch } from './mux.js';
export {
  fileServer, serveContent, serveFile, dir, mapFS, parseRange, parseHTTPTime, formatHTTPTime,
  RangeParseError, RangeNoOverlapError, UnsafePathError,
  type FS, type File, type FileInfo, type ContentSource, type DirOptions, type MapFile, type ByteRange,
} from './fs.js';
export { detectContentType } from './sniff.js';
export { typeByExtension, addExtensionType } from './mime.js';
export { ResponseRecorder, newRequest, type NewRequestInit, type RecordedResult } from './httptest.js';
export {
  proxyFromEnvironment, proxyFuncFromEnv, reloadProxyEnvironment, parseProxyURL, InvalidProxyURLError,
  type ProxyEnv, type ProxyFunc, type ProxyEnvOptions,
} from './proxy.js';
export {
  proxyDialer, connectTunnel, ProxyConnectError, ProxyTimeoutError, TunnelConn, DEFAULT_PROXY_CONNECT_TIMEOUT,
  type ProxyDialerOptions, type ProxyDialer, type ConnectTunnelOptions, type GetProxyConnectHeader, type OnProxyConnectResponse,
} from './proxydial.js';
export {
  Cookie, CookieError, parseSetCookie, parseCookie, readSetCookies, readCookies, validCookieValue, validCookieName,
  validCookieDomain, sanitizeCookieValue, sanitizeCookieName, cookieHeaderPair, parseCookieExpires, formatHTTPDate,
  type CookieInit, type SameSite, type HeaderValues,
} from './cookie.js';
export { CookieJar, builtinPublicSuffixList, type PublicSuffixList, type CookieJarOptions, type CookieLike } from './cookiejar.js';
export { HTTP2Error, H2Pool, H2ClientConn, H2Server, H2ServerConn, StreamGoneError, type H2ServerOptions, type H2PoolOptions } from './h2.js';
export type { H2TransportOptions } from './h2/transport.js';

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

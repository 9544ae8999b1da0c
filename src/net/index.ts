// gonet/net: Go's net package for Node.js.
export * from './errors.js';
export type { Conn, ChunkReader } from './conn.js';

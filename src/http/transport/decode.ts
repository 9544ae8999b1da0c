// Transparent decoding of gzip / brotli response bodies (the Transport asked for them). The
// compressed body is pulled chunk by chunk and fed to a node:zlib stream; decoded output is
// handed out as it comes, and no more input is fed while output waits, so memory stays bounded
// by one input chunk's worth of output.

import { createBrotliDecompress, createGunzip, type BrotliDecompress, type Gunzip } from 'node:zlib';
import { Body } from '../wire/body.js';

/** Input fed to the decoder at once; bounds how much output one step can produce. */
const FEED = 16 * 1024;

/** The compressed data was corrupt or truncated. */
export class DecodeError extends Error {
  override name = 'DecodeError';
  readonly code = 'ERR_HTTP_CONTENT_DECODING';
  constructor(encoding: string, cause: unknown) {
    super(`http: ${encoding} response body: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

class DecodedBody extends Body {
  private readonly z: Gunzip | BrotliDecompress;
  private readonly out: Buffer[] = [];
  private zended = false;
  private zerr: unknown = null;
  private wake: (() => void) | null = null;
  private inputDone = false;

  constructor(private readonly inner: Body, private readonly encoding: 'gzip' | 'br') {
    super(-1, inner.trailer);
    this.z = encoding === 'br' ? createBrotliDecompress() : createGunzip();
    this.z.on('data', (c: Buffer) => {
      this.out.push(c);
      this.poke();
    });
    this.z.on('end', () => {
      this.zended = true;
      this.poke();
    });
    this.z.on('error', (e) => {
      this.zerr = new DecodeError(encoding, e);
      this.poke();
    });
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  protected async pull(max: number): Promise<Uint8Array | null> {
    for (;;) {
      if (this.out.length > 0) {
        const c = this.out[0]!;
        if (c.length <= max) {
          this.out.shift();
          return c;
        }
        this.out[0] = c.subarray(max);
        return c.subarray(0, max);
      }
      if (this.zerr !== null) throw this.zerr;
      if (this.zended) {
        // Drain what follows the compressed stream so the conn can be reused.
        while ((await this.inner.readChunk()) !== null);
        return null;
      }
      if (this.inputDone) {
        // Input is over; wait for the decoder's last output, its end or its error.
        await new Promise<void>((r) => {
          this.wake = r;
        });
        continue;
      }
      const c = await this.inner.readChunk(FEED);
      if (c === null) {
        this.inputDone = true;
        this.z.end();
        continue;
      }
      // Resumes once the chunk is processed, or earlier on output, end or error.
      await new Promise<void>((r) => {
        this.wake = r;
        this.z.write(c, () => this.poke());
      });
    }
  }

  override close(): void {
    super.close();
    this.inner.close();
    this.z.destroy();
  }
}

/** `inner` decoded per `encoding`. Errors read as DecodeError. */
export function decodedBody(inner: Body, encoding: 'gzip' | 'br'): Body {
  return new DecodedBody(inner, encoding);
}

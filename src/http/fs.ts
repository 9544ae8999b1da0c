// Static files: fileServer (Go's FileServer), serveFile and serveContent with Go's rules for
// conditional requests (RFC 9110 §13 order), byte ranges (single and multipart/byteranges),
// Content-Type by extension then sniffing, directory listings and canonical-path redirects.

import { open as fsOpen, readdir, readlink, realpath } from 'node:fs/promises';
import { basename, join, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  cleanPathLexical, error, htmlEscape, type HandlerFunc, type ResponseWriter,
} from './handler.js';
import { pathUnescape, requestPath as escapedRequestPath } from './mux.js';
import type { Request } from './request.js';
import { typeByExtension } from './mime.js';
import { detectContentType, SNIFF_LEN } from './sniff.js';

/** What `stat` tells about a file. */
export interface FileInfo {
  /** Base name. */
  name: string;
  size: number;
  modTime: Date;
  isDir: boolean;
}

/** An open file of an `FS`. */
export interface File {
  stat(): Promise<FileInfo>;
  /** Reads up to `p.length` bytes at `position`; 0 at end of file. */
  readAt(p: Uint8Array, position: number): Promise<number>;
  /** The entries of a directory (any order); only `name` and `isDir` need to be filled. */
  readDir(): Promise<FileInfo[]>;
  close(): Promise<void>;
}

/**
 * A file system the file server reads from (Go's http.FileSystem). `name` is a slash-separated
 * path starting with `/`, already cleaned. Errors should carry a Node-style `code`: `ENOENT` /
 * `ENOTDIR` become 404, `EACCES` / `EPERM` 403, anything else 500.
 */
export interface FS {
  open(name: string): Promise<File>;
}

/** Random-access content for serveContent. */
export interface ContentSource {
  size: number;
  readAt(p: Uint8Array, position: number): Promise<number>;
}

/** Error for a path the file system refuses (treated as not found). */
export class UnsafePathError extends Error {
  readonly code = 'ENOENT';
  constructor() {
    super('http: invalid or unsafe file path');
    this.name = 'UnsafePathError';
  }
}

/** Options for `dir`. */
export interface DirOptions {
  /**
   * Serve files that symbolic links point to outside the root (Go's behaviour). Default false:
   * a path that resolves outside the root is reported as not found.
   */
  followSymlinksOutside?: boolean;
}

function notFoundError(): Error {
  return Object.assign(new Error('file does not exist'), { code: 'ENOENT' });
}

/**
 * The real path of the file behind an open descriptor: on Linux read from /proc, so a link
 * swapped after the open cannot fool the check; elsewhere the path resolved again.
 */
async function openedPath(fd: number, full: string): Promise<string> {
  if (process.platform === 'linux') {
    try {
      const p = await readlink(`/proc/self/fd/${fd}`);
      if (p.startsWith('/') && !p.endsWith(' (deleted)')) return p;
    } catch {
      // no /proc: fall through
    }
  }
  return realpath(full);
}

/** A file system rooted at directory `root` on disk (Go's http.Dir). */
export function dir(root: string, opts: DirOptions = {}): FS {
  const absRoot = resolve(root);
  let realRoot: Promise<string> | undefined;
  return {
    async open(name: string): Promise<File> {
      if (name.includes('\0')) throw new UnsafePathError();
      if (sep === '\\' && name.includes('\\')) throw new UnsafePathError();
      const full = join(absRoot, ...cleanPathLexical('/' + name).split('/').filter((s) => s !== ''));
      const fh = await fsOpen(full, 'r');
      try {
        if (opts.followSymlinksOutside !== true) {
          realRoot ??= realpath(absRoot);
          const [base, real] = await Promise.all([realRoot, openedPath(fh.fd, full)]);
          if (real !== base && !real.startsWith(base.endsWith(sep) ? base : base + sep)) throw notFoundError();
        }
      } catch (e) {
        await fh.close();
        throw e;
      }
      return {
        async stat() {
          const st = await fh.stat();
          return { name: basename(full), size: st.size, modTime: st.mtime, isDir: st.isDirectory() };
        },
        async readAt(p, position) {
          const { bytesRead } = await fh.read(p, 0, p.length, position);
          return bytesRead;
        },
        async readDir() {
          const entries = await readdir(full, { withFileTypes: true });
          return entries.map((e) => ({ name: e.name, size: 0, modTime: new Date(0), isDir: e.isDirectory() }));
        },
        close: () => fh.close(),
      };
    },
  };
}

/** An in-memory file for `mapFS`. */
export interface MapFile {
  data: Uint8Array | string;
  modTime?: Date;
}

/**
 * An in-memory FS (like Go's fstest.MapFS): keys are slash paths without a leading `/`
 * (`dir/a.txt`); directories are implied by the paths.
 */
export function mapFS(files: Record<string, Uint8Array | string | MapFile>): FS {
  const entries = new Map<string, { data: Buffer; modTime: Date }>();
  for (const [k, v] of Object.entries(files)) {
    const f = typeof v === 'string' || v instanceof Uint8Array ? { data: v } : v;
    entries.set(cleanPathLexical('/' + k), { data: Buffer.from(f.data), modTime: f.modTime ?? new Date(0) });
  }
  const isDir = (p: string): boolean => p === '/' || [...entries.keys()].some((k) => k.startsWith(p + '/'));
  return {
    async open(name: string): Promise<File> {
      const p = cleanPathLexical('/' + name);
      const file = entries.get(p);
      if (file === undefined && !isDir(p)) throw notFoundError();
      const info: FileInfo = file !== undefined
        ? { name: basename(p), size: file.data.length, modTime: file.modTime, isDir: false }
        : { name: p === '/' ? '.' : basename(p), size: 0, modTime: new Date(0), isDir: true };
      return {
        stat: async () => ({ ...info }),
        async readAt(buf, position) {
          if (file === undefined) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
          const n = Math.max(0, Math.min(buf.length, file.data.length - position));
          buf.set(file.data.subarray(position, position + n));
          return n;
        },
        async readDir() {
          if (file !== undefined) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
          const prefix = p === '/' ? '/' : p + '/';
          const names = new Map<string, boolean>();
          for (const [k, f] of entries) {
            if (!k.startsWith(prefix)) continue;
            const rest = k.slice(prefix.length);
            const slash = rest.indexOf('/');
            if (slash < 0) names.set(rest, false);
            else names.set(rest.slice(0, slash), true);
            void f;
          }
          return [...names].map(([n, d]) => {
            const f = entries.get(prefix + n);
            return { name: n, size: f?.data.length ?? 0, modTime: f?.modTime ?? new Date(0), isDir: d };
          });
        },
        close: async () => undefined,
      };
    },
  };
}

// ---- Dates and entity tags ---------------------------------------------------------------------

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function utc(y: number, mon: string, d: number, hh: number, mm: number, ss: number): Date | null {
  const m = MONTHS.indexOf(mon);
  if (m < 0 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 59) return null;
  const t = new Date(Date.UTC(y, m, d, hh, mm, ss));
  if (t.getUTCDate() !== d) return null; // Feb 30 and friends
  t.setUTCFullYear(y);
  return t;
}

/**
 * Parses an HTTP date in any of the three formats HTTP/1.1 allows (Go's http.ParseTime):
 * IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT` and
 * asctime `Sun Nov  6 08:49:37 1994`. Null when it is none of them.
 */
export function parseHTTPTime(s: string): Date | null {
  let m = /^([A-Z][a-z]{2}), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/.exec(s);
  if (m !== null) return DAYS.includes(m[1]) ? utc(+m[4], m[3], +m[2], +m[5], +m[6], +m[7]) : null;
  m = /^([A-Z][a-z]+), (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/.exec(s);
  if (m !== null) {
    if (!LONG_DAYS.includes(m[1])) return null;
    const yy = +m[4];
    return utc(yy < 69 ? 2000 + yy : 1900 + yy, m[3], +m[2], +m[5], +m[6], +m[7]);
  }
  m = /^([A-Z][a-z]{2}) ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/.exec(s);
  if (m !== null) return DAYS.includes(m[1]) ? utc(+m[7], m[2], +m[3].trim(), +m[4], +m[5], +m[6]) : null;
  return null;
}

/** Formats `t` as an IMF-fixdate (Go's TimeFormat). */
export function formatHTTPTime(t: Date): string {
  return t.toUTCString();
}

/** A zero modtime (null, invalid or the Unix epoch) means "unknown": no Last-Modified, no date checks. */
function isZeroTime(t: Date | null): t is null {
  return t === null || Number.isNaN(t.getTime()) || t.getTime() === 0;
}

/** Splits the first entity tag off `s`: `[etag, rest]`, or `['', '']` when `s` does not start with one. */
function scanETag(s: string): [string, string] {
  s = s.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
  const start = s.startsWith('W/') ? 2 : 0;
  if (s.length - start < 2 || s[start] !== '"') return ['', ''];
  for (let i = start + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) return [s.slice(0, i + 1), s.slice(i + 1)];
    if (!(c === 0x21 || (c >= 0x23 && c <= 0x7e) || c >= 0x80)) return ['', ''];
  }
  return ['', ''];
}

const strongMatch = (a: string, b: string): boolean => a === b && a !== '' && a[0] === '"';
const weakMatch = (a: string, b: string): boolean => a.replace(/^W\//, '') === b.replace(/^W\//, '');

type Cond = 'none' | 'true' | 'false';

/** Walks a comma list of entity tags: 'match' on `*` or a tag `eq` accepts, else 'nomatch'. */
function etagListMatches(list: string, current: string, eq: (a: string, b: string) => boolean): boolean {
  let buf = list;
  for (;;) {
    buf = buf.replace(/^[ \t\r\n]+/, '');
    if (buf === '') return false;
    if (buf[0] === ',') { buf = buf.slice(1); continue; }
    if (buf[0] === '*') return true;
    const [etag, rest] = scanETag(buf);
    if (etag === '') return false;
    if (eq(etag, current)) return true;
    buf = rest;
  }
}

const seconds = (t: Date): number => Math.floor(t.getTime() / 1000);

function checkIfMatch(w: ResponseWriter, r: Request): Cond {
  const im = r.header.get('If-Match');
  if (im === '') return 'none';
  return etagListMatches(im, w.header().get('Etag'), strongMatch) ? 'true' : 'false';
}

function checkIfUnmodifiedSince(r: Request, modtime: Date | null): Cond {
  const ius = r.header.get('If-Unmodified-Since');
  if (ius === '' || isZeroTime(modtime)) return 'none';
  const t = parseHTTPTime(ius);
  if (t === null) return 'none';
  return seconds(modtime) <= seconds(t) ? 'true' : 'false';
}

function checkIfNoneMatch(w: ResponseWriter, r: Request): Cond {
  const inm = r.header.get('If-None-Match');
  if (inm === '') return 'none';
  return etagListMatches(inm, w.header().get('Etag'), weakMatch) ? 'false' : 'true';
}

function checkIfModifiedSince(r: Request, modtime: Date | null): Cond {
  if (r.method !== 'GET' && r.method !== 'HEAD') return 'none';
  const ims = r.header.get('If-Modified-Since');
  if (ims === '' || isZeroTime(modtime)) return 'none';
  const t = parseHTTPTime(ims);
  if (t === null) return 'none';
  return seconds(modtime) <= seconds(t) ? 'false' : 'true';
}

function checkIfRange(w: ResponseWriter, r: Request, modtime: Date | null): Cond {
  if (r.method !== 'GET' && r.method !== 'HEAD') return 'none';
  const ir = r.header.get('If-Range');
  if (ir === '') return 'none';
  const [etag] = scanETag(ir);
  if (etag !== '') return strongMatch(etag, w.header().get('Etag')) ? 'true' : 'false';
  if (isZeroTime(modtime)) return 'false';
  const t = parseHTTPTime(ir);
  if (t === null) return 'false';
  return seconds(t) === seconds(modtime) ? 'true' : 'false';
}

function writeNotModified(w: ResponseWriter): void {
  const h = w.header();
  h.del('Content-Type');
  h.del('Content-Length');
  h.del('Content-Encoding');
  if (h.get('Etag') !== '') h.del('Last-Modified');
  w.writeHeader(304);
}

function setLastModified(w: ResponseWriter, modtime: Date | null): void {
  if (!isZeroTime(modtime)) w.header().set('Last-Modified', formatHTTPTime(modtime));
}

/**
 * Evaluates the preconditions in RFC 9110 §13.2.2 order. Returns `done` when a 304 or 412 was
 * written, else the Range header to honour ('' when If-Range says to send the whole body).
 */
function checkPreconditions(w: ResponseWriter, r: Request, modtime: Date | null): { done: boolean; range: string } {
  let c = checkIfMatch(w, r);
  if (c === 'none') c = checkIfUnmodifiedSince(r, modtime);
  if (c === 'false') {
    w.writeHeader(412);
    return { done: true, range: '' };
  }
  switch (checkIfNoneMatch(w, r)) {
    case 'false':
      if (r.method === 'GET' || r.method === 'HEAD') writeNotModified(w);
      else w.writeHeader(412);
      return { done: true, range: '' };
    case 'none':
      if (checkIfModifiedSince(r, modtime) === 'false') {
        writeNotModified(w);
        return { done: true, range: '' };
      }
      break;
    case 'true':
      break;
  }
  let range = r.header.get('Range');
  if (range !== '' && checkIfRange(w, r, modtime) === 'false') range = '';
  return { done: false, range };
}

// ---- Ranges ------------------------------------------------------------------------------------

/** One satisfiable byte range. */
export interface ByteRange {
  start: number;
  length: number;
}

/** The Range header could not be parsed. */
export class RangeParseError extends Error {
  constructor(message = 'invalid range') {
    super(message);
    this.name = 'RangeParseError';
  }
}

/** No range starts inside the content. */
export class RangeNoOverlapError extends RangeParseError {
  constructor() {
    super('invalid range: failed to overlap');
    this.name = 'RangeNoOverlapError';
  }
}

const trimOWS = (s: string): string => s.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
function parseInt64(s: string): number | null {
  if (!/^[+-]?\d+$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

/**
 * Parses a `Range: bytes=...` header against content of `size` bytes, as Go does: blanks are
 * skipped, `-N` is the last N bytes (clamped), `N-` runs to the end, `N-M` has M clamped to the
 * last byte. Throws RangeParseError for bad syntax and RangeNoOverlapError when every range
 * starts past the end. Ranges are neither sorted nor merged.
 */
export function parseRange(s: string, size: number): ByteRange[] {
  if (s === '') return [];
  if (!s.startsWith('bytes=')) throw new RangeParseError();
  const out: ByteRange[] = [];
  let noOverlap = false;
  for (let spec of s.slice(6).split(',')) {
    spec = trimOWS(spec);
    if (spec === '') continue;
    const dash = spec.indexOf('-');
    if (dash < 0) throw new RangeParseError();
    const startS = trimOWS(spec.slice(0, dash));
    const endS = trimOWS(spec.slice(dash + 1));
    if (startS === '') {
      if (endS === '' || endS[0] === '-') throw new RangeParseError();
      let n = parseInt64(endS);
      if (n === null || n < 0) throw new RangeParseError();
      if (n > size) n = size;
      out.push({ start: size - n, length: n });
      continue;
    }
    const start = parseInt64(startS);
    if (start === null || start < 0) throw new RangeParseError();
    if (start >= size) {
      noOverlap = true;
      continue;
    }
    if (endS === '') {
      out.push({ start, length: size - start });
      continue;
    }
    let end = parseInt64(endS);
    if (end === null || start > end) throw new RangeParseError();
    if (end >= size) end = size - 1;
    out.push({ start, length: end - start + 1 });
  }
  if (noOverlap && out.length === 0) throw new RangeNoOverlapError();
  return out;
}

const contentRange = (ra: ByteRange, size: number): string => `bytes ${ra.start}-${ra.start + ra.length - 1}/${size}`;

// ---- Serving -----------------------------------------------------------------------------------

const CHUNK = 64 * 1024;

function sourceOf(content: Uint8Array | string | ContentSource): ContentSource {
  if (typeof content === 'string' || content instanceof Uint8Array) {
    const b = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    return {
      size: b.length,
      readAt: async (p, pos) => {
        const n = Math.max(0, Math.min(p.length, b.length - pos));
        p.set(b.subarray(pos, pos + n));
        return n;
      },
    };
  }
  return content;
}

/** Copies `length` bytes from `pos`, one awaited write per chunk (the writer's backpressure). */
async function copyRange(w: ResponseWriter, src: ContentSource, pos: number, length: number): Promise<void> {
  while (length > 0) {
    const buf = new Uint8Array(Math.min(CHUNK, length));
    let got = 0;
    while (got < buf.length) {
      const n = await src.readAt(buf.subarray(got), pos + got);
      if (n <= 0) break;
      got += n;
    }
    if (got === 0) throw new Error('http: content ended before its declared size');
    await w.write(got === buf.length ? buf : buf.subarray(0, got));
    pos += got;
    length -= got;
  }
}

/** Error reply that drops the validators meant for the content (Go 1.23). */
function serveError(w: ResponseWriter, message: string, code: number): Promise<void> | void {
  const h = w.header();
  for (const k of ['Cache-Control', 'Content-Encoding', 'Etag', 'Last-Modified']) h.del(k);
  return error(w, message, code);
}

function errorStatus(e: unknown): [string, number] {
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG' || code === 'ELOOP') return ['404 page not found', 404];
  if (code === 'EACCES' || code === 'EPERM') return ['403 Forbidden', 403];
  return ['500 Internal Server Error', 500];
}

async function serveContentFrom(w: ResponseWriter, r: Request, name: string, modtime: Date | null, src: ContentSource): Promise<void> {
  setLastModified(w, modtime);
  const pre = checkPreconditions(w, r, modtime);
  if (pre.done) return;
  const h = w.header();
  let ctype: string;
  if (!h.has('Content-Type')) {
    ctype = typeByExtension(extname(name));
    if (ctype === '') {
      const head = new Uint8Array(Math.min(SNIFF_LEN, src.size));
      let got = 0;
      while (got < head.length) {
        const n = await src.readAt(head.subarray(got), got);
        if (n <= 0) break;
        got += n;
      }
      ctype = detectContentType(head.subarray(0, got));
    }
    h.set('Content-Type', ctype);
  } else {
    ctype = h.values('Content-Type')[0] ?? '';
  }
  const size = src.size;
  if (!Number.isSafeInteger(size) || size < 0) {
    await serveError(w, 'negative content size computed', 500);
    return;
  }
  let ranges: ByteRange[];
  try {
    ranges = parseRange(pre.range, size);
  } catch (e) {
    if (e instanceof RangeNoOverlapError && size === 0) {
      ranges = []; // a Range on empty content is ignored: 200, not 416
    } else {
      if (e instanceof RangeNoOverlapError) h.set('Content-Range', `bytes */${size}`);
      await serveError(w, (e as Error).message, 416);
      return;
    }
  }
  if (ranges.reduce((sum, ra) => sum + ra.length, 0) > size) ranges = []; // asks for more than there is
  let code = 200;
  let sendSize = size;
  let parts: { head: string; ra: ByteRange }[] | null = null;
  let closing = '';
  if (ranges.length === 1) {
    code = 206;
    sendSize = ranges[0].length;
    h.set('Content-Range', contentRange(ranges[0], size));
  } else if (ranges.length > 1) {
    code = 206;
    const boundary = randomBytes(30).toString('hex');
    parts = ranges.map((ra, i) => ({
      ra,
      head: (i === 0 ? '' : '\r\n') + `--${boundary}\r\nContent-Range: ${contentRange(ra, size)}\r\nContent-Type: ${ctype}\r\n\r\n`,
    }));
    closing = `\r\n--${boundary}--\r\n`;
    sendSize = parts.reduce((sum, p) => sum + Buffer.byteLength(p.head) + p.ra.length, 0) + closing.length;
    h.set('Content-Type', 'multipart/byteranges; boundary=' + boundary);
  }
  h.set('Accept-Ranges', 'bytes');
  if (h.get('Content-Encoding') === '' || ranges.length > 0) h.set('Content-Length', String(sendSize));
  w.writeHeader(code);
  if (r.method === 'HEAD') return;
  if (parts !== null) {
    for (const p of parts) {
      await w.write(p.head);
      await copyRange(w, src, p.ra.start, p.ra.length);
    }
    await w.write(closing);
  } else if (ranges.length === 1) {
    await copyRange(w, src, ranges[0].start, ranges[0].length);
  } else {
    await copyRange(w, src, 0, size);
  }
}

/** The extension of a slash path's last element, with its dot (`.gz` for `a.tar.gz`). */
function extname(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot < 0 ? '' : base.slice(dot);
}

/**
 * Replies with `content` (Go's ServeContent): bytes, a string, or a random-access source. Handles
 * If-Match / If-Unmodified-Since / If-None-Match / If-Modified-Since / If-Range (an `Etag` set on
 * `w` beforehand takes part), Range requests, and sets Content-Type (unless set; by the extension
 * of `name`, else by sniffing), Last-Modified (unless `modtime` is null or the epoch),
 * Accept-Ranges and Content-Length. HEAD gets the headers only.
 */
export async function serveContent(
  w: ResponseWriter, r: Request, name: string, modtime: Date | null, content: Uint8Array | string | ContentSource,
): Promise<void> {
  await serveContentFrom(w, r, name, modtime, sourceOf(content));
}

/** `Location: <rel>` with the query kept, 301, no body (Go's localRedirect). */
function localRedirect(w: ResponseWriter, r: Request, rel: string): void {
  const q = typeof r.rawQuery === 'string' ? r.rawQuery : r.url.search.slice(1);
  w.header().set('Location', q === '' ? rel : rel + '?' + q);
  w.writeHeader(301);
}

/** Percent-escapes a path the way Go's url.URL{Path: p}.String() does (`./` before a colon). */
function escapePath(p: string): string {
  let out = '';
  for (const b of Buffer.from(p, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-_.~$&+,/:;=@]/.test(c) ? c : '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  const slash = out.indexOf('/');
  if ((slash < 0 ? out : out.slice(0, slash)).includes(':')) out = './' + out;
  return out;
}

async function dirList(w: ResponseWriter, f: File): Promise<void> {
  let entries: FileInfo[];
  try {
    entries = await f.readDir();
  } catch {
    await error(w, 'Error reading directory', 500);
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  w.header().set('Content-Type', 'text/html; charset=utf-8');
  let body = '<!doctype html>\n<meta name="viewport" content="width=device-width">\n<pre>\n';
  for (const e of entries) {
    const name = e.isDir ? e.name + '/' : e.name;
    body += `<a href="${escapePath(name)}">${htmlEscape(name)}</a>\n`;
  }
  body += '</pre>\n';
  await w.write(body);
}

/** The decoded request path (Go's r.URL.Path). */
function requestPath(r: Request): string {
  const p = pathUnescape(escapedRequestPath(r));
  return p.startsWith('/') ? p : '/' + p;
}

async function serveFileFrom(w: ResponseWriter, r: Request, fs: FS, name: string, redirect: boolean): Promise<void> {
  const upath = requestPath(r);
  if (upath.endsWith('/index.html')) {
    localRedirect(w, r, './');
    return;
  }
  let f: File;
  try {
    f = await fs.open(name);
  } catch (e) {
    const [msg, code] = errorStatus(e);
    await serveError(w, msg, code);
    return;
  }
  const toClose: File[] = [f];
  try {
    let d: FileInfo;
    try {
      d = await f.stat();
    } catch (e) {
      const [msg, code] = errorStatus(e);
      await serveError(w, msg, code);
      return;
    }
    if (redirect) {
      if (d.isDir) {
        if (!upath.endsWith('/')) {
          localRedirect(w, r, escapePath(lastElem(upath)) + '/');
          return;
        }
      } else if (upath.endsWith('/')) {
        const base = lastElem(upath);
        localRedirect(w, r, '../' + (base === '/' || base === '.' ? '' : escapePath(base)));
        return;
      }
    }
    if (d.isDir) {
      if (!upath.endsWith('/')) {
        localRedirect(w, r, escapePath(lastElem(upath)) + '/');
        return;
      }
      try {
        const ff = await fs.open(name.replace(/\/$/, '') + '/index.html');
        toClose.push(ff);
        const dd = await ff.stat();
        if (!dd.isDir) {
          d = dd;
          f = ff;
        }
      } catch {
        // no usable index.html: list the directory
      }
    }
    if (d.isDir) {
      if (checkIfModifiedSince(r, d.modTime) === 'false') {
        writeNotModified(w);
        return;
      }
      setLastModified(w, d.modTime);
      await dirList(w, f);
      return;
    }
    const file = f;
    await serveContentFrom(w, r, d.name, d.modTime, { size: d.size, readAt: (p, pos) => file.readAt(p, pos) });
  } finally {
    await Promise.all(toClose.map((x) => x.close().catch(() => undefined)));
  }
}

/** Go's path.Base for slash paths: the last element, ignoring trailing slashes. */
function lastElem(p: string): string {
  const t = p.replace(/\/+$/, '');
  if (t === '') return '/';
  return t.slice(t.lastIndexOf('/') + 1);
}

/**
 * A handler serving files from `root` (a directory path or an `FS`), as Go's FileServer:
 * the request path is decoded and cleaned (no `..` leaves the root); directories get their
 * `index.html` or a listing; `/dir` → `dir/`, `/file/` → `../file` and `.../index.html` → `./`
 * redirects (301, relative, query kept); errors are 404 / 403 / 500 without details.
 */
export function fileServer(root: string | FS, opts?: DirOptions): HandlerFunc {
  const fs = typeof root === 'string' ? dir(root, opts) : root;
  return (w, r) => serveFileFrom(w, r, fs, cleanPathLexical(requestPath(r)), true);
}

/**
 * Replies with the file or directory at `path` on disk (Go's ServeFile). A request path with
 * a `..` element is refused with 400; a request path ending in `/index.html` is redirected to
 * `./`; otherwise only `path` chooses what is served.
 */
export async function serveFile(w: ResponseWriter, r: Request, path: string): Promise<void> {
  if (requestPath(r).split(/[/\\]/).includes('..')) {
    await error(w, 'invalid URL path', 400);
    return;
  }
  const abs = resolve(path);
  const parent = resolve(abs, '..');
  await serveFileFrom(w, r, dir(parent, { followSymlinksOutside: true }), '/' + basename(abs), false);
}

// ServeMux: Go 1.22+ request routing. Patterns are `[METHOD ][HOST]/[PATH]` with `{name}`,
// `{name...}` and `{$}` wildcards; the most specific pattern wins and registrations that would
// make the winner ambiguous are refused, naming both patterns and where they were registered.

import { fileURLToPath } from 'node:url';
import {
  cleanPath, error, isHandler, notFoundHandler, redirectHandler, serveWith, statusText,
  type Handler, type HandlerFunc, type ResponseWriter,
} from './handler.js';
import { TOKEN_TABLE } from './header.js';
import type { Request } from './request.js';

/** Thrown for a pattern that cannot be registered (Go panics with the same text). */
export class PatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatternError';
  }
}

/**
 * One piece of a path pattern:
 * - literal (`wild` false): one path segment equal to `s`, or, when `s` is '/', the trailing
 *   slash `{$}` stands for;
 * - `{s}` (`wild`, not `multi`): any one segment;
 * - `{s...}` (`wild` and `multi`): the rest of the path, possibly empty; `s` is '' for the
 *   anonymous wildcard a trailing `/` stands for.
 */
interface Segment {
  s: string;
  wild: boolean;
  multi: boolean;
}

/** A parsed pattern. */
export class Pattern {
  /** Where it was registered (`file:line`), for conflict messages. */
  loc = 'unknown location';
  constructor(
    readonly str: string,
    readonly method: string,
    readonly host: string,
    readonly segments: readonly Segment[],
  ) {
    this.wildcardNames = segments.filter((seg) => seg.wild && seg.s !== '').map((seg) => seg.s);
  }

  toString(): string {
    return this.str;
  }

  get last(): Segment {
    return this.segments[this.segments.length - 1];
  }

  /** Names of the wildcards that capture a value, in order. */
  readonly wildcardNames: readonly string[];
}

/** Go's %q for the ASCII strings patterns are made of. */
function quote(s: string): string {
  return JSON.stringify(s);
}

function validMethod(m: string): boolean {
  if (m === '') return false;
  for (let i = 0; i < m.length; i++) {
    const c = m.charCodeAt(i);
    if (c > 0x7f || TOKEN_TABLE[c] === 0) return false;
  }
  return true;
}

/** A Go identifier: a letter or `_`, then letters, digits or `_` (Unicode letters allowed). */
function validWildcardName(name: string): boolean {
  return /^[\p{L}_][\p{L}\p{Nd}_]*$/u.test(name);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Percent-decodes one path piece (`%2F` becomes `/`). Malformed escapes leave the input as is,
 * as Go's PathUnescape failing does; bytes that are not UTF-8 decode as latin1.
 */
export function pathUnescape(s: string): string {
  if (s.indexOf('%') < 0) return s;
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      const h = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) return s;
      out.push(parseInt(h, 16));
      i += 2;
    } else if (c < 0x80) {
      out.push(c);
    } else {
      for (const b of Buffer.from(s[i], 'utf8')) out.push(b);
    }
  }
  const bytes = Uint8Array.from(out);
  try {
    return utf8.decode(bytes);
  } catch {
    return Buffer.from(bytes).toString('latin1');
  }
}

/**
 * Parses `[METHOD ][HOST]/[PATH]` (Go 1.23 syntax: the method is followed by spaces or tabs).
 * Throws PatternError `at offset N: reason` for bad syntax.
 */
export function parsePattern(s: string): Pattern {
  if (s === '') throw new PatternError('empty pattern');
  let off = 0;
  const fail = (msg: string): never => {
    throw new PatternError(`at offset ${off}: ${msg}`);
  };
  let method = '';
  let rest = s;
  const sp = s.search(/[ \t]/);
  if (sp >= 0) {
    method = s.slice(0, sp);
    rest = s.slice(sp + 1).replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '');
    if (method !== '' && !validMethod(method)) fail(`invalid method ${quote(method)}`);
    off = method.length + 1;
  }
  const slash = rest.indexOf('/');
  if (slash < 0) fail('host/path missing /');
  const host = rest.slice(0, slash);
  rest = rest.slice(slash);
  const brace = host.indexOf('{');
  if (brace >= 0) {
    off += brace;
    fail("host contains '{' (missing initial '/'?)");
  }
  off += slash;
  if (method !== '' && method !== 'CONNECT' && rest !== cleanPath(rest)) {
    fail('non-CONNECT pattern with unclean path can never match');
  }
  const segments: Segment[] = [];
  const seen = new Set<string>();
  while (rest.length > 0) {
    rest = rest.slice(1); // drop the '/'
    off = s.length - rest.length;
    if (rest === '') {
      segments.push({ s: '', wild: true, multi: true }); // trailing slash
      break;
    }
    let end = rest.indexOf('/');
    if (end < 0) end = rest.length;
    const seg = rest.slice(0, end);
    rest = rest.slice(end);
    const open = seg.indexOf('{');
    if (open < 0) {
      segments.push({ s: pathUnescape(seg), wild: false, multi: false });
      continue;
    }
    if (open !== 0) fail("bad wildcard segment (must start with '{')");
    if (seg[seg.length - 1] !== '}') fail("bad wildcard segment (must end with '}')");
    let name = seg.slice(1, -1);
    if (name === '$') {
      if (rest !== '') fail('{$} not at end');
      segments.push({ s: '/', wild: false, multi: false });
      break;
    }
    const multi = name.endsWith('...');
    if (multi) {
      name = name.slice(0, -3);
      if (rest !== '') fail('{...} wildcard not at end');
    }
    if (name === '') fail('empty wildcard');
    if (!validWildcardName(name)) fail(`bad wildcard name ${quote(name)}`);
    if (seen.has(name)) fail(`duplicate wildcard name ${quote(name)}`);
    seen.add(name);
    segments.push({ s: name, wild: true, multi });
  }
  return new Pattern(s, method, host, segments);
}

// ---- Relationships between patterns -------------------------------------------------------

/** How the requests p1 matches relate to those p2 matches. */
type Rel = 'equivalent' | 'moreGeneral' | 'moreSpecific' | 'disjoint' | 'overlaps';

function inverse(r: Rel): Rel {
  return r === 'moreGeneral' ? 'moreSpecific' : r === 'moreSpecific' ? 'moreGeneral' : r;
}

/** The relationship of two patterns from the relationships of two parts of them. */
function combine(a: Rel, b: Rel): Rel {
  if (a === 'equivalent') return b;
  if (a === 'disjoint' || b === 'disjoint') return 'disjoint';
  if (a === 'overlaps') return 'overlaps';
  // a is more general or more specific
  if (b === 'equivalent') return a;
  if (b === inverse(a)) return 'overlaps';
  return b;
}

function compareMethods(p1: Pattern, p2: Pattern): Rel {
  if (p1.method === p2.method) return 'equivalent';
  if (p1.method === '') return 'moreGeneral';
  if (p2.method === '') return 'moreSpecific';
  if (p1.method === 'GET' && p2.method === 'HEAD') return 'moreGeneral'; // GET also serves HEAD
  if (p1.method === 'HEAD' && p2.method === 'GET') return 'moreSpecific';
  return 'disjoint';
}

function compareSegments(a: Segment, b: Segment): Rel {
  if (a.multi || b.multi) return a.multi && b.multi ? 'equivalent' : a.multi ? 'moreGeneral' : 'moreSpecific';
  if (a.wild && b.wild) return 'equivalent';
  // A one-segment wildcard never matches the trailing slash `{$}` stands for.
  if (a.wild) return b.s === '/' ? 'disjoint' : 'moreGeneral';
  if (b.wild) return a.s === '/' ? 'disjoint' : 'moreSpecific';
  return a.s === b.s ? 'equivalent' : 'disjoint';
}

function comparePaths(p1: Pattern, p2: Pattern): Rel {
  const s1 = p1.segments;
  const s2 = p2.segments;
  if (s1.length !== s2.length && !p1.last.multi && !p2.last.multi) return 'disjoint';
  let rel: Rel = 'equivalent';
  const n = Math.min(s1.length, s2.length);
  for (let i = 0; i < n; i++) {
    rel = combine(rel, compareSegments(s1[i], s2[i]));
    if (rel === 'disjoint') return rel;
  }
  if (s1.length === s2.length) return rel;
  // The shorter one must end in a multi wildcard, which covers the rest of the longer one.
  if (s1.length < s2.length && p1.last.multi) return combine(rel, 'moreGeneral');
  if (s2.length < s1.length && p2.last.multi) return combine(rel, 'moreSpecific');
  return 'disjoint';
}

/**
 * Whether registering both would leave some request without a single most specific pattern.
 * A pattern with a host beats one without, and different hosts never meet.
 */
function conflicts(p1: Pattern, p2: Pattern): boolean {
  if (p1.host !== p2.host) return false;
  const m = compareMethods(p1, p2);
  if (m === 'disjoint') return false;
  const rel = combine(m, comparePaths(p1, p2));
  return rel === 'equivalent' || rel === 'overlaps';
}

/** The text a segment contributes to an example path. */
function segText(seg: Segment): string {
  return seg.multi || seg.s === '/' ? '/' : '/' + seg.s;
}

function pathFor(segs: readonly Segment[]): string {
  return segs.map(segText).join('');
}

/** An example path both patterns match (they are known to overlap). */
function commonPath(p1: Pattern, p2: Pattern): string {
  const a = p1.segments;
  const b = p2.segments;
  const n = Math.min(a.length, b.length);
  let out = '';
  for (let i = 0; i < n; i++) out += segText(a[i].wild ? b[i] : a[i]);
  return out + pathFor(a.length > n ? a.slice(n) : b.slice(n));
}

/** An example path p1 matches and p2 does not (one is known to exist). */
function differencePath(p1: Pattern, p2: Pattern): string {
  const a = p1.segments;
  const b = p2.segments;
  const n = Math.min(a.length, b.length);
  let out = '';
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x.multi && y.multi) return out + '/';
    if (x.multi) {
      // Only p1 takes "the rest": a trailing slash tells them apart, or any segment when p2
      // stops at `{$}`.
      if (y.s === '/') return out + '/' + (x.s !== '' ? x.s : 'x');
      return out + '/';
    }
    if (x.wild && !y.wild && !y.multi) {
      out += x.s !== y.s ? segText(x) : '/' + y.s + 'x';
    } else {
      out += segText(x);
    }
  }
  return out + pathFor(a.length > n ? a.slice(n) : b.slice(n));
}

function describeConflict(p1: Pattern, p2: Pattern): string {
  const m = compareMethods(p1, p2);
  const p = comparePaths(p1, p2);
  const rel = combine(m, p);
  if (rel === 'equivalent') return `${p1} matches the same requests as ${p2}`;
  if (p === 'overlaps') {
    return `${p1} and ${p2} both match some paths, like ${quote(commonPath(p1, p2))}.\n` +
      'But neither is more specific than the other.\n' +
      `${p1} matches ${quote(differencePath(p1, p2))}, but ${p2} doesn't.\n` +
      `${p2} matches ${quote(differencePath(p2, p1))}, but ${p1} doesn't.`;
  }
  if (m === 'moreGeneral' && p === 'moreSpecific') {
    return `${p1} matches more methods than ${p2}, but has a more specific path pattern`;
  }
  if (m === 'moreSpecific' && p === 'moreGeneral') {
    return `${p1} matches fewer methods than ${p2}, but has a more general path pattern`;
  }
  return `unexpected conflict between ${p1} and ${p2}: methods ${m}, paths ${p}`;
}

// ---- The routing tree ----------------------------------------------------------------------

/** A node of the tree: host, then method, then one level per path segment. */
class Node {
  pattern: Pattern | null = null;
  handler: Handler | null = null;
  /** Literal segments; the key '/' is the trailing slash of `{$}`. */
  literal: Map<string, Node> | null = null;
  /** `{name}` at this position. */
  single: Node | null = null;
  /** `{name...}` or a trailing `/` at this position (a leaf). */
  multi: Node | null = null;

  child(key: string): Node {
    this.literal ??= new Map();
    let c = this.literal.get(key);
    if (c === undefined) this.literal.set(key, (c = new Node()));
    return c;
  }
}

interface Match {
  node: Node;
  /** Values of the captured wildcards, in pattern order. */
  values: string[];
}

/**
 * Matches the part of `path` from index `i` (a '/' or the end) below `n`, preferring at each
 * position a literal, then `{x}`, then `{x...}`, and backing out of a branch that fails further
 * down. Captured values are pushed on `values`; a failed call leaves `values` as it found it.
 */
function matchNode(n: Node | null | undefined, path: string, i: number, values: string[]): Node | null {
  if (n == null) return null;
  if (i >= path.length) return n.pattern !== null ? n : null;
  let seg: string;
  let next: number;
  if (i === path.length - 1) {
    seg = '/'; // the trailing slash `{$}` stands for
    next = path.length;
  } else {
    next = path.indexOf('/', i + 1);
    if (next < 0) next = path.length;
    seg = pathUnescape(path.slice(i + 1, next));
  }
  const lit = n.literal?.get(seg);
  if (lit !== undefined) {
    const m = matchNode(lit, path, next, values);
    if (m !== null) return m;
  }
  if (n.single !== null && seg !== '/') {
    values.push(seg);
    const m = matchNode(n.single, path, next, values);
    if (m !== null) return m;
    values.pop();
  }
  const multi = n.multi;
  if (multi !== null && multi.pattern !== null) {
    if (multi.pattern.last.s !== '') values.push(pathUnescape(path.slice(i + 1)));
    return multi;
  }
  return null;
}

function matchPath(n: Node | null | undefined, path: string): Match | null {
  if (n == null) return null;
  const values: string[] = [];
  const node = matchNode(n, path, 0, values);
  return node === null ? null : { node, values };
}

/**
 * Whether the match is exact: no multi wildcard swallowed a non-empty remainder. `/a/` is an
 * exact match for `/a/`, `/` is not one for `/a`.
 */
function exactMatch(m: Match | null, path: string): boolean {
  if (m === null) return false;
  const p = m.node.pattern as Pattern;
  if (!p.last.multi) return true;
  if (path.length > 0 && path[path.length - 1] !== '/') return false;
  let slashes = 0;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 0x2f) slashes++;
  return p.segments.length === slashes;
}

/** Go's stripHostPort: the host without a `:port`, unchanged when it does not parse. */
function stripHostPort(h: string): string {
  if (!h.includes(':')) return h;
  if (h[0] === '[') {
    const close = h.indexOf(']');
    if (close < 0) return h;
    const after = h.slice(close + 1);
    if (after !== '' && !/^:[^:]*$/.test(after)) return h;
    return h.slice(1, close);
  }
  const i = h.lastIndexOf(':');
  if (h.indexOf(':') !== i) return h; // several colons and no brackets: not host:port
  return h.slice(0, i);
}

/** Where a registration came from: the first stack frame outside this file. */
function callerLocation(): string {
  const stack = new Error().stack ?? '';
  const self = import.meta.url;
  for (const line of stack.split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?[^\s()]+?):(\d+):\d+\)?\s*$/.exec(line.trim());
    if (m === null) continue;
    let file = m[1];
    if (file.startsWith('file://')) {
      if (self.startsWith(file) && file.length === self.length) continue;
      try { file = fileURLToPath(file); } catch { /* keep the URL */ }
    } else if (file === fileURLToPath(self)) {
      continue;
    }
    if (file.startsWith('node:')) continue;
    return `${file}:${m[2]}`;
  }
  return 'unknown location';
}

/**
 * The escaped request path as sent (`rawPath`), or the URL's path when there is none (requests
 * built by a client, `*` and authority-form targets).
 */
export function requestPath(r: Request): string {
  const raw = (r as { rawPath?: unknown }).rawPath;
  return typeof raw === 'string' && raw !== '' ? raw : r.url.pathname;
}

const NO_VALUES: string[] = [];

/** `?query` as sent, or '' (Go keeps RawQuery on its redirects). */
function query(r: Request): string {
  const q = typeof r.rawQuery === 'string' ? r.rawQuery : r.url.search.slice(1);
  return q === '' ? '' : '?' + q;
}

/** What `ServeMux.handler(r)` answers. */
export interface HandlerMatch {
  handler: Handler;
  /**
   * The pattern that matched; for an internal redirect, the pattern that will match the
   * redirected request; '' for 404 and 405.
   */
  pattern: string;
}

interface Found extends HandlerMatch {
  pat: Pattern | null;
  values: string[];
}

/** Options for a ServeMux. */
export interface ServeMuxOptions {
  /**
   * Status for the mux's own redirects (path cleaning, `/tree` → `/tree/`). Go uses 301, which
   * makes clients turn POST into GET; 308 keeps the method. Default 301.
   */
  redirectCode?: 301 | 302 | 307 | 308;
  /**
   * Compare pattern hosts with the request's Host case-insensitively (DNS names are). Go
   * compares them exactly (golang/go#78977). Default false.
   */
  caseInsensitiveHosts?: boolean;
}

/**
 * An HTTP request multiplexer with Go 1.22's patterns and precedence rules. Use `handle` to
 * register; the mux itself is a handler (`serveHTTP`).
 */
export class ServeMux {
  /** host → method → path tree. */
  private readonly tree = new Map<string, Map<string, Node>>();
  private readonly patterns: Pattern[] = [];
  private readonly redirectCode: number;
  private readonly foldHosts: boolean;

  constructor(opts: ServeMuxOptions = {}) {
    this.redirectCode = opts.redirectCode ?? 301;
    this.foldHosts = opts.caseInsensitiveHosts === true;
  }

  /**
   * Registers `handler` for `pattern`. Throws PatternError for an invalid pattern or one that
   * conflicts with a registered pattern (the message names both and where each was registered).
   */
  handle(pattern: string, handler: Handler): void {
    if (pattern === '') throw new PatternError('http: invalid pattern');
    if (!isHandler(handler)) throw new PatternError('http: nil handler');
    let pat: Pattern;
    try {
      pat = parsePattern(pattern);
    } catch (e) {
      if (e instanceof PatternError) throw new PatternError(`parsing ${quote(pattern)}: ${e.message}`);
      throw e;
    }
    if (this.foldHosts && pat.host !== pat.host.toLowerCase()) {
      pat = new Pattern(pat.str, pat.method, pat.host.toLowerCase(), pat.segments);
    }
    pat.loc = callerLocation();
    for (const other of this.patterns) {
      if (conflicts(pat, other)) {
        throw new PatternError(
          `pattern ${quote(pat.str)} (registered at ${pat.loc}) conflicts with pattern ${quote(other.str)} ` +
          `(registered at ${other.loc}):\n${describeConflict(pat, other)}`);
      }
    }
    let methods = this.tree.get(pat.host);
    if (methods === undefined) this.tree.set(pat.host, (methods = new Map()));
    let n = methods.get(pat.method);
    if (n === undefined) methods.set(pat.method, (n = new Node()));
    for (const seg of pat.segments) {
      if (seg.multi) { n = n.multi ??= new Node(); break; }
      n = seg.wild ? (n.single ??= new Node()) : n.child(seg.s);
    }
    n.pattern = pat;
    n.handler = handler;
    this.patterns.push(pat);
  }

  /** Same as `handle` (Go's HandleFunc). */
  handleFunc(pattern: string, handler: HandlerFunc): void {
    this.handle(pattern, handler);
  }

  /** The registered patterns, in registration order. */
  get registered(): string[] {
    return this.patterns.map((p) => p.str);
  }

  private match(host: string, method: string, path: string): Match | null {
    if (host !== '') {
      const m = this.matchMethod(this.tree.get(host), method, path);
      if (m !== null) return m;
    }
    return this.matchMethod(this.tree.get(''), method, path);
  }

  private matchMethod(methods: Map<string, Node> | undefined, method: string, path: string): Match | null {
    if (methods === undefined) return null;
    return matchPath(methods.get(method), path) ??
      (method === 'HEAD' ? matchPath(methods.get('GET'), path) : null) ??
      matchPath(methods.get(''), path);
  }

  /** Methods some pattern would accept for host and path (for 405's Allow). */
  private allowedMethods(host: string, path: string): string[] {
    const set = new Set<string>();
    for (const h of host !== '' ? [host, ''] : ['']) {
      const methods = this.tree.get(h);
      if (methods === undefined) continue;
      for (const [m, n] of methods) {
        if (m === '') continue;
        if (matchPath(n, path) !== null || matchPath(n, path + '/') !== null) set.add(m);
      }
    }
    if (set.has('GET')) set.add('HEAD');
    return [...set].sort();
  }

  /**
   * When `path` has no exact match but `path/` has one (`/tree` → `/tree/`), the node that
   * matches `path/`; else null.
   */
  private slashRedirect(host: string, method: string, path: string, m: Match | null): Node | null {
    if (exactMatch(m, path)) return null;
    const withSlash = path + '/';
    const m2 = this.match(host, method, withSlash);
    return exactMatch(m2, withSlash) ? (m2 as Match).node : null;
  }

  private find(r: Request): Found {
    // The path as sent (Go's EscapedPath): dot segments and `//` still there to be cleaned.
    const escaped = requestPath(r);
    let m: Match | null;
    let host: string;
    let path = escaped;
    if (r.method === 'CONNECT') {
      // CONNECT paths are matched as sent; only the `/tree` redirect applies.
      const to = this.slashRedirect(r.url.host, r.method, path, this.match(r.url.host, r.method, path));
      if (to !== null) return this.redirectTo(cleanPath(escaped) + '/' + query(r), to);
      host = r.host;
      m = this.match(host, r.method, path);
    } else {
      host = stripHostPort(r.host);
      if (this.foldHosts) host = host.toLowerCase();
      path = cleanPath(escaped);
      m = this.match(host, r.method, path);
      const to = this.slashRedirect(host, r.method, path, m);
      if (to !== null) return this.redirectTo(path + '/' + query(r), to);
      if (path !== escaped) return this.redirectTo(path + query(r), m?.node ?? null);
    }
    if (m === null) {
      const allow = this.allowedMethods(host, path);
      if (allow.length > 0) {
        const h: HandlerFunc = (w) => {
          w.header().set('Allow', allow.join(', '));
          return error(w, statusText(405), 405);
        };
        return { handler: h, pattern: '', pat: null, values: NO_VALUES };
      }
      return { handler: notFoundHandler(), pattern: '', pat: null, values: NO_VALUES };
    }
    const pat = m.node.pattern as Pattern;
    return { handler: m.node.handler as Handler, pattern: pat.str, pat, values: m.values };
  }

  private redirectTo(url: string, target: Node | null): Found {
    return { handler: redirectHandler(url, this.redirectCode), pattern: target?.pattern?.str ?? '', pat: null, values: NO_VALUES };
  }

  /**
   * The handler for `r` and its pattern, without serving and without setting path values. Never
   * null: unmatched requests get a 404, 405 or redirect handler.
   */
  handler(r: Request): HandlerMatch {
    const { handler, pattern } = this.find(r);
    return { handler, pattern };
  }

  /** Routes `r` to the most specific matching handler. */
  serveHTTP(w: ResponseWriter, r: Request): void | Promise<void> {
    if (r.requestURI === '*') {
      if ((r.protoMajor ?? 1) > 1 || (r.protoMajor ?? 1) === 1 && (r.protoMinor ?? 1) >= 1) {
        w.header().set('Connection', 'close');
      }
      w.writeHeader(400);
      return undefined;
    }
    const f = this.find(r);
    r.pattern = f.pattern;
    if (f.pat !== null) {
      const names = f.pat.wildcardNames;
      for (let i = 0; i < names.length; i++) r.setPathValue(names[i], f.values[i]);
    }
    return serveWith(f.handler, w, r);
  }
}

/** Internals exposed for tests only. */
export const _testing = {
  comparePaths: (a: string, b: string): string => comparePaths(parsePattern(a), parsePattern(b)),
  compareMethods: (a: string, b: string): string => compareMethods(parsePattern(a), parsePattern(b)),
  conflicts: (a: string, b: string): boolean => conflicts(parsePattern(a), parsePattern(b)),
  commonPath: (a: string, b: string): string => commonPath(parsePattern(a), parsePattern(b)),
  differencePath: (a: string, b: string): string => differencePath(parsePattern(a), parsePattern(b)),
  describeConflict: (a: string, b: string): string => describeConflict(parsePattern(a), parsePattern(b)),
  cleanPath,
  stripHostPort,
};

// Go's http.Client: redirects (Go's rules), a cookie jar, a whole-exchange timeout, and errors
// that say `Get "http://h/p": <why>`. Built only on a RoundTripper (the Transport by default).

import { DeadlineExceededError } from '../net/index.js';
import { Request, type RequestInit } from './request.js';
import type { Response } from './response.js';
import { Body, EmptyBody, type BodyInit } from './wire/body.js';
import { readSetCookies, type Cookie } from './cookie.js';
import { defaultTransport, type RoundTripper } from './transport.js';
import type { ClientTrace } from './trace.js';

/** What a Client needs from a cookie jar (CookieJar satisfies it). */
export interface Jar {
  setCookies(url: URL, cookies: readonly Cookie[]): void;
  cookies(url: URL): readonly Pick<Cookie, 'name' | 'value'>[];
}

/**
 * Decides whether to follow a redirect: return (or throw) an Error to stop — the Client then
 * fails with it — or `useLastResponse` to return the redirect response itself, body unread.
 * `via` holds the requests made so far, oldest first.
 */
export type CheckRedirect = (req: Request, via: readonly Request[]) => Error | null | undefined | void;

/** Return this from checkRedirect to get the redirect response instead of following it. */
export const useLastResponse: Error = Object.freeze(new Error('net/http: use last response'));

/** Client settings. */
export interface ClientOptions {
  /** Default: defaultTransport. */
  transport?: RoundTripper;
  /** Default: stop after 10 requests. */
  checkRedirect?: CheckRedirect;
  jar?: Jar | null;
  /** ms for the whole exchange: redirects, waiting, and reading the body. 0 = none. */
  timeout?: number;
}

/** Per-call options. */
export interface DoOptions {
  signal?: AbortSignal;
  trace?: ClientTrace;
}

/** Options for get / head / post shorthands. */
export interface ShorthandOptions extends DoOptions {
  header?: RequestInit['header'];
}

/** Go's url.Error: `Get "http://h/p": cause`. The URL's password is shown as `***`. */
export class URLError extends Error {
  override name = 'URLError';
  readonly op: string;
  readonly url: string;
  declare readonly cause: unknown;
  constructor(op: string, url: string, cause: unknown, suffix = '') {
    super(`${op} ${JSON.stringify(redact(url))}: ${(cause as Error)?.message ?? String(cause)}${suffix}`, { cause });
    this.op = op;
    this.url = url;
  }
  get timeout(): boolean {
    return (this.cause as { timeout?: unknown } | null)?.timeout === true;
  }
  get temporary(): boolean {
    return (this.cause as { temporary?: unknown } | null)?.temporary === true;
  }
  get code(): string | undefined {
    const c = (this.cause as { code?: unknown } | null)?.code;
    return typeof c === 'string' ? c : undefined;
  }
}

/** A redirect chain stopped by the default policy or a Location that does not parse. */
export class RedirectError extends Error {
  override name = 'RedirectError';
  readonly code: string;
  constructor(code: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
  }
}

function redact(u: string): string {
  try {
    const x = new URL(u);
    if (x.password === '') return u;
    x.password = '***';
    return x.href;
  } catch {
    return u;
  }
}

function opName(method: string): string {
  return method.charAt(0).toUpperCase() + method.slice(1).toLowerCase();
}

/** Go's default policy: at most 10 redirects. */
export function defaultCheckRedirect(_req: Request, via: readonly Request[]): Error | null {
  if (via.length >= 10) return new RedirectError('ERR_HTTP_TOO_MANY_REDIRECTS', 'stopped after 10 redirects');
  return null;
}

const SENSITIVE = ['Authorization', 'Www-Authenticate', 'Cookie', 'Cookie2'];
const REDIRECT_DRAIN = 2048;

/** Headers survive a redirect to the same host or a subdomain of the original host. */
function sameOrSubdomain(initial: URL, dest: URL): boolean {
  const ih = initial.hostname.toLowerCase();
  const dh = dest.hostname.toLowerCase();
  if (ih === dh) return true;
  if (dh.includes(':') || dh.includes('%') || dh.startsWith('[')) return false;
  return dh.endsWith('.' + ih);
}

function refererFor(last: URL, next: URL): string {
  if (last.protocol === 'https:' && next.protocol === 'http:') return '';
  const u = new URL(last.href);
  u.username = '';
  u.password = '';
  u.hash = '';
  return u.href;
}

/** Wraps a body so the client's timer stops when the body is done. */
class TimedBody extends Body {
  constructor(private readonly inner: Body, private readonly stop: () => void, private readonly mapErr: (e: unknown) => unknown) {
    super(inner.contentLength, inner.trailer);
  }
  protected async pull(max: number): Promise<Uint8Array | null> {
    try {
      return await this.inner.readChunk(max);
    } catch (e) {
      this.stop();
      throw this.mapErr(e);
    }
  }
  protected override finished(): void {
    this.stop();
  }
  override close(): void {
    super.close();
    this.inner.close();
    this.stop();
  }
}

/** Go's http.Client. */
export class Client {
  readonly transport: RoundTripper;
  readonly checkRedirect: CheckRedirect;
  readonly jar: Jar | null;
  readonly timeout: number;

  constructor(opts: ClientOptions = {}) {
    this.transport = opts.transport ?? defaultTransport;
    this.checkRedirect = opts.checkRedirect ?? defaultCheckRedirect;
    this.jar = opts.jar ?? null;
    this.timeout = opts.timeout ?? 0;
  }

  get(url: string | URL, opts: ShorthandOptions = {}): Promise<Response> {
    return this.do(new Request('GET', url, { header: opts.header }), opts);
  }

  head(url: string | URL, opts: ShorthandOptions = {}): Promise<Response> {
    return this.do(new Request('HEAD', url, { header: opts.header }), opts);
  }

  post(url: string | URL, contentType: string, body: BodyInit | null, opts: ShorthandOptions = {}): Promise<Response> {
    const req = new Request('POST', url, { header: opts.header, body });
    if (contentType !== '') req.header.set('Content-Type', contentType);
    return this.do(req, opts);
  }

  /** POSTs `data` as `application/x-www-form-urlencoded`. */
  postForm(url: string | URL, data: URLSearchParams | Record<string, string | string[]>, opts: ShorthandOptions = {}): Promise<Response> {
    let q: URLSearchParams;
    if (data instanceof URLSearchParams) q = data;
    else {
      q = new URLSearchParams();
      for (const [k, v] of Object.entries(data)) for (const x of Array.isArray(v) ? v : [v]) q.append(k, x);
    }
    return this.post(url, 'application/x-www-form-urlencoded', q.toString(), opts);
  }

  /**
   * Sends `req`, following redirects per checkRedirect, and resolves with the final response.
   * Non-2xx is not an error. Errors are URLErrors naming the method and URL.
   */
  async do(req: Request, opts: DoOptions = {}): Promise<Response> {
    if (req.requestURI !== '') {
      req.body.close();
      throw new URLError(opName(req.method), req.url.href, new Error('http: Request.RequestURI can\'t be set in client requests'));
    }
    const userSignal = opts.signal ?? req.signal;
    let timer: NodeJS.Timeout | undefined;
    let signal = userSignal;
    let timedOut = false;
    let stopped = false;
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
    };
    if (this.timeout > 0) {
      const ctl = new AbortController();
      timer = setTimeout(() => {
        timedOut = true;
        ctl.abort(new DeadlineExceededError());
      }, this.timeout);
      // The exchange's own conn keeps the process alive; an unread body should not.
      timer.unref();
      signal = userSignal === undefined ? ctl.signal : AbortSignal.any([userSignal, ctl.signal]);
    }
    let res: Response;
    try {
      res = await this.follow(req, signal, opts.trace, () => timedOut);
    } catch (e) {
      stop();
      throw e;
    }
    if (timer === undefined) return res;
    if (res.body instanceof EmptyBody) {
      stop();
      return res;
    }
    const method = opName(req.method);
    const url = res.request?.url.href ?? req.url.href;
    res.body = new TimedBody(res.body, stop, (e) => timedOut
      ? new URLError(method, url, e, ' (Client.Timeout or context cancellation while reading body)')
      : e);
    return res;
  }

  private async follow(ireq: Request, signal: AbortSignal | undefined, trace: ClientTrace | undefined, timedOut: () => boolean): Promise<Response> {
    const via: Request[] = [];
    let req = ireq;
    let res: Response | null = null;
    let stripSensitive = false;
    let method = ireq.method;
    let includeBody = true;
    const fail = (r: Request, e: unknown, urlOverride?: string): URLError => {
      if (e instanceof URLError) return e;
      const suffix = timedOut() ? ' (Client.Timeout exceeded while awaiting headers)' : '';
      return new URLError(opName(r.method), urlOverride ?? r.url.href, e, suffix);
    };
    for (;;) {
      if (res !== null) {
        const last = via[via.length - 1]!;
        const loc = res.header.get('Location');
        let u: URL;
        try {
          u = new URL(loc, last.url);
        } catch (e) {
          res.body.close();
          throw fail(last, new RedirectError('ERR_HTTP_BAD_LOCATION', `failed to parse Location header ${JSON.stringify(loc)}`, e));
        }
        const init: RequestInit = { signal };
        if (includeBody && ireq.getBody !== null) {
          init.body = ireq.getBody();
          init.contentLength = ireq.contentLength;
        }
        // An explicit Host survives only relative Locations.
        if (ireq.host !== ireq.url.host && !/^[a-z][a-z0-9+.-]*:/i.test(loc) && !loc.startsWith('//')) init.host = ireq.host;
        const next = new Request(method, u, init);
        next.header = ireq.header.clone();
        if (!stripSensitive && !sameOrSubdomain(ireq.url, u)) stripSensitive = true;
        if (stripSensitive) for (const k of SENSITIVE) next.header.del(k);
        if (this.jar !== null) {
          // Cookies the redirect reply sets replace same-named ones from the original header.
          const set = new Set(readSetCookies(res.header).map((c) => c.name));
          if (set.size > 0 && next.header.has('Cookie')) {
            const kept = next.header.values('Cookie').flatMap((v) => v.split(';')).map((s) => s.trim())
              .filter((p) => p !== '' && !set.has(p.split('=')[0]!.trim()));
            if (kept.length > 0) next.header.set('Cookie', kept.join('; '));
            else next.header.del('Cookie');
          }
        }
        if (!ireq.header.has('Referer')) {
          const ref = refererFor(last.url, u);
          if (ref !== '') next.header.set('Referer', ref);
        }
        let verdict: unknown;
        try {
          verdict = this.checkRedirect(next, via);
        } catch (e) {
          verdict = e;
        }
        if (verdict === useLastResponse) return res;
        // Drain a little so the conn can be reused, then let the old reply go.
        const prev = res;
        if (prev.contentLength < 0 || prev.contentLength <= REDIRECT_DRAIN) {
          try {
            await prev.body.drain(REDIRECT_DRAIN);
          } catch {
            // the conn is dropped instead
          }
        }
        prev.body.close();
        if (verdict instanceof Error) throw fail(next, verdict, u.href);
        req = next;
      }
      via.push(req);
      try {
        res = await this.send(req, signal, trace);
      } catch (e) {
        throw fail(req, e);
      }
      const code = res.statusCode;
      let follow = false;
      if (code === 301 || code === 302 || code === 303) {
        follow = true;
        method = req.method === 'GET' || req.method === 'HEAD' ? req.method : 'GET';
        includeBody = false;
      } else if (code === 307 || code === 308) {
        method = req.method;
        includeBody = true;
        // A body we cannot send again: return the redirect itself.
        follow = ireq.getBody !== null || ireq.contentLength === 0;
      }
      if (!follow || res.header.get('Location') === '') return res;
    }
  }

  /** One hop: jar cookies and userinfo auth in, Set-Cookie to the jar. */
  private async send(req: Request, signal: AbortSignal | undefined, trace: ClientTrace | undefined): Promise<Response> {
    let r = req;
    const u = req.url;
    const jarCookies = this.jar?.cookies(u) ?? [];
    if (jarCookies.length > 0 || (u.username !== '' && !req.header.has('Authorization'))) {
      r = Object.assign(Object.create(Request.prototype) as Request, req);
      r.header = req.header.clone();
      for (const c of jarCookies) {
        const s = c.name + '=' + c.value;
        const old = r.header.get('Cookie');
        r.header.set('Cookie', old === '' ? s : old + '; ' + s);
      }
      if (u.username !== '' && !req.header.has('Authorization')) {
        const cred = decodeURIComponent(u.username) + ':' + decodeURIComponent(u.password);
        r.header.set('Authorization', 'Basic ' + Buffer.from(cred).toString('base64'));
      }
    }
    const res = await this.transport.roundTrip(r, { signal, trace });
    res.request = req;
    if (this.jar !== null) {
      const rc = readSetCookies(res.header);
      if (rc.length > 0) this.jar.setCookies(u, rc);
    }
    return res;
  }
}

/** The Client package-level helpers use (Go's DefaultClient). */
export const defaultClient = new Client();

/** GET with the default client. */
export function get(url: string | URL, opts?: ShorthandOptions): Promise<Response> {
  return defaultClient.get(url, opts);
}

/** HEAD with the default client. */
export function head(url: string | URL, opts?: ShorthandOptions): Promise<Response> {
  return defaultClient.head(url, opts);
}

/** POST with the default client. */
export function post(url: string | URL, contentType: string, body: BodyInit | null, opts?: ShorthandOptions): Promise<Response> {
  return defaultClient.post(url, contentType, body, opts);
}

/** POST a form with the default client. */
export function postForm(url: string | URL, data: URLSearchParams | Record<string, string | string[]>, opts?: ShorthandOptions): Promise<Response> {
  return defaultClient.postForm(url, data, opts);
}

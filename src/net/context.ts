// Go's context, as AbortSignal: one signal per operation that fires when the caller aborts or
// the effective deadline passes, with the reason already turned into our error values.

import { CanceledError, DeadlineExceededError } from './errors.js';

/** The error an aborted operation reports: a timeout for deadlines, otherwise a cancel. */
export function abortCause(signal: AbortSignal): CanceledError | DeadlineExceededError {
  const r: unknown = signal.reason;
  if (r instanceof DeadlineExceededError || r instanceof CanceledError) return r;
  // AbortSignal.timeout() aborts with a DOMException named TimeoutError.
  if (r instanceof Error && r.name === 'TimeoutError') return new DeadlineExceededError();
  return new CanceledError(r);
}

/** A signal bounded by a deadline, and the function that releases its timer. */
export interface Scope {
  readonly signal: AbortSignal;
  /** The absolute deadline in ms since the epoch, or 0 for none. */
  readonly deadline: number;
  done(): void;
}

const NO_OP = (): void => {};

/**
 * Derives a signal that aborts when `parent` aborts or at `deadline` (ms since the epoch; 0 =
 * none), whichever is first. `done()` must be called to drop the timer and listener.
 */
export function withDeadline(parent: AbortSignal | undefined, deadline: number): Scope {
  if (deadline === 0) {
    return { signal: parent ?? new AbortController().signal, deadline: 0, done: NO_OP };
  }
  const ctl = new AbortController();
  const onAbort = (): void => ctl.abort(parent?.reason);
  let timer: NodeJS.Timeout | undefined;
  if (parent?.aborted) {
    ctl.abort(parent.reason);
  } else {
    parent?.addEventListener('abort', onAbort, { once: true });
    const left = deadline - Date.now();
    if (left <= 0) ctl.abort(new DeadlineExceededError());
    else timer = setTimeout(() => ctl.abort(new DeadlineExceededError()), Math.min(left, 0x7fffffff));
  }
  return {
    signal: ctl.signal,
    deadline,
    done() {
      if (timer !== undefined) clearTimeout(timer);
      parent?.removeEventListener('abort', onAbort);
    },
  };
}

/** Resolves with `p`'s value, or rejects with the abort cause as soon as `signal` fires. */
export function raceSignal<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(abortCause(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortCause(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e: unknown) => { signal.removeEventListener('abort', onAbort); reject(e); },
    );
  });
}

/** Resolves after `ms`, or rejects early with the abort cause. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortCause(signal));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(t);
      reject(abortCause(signal as AbortSignal));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

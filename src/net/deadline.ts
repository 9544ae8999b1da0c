// Absolute deadlines (Go's SetReadDeadline / SetWriteDeadline). One timer per deadline set,
// never one per operation: an operation only checks `expired` when it starts, and the timer
// fails whatever is pending when the time passes.

import { DeadlineExceededError } from './errors.js';

// setTimeout takes at most 2^31-1 ms; longer deadlines re-arm in steps.
const MAX_TIMER_MS = 0x7fffffff;

/** One direction's deadline. `onExpire` runs when the deadline passes with an op pending. */
export class Deadline {
  private timer: NodeJS.Timeout | undefined;
  private at = 0;
  private readonly onExpire: () => void;
  /** True from the moment the deadline passes until it is moved or cleared. */
  expired = false;

  constructor(onExpire: () => void) {
    this.onExpire = onExpire;
  }

  /** The deadline in ms since the epoch, or 0 for none. */
  get time(): number {
    return this.at;
  }

  /** Sets the deadline; `null` (or an invalid Date) clears it. A past time expires it at once. */
  set(t: Date | null): void {
    this.clearTimer();
    const ms = t === null ? NaN : t.getTime();
    if (Number.isNaN(ms) || ms === 0) {
      this.at = 0;
      this.expired = false;
      return;
    }
    this.at = ms;
    this.expired = false;
    this.arm();
  }

  private arm(): void {
    const left = this.at - Date.now();
    if (left <= 0) {
      this.expired = true;
      this.onExpire();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.arm();
    }, Math.min(left, MAX_TIMER_MS));
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** Stops the timer for good (the conn closed). */
  dispose(): void {
    this.clearTimer();
  }
}

/** The error an operation fails with when its deadline has passed. */
export function deadlineError(): DeadlineExceededError {
  return new DeadlineExceededError();
}

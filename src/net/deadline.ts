// Absolute deadlines (Go's SetReadDeadline / SetWriteDeadline). At most one timer per
// deadline, never one per operation: an operation only checks `expired` when it starts, and the
// timer fails whatever is pending when the time passes. Moving a deadline later or clearing it
// leaves an armed timer alone (it re-checks when it fires), so a server that moves its
// deadlines on every request does not churn timers.

import { DeadlineExceededError } from './errors.js';

// setTimeout takes at most 2^31-1 ms; longer deadlines re-arm in steps.
const MAX_TIMER_MS = 0x7fffffff;

/** One direction's deadline. `onExpire` runs when the deadline passes with an op pending. */
export class Deadline {
  private timer: NodeJS.Timeout | undefined;
  /** When the armed timer fires (ms since the epoch). */
  private armedAt = 0;
  private at = 0;
  private readonly onExpire: () => void;
  private readonly fire = (): void => {
    this.timer = undefined;
    this.arm();
  };
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
    const ms = t === null ? NaN : t.getTime();
    this.expired = false;
    if (Number.isNaN(ms) || ms === 0) {
      this.at = 0;
      return;
    }
    this.at = ms;
    // An armed timer that fires no later than a future deadline re-checks then.
    if (this.timer !== undefined && this.armedAt <= ms && ms > Date.now()) return;
    this.clearTimer();
    this.arm();
  }

  private arm(): void {
    if (this.at === 0) return;
    const now = Date.now();
    const left = this.at - now;
    if (left <= 0) {
      this.expired = true;
      this.onExpire();
      return;
    }
    const d = Math.min(left, MAX_TIMER_MS);
    this.armedAt = now + d;
    this.timer = setTimeout(this.fire, d);
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
    this.at = 0;
    this.clearTimer();
  }
}

/** The error an operation fails with when its deadline has passed. */
export function deadlineError(): DeadlineExceededError {
  return new DeadlineExceededError();
}

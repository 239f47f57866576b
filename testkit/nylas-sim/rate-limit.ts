/**
 * Sliding-window rate limiting and peak measurement, both exact over arrival times. Two arrivals
 * are in the same window when they are less than `windowMs` apart.
 */

/** A FIFO of timestamps that drops the ones older than the window. */
class TimeWindow {
  private readonly times: number[] = [];
  private head = 0;

  constructor(private readonly windowMs: number) {}

  /** Drops entries that are `windowMs` or more before `now`; returns how many remain. */
  countAt(now: number): number {
    while (this.head < this.times.length && (this.times[this.head] ?? now) <= now - this.windowMs)
      this.head++;
    // Compact now and then so the array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times.splice(0, this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }

  push(now: number): void {
    this.times.push(now);
  }
}

/** Admits at most `limit` requests in any sliding window of accepted requests. */
export class SlidingWindowLimiter {
  private readonly accepted: TimeWindow;

  constructor(
    private readonly limit: number,
    windowMs = 1000,
  ) {
    this.accepted = new TimeWindow(windowMs);
  }

  /** Records the request if admitted. */
  tryAcquire(now: number): boolean {
    if (this.accepted.countAt(now) >= this.limit) return false;
    this.accepted.push(now);
    return true;
  }
}

/** The most arrivals seen in any sliding window (every arrival counts, rejected ones included). */
export class WindowPeak {
  private readonly arrivals: TimeWindow;
  private peakValue = 0;

  constructor(windowMs = 1000) {
    this.arrivals = new TimeWindow(windowMs);
  }

  record(now: number): void {
    this.arrivals.countAt(now);
    this.arrivals.push(now);
    this.peakValue = Math.max(this.peakValue, this.arrivals.countAt(now));
  }

  get peak(): number {
    return this.peakValue;
  }

  /** Forgets the peak (not the recent arrivals, which still shape the next windows). */
  resetPeak(): void {
    this.peakValue = 0;
  }
}

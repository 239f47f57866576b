import type { SimFault } from './types.js';

interface Pending {
  fault: SimFault;
  remaining: number;
}

/** Faults queued by `failNext`, served in the order they were queued. */
export class FaultQueue {
  private pending: Pending[] = [];

  add(fault: SimFault): void {
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times < 1)
      throw new RangeError(`failNext: times must be ≥ 1, got ${times}`);
    this.pending.push({ fault, remaining: times });
  }

  /** The fault to serve for this request, if one matches; counts it as served. */
  take(method: string): SimFault | undefined {
    const index = this.pending.findIndex(
      (entry) => entry.fault.method === '*' || entry.fault.method === method,
    );
    const entry = this.pending[index];
    if (entry === undefined) return undefined;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.pending.splice(index, 1);
    return entry.fault;
  }

  clear(): void {
    this.pending = [];
  }
}

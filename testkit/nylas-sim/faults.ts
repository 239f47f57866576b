/**
 * Faults: deterministic one-shot rules injected by tests, then seeded random chaos on clone calls.
 * A fault is decided after auth and rate limiting (a 401 or 429 never consumes one).
 */
import { createRandom, type Random } from './random.js';
import type { FaultMatch, InjectedFault } from './types.js';

export type FaultAnswer =
  | {
      kind: 'status';
      status: number;
      errorType?: string;
      message?: string;
      retryAfterSeconds?: number;
      /** The route did its work before this answer replaced its own. */
      acted?: boolean;
    }
  | { kind: 'timeout' };

interface ActiveRule {
  fault: InjectedFault;
  remaining: number;
}

const TRANSIENT_STATUSES = [500, 502, 503] as const;

export class FaultPlan {
  private readonly rules: ActiveRule[] = [];
  private readonly random: Random;
  private readonly transient5xxRate: number;
  private readonly timeoutRate: number;
  private readonly actedShare: number;

  constructor(
    options: { transient5xxRate?: number; timeoutRate?: number; actedShare?: number; seed?: number } = {},
  ) {
    this.transient5xxRate = checkRate('faults.transient5xxRate', options.transient5xxRate ?? 0);
    this.timeoutRate = checkRate('faults.timeoutRate', options.timeoutRate ?? 0);
    this.actedShare = checkRate('faults.actedShare', options.actedShare ?? 0.5);
    this.random = createRandom(options.seed ?? 1);
  }

  inject(fault: InjectedFault): void {
    if (!Number.isInteger(fault.times) || fault.times < 1)
      throw new RangeError(`fault times must be ≥ 1: ${fault.times}`);
    if (
      fault.kind === 'status' &&
      (!Number.isInteger(fault.status) || fault.status < 400 || fault.status > 599)
    ) {
      throw new RangeError(`fault status must be 400–599: ${fault.status}`);
    }
    this.rules.push({ fault, remaining: fault.times });
  }

  /** The fault this request gets, if any; consumes one use of an injected rule. */
  take(route: FaultMatch, accountId: string | undefined): FaultAnswer | undefined {
    const index = this.rules.findIndex(
      ({ fault }) =>
        (fault.match === 'any' || fault.match === route) &&
        (fault.accountId === undefined || fault.accountId === accountId),
    );
    const rule = this.rules[index];
    if (rule !== undefined) {
      rule.remaining--;
      if (rule.remaining <= 0) this.rules.splice(index, 1);
      const fault = rule.fault;
      if (fault.kind === 'timeout') return { kind: 'timeout' };
      return {
        kind: 'status',
        status: fault.status,
        ...(fault.errorType !== undefined && { errorType: fault.errorType }),
        ...(fault.message !== undefined && { message: fault.message }),
        ...(fault.retryAfterSeconds !== undefined && { retryAfterSeconds: fault.retryAfterSeconds }),
        ...(fault.acted === true && { acted: true }),
      };
    }
    if (route !== 'clone') return undefined;
    if (this.timeoutRate > 0 && this.random.chance(this.timeoutRate)) return { kind: 'timeout' };
    if (this.transient5xxRate > 0 && this.random.chance(this.transient5xxRate)) {
      const status = this.random.pick(TRANSIENT_STATUSES);
      // A 5xx says nothing about whether the work was done; some were answered after it was.
      return { kind: 'status', status, ...(this.random.chance(this.actedShare) && { acted: true }) };
    }
    return undefined;
  }
}

function checkRate(name: string, rate: number): number {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`${name} must be in [0, 1]: ${rate}`);
  return rate;
}

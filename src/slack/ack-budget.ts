/**
 * How long a handler may await anything before it acks: Slack drops an interaction after 3 s and a
 * late ack throws, so the budget leaves room for Bolt, the network and a view's rendering. Counted
 * from the moment the handler starts (Bolt has parsed and verified the request just before).
 */
export const ACK_BUDGET_MS = 2_300;

/**
 * One handler's ack, made on time. `settle(work, late)` waits for `work`; if the budget runs out
 * first, it acks with `late` (a "working on it" answer) and goes on waiting, so the handler finishes
 * the work and reports the outcome another way (response_url, DM). `ack` acks once; later calls do
 * nothing and say so (false), so the handler knows the answer must take that other way.
 */
export interface AckGuard<R> {
  readonly acked: boolean;
  ack(response?: R): Promise<boolean>;
  settle<T>(work: Promise<T>, late?: R): Promise<T>;
  /** `work`'s result if it comes within the budget, else `otherwise` (for extras that can be left
   * out: a late `work` is not awaited, so it must handle its own errors). */
  within<T>(work: Promise<T>, otherwise: T): Promise<T>;
}

export function ackGuard<R>(
  ack: (response?: R) => Promise<void>,
  options: { budgetMs?: number; now?: () => number } = {},
): AckGuard<R> {
  const now = options.now ?? Date.now;
  const deadline = now() + (options.budgetMs ?? ACK_BUDGET_MS);
  let acked = false;
  const raceDeadline = async (work: Promise<unknown>): Promise<'late' | 'settled'> => {
    let timer: NodeJS.Timeout | undefined;
    const outOfTime = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), Math.max(0, deadline - now()));
    });
    // allSettled: a rejection ends the wait too; the caller rethrows it from `work`, nothing is dropped.
    const first = await Promise.race([Promise.allSettled([work]).then(() => 'settled' as const), outOfTime]);
    clearTimeout(timer);
    return first;
  };
  const guard: AckGuard<R> = {
    get acked() {
      return acked;
    },
    async ack(response) {
      if (acked) return false;
      acked = true;
      await ack(response);
      return true;
    },
    async settle(work, late) {
      if (acked) return work;
      if ((await raceDeadline(work)) === 'late') await guard.ack(late);
      return work;
    },
    async within(work, otherwise) {
      return (await raceDeadline(work)) === 'late' ? otherwise : work;
    },
  };
  return guard;
}

import { randomBytes } from 'node:crypto';

export type TriggerVerdict = 'ok' | 'expired_trigger_id' | 'exchanged_trigger_id' | 'invalid_trigger_id';

/**
 * Trigger ids as Slack treats them: each works once, and only for a few seconds after the
 * interaction that issued it.
 */
export class TriggerRegistry {
  private readonly issuedAt = new Map<string, number>();
  private readonly used = new Set<string>();
  private counter = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly strict: boolean,
  ) {}

  issue(ageMs = 0): string {
    this.counter += 1;
    const id = `${this.counter}.${Date.now()}.${randomBytes(8).toString('hex')}`;
    this.issuedAt.set(id, Date.now() - ageMs);
    return id;
  }

  /** Uses the trigger up (when it is accepted). */
  exchange(triggerId: string): TriggerVerdict {
    if (this.used.has(triggerId)) return 'exchanged_trigger_id';
    const issued = this.issuedAt.get(triggerId);
    if (issued === undefined && this.strict) return 'invalid_trigger_id';
    if (issued !== undefined && Date.now() - issued > this.ttlMs) return 'expired_trigger_id';
    this.used.add(triggerId);
    return 'ok';
  }

  clear(): void {
    this.issuedAt.clear();
    this.used.clear();
  }
}

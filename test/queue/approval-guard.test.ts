import { describe, expect, it } from 'vitest';
import { lacksApproval } from '../../src/queue/approval-guard.js';

const held = { status: 'awaiting_approval' as const, approvalDueAt: 1_000, stepsDone: [] as string[] };

describe('the worker refuses only runs held for approval without one', () => {
  it('refuses a held run with no approved decision', () => {
    expect(lacksApproval(held)).toBe(true);
    expect(lacksApproval({ ...held, status: 'queued', approval: { decision: 'expired', at: 2 } })).toBe(true);
  });

  it('runs what never had an approval window, what is approved, running, or has steps done', () => {
    expect(lacksApproval({ status: 'queued', stepsDone: [] })).toBe(false);
    expect(
      lacksApproval({ ...held, status: 'queued', approval: { decision: 'approved', by: 'U_B', at: 2 } }),
    ).toBe(false);
    expect(lacksApproval({ ...held, status: 'running' })).toBe(false);
    expect(lacksApproval({ ...held, status: 'queued', stepsDone: ['link'] })).toBe(false);
    expect(lacksApproval({ ...held, status: 'cancelled' })).toBe(false);
  });
});

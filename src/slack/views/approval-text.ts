import type { ApprovalDecision } from '../../store/migration-records.js';

/** A time as everyone in the thread reads it the same: `2026-12-02 14:05 UTC`. */
export function utcTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `approved by <@U…> at 2026-12-02 14:05 UTC` (or rejected / expired), for every place that names it. */
export function approvalNote(approval: Pick<ApprovalDecision, 'decision' | 'by' | 'at'>): string {
  if (approval.decision === 'expired') return `approval expired at ${utcTime(approval.at)} (nobody decided)`;
  return `${approval.decision} by <@${approval.by ?? 'unknown'}> at ${utcTime(approval.at)}`;
}

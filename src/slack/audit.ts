import type { Logger } from '../shared/logger.js';

export type AuditAction =
  | 'command.open_form'
  | 'command.status'
  | 'command.report'
  | 'form.options'
  | 'form.submit'
  | 'confirm.submit'
  | 'button.cancel'
  | 'button.retry_failed'
  | 'button.approve'
  | 'button.reject'
  | 'approval.expire'
  | 'home.open'
  | 'button.home_report'
  | 'button.plan_first'
  | 'button.migrate_now'
  | 'worker.start';

/** One structured line per attempt, allowed or refused: who, what, when, outcome. Never a secret. */
export function audit(
  logger: Logger,
  entry: {
    who: string;
    team?: string | undefined;
    what: AuditAction;
    outcome: 'allowed' | 'refused';
    reason?: string;
    migrationId?: string;
  },
): void {
  logger.info('audit', { audit: true, when: new Date().toISOString(), ...entry });
}

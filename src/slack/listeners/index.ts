import type { App } from '@slack/bolt';
import type { BotDeps } from '../bot-deps.js';
import { registerApprovalActions } from './actions/approval.js';
import { registerCancelAction } from './actions/cancel.js';
import { registerHomeReportAction } from './actions/home-report.js';
import { registerMigrateNowAction } from './actions/migrate-now.js';
import { registerPlanFirstAction } from './actions/plan-first.js';
import { registerRetryFailedAction } from './actions/retry-failed.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerHomeOpened } from './events/home-opened.js';
import { registerAppOptions } from './options/app-options.js';
import { registerConfirmSubmission } from './views/confirm-submission.js';
import { registerFormSubmission } from './views/form-submission.js';

export function registerListeners(app: App, deps: BotDeps): void {
  registerMigrateCommand(app, deps);
  registerAppOptions(app, deps);
  registerFormSubmission(app, deps);
  registerConfirmSubmission(app, deps);
  registerCancelAction(app, deps);
  registerRetryFailedAction(app, deps);
  registerApprovalActions(app, deps);
  registerHomeOpened(app, deps);
  registerHomeReportAction(app, deps);
  registerPlanFirstAction(app, deps);
  registerMigrateNowAction(app, deps);
}

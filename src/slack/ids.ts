/** Callback, block and action ids, shared by the view builders and the handlers that read them. */
export const CALLBACK = {
  form: 'migrate_form',
  confirm: 'migrate_confirm',
  notice: 'migrate_notice',
} as const;

export const BLOCK = {
  v2App: 'v2_app',
  v3App: 'v3_app',
  title: 'title',
  environment: 'environment',
  description: 'description',
  options: 'options',
  providers: 'providers',
  progress: 'progress',
  controls: 'controls',
} as const;

/** Each input's element id: Slack keys `view.state.values[block_id][action_id]`. */
export const INPUT = {
  v2App: 'v2_app_select',
  v3App: 'v3_app_select',
  title: 'title_input',
  environment: 'environment_select',
  description: 'description_input',
  options: 'options_checkboxes',
  providers: 'providers_select',
} as const;

export const ACTION = {
  cancel: 'migrate_cancel',
  retryFailed: 'migrate_retry_failed',
  approve: 'migrate_approve',
  reject: 'migrate_reject',
  /** The App Home's "Re-upload report" button (value: the migration id). */
  homeReport: 'migrate_home_report',
  /** On the confirm view: a dry run first (plan/). */
  planFirst: 'migrate_plan_first',
  /** Under a plan: opens the confirm view with the plan's choices. */
  migrateNow: 'migrate_now',
} as const;

export const OPTION = {
  placeholders: 'placeholders',
  microsoftPlaceholders: 'microsoft_placeholders',
  skipInactiveBilling: 'skip_inactive_billing',
} as const;

export const SLASH_COMMAND = '/migrate';

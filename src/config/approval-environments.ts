import { ConfigError } from './config-error.js';

/** The form's environment tags (the same as migration/request.ts's; config must not import migration/). */
const ENVIRONMENT_TAGS = ['Development', 'Staging', 'Production'] as const;
export type ApprovalTag = (typeof ENVIRONMENT_TAGS)[number];

export const APPROVAL_ENVIRONMENTS_VARIABLE = 'MIGRATE_APPROVAL_ENVIRONMENTS';

/** Unset: production migrations need a second admin. */
export const DEFAULT_APPROVAL_ENVIRONMENTS: readonly ApprovalTag[] = Object.freeze(['Production']);

/**
 * MIGRATE_APPROVAL_ENVIRONMENTS: comma-separated environment tags whose migrations wait for a second
 * admin's Approve. Unlike the other variables an empty value is meaningful: it turns approval off
 * (unset keeps the default, Production). An unknown tag stops start-up, naming the variable.
 */
export function parseApprovalEnvironments(raw: string | undefined): readonly ApprovalTag[] {
  if (raw === undefined) return DEFAULT_APPROVAL_ENVIRONMENTS;
  const tags = raw
    .split(',')
    .map((tag) => tag.trim())
    .filter(Boolean);
  const known = new Set<string>(ENVIRONMENT_TAGS);
  const unknown = tags.find((tag) => !known.has(tag));
  if (unknown !== undefined) {
    const shown = unknown.length > 40 ? `${unknown.slice(0, 40)}…` : unknown;
    throw new ConfigError(
      `${APPROVAL_ENVIRONMENTS_VARIABLE} must list environment tags among ${ENVIRONMENT_TAGS.join(', ')} (got "${shown}"); leave it empty to turn approval off`,
    );
  }
  return Object.freeze([...new Set(tags)] as ApprovalTag[]);
}

import type { AdminVerdict } from './admin-verifier.js';
import { type AuditAction, audit } from './audit.js';
import type { BotDeps } from './bot-deps.js';

/**
 * How long we wait for Slack to say who a user is before refusing with "try again". Not the ack's
 * bound: handlers race this check against the ack budget (ack-budget.ts) and, past it, ack first and
 * tell the verdict by response_url; this only stops a handler from waiting on Slack for ever.
 */
export const VERIFY_TIMEOUT_MS = 10_000;

/**
 * Checks the user behind a request and writes the audit line, allowed or refused. The check is bounded
 * in time: a Slack that does not answer is a refusal ("try again"), never a hung handler.
 */
export async function authorizeAdmin(
  deps: BotDeps,
  request: {
    userId: string;
    teamId: string | undefined;
    what: AuditAction;
    migrationId?: string;
    enterpriseId?: string | undefined;
    enterprise?: boolean | undefined;
  },
): Promise<AdminVerdict> {
  const timeoutMs = deps.verifyTimeoutMs ?? VERIFY_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<AdminVerdict>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          ok: false,
          userId: request.userId,
          code: 'lookup_failed',
          reason: 'Slack took too long to confirm who you are; try again',
        }),
      timeoutMs,
    );
  });
  // A payload that does not say its workspace cannot be matched against ours: refused, not guessed.
  const verdict: AdminVerdict = request.teamId
    ? await Promise.race([
        deps.verifier.verify(request.userId, {
          teamId: request.teamId,
          enterpriseId: request.enterpriseId,
          enterpriseInstall: request.enterprise,
        }),
        timedOut,
      ])
    : {
        ok: false,
        userId: request.userId,
        code: request.enterprise ? 'enterprise_install' : 'wrong_workspace',
        reason: request.enterprise
          ? 'requests for an org-wide (Enterprise Grid) install are not accepted; use /migrate in the workspace the bot is installed in'
          : 'the request did not say which workspace it came from',
      };
  clearTimeout(timer);
  audit(deps.logger, {
    who: request.userId,
    team: request.teamId,
    what: request.what,
    outcome: verdict.ok ? 'allowed' : 'refused',
    ...(verdict.ok ? {} : { reason: verdict.code }),
    ...(request.migrationId ? { migrationId: request.migrationId } : {}),
  });
  return verdict;
}

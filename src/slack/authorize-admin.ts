import type { AdminVerdict } from './admin-verifier.js';
import { type AuditAction, audit } from './audit.js';
import type { BotDeps } from './bot-deps.js';

/**
 * Checks the user behind a request and writes the audit line, allowed or refused. The check is bounded
 * in time: a Slack that does not answer is a refusal ("try again"), never a hung ack.
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
  const timeoutMs = deps.verifyTimeoutMs ?? 2_000;
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

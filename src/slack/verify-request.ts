import type { AdminVerdict } from './admin-verifier.js';
import { type AuditAction, audit } from './audit.js';
import type { BotDeps } from './bot-deps.js';

/**
 * Checks the user behind a request and writes the audit line, allowed or refused. The check is bounded
 * in time: a Slack that does not answer is a refusal ("try again"), never a hung ack.
 */
export async function verifyAndAudit(
  deps: BotDeps,
  request: { userId: string; teamId: string | undefined; what: AuditAction; migrationId?: string },
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
  const verdict = await Promise.race([deps.verifier.verify(request.userId, request.teamId), timedOut]);
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

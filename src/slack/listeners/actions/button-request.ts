import type { BlockAction, ButtonAction } from '@slack/bolt';
import { migrationIdSchema } from '../../../migration/request.js';
import type { AuditAction } from '../../audit.js';
import { authorizeAdmin } from '../../authorize-admin.js';
import type { BotDeps } from '../../bot-deps.js';

export type ButtonRequest =
  | { ok: true; userId: string; migrationId: string; tell: (text: string) => Promise<void> }
  | { ok: false };

/**
 * What every migration button does first: check the clicker (a click can be forged or come from an old
 * message), audit it, and read the migration id from the button. Refusals are told to the clicker only.
 */
export async function readButtonRequest(
  deps: BotDeps,
  input: {
    body: BlockAction<ButtonAction>;
    action: ButtonAction;
    what: AuditAction;
    verb: string;
  },
): Promise<ButtonRequest> {
  const { body } = input;
  const id = migrationIdSchema.safeParse(input.action.value);
  const userId = body.user.id;
  // Through the click's response_url: it lands next to the button (in the thread for a reply's
  // button), shown to the clicker only, even where the bot could not post an ephemeral message.
  const tell = async (text: string) => {
    await deps.respond(body.response_url, { text });
  };
  const verdict = await authorizeAdmin(deps, {
    userId,
    teamId: body.team?.id ?? undefined,
    enterpriseId: body.enterprise?.id ?? undefined,
    enterprise: body.is_enterprise_install === true,
    what: input.what,
    ...(id.success ? { migrationId: id.data } : {}),
  });
  if (!verdict.ok) {
    await tell(`Only verified admins can ${input.verb} migrations: ${verdict.reason}.`);
    return { ok: false };
  }
  if (!id.success) {
    await tell('This button is out of date.');
    return { ok: false };
  }
  return { ok: true, userId, migrationId: id.data, tell };
}

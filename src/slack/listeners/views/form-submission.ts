import type {
  App,
  SlackViewAction,
  ViewErrorsResponseAction,
  ViewOutput,
  ViewPushResponseAction,
  ViewResponseAction,
} from '@slack/bolt';
import { z } from 'zod';
import { REGION_MISMATCH_MESSAGE } from '../../../config/regions.js';
import { ackGuard } from '../../ack-budget.js';
import { needsApproval } from '../../approval/gate.js';
import { authorizeAdmin } from '../../authorize-admin.js';
import type { BotDeps } from '../../bot-deps.js';
import { type FormErrors, readForm } from '../../form.js';
import { BLOCK, CALLBACK } from '../../ids.js';
import { confirmView } from '../../views/confirm-view.js';
import { threadPlace } from '../../views/text.js';

const SLOW: ViewErrorsResponseAction = {
  response_action: 'errors',
  errors: {
    [BLOCK.v2App]:
      'Slack or our migration records are slow right now; nothing was lost, submit again in a moment',
  },
};

const formMetadataSchema = z.object({
  channel: z.string().regex(/^[CGD][A-Z0-9_]+$/),
  responseUrl: z.string().max(500).optional(),
});

/**
 * The form's submission: the admin again (a payload can be forged), then the values with zod, then what
 * is known locally — regions, live migrations, known links. No Nylas call happens here. Problems come
 * back as inline errors; a valid form is answered with the confirmation view.
 */
export function registerFormSubmission(app: App, deps: BotDeps): void {
  app.view(CALLBACK.form, async ({ ack, body, view }) => {
    // The form only reads: when its checks outlast the ack budget, nothing is lost by asking the admin
    // to submit again (the checks go on meanwhile and leave the admin cache warm for that submit).
    const guard = ackGuard<ViewResponseAction>((response) => ack(response));
    const answer = await guard.settle(checkForm(deps, body, view), SLOW);
    if (!(await guard.ack(answer)))
      deps.logger.info('form checked after its ack; the admin was asked to submit again', {
        user: body.user.id,
        answer: answer.response_action,
      });
  });
}

/** The errors to show on the form, or the confirmation view to push. */
async function checkForm(
  deps: BotDeps,
  body: SlackViewAction,
  view: ViewOutput,
): Promise<ViewErrorsResponseAction | ViewPushResponseAction> {
  const verdict = await authorizeAdmin(deps, {
    userId: body.user.id,
    teamId: body.team?.id ?? body.user.team_id,
    what: 'form.submit',
    enterpriseId: body.enterprise?.id ?? undefined,
    enterprise: body.is_enterprise_install === true,
  });
  if (!verdict.ok) {
    return { response_action: 'errors', errors: { [BLOCK.v2App]: `Not allowed: ${verdict.reason}` } };
  }
  const metadata = formMetadataSchema.safeParse(safeJson(view.private_metadata));
  if (!metadata.success) {
    return {
      response_action: 'errors',
      errors: { [BLOCK.v2App]: 'This form is out of date; close it and type /migrate again' },
    };
  }
  const read = readForm(view.state.values);
  if (!read.ok) {
    return { response_action: 'errors', errors: read.errors };
  }
  const { form } = read;
  const v2 = deps.registry.v2(form.v2AppId);
  const v3 = deps.registry.v3(form.v3AppId);
  const errors: FormErrors = {};
  if (!v2) errors[BLOCK.v2App] = 'Unknown v2 application';
  if (!v3) errors[BLOCK.v3App] = 'Unknown v3 application';
  if (v2 && v3) {
    if (v2.region !== v3.region) errors[BLOCK.v3App] = REGION_MISMATCH_MESSAGE;
    let known: [
      Awaited<ReturnType<typeof deps.records.active>>,
      Awaited<ReturnType<typeof deps.records.active>>,
      string | undefined,
    ];
    try {
      known = await Promise.all([
        deps.records.active('v2', v2.id),
        deps.records.active('v3', v3.id),
        deps.records.linkedV2For(v3.id),
      ]);
    } catch (error) {
      deps.logger.error('migration records unavailable', { error });
      return {
        response_action: 'errors',
        errors: {
          [BLOCK.v2App]:
            'Migration records are unavailable right now (Redis does not answer); try again shortly',
        },
      };
    }
    const [liveV2, liveV3, linkedTo] = known;
    // Links from the fast client (cached, ≤ 1 s): the ack stays well inside Slack's 3 s.
    const [linkV2, linkV3] = await Promise.all([
      deps.permalinks.of(liveV2?.request.slack),
      deps.permalinks.of(liveV3?.request.slack),
    ]);
    if (liveV2)
      errors[BLOCK.v2App] =
        `A migration of this v2 application is already running: ${threadPlace(linkV2, liveV2.request.slack)}`;
    if (liveV3)
      errors[BLOCK.v3App] ??=
        `A migration into this v3 application is already running: ${threadPlace(linkV3, liveV3.request.slack)}`;
    if (linkedTo && linkedTo !== v2.id) {
      errors[BLOCK.v3App] ??=
        `This v3 application is already linked to another v2 application (${linkedTo}); choose another v3 application`;
    }
  }
  if (!v2 || !v3 || Object.keys(errors).length > 0) {
    return { response_action: 'errors', errors };
  }
  const threadChannel = deps.migrateChannel ?? metadata.data.channel;
  return {
    response_action: 'push',
    view: confirmView({
      form,
      v2,
      v3,
      channel: metadata.data.channel,
      responseUrl: metadata.data.responseUrl,
      threadChannel,
      approvalWindowMs: needsApproval(deps.approval, form.environment) ? deps.approval.windowMs : undefined,
    }),
  };
}

export function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
}

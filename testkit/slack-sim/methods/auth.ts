import { type MethodSpec, ok } from './method.js';

export const authTest: MethodSpec = {
  handle(_args, { state }) {
    const { teamId, botUserId, botId, enterprise } = state.config;
    return ok({
      url: `${state.url}/`,
      team: 'Test Workspace',
      user: 'migrate-bot',
      team_id: teamId,
      user_id: botUserId,
      bot_id: botId,
      is_enterprise_install: Boolean(enterprise?.orgWideInstall),
      ...(enterprise === undefined ? {} : { enterprise_id: enterprise.id }),
    });
  },
};

import type { SimChannel, SimSlackUser } from './types.js';

export const DEFAULT_BOT_TOKEN = 'xoxb-test';
/** The app-level token (Socket Mode's `apps.connections.open`). */
export const DEFAULT_APP_TOKEN = 'xapp-test';
/** The app id Slack puts in payloads (`api_app_id`) and in Socket Mode's `hello`. */
export const DEFAULT_APP_ID = 'A_MIGRATE';
export const DEFAULT_TEAM_ID = 'T_TEST';
export const DEFAULT_BOT_USER_ID = 'U_BOT';
export const DEFAULT_BOT_ID = 'B_BOT';
export const DEFAULT_TRIGGER_TTL_MS = 3000;
/** Slack wants an envelope acknowledged within 3 s. */
export const DEFAULT_ACK_TIMEOUT_MS = 3000;

/** The scopes our manifest asks for. */
export const DEFAULT_SCOPES: readonly string[] = [
  'commands',
  'chat:write',
  'files:write',
  'users:read',
  'usergroups:read',
  'channels:read',
  'groups:read',
  'im:read',
  'mpim:read',
  'im:write',
];

/** One user per kind of account the access checks must tell apart. */
export const defaultSimUsers: readonly SimSlackUser[] = [
  { id: 'U_ADMIN', name: 'ada.admin', realName: 'Ada Admin', isAdmin: true },
  { id: 'U_OWNER', name: 'otto.owner', realName: 'Otto Owner', isAdmin: true, isOwner: true },
  {
    id: 'U_PRIMARY',
    name: 'pia.primary',
    realName: 'Pia Primary',
    isAdmin: true,
    isOwner: true,
    isPrimaryOwner: true,
  },
  { id: 'U_MEMBER', name: 'max.member', realName: 'Max Member' },
  { id: 'U_GUEST', name: 'gus.guest', realName: 'Gus Guest', isRestricted: true },
  {
    id: 'U_SINGLE_GUEST',
    name: 'sid.single',
    realName: 'Sid Single',
    isRestricted: true,
    isUltraRestricted: true,
  },
  // Still flagged admin: a check that forgets `deleted` lets a deactivated admin through.
  { id: 'U_DELETED', name: 'dora.deleted', realName: 'Dora Deleted', isAdmin: true, deleted: true },
  { id: 'U_OTHER_TEAM', teamId: 'T_OTHER', name: 'olga.other', realName: 'Olga Other', isAdmin: true },
];

export const defaultSimChannels: readonly SimChannel[] = [
  { id: 'C_GENERAL', name: 'general', botIsMember: true },
  { id: 'C_MIGRATIONS', name: 'migrations', botIsMember: true },
  { id: 'C_NO_BOT', name: 'no-bot', botIsMember: false },
  // Places the bot cannot reach and cannot be invited to: Slack says they do not exist.
  { id: 'D_ADA_MAX', name: 'dm-ada-max', botIsMember: false, isIm: true, members: ['U_ADMIN', 'U_MEMBER'] },
  {
    id: 'G_GROUP_DM',
    name: 'mpdm-ada--max--otto-1',
    botIsMember: false,
    isMpim: true,
    isPrivate: true,
    members: ['U_ADMIN', 'U_MEMBER', 'U_OWNER'],
  },
  { id: 'G_SECRET', name: 'secret', botIsMember: false, isPrivate: true, members: ['U_ADMIN', 'U_OWNER'] },
  // A private channel the bot was invited to; only its members get ephemeral messages there.
  {
    id: 'G_PRIVATE_BOT',
    name: 'private-ops',
    botIsMember: true,
    isPrivate: true,
    members: ['U_ADMIN', 'U_BOT'],
  },
];

export const defaultSimUsergroups: Readonly<Record<string, readonly string[]>> = {
  S_ADMINS: ['U_ADMIN', 'U_OWNER'],
};

import { appsConnectionsOpen } from './apps.js';
import { authTest } from './auth.js';
import { chatGetPermalink, chatPostEphemeral, chatPostMessage, chatUpdate } from './chat.js';
import { conversationsInfo, conversationsOpen } from './conversations.js';
import { filesCompleteUploadExternal, filesGetUploadURLExternal } from './files.js';
import type { MethodSpec } from './method.js';
import { usergroupsUsersList, usersInfo } from './users.js';
import { viewsOpen, viewsPublish, viewsPush, viewsUpdate } from './views.js';

/** Every Web API method the stand-in answers; anything else is `unknown_method`. */
export const methods: ReadonlyMap<string, MethodSpec> = new Map([
  ['auth.test', authTest],
  ['apps.connections.open', appsConnectionsOpen],
  ['chat.postMessage', chatPostMessage],
  ['chat.update', chatUpdate],
  ['chat.postEphemeral', chatPostEphemeral],
  ['chat.getPermalink', chatGetPermalink],
  ['conversations.open', conversationsOpen],
  ['conversations.info', conversationsInfo],
  ['users.info', usersInfo],
  ['usergroups.users.list', usergroupsUsersList],
  ['views.open', viewsOpen],
  ['views.update', viewsUpdate],
  ['views.push', viewsPush],
  ['views.publish', viewsPublish],
  ['files.getUploadURLExternal', filesGetUploadURLExternal],
  ['files.completeUploadExternal', filesCompleteUploadExternal],
]);

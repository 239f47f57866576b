import { readFile } from 'node:fs/promises';
import type { WebClient } from '@slack/web-api';
import type { ReportFallback } from '../migration/notifier.js';
import type { Logger } from '../shared/logger.js';
import { classifyUploadError } from './upload-errors.js';
import { countsLine } from './views/parent-message.js';

/**
 * The requester's DM as the place of last resort for a report its thread refuses for good. The DM's
 * file says why it is there; `explain` tells the thread, and only when the thread refuses that too
 * (the bot out of the channel, the channel archived), the DM.
 */
export function createReportFallback(deps: {
  client: Pick<WebClient, 'chat' | 'conversations' | 'filesUploadV2'>;
  logger: Logger;
}): ReportFallback {
  const { client } = deps;

  async function openDm(userId: string): Promise<string> {
    try {
      const opened = await client.conversations.open({ users: userId });
      const channel = opened.channel?.id;
      if (!channel) throw new Error('conversations.open returned no channel');
      return channel;
    } catch (error) {
      throw classifyUploadError(error);
    }
  }

  return {
    async uploadToRequester(ref, file, summary, why) {
      const channel = await openDm(ref.requestedBy);
      try {
        await client.filesUploadV2({
          channel_id: channel,
          file: await readFile(file.path),
          filename: file.filename,
          title: `Migration report ${ref.migrationId}`,
          initial_comment:
            `:page_facing_up: Report of migration ${ref.migrationId}: ${file.rows} accounts — ` +
            `${countsLine(summary.counts)}. It is here because it could not be uploaded in the ` +
            `migration's thread: ${why}.`,
        });
      } catch (error) {
        throw classifyUploadError(error);
      }
    },

    async explain(ref, text) {
      const thread = ref.slack;
      try {
        if (!thread) throw new Error('the migration has no thread');
        await client.chat.postMessage({
          channel: thread.channel,
          ...(thread.threadTs ? { thread_ts: thread.threadTs } : {}),
          text,
        });
      } catch (error) {
        deps.logger.info('the thread refuses the explanation too; telling the requester by DM', {
          migrationId: ref.migrationId,
          error,
        });
        // The thread refuses it too: the requester hears it in the DM, where the CSV is (or is not).
        await client.chat.postMessage({ channel: await openDm(ref.requestedBy), text });
      }
    },
  };
}

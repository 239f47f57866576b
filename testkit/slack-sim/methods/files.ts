import { z } from 'zod';
import { conversationId } from '../directory.js';
import type { StoredFile } from '../state.js';
import type { SimMessage } from '../types.js';
import { fail, type MethodSpec, ok, parseArgs } from './method.js';
import { blocksProblem, postableConversation, threadRoot, tsArg } from './posting.js';

/** Path of the upload URLs this server hands out; the server routes POSTs on it to `receiveUpload`. */
export const UPLOAD_PATH = '/upload/v1/';

const GetUploadUrlArgs = z.object({
  filename: z.string().min(1),
  // Form bodies carry numbers as strings. An empty file cannot be uploaded (Slack wants a size ≥ 1).
  length: z.coerce.number().int().positive(),
  alt_text: z.string().optional(),
  snippet_type: z.string().optional(),
});

export const filesGetUploadURLExternal: MethodSpec = {
  scope: 'files:write',
  handle(rawArgs, { state }) {
    const parsed = parseArgs(GetUploadUrlArgs, rawArgs);
    if (!parsed.ok) return parsed.body;
    // A workspace can forbid uploads (an admin setting); the stand-in answers the code it was given.
    if (state.config.refuseUploads) return fail(state.config.refuseUploads);
    const id = state.nextId('F');
    state.files.set(id, { id, name: parsed.data.filename, length: parsed.data.length, completed: false });
    return ok({ upload_url: `${state.url}${UPLOAD_PATH}${id}`, file_id: id });
  },
};

const CompleteArgs = z.object({
  files: z.array(z.object({ id: z.string().min(1), title: z.string().optional() })).min(1),
  channel_id: z.string().optional(),
  channels: z.string().optional(),
  thread_ts: tsArg.optional(),
  initial_comment: z.string().optional(),
  blocks: z.unknown().optional(),
});

/**
 * Shares uploaded files, as a message in the channel (or thread) carrying `initial_comment` as its
 * text, the way Slack shows a file share. A file can be completed once; a second completion, or one
 * before its bytes arrived, is `file_not_found`.
 */
export const filesCompleteUploadExternal: MethodSpec = {
  scope: 'files:write',
  handle(rawArgs, { state }) {
    const parsed = parseArgs(CompleteArgs, rawArgs);
    if (!parsed.ok) return parsed.body;
    const args = parsed.data;
    const pending: StoredFile[] = [];
    for (const { id } of args.files) {
      const file = state.files.get(id);
      if (file === undefined || file.completed || file.bytes === undefined) return fail('file_not_found');
      pending.push(file);
    }
    const blocksError = blocksProblem(args.blocks, state.config.lengthUnit);
    if (blocksError !== undefined) return blocksError;
    const target = args.channel_id ?? args.channels;
    let message: SimMessage | undefined;
    if (target !== undefined && target !== '') {
      if (target.includes(',')) return fail('invalid_channel');
      const destination = postableConversation(state, target);
      if (!destination.ok) return destination.body;
      let threadTs: string | undefined;
      if (args.thread_ts !== undefined) {
        const root = threadRoot(state, destination.value, args.thread_ts);
        if (!root.ok) return root.body;
        threadTs = root.value;
      }
      message = {
        channel: conversationId(destination.value),
        ts: state.clock.next(),
        ...(threadTs === undefined ? {} : { threadTs }),
        user: state.config.botUserId,
        text: args.initial_comment ?? '',
        ...(Array.isArray(args.blocks) ? { blocks: args.blocks } : {}),
        files: pending.map((file) => file.id),
        edits: 0,
        missingTextFallback: false,
      };
      state.messages.push(message);
    }
    const titles = new Map(args.files.map((file) => [file.id, file.title]));
    for (const file of pending) {
      file.completed = true;
      file.title = titles.get(file.id) ?? file.name;
      if (args.initial_comment !== undefined) file.initialComment = args.initial_comment;
      if (message !== undefined) {
        file.channel = message.channel;
        file.messageTs = message.ts;
        if (message.threadTs !== undefined) file.threadTs = message.threadTs;
      }
    }
    return ok({
      files: pending.map((file) => ({
        id: file.id,
        name: file.name,
        title: file.title,
        size: file.bytes?.length ?? 0,
        user: state.config.botUserId,
        ...(message === undefined ? {} : { channels: [message.channel] }),
      })),
    });
  },
};

/** Stores the bytes POSTed to an upload URL; false when the URL names no pending upload. */
export function receiveUpload(file: StoredFile | undefined, bytes: Buffer): boolean {
  if (file === undefined || file.completed) return false;
  file.bytes = bytes;
  return true;
}

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type SlackSim, startSlackSim } from '../../testkit/slack-sim/index.js';
import { simClient, slackError } from './slack-client.js';

let sim: SlackSim;

beforeAll(async () => {
  sim = await startSlackSim();
});
afterEach(() => sim.reset());
afterAll(() => sim.close());

/** Every byte value, so an encoding slip (UTF-8, base64, newline) shows. */
const binary = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));

describe('files.uploadV2 through the real WebClient', () => {
  it('attaches the exact bytes to the thread, with the initial comment', async () => {
    const client = simClient(sim);
    const parent = await client.chat.postMessage({ channel: 'C_MIGRATIONS', text: 'Migration of app-1' });
    const threadTs = parent.ts as string;

    const result = await client.filesUploadV2({
      channel_id: 'C_MIGRATIONS',
      thread_ts: threadTs,
      filename: 'report.bin',
      file: binary,
      initial_comment: 'Final report',
    });
    expect(result.ok).toBe(true);

    const files = sim.files('C_MIGRATIONS', threadTs);
    expect(files).toHaveLength(1);
    const [file] = files;
    expect(file).toMatchObject({
      name: 'report.bin',
      title: 'report.bin',
      channel: 'C_MIGRATIONS',
      threadTs,
      initialComment: 'Final report',
      length: binary.length,
    });
    expect(file?.bytes.equals(binary)).toBe(true);

    // The share shows up in the thread as a message carrying the comment, as in Slack.
    const replies = sim.thread('C_MIGRATIONS', threadTs);
    expect(replies.map((m) => [m.text, m.files])).toEqual([['Final report', [file?.id]]]);
    expect(sim.messages('C_MIGRATIONS')).toHaveLength(1);
  });

  it('shows the three steps WebClient takes, and how it sends the bytes', async () => {
    const client = simClient(sim);
    await client.filesUploadV2({
      channel_id: 'C_GENERAL',
      filename: 'apps.csv',
      title: 'Apps',
      content: 'id,name\n1,ünïcode\n',
    });
    expect(sim.calls().map((c) => c.method)).toEqual([
      'files.getUploadURLExternal',
      'upload',
      'files.completeUploadExternal',
    ]);
    const [getUrl, upload, complete] = sim.calls();
    expect(getUrl?.args).toEqual({
      filename: 'apps.csv',
      length: String(Buffer.byteLength('id,name\n1,ünïcode\n')),
    });
    // multipart/form-data, one part: field `body`, filename `Untitled` (WebClient's default name).
    expect(upload?.args).toMatchObject({ field: 'body', filename: 'Untitled', length: 20 });
    expect(upload?.token).toBe(sim.botToken);
    expect(String(upload?.args.content_type)).toMatch(/^multipart\/form-data; boundary=/);
    expect(complete?.args).toEqual({
      files: [{ id: expect.any(String), title: 'Apps' }],
      channel_id: 'C_GENERAL',
    });
    const [file] = sim.files('C_GENERAL');
    expect(file).toMatchObject({ title: 'Apps', text: 'id,name\n1,ünïcode\n' });
    expect(file?.threadTs).toBeUndefined();
  });

  it('refuses to share into a channel the bot is not in, and shares nothing', async () => {
    const client = simClient(sim);
    const error = await slackError(
      client.filesUploadV2({ channel_id: 'C_NO_BOT', filename: 'r.txt', content: 'x' }),
    );
    expect(error).toBe('not_in_channel');
    expect(sim.files()).toEqual([]);
    expect(
      await slackError(
        client.filesUploadV2({
          channel_id: 'C_GENERAL',
          thread_ts: '1.000100',
          filename: 'r.txt',
          content: 'x',
        }),
      ),
    ).toBe('thread_not_found');
  });

  it('refuses to complete a file whose bytes never arrived, or twice', async () => {
    const client = simClient(sim);
    const { file_id: fileId, upload_url: uploadUrl } = await client.files.getUploadURLExternal({
      filename: 'a.txt',
      length: 3,
    });
    expect(uploadUrl).toBe(`${sim.url}/upload/v1/${fileId}`);
    const complete = () =>
      client.files.completeUploadExternal({ files: [{ id: fileId as string }], channel_id: 'C_GENERAL' });
    expect(await slackError(complete())).toBe('file_not_found');
    // A raw body (not multipart) is taken as the file's bytes.
    const res = await fetch(uploadUrl as string, { method: 'POST', body: 'abc' });
    expect(res.status).toBe(200);
    await complete();
    expect(await slackError(complete())).toBe('file_not_found');
    expect(sim.files('C_GENERAL').map((f) => f.text)).toEqual(['abc']);
    const unknown = await fetch(`${sim.url}/upload/v1/F_NOPE`, { method: 'POST', body: 'x' });
    expect(unknown.status).toBe(404);
  });
});

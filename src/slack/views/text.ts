import type { KnownBlock } from '@slack/types';

/** Slack's mrkdwn needs &, < and > escaped in text that came from people or apps. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts text to Slack's limits, saying so. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export const plain = (text: string, max = 75) => ({
  type: 'plain_text' as const,
  text: truncate(text, max),
  emoji: true,
});
export const mrkdwn = (text: string) => ({ type: 'mrkdwn' as const, text: truncate(text, 3000) });

export const section = (text: string, blockId?: string): KnownBlock => ({
  type: 'section',
  text: mrkdwn(text),
  ...(blockId ? { block_id: blockId } : {}),
});

export const context = (text: string): KnownBlock => ({ type: 'context', elements: [mrkdwn(text)] });

/** The URL of a thread's parent message; it works in any workspace (Slack redirects it). */
export function threadUrl(slack: { channel: string; threadTs?: string | undefined } | undefined): string {
  return slack?.threadTs
    ? `https://slack.com/archives/${slack.channel}/p${slack.threadTs.replace('.', '')}`
    : 'its thread is being created';
}

/** The same, as a mrkdwn link. */
export function threadLink(channel: string, ts: string, label = 'thread'): string {
  return `<${threadUrl({ channel, threadTs: ts })}|${label}>`;
}

/** `▓▓▓▓▓░░░░░ 50%` */
export function progressBar(done: number, total: number, width = 20): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(fraction * width);
  return `${'▓'.repeat(filled)}${'░'.repeat(width - filled)} ${Math.floor(fraction * 100)}%`;
}

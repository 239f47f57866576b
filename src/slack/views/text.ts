import type { KnownBlock } from '@slack/types';

/** Slack's mrkdwn needs &, < and > escaped in text that came from people or apps. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Cuts text to one of Slack's limits, saying so with "…". Slack does not say whether its "characters"
 * are code points or UTF-16 units, so the result fits both readings: it is at most `max` UTF-16 units
 * (hence at most `max` code points), and it is cut between code points, never inside a surrogate pair.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let kept = '';
  for (const codePoint of text) {
    if (kept.length + codePoint.length > max - 1) break;
    kept += codePoint;
  }
  return `${kept}…`;
}

/**
 * The same for mrkdwn: a cut must not leave half an escape (`&am`) or half a link or mention (`<http…`),
 * which Slack would show as garbage or refuse to render.
 */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = truncate(text, max).slice(0, -1);
  return `${cut.replace(/&[a-z]{0,4}$/, '').replace(/<[^<>]*$/, '')}…`;
}

/** Slack's ceiling for a message's `text` (the fallback of its blocks). */
export const MESSAGE_TEXT_MAX = 40_000;

/** A message's mrkdwn `text`, cut to Slack's ceiling (a Nylas error can be any length). */
export const messageText = (text: string) => truncateMrkdwn(text, MESSAGE_TEXT_MAX);

export const plain = (text: string, max = 75) => ({
  type: 'plain_text' as const,
  text: truncate(text, max),
  emoji: true,
});
export const mrkdwn = (text: string) => ({ type: 'mrkdwn' as const, text: truncateMrkdwn(text, 3000) });

export const section = (text: string, blockId?: string): KnownBlock => ({
  type: 'section',
  text: mrkdwn(text),
  ...(blockId ? { block_id: blockId } : {}),
});

export const context = (text: string): KnownBlock => ({ type: 'context', elements: [mrkdwn(text)] });

/**
 * Where a thread is, in plain text (inline form errors): its permalink (from chat.getPermalink), or
 * words when Slack gave none.
 */
export function threadPlace(
  permalink: string | undefined,
  slack: { channel: string; threadTs?: string | undefined } | undefined,
): string {
  if (permalink) return permalink;
  return slack?.threadTs ? 'see its thread in the migrations channel' : 'its thread is being created';
}

/** The same as a mrkdwn link, or the bare label when Slack gave no permalink (the caller names the channel). */
export function threadLink(permalink: string | undefined, label = 'thread'): string {
  return permalink ? `<${permalink}|${label}>` : label;
}

/** `▓▓▓▓▓░░░░░ 50%` */
export function progressBar(done: number, total: number, width = 20): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(fraction * width);
  return `${'▓'.repeat(filled)}${'░'.repeat(width - filled)} ${Math.floor(fraction * 100)}%`;
}

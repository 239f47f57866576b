import type { Reach } from '../channel-reach.js';

/**
 * What to do when the thread's channel is out of the bot's reach, said before any form is shown.
 * `configured` is true when the channel is MIGRATE_CHANNEL (the admin cannot fix that by moving).
 */
export function unreachableAdvice(
  reach: Exclude<Reach, 'reachable' | 'unknown'>,
  channel: string,
  configured: boolean,
): string {
  const nothing = 'Nothing was opened or started.';
  const elsewhere =
    'or ask whoever runs the bot to set MIGRATE_CHANNEL (all migration threads then go there)';
  if (configured) {
    const why =
      reach === 'archived'
        ? 'is archived'
        : reach === 'not_member'
          ? 'does not have me as a member'
          : 'is a private channel I am not in (or does not exist)';
    const fix =
      reach === 'not_member' || reach === 'hidden'
        ? `Invite me there (\`/invite @migrate-bot\` in <#${channel}>), or ask whoever runs the bot to change MIGRATE_CHANNEL.`
        : 'Ask whoever runs the bot to set MIGRATE_CHANNEL to a channel I am in.';
    return `Migration threads go to <#${channel}> (MIGRATE_CHANNEL), which ${why}. ${fix} ${nothing}`;
  }
  switch (reach) {
    case 'not_member':
      return `I'm not a member of this channel, so I can't post the migration thread here. Type \`/invite @migrate-bot\` here, then \`/migrate\` again — or run \`/migrate\` in a channel I'm in, ${elsewhere}. ${nothing}`;
    case 'archived':
      return `This channel is archived, so I can't post the migration thread here. Run \`/migrate\` in a channel I'm in, ${elsewhere}. ${nothing}`;
    case 'hidden':
      return `I can't post here: this is a direct message between people, a group DM, or a private channel I'm not in (apps cannot join DMs). Run \`/migrate\` in a channel I'm in — for a private channel, invite me first with \`/invite @migrate-bot\` — ${elsewhere}. ${nothing}`;
  }
}

import type { SimChannel, SimSlackUser } from './types.js';

/** Where a message can go: a channel, or the DM between the bot and one user. */
export type Conversation =
  | { kind: 'channel'; channel: SimChannel }
  | { kind: 'im'; id: string; user: SimSlackUser };

export interface DirectorySeed {
  users: readonly SimSlackUser[];
  channels: readonly SimChannel[];
  usergroups: Readonly<Record<string, readonly string[]>>;
}

const DM_PREFIX = 'D_';

/** The workspace's people, channels and user groups. */
export class Directory {
  private users = new Map<string, SimSlackUser>();
  private channels = new Map<string, SimChannel>();
  private usergroups = new Map<string, string[]>();

  constructor(private readonly seed: DirectorySeed) {
    this.reset();
  }

  reset(): void {
    this.users = new Map(this.seed.users.map((user) => [user.id, { ...user }]));
    this.channels = new Map(this.seed.channels.map((channel) => [channel.id, { ...channel }]));
    this.usergroups = new Map(
      Object.entries(this.seed.usergroups).map(([id, members]) => [id, [...members]]),
    );
  }

  user(id: string): SimSlackUser | undefined {
    return this.users.get(id);
  }

  upsertUser(user: SimSlackUser): void {
    this.users.set(user.id, { ...user });
  }

  upsertChannel(channel: SimChannel): void {
    this.channels.set(channel.id, { ...channel });
  }

  usergroup(id: string): readonly string[] | undefined {
    return this.usergroups.get(id);
  }

  setUsergroup(id: string, members: readonly string[]): void {
    this.usergroups.set(id, [...members]);
  }

  removeUsergroup(id: string): void {
    this.usergroups.delete(id);
  }

  /** The DM channel id between the bot and a user; stable, so tests can predict it. */
  dmChannelFor(userId: string): string {
    return `${DM_PREFIX}${userId}`;
  }

  /**
   * Resolves what chat methods accept as `channel`: a channel id, `#name` or name, a DM id, or a
   * user id (Slack posts those to the bot's DM with the user).
   */
  resolve(target: string): Conversation | undefined {
    const byId = this.channels.get(target);
    if (byId !== undefined) return { kind: 'channel', channel: byId };
    const name = target.startsWith('#') ? target.slice(1) : target;
    for (const channel of this.channels.values()) {
      if (channel.name === name) return { kind: 'channel', channel };
    }
    const userId = target.startsWith(DM_PREFIX) ? target.slice(DM_PREFIX.length) : target;
    const user = this.users.get(userId);
    if (user !== undefined) return { kind: 'im', id: this.dmChannelFor(user.id), user };
    return undefined;
  }
}

/**
 * Conversations the bot cannot see at all: private channels, DMs between people and group DMs it is
 * not in. Slack answers `channel_not_found` for them, never `not_in_channel`.
 */
export function hiddenFromBot(conversation: Conversation): boolean {
  if (conversation.kind === 'im') return false;
  const { channel } = conversation;
  return !channel.botIsMember && Boolean(channel.isPrivate || channel.isIm || channel.isMpim);
}

/** Is this user in the conversation? (The bot's DM with a user holds that user.) */
export function hasMember(conversation: Conversation, userId: string): boolean {
  if (conversation.kind === 'im') return conversation.user.id === userId;
  return conversation.channel.members === undefined || conversation.channel.members.includes(userId);
}

/** The conversation's id as Slack reports it back (`channel` in responses). */
export function conversationId(conversation: Conversation): string {
  return conversation.kind === 'channel' ? conversation.channel.id : conversation.id;
}

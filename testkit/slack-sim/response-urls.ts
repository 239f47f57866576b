import { randomBytes } from 'node:crypto';
import { textLength, validateMessageBlocks } from './block-kit.js';
import type { SimState } from './state.js';
import type { ResponseUrlTarget, SimResponse } from './types.js';

/** Path of the response URLs this server hands out. */
export const RESPONSE_PATH = '/hooks/respond/';

/** Slack's documented limits: a response URL works 5 times within 30 minutes. */
const MAX_USES = 5;
const TTL_MS = 30 * 60 * 1000;
const MAX_TEXT = 40_000;

interface Answer {
  status: number;
  text: string;
}

interface Issued extends ResponseUrlTarget {
  issuedAt: number;
  uses: number;
}

/**
 * Response URLs as Slack treats them: tied to where the user was, so they work in places the bot
 * cannot post to (a DM between people, a private channel without the bot); limited in uses and time.
 */
export class ResponseUrls {
  private readonly issued = new Map<string, Issued>();
  readonly received: SimResponse[] = [];

  issue(baseUrl: string, target: ResponseUrlTarget, ageMs = 0): string {
    const id = randomBytes(12).toString('hex');
    this.issued.set(id, { ...target, issuedAt: Date.now() - ageMs, uses: 0 });
    return `${baseUrl}${RESPONSE_PATH}${id}`;
  }

  clear(): void {
    this.issued.clear();
    this.received.length = 0;
  }

  /** Handles a POST to a response URL (JSON, as Slack wants it); the HTTP status and text to answer. */
  receive(state: SimState, id: string, url: string, raw: Buffer): Answer {
    const target = this.issued.get(id);
    const answer = (status: number, text: string): Answer => ({ status, text });
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(raw.toString('utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('not an object');
      body = parsed as Record<string, unknown>;
    } catch {
      return answer(400, 'invalid_payload');
    }
    if (target === undefined) return answer(404, 'no_service');
    const record = (outcome: SimResponse['outcome'], error?: string) => {
      const { issuedAt: _issued, uses: _uses, ...where } = target;
      this.received.push({ ...where, url, body, outcome, ...(error ? { error } : {}), at: Date.now() });
    };
    const refuse = (status: number, error: string): Answer => {
      record('refused', error);
      return answer(status, error);
    };
    if (Date.now() - target.issuedAt > TTL_MS) return refuse(404, 'expired_url');
    if (target.uses >= MAX_USES) return refuse(404, 'used_url');
    const text = typeof body.text === 'string' ? body.text : '';
    if (text === '' && !Array.isArray(body.blocks) && body.delete_original !== true)
      return refuse(400, 'no_text');
    if (textLength(text, state.config.lengthUnit) > MAX_TEXT) return refuse(400, 'msg_too_long');
    if (
      body.blocks !== undefined &&
      validateMessageBlocks(body.blocks, { lengthUnit: state.config.lengthUnit }).length > 0
    )
      return refuse(400, 'invalid_blocks');
    target.uses += 1;
    const message =
      target.messageTs === undefined ? undefined : state.findMessage(target.channel, target.messageTs);
    if (body.delete_original === true && message !== undefined) {
      state.messages.splice(state.messages.indexOf(message), 1);
      record('deleted');
      return answer(200, 'ok');
    }
    // On a message, Slack's behaviour when `replace_original` is left out is not documented one way:
    // the stand-in plays the harsher reading (the original is replaced), so the bot must say `false`.
    if (message !== undefined && body.replace_original !== false) {
      message.text = text;
      if (Array.isArray(body.blocks)) message.blocks = body.blocks;
      else delete message.blocks;
      message.edits += 1;
      record('replaced');
      return answer(200, 'ok');
    }
    record(body.response_type === 'in_channel' ? 'in_channel' : 'ephemeral');
    return answer(200, 'ok');
  }
}

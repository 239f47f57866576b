import type { z } from 'zod';
import type { SimState } from '../state.js';

/** A JSON body as Slack answers: `{ ok: true, … }` or `{ ok: false, error, … }`. */
export type SlackBody =
  | { ok: true; [key: string]: unknown }
  | { ok: false; error: string; [key: string]: unknown };

export interface MethodContext {
  state: SimState;
  /** Flag something Slack accepts but a test may want to see (recorded on the call). */
  warn(code: string): void;
}

export interface MethodSpec {
  /** The bot scope Slack requires for the method. */
  scope?: string;
  /**
   * The kind of token the method takes: the bot token (the default) or the app-level token
   * (`apps.connections.open`). The other kind is refused with `not_allowed_token_type`, as on Slack.
   */
  token?: 'bot' | 'app';
  handle(args: Record<string, unknown>, context: MethodContext): SlackBody;
}

export function ok(fields: Record<string, unknown> = {}): SlackBody {
  return { ok: true, ...fields };
}

export function fail(error: string, fields: Record<string, unknown> = {}): SlackBody {
  return { ok: false, error, ...fields };
}

/** Slack's answer to a malformed argument list: the reasons ride in `response_metadata.messages`. */
export function invalidArguments(messages: string[]): SlackBody {
  return fail('invalid_arguments', { response_metadata: { messages } });
}

/** Parses a method's arguments with zod; `invalid_arguments` naming each bad field otherwise. */
export function parseArgs<T extends z.ZodType>(
  schema: T,
  args: Record<string, unknown>,
): { ok: true; data: z.output<T> } | { ok: false; body: SlackBody } {
  const parsed = schema.safeParse(args);
  if (parsed.success) return { ok: true, data: parsed.data };
  const messages = parsed.error.issues.map((issue) => {
    const field = issue.path.map(String).join('.');
    const [top] = issue.path;
    const missing =
      issue.code === 'invalid_type' && issue.path.length === 1 && args[String(top)] === undefined;
    const reason = missing ? 'missing required field' : issue.message;
    return `[ERROR] ${reason}: ${field} [json-pointer:/${issue.path.map(String).join('/')}]`;
  });
  return { ok: false, body: invalidArguments(messages) };
}

/** Slack's answer when the token lacks the scope a method (or this use of it) needs. */
export function missingScope(granted: readonly string[], needed: string): SlackBody | undefined {
  if (granted.includes(needed)) return undefined;
  return fail('missing_scope', { needed, provided: granted.join(',') });
}

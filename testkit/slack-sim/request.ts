import type { IncomingMessage } from 'node:http';

/** Refuse bodies past this size rather than buffer them without end. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * Arguments WebClient JSON-encodes when it form-encodes a call (it stringifies every value that is
 * not a string, number, boolean or Buffer). Decoded so handlers and recordings see objects.
 */
const JSON_ENCODED_ARGS = new Set(['blocks', 'attachments', 'view', 'files', 'metadata', 'file_uploads']);

export class BodyTooLargeError extends Error {
  readonly code = 'slack_sim_body_too_large';
}

export class InvalidJsonError extends Error {
  readonly code = 'slack_sim_invalid_json';
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError(`request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Multipart parsing by the platform's own fetch implementation (undici), as a real server would. */
async function parseMultipart(body: Buffer, contentType: string): Promise<FormData> {
  return new Response(body, { headers: { 'content-type': contentType } }).formData();
}

function decodeJsonArgs(args: Record<string, unknown>): Record<string, unknown> {
  const decoded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) {
    if (JSON_ENCODED_ARGS.has(key) && typeof value === 'string') {
      try {
        decoded[key] = JSON.parse(value);
      } catch {
        // Left as the string it came as: the handler refuses it the way Slack does (e.g. invalid_blocks_format).
        decoded[key] = value;
      }
    } else {
      decoded[key] = value;
    }
  }
  return decoded;
}

/**
 * A Web API call's arguments, from the query string and the body: form-urlencoded (WebClient's
 * usual encoding), JSON, or multipart (WebClient's encoding when an argument is a Buffer; file
 * parts become Buffers).
 */
export async function parseApiArgs(
  body: Buffer,
  contentType: string | undefined,
  query: URLSearchParams,
): Promise<Record<string, unknown>> {
  const args: Record<string, unknown> = Object.fromEntries(query);
  const type = mediaType(contentType);
  if (body.length > 0) {
    if (type === 'application/json') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch (error) {
        throw new InvalidJsonError('request body is not JSON', { cause: error });
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new InvalidJsonError('request body is not a JSON object');
      }
      Object.assign(args, parsed);
    } else if (type === 'multipart/form-data') {
      const form = await parseMultipart(body, contentType ?? '');
      for (const [key, value] of form) {
        args[key] = typeof value === 'string' ? value : Buffer.from(await value.arrayBuffer());
      }
    } else {
      Object.assign(args, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
    }
  }
  return decodeJsonArgs(args);
}

export interface UploadBody {
  bytes: Buffer;
  /** For multipart bodies: the form field and filename of the part taken. */
  field?: string;
  filename?: string;
}

/**
 * The bytes of a POST to an upload URL. WebClient sends multipart/form-data with one file part
 * (field `body`, filename `Untitled`); a raw body (curl --data-binary) is taken as it is.
 */
export async function parseUploadBody(body: Buffer, contentType: string | undefined): Promise<UploadBody> {
  if (mediaType(contentType) !== 'multipart/form-data') return { bytes: body };
  const form = await parseMultipart(body, contentType ?? '');
  for (const [field, value] of form) {
    if (typeof value !== 'string') {
      return { bytes: Buffer.from(await value.arrayBuffer()), field, filename: value.name };
    }
  }
  // A form without a file part: its first field's text is taken as the bytes of a text file.
  for (const [field, value] of form) {
    if (typeof value === 'string') return { bytes: Buffer.from(value, 'utf8'), field };
  }
  return { bytes: Buffer.alloc(0) };
}

/** The token a request carries: `Authorization: Bearer …` first, else the `token` argument. */
export function requestToken(
  authorization: string | undefined,
  args: Record<string, unknown>,
): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (match?.[1] !== undefined) return match[1];
  return typeof args.token === 'string' && args.token !== '' ? args.token : undefined;
}

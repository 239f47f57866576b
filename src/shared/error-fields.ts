/**
 * An error as log fields: name, message, its own primitive properties (a NylasError's status, type,
 * request id, method, path, attempts…; a Node error's code) and its cause chain, each cause the same
 * way. Duck-typed on purpose: shared/ must not import the layers that define the errors. Object-valued
 * properties (a provider's raw error, a Slack response body) are left out: they may carry account data.
 */
export interface ErrorFields {
  name: string;
  message: string;
  stack?: string;
  cause?: ErrorFields | { value: string };
  [property: string]: unknown;
}

/** Causes deeper than this are cut (a chain that long is a loop or a bug). */
const MAX_CAUSES = 8;

export function errorFields(error: Error, withStack: boolean, seen = new Set<unknown>()): ErrorFields {
  seen.add(error);
  const fields: ErrorFields = { name: error.name, message: error.message };
  for (const [key, value] of Object.entries(error)) {
    if (key === 'cause' || key === 'name' || key === 'message' || key === 'stack') continue;
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) fields[key] = value;
  }
  if (withStack && error.stack) fields.stack = error.stack;
  const cause = error.cause;
  if (cause === undefined || seen.has(cause) || seen.size > MAX_CAUSES) return fields;
  fields.cause =
    cause instanceof Error ? errorFields(cause, withStack, seen) : { value: String(cause).slice(0, 500) };
  return fields;
}

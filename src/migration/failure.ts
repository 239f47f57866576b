import { NylasError } from '../nylas/errors.js';
import type { MigrationStep } from './progress.js';

/** A run that cannot go on, with a reason a person can act on. Expected, so it carries a code. */
export class MigrationFailure extends Error {
  readonly code = 'migration_failed';

  constructor(
    readonly step: MigrationStep,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
    this.name = 'MigrationFailure';
  }
}

/** Plain words for a Nylas failure of an app-level call. */
export function describeNylasFailure(error: NylasError, what: string): string {
  if (error.status === 401 || error.status === 403)
    return `${what}: Nylas rejected the credentials (${error.summary()})`;
  if (error.kind === 'timeout')
    return `${what}: Nylas did not answer in time after ${error.attempts} attempts`;
  if (error.kind === 'network')
    return `${what}: Nylas could not be reached (${error.message}) after ${error.attempts} attempts`;
  return `${what}: ${error.summary()}`;
}

/** App-level auth failures during cloning stop the run: every other account would fail the same way. */
export function isRunFatal(error: unknown): boolean {
  return error instanceof NylasError && (error.status === 401 || error.status === 403);
}

/**
 * The worker is shutting down: the run stopped between accounts with nothing in flight, and should be
 * handed back to the queue to resume elsewhere. Not a failure of the migration.
 */
export class RunInterrupted extends Error {
  readonly code = 'run_interrupted';

  constructor() {
    super('the worker is shutting down; the run will resume on another worker');
    this.name = 'RunInterrupted';
  }
}

/** Provider-side errors that say "try again": no grant was made, so cloning again is safe. */
const TRANSIENT_PROVIDER_ERRORS = new Set(['temporarily_unavailable', 'server_error', 'rate_limit_exceeded']);

/**
 * A refusal that is worth another attempt within the run: the provider behind Nylas said it is
 * temporarily unavailable (Nylas answers 4xx with a `provider_error`). Not ambiguous: nothing was created.
 */
export function isTransientProviderError(error: NylasError): boolean {
  const providerError = error.providerError as { error?: unknown } | undefined;
  return (
    error.kind === 'api' &&
    typeof providerError?.error === 'string' &&
    TRANSIENT_PROVIDER_ERRORS.has(providerError.error)
  );
}

/**
 * Runs one app-level Nylas call of a step: Nylas's refusals become a {@link MigrationFailure} with plain
 * words; anything else (a lost lease, an abort, Redis) is not the migration's fault and is rethrown
 * untouched, for the queue to retry.
 */
export async function nylasCall<T>(step: MigrationStep, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof NylasError)) throw error;
    throw new MigrationFailure(step, describeNylasFailure(error, what), { cause: error });
  }
}

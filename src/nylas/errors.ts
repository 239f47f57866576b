/** How a Nylas call failed: Nylas answered with an error, it did not answer in time, or not at all. */
export type NylasErrorKind = 'api' | 'timeout' | 'network' | 'invalid_response';

export interface NylasErrorDetails {
  kind: NylasErrorKind;
  /** Nylas's `error.type` (v3) or `type` (v2) when Nylas answered; else `timeout`, `network_error`, `invalid_response`. */
  type: string;
  message: string;
  status?: number | undefined;
  requestId?: string | undefined;
  providerError?: unknown;
  /** Another attempt could succeed (rate limit, 5xx, timeout, network). */
  retryable: boolean;
  /**
   * The server may have acted on the request even though we got no success answer (a timeout, a
   * reset connection, a 5xx). For a non-idempotent call like a clone, the caller must look before
   * it tries again.
   */
  ambiguous: boolean;
  /** Seconds the server asked us to wait (Retry-After, or v2's X-RateLimit-Reset), when it said. */
  retryAfterSeconds?: number | undefined;
  attempts: number;
  method: string;
  /** The path only: never the query string or headers, which may identify accounts or carry secrets. */
  path: string;
  cause?: unknown;
}

/** Every failed Nylas call surfaces as this one error type, carrying what the report and logs need. */
export class NylasError extends Error {
  readonly code = 'nylas_error';
  readonly kind: NylasErrorKind;
  readonly type: string;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  readonly providerError: unknown;
  readonly retryable: boolean;
  readonly ambiguous: boolean;
  readonly retryAfterSeconds: number | undefined;
  readonly attempts: number;
  readonly method: string;
  readonly path: string;

  constructor(details: NylasErrorDetails) {
    super(details.message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'NylasError';
    this.kind = details.kind;
    this.type = details.type;
    this.status = details.status;
    this.requestId = details.requestId;
    this.providerError = details.providerError;
    this.retryable = details.retryable;
    this.ambiguous = details.ambiguous;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.attempts = details.attempts;
    this.method = details.method;
    this.path = details.path;
  }

  /** A copy with a different attempt count (the core fills it in when it gives up). */
  withAttempts(attempts: number): NylasError {
    return new NylasError({ ...this.details(), attempts });
  }

  details(): NylasErrorDetails {
    return {
      kind: this.kind,
      type: this.type,
      message: this.message,
      status: this.status,
      requestId: this.requestId,
      providerError: this.providerError,
      retryable: this.retryable,
      ambiguous: this.ambiguous,
      retryAfterSeconds: this.retryAfterSeconds,
      attempts: this.attempts,
      method: this.method,
      path: this.path,
      cause: this.cause,
    };
  }

  /** One line for logs and thread messages: `400 invalid_request_error: message (request abc)`. */
  summary(): string {
    const status = this.status === undefined ? '' : `${this.status} `;
    const request = this.requestId ? ` (request ${this.requestId})` : '';
    return `${status}${this.type}: ${this.message}${request}`;
  }
}

export function isNylasError(error: unknown): error is NylasError {
  return error instanceof NylasError;
}

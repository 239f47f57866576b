import { inspect } from 'node:util';

const REDACTED = '[secret]';

/**
 * A secret value that cannot leak by accident: printing, logging, JSON-serialising or string
 * interpolation all show `[secret]`. Only `reveal()` gives the value, at the one place that sends it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/**
 * A configuration mistake found at start-up. Its message is one line that names the variable, or
 * the file and field, and never contains a secret; the entry point prints it and exits with 2.
 */
export class ConfigError extends Error {
  readonly code = 'config_error';
}

/** Exit code for configuration mistakes, distinct from crashes (1). */
export const CONFIG_ERROR_EXIT_CODE = 2;

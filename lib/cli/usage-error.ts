/** A mistake in how the command was called (exit 2); the message names the culprit and the fix. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit codes: the contract scripts and CI rely on. */
export const EXIT = {
  /** The run completed, findings or not. */
  ok: 0,
  /** Unexpected crash. */
  crash: 1,
  /** Usage or config error, or a missing input path. */
  usage: 2,
  /** `--fail-on` was met. */
  failOn: 3,
} as const;

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

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * A failure trailguard expected and can explain: a bad option or config, a query that cannot run, a state
 * table or alert sink that cannot be used. The CLI prints {@link explain} after `trailguard: ` and exits
 * with {@link exitCode}, in one place (lib/cli/main.ts); anything else is a crash (exit 1, with its stack).
 */
export abstract class TrailguardError extends Error {
  constructor(
    message: string,
    /** What the CLI exits with: usually {@link EXIT.usage}. */
    readonly exitCode: ExitCode,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  /** What to tell the person, safe for a terminal: the message, unless the error has more to say. */
  explain(): string {
    return this.message;
  }
}

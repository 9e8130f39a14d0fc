import { EXIT, TrailguardError } from '../errors.ts';

/** A mistake in how the command was called (exit 2); the message names the culprit and the fix. */
export class UsageError extends TrailguardError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, EXIT.usage, options);
    this.name = 'UsageError';
  }
}

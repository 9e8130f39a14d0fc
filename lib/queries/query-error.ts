import { EXIT, TrailguardError } from '../errors.ts';
import { terminalSafe } from '../output/terminal-safe.ts';

/**
 * A query that cannot run or finish: bad input (`usage`, exit 2) such as an access key id with a quote in
 * it or a finding id that is not in the logs, or a Logs Insights query that failed or timed out (exit 1).
 * The message is for people and names the culprit.
 */
export class QueryError extends TrailguardError {
  constructor(
    message: string,
    readonly usage = false,
  ) {
    super(message, usage ? EXIT.usage : EXIT.crash);
    this.name = 'QueryError';
  }

  /** Query messages quote what was asked for (ARNs, key ids, log group names) as given. */
  override explain(): string {
    return terminalSafe(this.message);
  }
}

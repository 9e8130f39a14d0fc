/**
 * A query that cannot run or finish: bad input (`usage`, exit 2) such as an access key id with a quote in
 * it or a finding id that is not in the logs, or a Logs Insights query that failed or timed out (exit 1).
 * The message is for people and names the culprit.
 */
export class QueryError extends Error {
  constructor(
    message: string,
    readonly usage = false,
  ) {
    super(message);
    this.name = 'QueryError';
  }
}

import { Logger } from '@aws-lambda-powertools/logger';

/** The part of Powertools' Logger the handlers use; tests pass a real Logger writing elsewhere. */
export type RuntimeLogger = Pick<
  Logger,
  'debug' | 'info' | 'warn' | 'error' | 'addContext' | 'appendKeys' | 'removeKeys'
>;

/** The service name on every log line (`service` in Powertools' JSON). */
export const SERVICE_NAME = 'trailguard';

/** Structured JSON lines at the function's application log level (Lambda sets AWS_LAMBDA_LOG_LEVEL; default INFO). */
export function createLogger(): Logger {
  return new Logger({ serviceName: SERVICE_NAME });
}

/**
 * Adapts the alerting code's log lines (`{ level, msg, ...fields }`) to the logger, so give-ups and
 * outbox trouble land in the same JSON stream with their finding ids.
 */
export function alertLogLine(logger: RuntimeLogger): (line: Record<string, unknown>) => void {
  return ({ level, msg, ...fields }) => {
    const message = typeof msg === 'string' ? msg : 'alerting';
    if (level === 'error') logger.error(message, fields);
    else if (level === 'warn') logger.warn(message, fields);
    else logger.info(message, fields);
  };
}

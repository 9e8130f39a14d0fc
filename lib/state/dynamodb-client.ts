import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

/**
 * The DynamoDB client every part of trailguard uses (state, outbox, findings history, create-table):
 * region, credentials and `AWS_ENDPOINT_URL_DYNAMODB` from the standard chain, plus the two things the
 * SDK defaults get wrong for a Lambda on an event stream.
 *
 * - A timeout per attempt. Without one a hung connection waits for the SDK's 5-minute socket default,
 *   past the Lambda's own timeout, and the whole batch is lost to a timeout instead of one retried
 *   request. DynamoDB answers in milliseconds; an attempt still open after 5 s is hung, and the SDK
 *   retries it (TimeoutError is transient). `throwOnRequestTimeout` is needed: without it the SDK only
 *   logs a warning when `requestTimeout` passes.
 * - More attempts under throttling. The SDK's standard mode gives DynamoDB 4 attempts; at a sustained 30%
 *   throttling rate that fails about one request in 120 and with it the whole batch. 8 attempts (backoff
 *   with full jitter from 1 s for throttling, 50 ms otherwise, capped at 20 s) fail one in 15,000. The
 *   standard `AWS_MAX_ATTEMPTS` still decides when it is set.
 */

/** Per attempt, from sending the request to the end of the response. */
export const DYNAMODB_REQUEST_TIMEOUT_MS = 5_000;
export const DYNAMODB_CONNECTION_TIMEOUT_MS = 2_000;
export const DYNAMODB_MAX_ATTEMPTS = 8;

/** A client from the standard chain with the timeouts and attempts above; `config` overrides them. */
export function createDynamoDbClient(
  config: DynamoDBClientConfig = {},
  env: NodeJS.ProcessEnv = process.env,
): DynamoDBClient {
  return new DynamoDBClient({
    maxAttempts: env.AWS_MAX_ATTEMPTS ? undefined : DYNAMODB_MAX_ATTEMPTS,
    requestHandler: {
      requestTimeout: DYNAMODB_REQUEST_TIMEOUT_MS,
      connectionTimeout: DYNAMODB_CONNECTION_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    },
    ...config,
  });
}

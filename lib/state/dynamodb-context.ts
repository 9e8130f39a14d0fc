import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RequestStats } from './request-stats.ts';

/** What the parts of `DynamoDbState` share: the client, the table, the request count and the clock. */
export interface DynamoContext {
  client: DynamoDBClient;
  table: string;
  stats: RequestStats;
  /** Wall clock (epoch ms): TTL floors and the expiry filter on reads. */
  now(): number;
  /** How long items are kept past the event time they are needed until (TTL). */
  retentionMs: number;
  /** How far behind the wall clock a read may reach: the longest lookback plus the engine's lateness. */
  reachMs: number;
}

/** Requests of one batch sent at once (below the SDK's default of 50 sockets). */
export const PARALLEL_REQUESTS = 16;

/** Attempts for batch items DynamoDB left unprocessed (throttling) before giving up. */
const BATCH_ATTEMPTS = 8;

/**
 * Retries the unprocessed part of a BatchGetItem/BatchWriteItem with exponential backoff and jitter, as
 * AWS advises; the SDK retries whole failed requests but not partially processed ones.
 */
export async function retryUnprocessed<T>(
  first: T,
  send: (request: T) => Promise<T | undefined>,
  what: string,
): Promise<void> {
  let pending: T | undefined = first;
  for (let attempt = 0; pending !== undefined; attempt++) {
    if (attempt >= BATCH_ATTEMPTS)
      throw new Error(`${what}: items still unprocessed after ${BATCH_ATTEMPTS} attempts`);
    if (attempt > 0) await sleep(Math.random() * Math.min(2000, 50 * 2 ** attempt));
    pending = await send(pending);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

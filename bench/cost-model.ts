import type { DynamoDbRun } from './dynamodb-requests.ts';

/** us-east-1 list prices, before free tiers. */
export const PRICES = {
  /** Events delivered to a custom bus (the forwarders deliver every account's events to the central bus). */
  eventBridgePerMillion: 1.0,
  lambdaPerMillionRequests: 0.2,
  /** arm64. */
  lambdaPerGbSecond: 0.0000133334,
  dynamoDbPerMillionWru: 0.625,
  dynamoDbPerMillionRru: 0.125,
  /** Standard queue, per million requests (64 KB chunks). */
  sqsPerMillionRequests: 0.4,
} as const;

/** Lambda gives a function one full vCPU at 1,769 MB and a proportional share below that. */
const FULL_VCPU_MB = 1769;

/** What the model assumes beyond what the bench measures. */
export interface CostAssumptions {
  /** One DynamoDB round trip from Lambda in the same region, ms (DynamoDB Local is not that). */
  roundTripMs: number;
  /** Lambda memory for direct delivery and for the queue consumer (infra/detection-delivery.ts). */
  directMemoryGb: number;
  queueMemoryGb: number;
  /** SQS requests per event: EventBridge's SendMessage, plus receives and deletes of 10 messages each. */
  sqsRequestsPerEvent: number;
}

export const DEFAULT_ASSUMPTIONS: CostAssumptions = {
  roundTripMs: 5,
  directMemoryGb: 0.5,
  queueMemoryGb: 1,
  sqsRequestsPerEvent: 1 + 0.1 + 0.1,
};

/** Dollars per million CloudTrail events for one delivery, by line. */
export interface CostLine {
  delivery: string;
  batchSize: number;
  /** Billed Lambda milliseconds per invocation: measured CPU plus the modelled round trips, rounded up. */
  invocationMs: number;
  eventBridge: number;
  sqs: number;
  lambdaRequests: number;
  lambdaDuration: number;
  dynamoDbReads: number;
  dynamoDbWrites: number;
  total: number;
}

/**
 * Dollars per million events through EventBridge → (SQS →) Lambda → DynamoDB, from a measured run: request
 * units per event straight from DynamoDB's consumed capacity, Lambda time from the CPU a batch took (scaled
 * to the function's share of a vCPU) plus one modelled round trip per state call the engine waited on.
 */
export function costPerMillion(
  run: DynamoDbRun,
  assumptions: CostAssumptions = DEFAULT_ASSUMPTIONS,
): CostLine {
  const events = 1e6;
  const direct = run.batchSize === 1;
  const invocations = events / run.batchSize;
  const memoryGb = direct ? assumptions.directMemoryGb : assumptions.queueMemoryGb;
  // CPU measured on a whole core here runs on a share of one in a smaller function.
  const cpuShare = Math.min(1, (memoryGb * 1024) / FULL_VCPU_MB);
  const invocationMs = Math.ceil(
    run.cpuMsPerBatch / cpuShare + run.roundTripsPerBatch * assumptions.roundTripMs,
  );
  const line = {
    delivery: direct
      ? 'direct (EventBridge → Lambda, one event per invocation)'
      : `SQS batches of ${run.batchSize}`,
    batchSize: run.batchSize,
    invocationMs,
    eventBridge: PRICES.eventBridgePerMillion,
    sqs: direct ? 0 : assumptions.sqsRequestsPerEvent * PRICES.sqsPerMillionRequests,
    lambdaRequests: (invocations / 1e6) * PRICES.lambdaPerMillionRequests,
    lambdaDuration: invocations * (invocationMs / 1000) * memoryGb * PRICES.lambdaPerGbSecond,
    dynamoDbReads: run.rruPerEvent * PRICES.dynamoDbPerMillionRru,
    dynamoDbWrites: run.wruPerEvent * PRICES.dynamoDbPerMillionWru,
  };
  const total =
    line.eventBridge +
    line.sqs +
    line.lambdaRequests +
    line.lambdaDuration +
    line.dynamoDbReads +
    line.dynamoDbWrites;
  return { ...line, total };
}

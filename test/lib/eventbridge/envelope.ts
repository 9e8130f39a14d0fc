import { createHash } from 'node:crypto';
import { eventBridgeSource } from '../../../lib/eventbridge/event-patterns.ts';

type JsonRecord = Record<string, unknown>;

/** The detail type EventBridge gives a CloudTrail record, by its `eventType`; undefined for Insights. */
export function detailTypeOf(record: JsonRecord): string | undefined {
  switch (record.eventType) {
    case 'AwsConsoleSignIn':
      return 'AWS Console Signin via CloudTrail';
    case 'AwsConsoleAction':
      return 'AWS Console Action via CloudTrail';
    case 'AwsServiceEvent':
      return 'AWS Service Event via CloudTrail';
    case 'AwsVpceEvent':
      return 'AWS Network Activity Event via CloudTrail';
    case 'AwsCloudTrailInsight':
      return undefined;
    default:
      return 'AWS API Call via CloudTrail';
  }
}

/**
 * A CloudTrail record as EventBridge delivers it (the shape of the real envelope in
 * test/fixtures/corpus/iam-write/eventbridge-envelope-*.json): `source` from the event source, the
 * record in `detail`, an envelope id derived from the record so the same record gets the same id.
 */
export function toEventBridgeEvent(record: JsonRecord): JsonRecord {
  const detailType = detailTypeOf(record);
  if (detailType === undefined)
    throw new Error('Insights records are not delivered as CloudTrail API events');
  const digest = createHash('sha256').update(JSON.stringify(record)).digest('hex');
  const id = `${digest.slice(0, 8)}-${digest.slice(8, 12)}-${digest.slice(12, 16)}-${digest.slice(16, 20)}-${digest.slice(20, 32)}`;
  const time = typeof record.eventTime === 'string' ? record.eventTime.replace(/\.\d+Z$/, 'Z') : undefined;
  return {
    version: '0',
    id,
    'detail-type': detailType,
    source: eventBridgeSource(String(record.eventSource ?? 'unknown')),
    account: record.recipientAccountId ?? (record.userIdentity as JsonRecord | undefined)?.accountId,
    time,
    region: record.awsRegion,
    resources: [],
    detail: record,
  };
}

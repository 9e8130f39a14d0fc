import { decodeBytesSync, errorMessage } from './decode.ts';
import { childPath, isJsonObject, jsonType, listKeys } from './json-shape.ts';
import { CONTROL_MESSAGE_SKIP_REASON, DEFAULT_MAX_FILE_BYTES } from './types.ts';

/** A record found inside a JSON value, or an entry passed over and why. */
export type Unwrapped =
  | { kind: 'record'; record: Record<string, unknown> }
  | { kind: 'skip'; reason: string; quiet?: boolean };

/** Keys of which a CloudTrail record (management, data, network-activity or Insights event) has at least one. */
const CLOUDTRAIL_KEYS = ['eventTime', 'eventName', 'eventSource', 'userIdentity', 'insightDetails'] as const;

/** Containers nest a few levels at most (array → awslogs → logEvents → record); deeper is hostile input. */
const MAX_DEPTH = 8;

/**
 * Finds the CloudTrail records in one parsed JSON value, unwrapping every container CloudTrail
 * records travel in: S3 log files (`Records`), EventBridge events (`detail`), arrays, `aws cloudtrail
 * lookup-events` output (`Events[].CloudTrailEvent`), CloudWatch Logs subscription payloads
 * (`logEvents[].message`) and their Lambda form (`awslogs.data`, base64 of gzip).
 *
 * Pure and total: it never throws. Each skip's reason says where in the value it was (`Records[3]: …`),
 * except quiet ones, whose reason stays bare so they can be counted by it.
 * `maxBytes` caps the decompressed size of an `awslogs.data` payload.
 */
export function unwrapValue(value: unknown, maxBytes = DEFAULT_MAX_FILE_BYTES): Unwrapped[] {
  return [...visit(value, '', 0, maxBytes)];
}

type Visitor = (value: unknown, where: string, depth: number, maxBytes: number) => Generator<Unwrapped>;

function* visit(value: unknown, where: string, depth: number, maxBytes: number): Generator<Unwrapped> {
  if (depth > MAX_DEPTH) {
    yield skip(where, 'nested too deeply to be CloudTrail');
  } else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) yield* visit(item, `${where}[${i}]`, depth + 1, maxBytes);
  } else if (!isJsonObject(value)) {
    yield skip(where, `not a JSON object (${jsonType(value)})`);
  } else if (Object.hasOwn(value, 'Records')) {
    yield* visitList(value.Records, childPath(where, 'Records'), depth, maxBytes, visit);
  } else if (typeof value['detail-type'] === 'string') {
    yield visitEventBridge(value, where);
  } else if (Object.hasOwn(value, 'Events')) {
    yield* visitList(value.Events, childPath(where, 'Events'), depth, maxBytes, visitLookupEvent);
  } else if (typeof value.messageType === 'string') {
    yield* visitLogsPayload(value, where, depth, maxBytes);
  } else if (isJsonObject(value.awslogs)) {
    yield* visitAwsLogs(value.awslogs, childPath(where, 'awslogs'), depth, maxBytes);
  } else {
    yield visitRecord(value, where);
  }
}

function* visitList(
  list: unknown,
  where: string,
  depth: number,
  maxBytes: number,
  each: Visitor,
): Generator<Unwrapped> {
  if (!Array.isArray(list)) yield skip(where, `not an array (${jsonType(list)})`);
  else for (const [i, item] of list.entries()) yield* each(item, `${where}[${i}]`, depth + 1, maxBytes);
}

/** Every CloudTrail detail-type (API call, console action/sign-in, service event, Insight) carries the record in `detail`. */
function visitEventBridge(event: Record<string, unknown>, where: string): Unwrapped {
  const detailType = String(event['detail-type']);
  if (!isJsonObject(event.detail)) {
    return skip(
      where,
      `EventBridge event "${detailType}" without a detail object (${jsonType(event.detail)})`,
    );
  }
  return visitRecord(event.detail, childPath(where, 'detail'), `detail-type "${detailType}"; `);
}

function* visitLookupEvent(
  item: unknown,
  where: string,
  depth: number,
  maxBytes: number,
): Generator<Unwrapped> {
  const embedded = isJsonObject(item) ? item.CloudTrailEvent : undefined;
  const at = childPath(where, 'CloudTrailEvent');
  if (!isJsonObject(item)) yield skip(where, `not a JSON object (${jsonType(item)})`);
  else if (typeof embedded === 'string') yield* visitEmbeddedJson(embedded, at, depth, maxBytes);
  else if (isJsonObject(embedded)) yield* visit(embedded, at, depth + 1, maxBytes);
  else yield skip(where, `lookup-events entry without a CloudTrailEvent (${jsonType(embedded)})`);
}

function* visitLogsPayload(
  payload: Record<string, unknown>,
  where: string,
  depth: number,
  maxBytes: number,
): Generator<Unwrapped> {
  // CloudWatch Logs sends CONTROL_MESSAGE once to check the destination is reachable: expected, not an error.
  if (payload.messageType === 'CONTROL_MESSAGE')
    yield { kind: 'skip', reason: CONTROL_MESSAGE_SKIP_REASON, quiet: true };
  else yield* visitList(payload.logEvents, childPath(where, 'logEvents'), depth, maxBytes, visitLogEvent);
}

function* visitLogEvent(item: unknown, where: string, depth: number, maxBytes: number): Generator<Unwrapped> {
  if (!isJsonObject(item)) yield skip(where, `not a JSON object (${jsonType(item)})`);
  else if (typeof item.message !== 'string') yield skip(where, 'log event without a message string');
  else yield* visitEmbeddedJson(item.message, childPath(where, 'message'), depth, maxBytes);
}

function* visitAwsLogs(
  awslogs: Record<string, unknown>,
  where: string,
  depth: number,
  maxBytes: number,
): Generator<Unwrapped> {
  if (typeof awslogs.data !== 'string') {
    yield skip(where, `no data string (${jsonType(awslogs.data)})`);
    return;
  }
  const decoded = decodeBytesSync(Buffer.from(awslogs.data, 'base64'), maxBytes);
  if (decoded.ok) yield* visitEmbeddedJson(decoded.text, childPath(where, 'data'), depth, maxBytes);
  else yield skip(childPath(where, 'data'), decoded.reason);
}

function* visitEmbeddedJson(
  text: string,
  where: string,
  depth: number,
  maxBytes: number,
): Generator<Unwrapped> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    yield skip(where, `not JSON: ${errorMessage(error)}`);
    return;
  }
  yield* visit(value, where, depth + 1, maxBytes);
}

function visitRecord(record: Record<string, unknown>, where: string, context = ''): Unwrapped {
  if (CLOUDTRAIL_KEYS.some((key) => Object.hasOwn(record, key))) return { kind: 'record', record };
  return skip(where, `not a CloudTrail record (${context}keys: ${listKeys(record)})`);
}

function skip(where: string, reason: string): Unwrapped {
  return { kind: 'skip', reason: where === '' ? reason : `${where}: ${reason}` };
}

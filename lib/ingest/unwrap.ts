import { decodeBytesSync, errorMessage } from './decode.ts';
import { childPath, isJsonObject, jsonType, listKeys, quoted } from './json-shape.ts';
import { CONTROL_MESSAGE_SKIP_REASON, DEFAULT_MAX_FILE_BYTES } from './types.ts';

/** A record found inside a JSON value, or an entry passed over and why. */
export type Unwrapped =
  | { kind: 'record'; record: Record<string, unknown> }
  | { kind: 'skip'; reason: string; quiet?: boolean };

/** Keys of which a CloudTrail record (management, data, network-activity or Insights event) has at least one. */
const CLOUDTRAIL_KEYS = ['eventTime', 'eventName', 'eventSource', 'userIdentity', 'insightDetails'] as const;

/** Containers nest a few levels at most (array → awslogs → logEvents → record); deeper is hostile input. */
const MAX_DEPTH = 8;

/** Where unwrapping puts what it finds, in the order found. */
export interface UnwrapSink {
  record(record: Record<string, unknown>): void;
  skip(reason: string, quiet?: boolean): void;
}

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
  const found: Unwrapped[] = [];
  unwrapInto(value, maxBytes, {
    record: (record) => found.push({ kind: 'record', record }),
    skip: (reason, quiet) => found.push(quiet ? { kind: 'skip', reason, quiet } : { kind: 'skip', reason }),
  });
  return found;
}

/**
 * {@link unwrapValue} into a sink, for the hot path: no entry objects, and the path of an entry inside
 * its container (`Records[2917]`) is only spelled out when something is skipped there.
 */
export function unwrapInto(value: unknown, maxBytes: number, sink: UnwrapSink): void {
  visit(value, '', 0, maxBytes, sink);
}

type Visitor = (value: unknown, where: string, depth: number, maxBytes: number, sink: UnwrapSink) => void;

/** True when `visit` would take `value` for a record as it is: an object that is no container of records. */
function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return (
    isJsonObject(value) &&
    !Object.hasOwn(value, 'Records') &&
    typeof value['detail-type'] !== 'string' &&
    !Object.hasOwn(value, 'Events') &&
    typeof value.messageType !== 'string' &&
    !isJsonObject(value.awslogs) &&
    hasCloudTrailKey(value)
  );
}

function visit(value: unknown, where: string, depth: number, maxBytes: number, sink: UnwrapSink): void {
  if (depth > MAX_DEPTH) {
    sink.skip(at(where, 'nested too deeply to be CloudTrail'));
  } else if (Array.isArray(value)) {
    visitItems(value, where, depth, maxBytes, sink, visit);
  } else if (!isJsonObject(value)) {
    sink.skip(at(where, `not a JSON object (${jsonType(value)})`));
  } else if (Object.hasOwn(value, 'Records')) {
    visitList(value.Records, childPath(where, 'Records'), depth, maxBytes, sink, visit);
  } else if (typeof value['detail-type'] === 'string') {
    visitEventBridge(value, where, sink);
  } else if (Object.hasOwn(value, 'Events')) {
    visitList(value.Events, childPath(where, 'Events'), depth, maxBytes, sink, visitLookupEvent);
  } else if (typeof value.messageType === 'string') {
    visitLogsPayload(value, where, depth, maxBytes, sink);
  } else if (isJsonObject(value.awslogs)) {
    visitAwsLogs(value.awslogs, childPath(where, 'awslogs'), depth, maxBytes, sink);
  } else {
    visitRecord(value, where, sink);
  }
}

function visitList(
  list: unknown,
  where: string,
  depth: number,
  maxBytes: number,
  sink: UnwrapSink,
  each: Visitor,
): void {
  if (!Array.isArray(list)) sink.skip(at(where, `not an array (${jsonType(list)})`));
  else visitItems(list, where, depth, maxBytes, sink, each);
}

function visitItems(
  list: readonly unknown[],
  where: string,
  depth: number,
  maxBytes: number,
  sink: UnwrapSink,
  each: Visitor,
): void {
  // A `Records` array of plain records (every S3 log file) takes the short way: same outcome as `visit`.
  const direct = each === visit && depth + 1 <= MAX_DEPTH;
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (direct && isPlainRecord(item)) sink.record(item);
    else each(item, `${where}[${i}]`, depth + 1, maxBytes, sink);
  }
}

/** Every CloudTrail detail-type (API call, console action/sign-in, service event, Insight) carries the record in `detail`. */
function visitEventBridge(event: Record<string, unknown>, where: string, sink: UnwrapSink): void {
  const detailType = quoted(String(event['detail-type']));
  if (!isJsonObject(event.detail)) {
    sink.skip(
      at(where, `EventBridge event "${detailType}" without a detail object (${jsonType(event.detail)})`),
    );
    return;
  }
  visitRecord(event.detail, childPath(where, 'detail'), sink, `detail-type "${detailType}"; `);
}

function visitLookupEvent(
  item: unknown,
  where: string,
  depth: number,
  maxBytes: number,
  sink: UnwrapSink,
): void {
  const embedded = isJsonObject(item) ? item.CloudTrailEvent : undefined;
  const inner = childPath(where, 'CloudTrailEvent');
  if (!isJsonObject(item)) sink.skip(at(where, `not a JSON object (${jsonType(item)})`));
  else if (typeof embedded === 'string') visitEmbeddedJson(embedded, inner, depth, maxBytes, sink);
  else if (isJsonObject(embedded)) visit(embedded, inner, depth + 1, maxBytes, sink);
  else sink.skip(at(where, `lookup-events entry without a CloudTrailEvent (${jsonType(embedded)})`));
}

function visitLogsPayload(
  payload: Record<string, unknown>,
  where: string,
  depth: number,
  maxBytes: number,
  sink: UnwrapSink,
): void {
  // CloudWatch Logs sends CONTROL_MESSAGE once to check the destination is reachable: expected, not an error.
  if (payload.messageType === 'CONTROL_MESSAGE') sink.skip(CONTROL_MESSAGE_SKIP_REASON, true);
  else visitList(payload.logEvents, childPath(where, 'logEvents'), depth, maxBytes, sink, visitLogEvent);
}

function visitLogEvent(
  item: unknown,
  where: string,
  depth: number,
  maxBytes: number,
  sink: UnwrapSink,
): void {
  if (!isJsonObject(item)) sink.skip(at(where, `not a JSON object (${jsonType(item)})`));
  else if (typeof item.message !== 'string') sink.skip(at(where, 'log event without a message string'));
  else visitEmbeddedJson(item.message, childPath(where, 'message'), depth, maxBytes, sink);
}

function visitAwsLogs(
  awslogs: Record<string, unknown>,
  where: string,
  depth: number,
  maxBytes: number,
  sink: UnwrapSink,
): void {
  if (typeof awslogs.data !== 'string') {
    sink.skip(at(where, `no data string (${jsonType(awslogs.data)})`));
    return;
  }
  const decoded = decodeBytesSync(Buffer.from(awslogs.data, 'base64'), maxBytes);
  if (decoded.ok) visitEmbeddedJson(decoded.text, childPath(where, 'data'), depth, maxBytes, sink);
  else sink.skip(at(childPath(where, 'data'), decoded.reason));
}

function visitEmbeddedJson(
  text: string,
  where: string,
  depth: number,
  maxBytes: number,
  sink: UnwrapSink,
): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    sink.skip(at(where, `not JSON: ${errorMessage(error)}`));
    return;
  }
  visit(value, where, depth + 1, maxBytes, sink);
}

function hasCloudTrailKey(record: Record<string, unknown>): boolean {
  // Indexed: runs for every record, and a for-of allocates an iterator until the code is optimized.
  for (let i = 0; i < CLOUDTRAIL_KEYS.length; i++)
    if (Object.hasOwn(record, CLOUDTRAIL_KEYS[i] as string)) return true;
  return false;
}

function visitRecord(record: Record<string, unknown>, where: string, sink: UnwrapSink, context = ''): void {
  if (hasCloudTrailKey(record)) sink.record(record);
  else sink.skip(at(where, `not a CloudTrail record (${context}keys: ${listKeys(record)})`));
}

/** A skip reason prefixed with where it was (bare at the top level). */
function at(where: string, reason: string): string {
  return where === '' ? reason : `${where}: ${reason}`;
}

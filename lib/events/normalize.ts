import { createHash } from 'node:crypto';
import { resolveActor } from '../identity/actor.ts';
import { resolveCredential } from '../identity/credential.ts';
import { outcomeOf } from '../identity/denial.ts';
import { federatedProviderOf, resolveOidcAssumption } from '../identity/oidc.ts';
import type { OidcIssuerMapping } from '../identity/oidc-issuer.ts';
import { isReadOnlyEventName } from '../identity/read-only.ts';
import { parseEventTime } from '../ingest/event-time.ts';
import { actionOf } from './event-action.ts';
import type { NormalizedEvent } from './normalized-event.ts';
import { booleanValue, type JsonObject, nonEmptyString, objectValue } from './record-fields.ts';

/**
 * CloudTrail record → `NormalizedEvent`, once per record on the hot path: total (never throws, wrong types
 * read as missing), no per-call regex, constants hoisted. A record is judged only with a parseable
 * `eventTime` and string `eventSource` / `eventName`; anything less is rejected with the reason.
 */

export type NormalizeResult = { ok: true; event: NormalizedEvent } | { ok: false; reason: string };

export interface NormalizeOptions {
  /** Extra OIDC issuer → provider mappings from config (GHES, self-managed GitLab). */
  oidcIssuers?: readonly OidcIssuerMapping[];
}

const INSIGHT_REASON = 'CloudTrail Insights event (not an API call)';
const WEB_IDENTITY = 'AssumeRoleWithWebIdentity';
const STS = 'sts.amazonaws.com';
const AWS_INTERNAL = 'AWS Internal';
const SERVICE_DOMAIN = '.amazonaws.com';
const SERVICE_DOMAIN_CN = '.amazonaws.com.cn';

function fail(reason: string): NormalizeResult {
  return { ok: false, reason };
}

/** Why a required string field cannot be used, or undefined when it can. */
function requiredStringProblem(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return `missing ${field}`;
  return typeof value === 'string' ? undefined : `${field} is not a string`;
}

// The two below take fields `build` has already read: a property read on a parsed record is a lookup
// through many record shapes, and these fields were read up to four times per record.

/** Insights records describe API-rate anomalies; their event names live in `insightDetails`. */
function isInsight(record: JsonObject, category: unknown, eventType: unknown, name: unknown): boolean {
  return (
    category === 'Insight' ||
    eventType === 'AwsCloudTrailInsight' ||
    (typeof name !== 'string' && objectValue(record.insightDetails) !== undefined)
  );
}

/** Data, Insight and NetworkActivity events are not management events. */
function isManagement(record: JsonObject, category: unknown, eventType: unknown): boolean {
  const flag = booleanValue(record.managementEvent);
  if (flag !== undefined) return flag;
  const named = nonEmptyString(category);
  if (named !== undefined) return named === 'Management';
  return eventType !== 'AwsCloudTrailInsight' && eventType !== 'AwsVpceEvent';
}

/** True for `AWS Internal` and AWS service names (`cloudtrail.amazonaws.com`) in place of an IP. */
function isAwsServiceAddress(sourceIp: string | undefined): boolean {
  if (sourceIp === undefined) return false;
  return (
    sourceIp === AWS_INTERNAL || sourceIp.endsWith(SERVICE_DOMAIN) || sourceIp.endsWith(SERVICE_DOMAIN_CN)
  );
}

/** A stable id for records without `eventID` (eventVersion 1.0): the digest of the record as read. */
function digestOf(record: JsonObject, fallback: string): string {
  let text: string;
  try {
    text = JSON.stringify(record);
  } catch {
    // Only reachable for non-JSON input (cycles, BigInt); the identifying fields still give a stable id.
    text = fallback;
  }
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

function build(
  record: JsonObject,
  parsedTime: number,
  options: NormalizeOptions | undefined,
): NormalizedEvent | string {
  const rawSource = record.eventSource;
  const rawName = record.eventName;
  const category = record.eventCategory;
  const rawType = record.eventType;
  if (isInsight(record, category, rawType, rawName)) return INSIGHT_REASON;
  const problem =
    (Number.isNaN(parsedTime) ? requiredStringProblem(record.eventTime, 'eventTime') : undefined) ??
    requiredStringProblem(rawSource, 'eventSource') ??
    requiredStringProblem(rawName, 'eventName');
  if (problem !== undefined) return problem;
  const time = Number.isNaN(parsedTime) ? parseEventTime(record.eventTime) : parsedTime;
  if (time === undefined) return 'unparseable eventTime';
  const source = rawSource as string;
  const name = rawName as string;

  const userIdentity = record.userIdentity;
  const actor = resolveActor(userIdentity, record);
  const errorCode = nonEmptyString(record.errorCode);
  const sourceIp = nonEmptyString(record.sourceIPAddress);
  const event: NormalizedEvent = {
    id: nonEmptyString(record.eventID) ?? digestOf(record, `${record.eventTime}\n${source}\n${name}`),
    time,
    account: nonEmptyString(record.recipientAccountId) ?? actor.accountId,
    region: nonEmptyString(record.awsRegion),
    source,
    name,
    action: actionOf(source, name),
    readOnly: booleanValue(record.readOnly) ?? isReadOnlyEventName(name),
    management: isManagement(record, category, rawType),
    eventType: nonEmptyString(rawType),
    outcome: outcomeOf(errorCode),
    errorCode,
    errorMessage: nonEmptyString(record.errorMessage),
    actor,
    credential: resolveCredential(userIdentity, record),
    sourceIp,
    userAgent: nonEmptyString(record.userAgent),
    invokedBy: nonEmptyString(objectValue(userIdentity)?.invokedBy),
    viaAwsService: isAwsServiceAddress(sourceIp),
    vpcEndpointId: nonEmptyString(record.vpcEndpointId),
    oidc:
      name === WEB_IDENTITY && source === STS
        ? resolveOidcAssumption(record, options?.oidcIssuers)
        : undefined,
    federatedProvider: federatedProviderOf(userIdentity),
    requestParameters: objectValue(record.requestParameters),
    responseElements: objectValue(record.responseElements),
    raw: record,
  };
  return event;
}

/**
 * Normalizes one CloudTrail record (the `Records[]` element or an EventBridge `detail`). Never throws:
 * an unusable record yields `{ ok: false, reason }` naming what is missing or wrong, e.g.
 * `missing eventTime`, `eventName is not a string`, or the Insights reason.
 */
export function normalizeRecord(
  record: Record<string, unknown>,
  options?: NormalizeOptions,
): NormalizeResult {
  const result = normalizeOrReason(record, Number.NaN, options);
  return typeof result === 'string' ? fail(result) : { ok: true, event: result };
}

/**
 * {@link normalizeRecord} for the replay hot path: the event itself or the reason as a string (no result
 * object per record), given the record's `eventTime` already parsed by ingestion's sort (NaN: parse it
 * here). The outcome is the same as `normalizeRecord`'s for the same record.
 */
export function normalizeOrReason(
  record: Record<string, unknown>,
  parsedTime: number,
  options?: NormalizeOptions,
): NormalizedEvent | string {
  if (objectValue(record) === undefined) return 'record is not an object';
  try {
    return build(record, parsedTime, options);
  } catch (error) {
    // Last-resort guard (e.g. a throwing getter on non-JSON input); JSON records never get here.
    return `internal error: ${error instanceof Error ? error.message : 'unknown'}`;
  }
}

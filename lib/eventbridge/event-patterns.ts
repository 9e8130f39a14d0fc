import { DENIAL_CODES, DENIAL_ERROR_CODES } from '../identity/denial.ts';
import type { ErrorFilter, EventSelector } from './event-selectors.ts';

/** An EventBridge event pattern as JSON: fields are ANDed, the values in an array ORed. */
export type EventPattern = { [field: string]: EventPattern | PatternValue[] | EventPattern[] };
/** A value in a pattern array: an exact string or a content filter. */
export type PatternValue = string | { prefix: string } | { suffix: string } | { 'anything-but': string[] };

/** The detail type of every CloudTrail API call on EventBridge. */
export const API_CALL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

/**
 * Every CloudTrail detail type whose record the normalizer judges, for `*` needs: they ask for whatever a
 * trail would hold. Insights (`AWS Insight via CloudTrail`) are left out: they are not calls, and the
 * normalizer rejects them.
 */
export const CLOUDTRAIL_DETAIL_TYPES: readonly string[] = [
  API_CALL_DETAIL_TYPE,
  'AWS Console Action via CloudTrail',
  'AWS Console Signin via CloudTrail',
  'AWS Service Event via CloudTrail',
  // VPC endpoint denials (`VpceAccessDenied`) only arrive as network activity events.
  'AWS Network Activity Event via CloudTrail',
];

/**
 * The `errorCode` values of an authorization failure, built from `DENIAL_CODES`: the exact codes (bare and
 * `Client.`), then its prefixes (bare and `Client.`) and suffixes. A suffix matches the `Client.` form as
 * well, so only a prefix needs both spellings.
 */
export const DENIAL_PATTERN: readonly PatternValue[] = [
  ...DENIAL_ERROR_CODES,
  ...DENIAL_CODES.prefixes.flatMap((prefix) => [
    { prefix },
    { prefix: `${DENIAL_CODES.clientPrefix}${prefix}` },
  ]),
  ...DENIAL_CODES.suffixes.map((suffix) => ({ suffix })),
];

/**
 * The EventBridge `source` of a service's CloudTrail events: `aws.` and the service's host label
 * (`iam.amazonaws.com` → `aws.iam`, `monitoring.amazonaws.com` → `aws.monitoring`), as the EventBridge
 * event reference gives it for events delivered by CloudTrail.
 */
export function eventBridgeSource(eventSource: string): string {
  const dot = eventSource.indexOf('.');
  return `aws.${dot < 0 ? eventSource : eventSource.slice(0, dot)}`;
}

function errorValues(filter: ErrorFilter): PatternValue[] | undefined {
  if (filter.kind === 'any') return undefined;
  if (filter.kind === 'denied') return [...DENIAL_PATTERN];
  return [...filter.codes].sort();
}

/**
 * One pattern for selectors that differ only in their source (same names, errors, read-only flag).
 * A `*` selector matches on detail type alone, plus `source` prefix `aws.`: PutEvents refuses that prefix
 * to callers, so nobody who may write to the bus can forge a CloudTrail event that reaches a detector.
 */
export function patternOf(selectors: readonly EventSelector[]): EventPattern {
  const [first] = selectors;
  if (first === undefined) throw new Error('patternOf needs at least one selector');
  const wildcard = first.source === '*';
  const sources = wildcard ? [] : [...new Set(selectors.map((s) => s.source))].sort();
  const detail: EventPattern = {};
  if (!wildcard) detail.eventSource = sources;
  if (first.names !== undefined) detail.eventName = [...first.names].sort();
  const errors = errorValues(first.errors);
  if (errors !== undefined) detail.errorCode = errors;
  // Every CloudTrail record has userIdentity.type, so anything-but leaves out only the services' calls.
  if (first.notByAwsService) detail.userIdentity = { type: [{ 'anything-but': ['AWSService'] }] };
  const pattern: EventPattern = {
    source: wildcard ? [{ prefix: 'aws.' }] : [...new Set(sources.map(eventBridgeSource))],
    'detail-type': wildcard ? [...CLOUDTRAIL_DETAIL_TYPES] : [API_CALL_DETAIL_TYPE],
  };
  if (Object.keys(detail).length > 0) pattern.detail = detail;
  return pattern;
}

/**
 * One rule's pattern from several branch patterns: the fields every branch has alike stay at the top,
 * the rest become an `$or` of the branches.
 */
export function combinePatterns(branches: readonly EventPattern[]): EventPattern {
  const [first] = branches;
  if (first === undefined) throw new Error('combinePatterns needs at least one pattern');
  if (branches.length === 1) return first;
  const common: EventPattern = {};
  for (const [field, value] of Object.entries(first)) {
    const text = JSON.stringify(value);
    if (branches.every((b) => b[field] !== undefined && JSON.stringify(b[field]) === text))
      common[field] = value;
  }
  const rest = branches.map((b) => {
    const own: EventPattern = {};
    for (const [field, value] of Object.entries(b)) if (!(field in common)) own[field] = value;
    // Only a branch that admits a subset of another's events could empty out: the selectors drop those.
    if (Object.keys(own).length === 0) throw new Error('combinePatterns: a branch is covered by another');
    return own;
  });
  return { ...common, $or: rest };
}

/** The size EventBridge counts against its 2,048-character pattern limit: the compact JSON. */
export function patternSize(pattern: EventPattern): number {
  return JSON.stringify(pattern).length;
}

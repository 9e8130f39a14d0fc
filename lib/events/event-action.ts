/**
 * The IAM action (`iam:AttachRolePolicy`) a CloudTrail record stands for. The service prefix is the first
 * label of `eventSource`, except where IAM names the service differently; Lambda and CloudFront append
 * their API version to some event names (`UpdateFunctionCode20150331v2`), which IAM does not.
 */

/** Event sources whose IAM service prefix is not their first DNS label. */
const PREFIX_OVERRIDES: ReadonlyMap<string, string> = new Map([
  ['monitoring.amazonaws.com', 'cloudwatch'],
  ['email.amazonaws.com', 'ses'],
  ['tagging.amazonaws.com', 'tag'],
  ['metering-marketplace.amazonaws.com', 'aws-marketplace'],
]);

const LAMBDA = 'lambda.amazonaws.com';
const CLOUDFRONT = 'cloudfront.amazonaws.com';

// Event sources are a small closed set, so remembering each prefix saves a slice per record; the bound
// only guards against a stream of junk sources.
const prefixCache = new Map<string, string>();
const PREFIX_CACHE_LIMIT = 2048;

/** The IAM service prefix for an event source: `iam.amazonaws.com` → `iam`, `monitoring…` → `cloudwatch`. */
export function servicePrefixOf(eventSource: string): string {
  const cached = prefixCache.get(eventSource);
  if (cached !== undefined) return cached;
  const dot = eventSource.indexOf('.');
  const prefix = PREFIX_OVERRIDES.get(eventSource) ?? (dot < 0 ? eventSource : eventSource.slice(0, dot));
  if (prefixCache.size < PREFIX_CACHE_LIMIT) prefixCache.set(eventSource, prefix);
  return prefix;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** True when `name[start, end)` is all digits (and non-empty). */
function allDigits(name: string, start: number, end: number): boolean {
  if (start < 0 || start >= end) return false;
  for (let i = start; i < end; i++) if (!isDigit(name.charCodeAt(i))) return false;
  return true;
}

/** Drops Lambda's `20150331` / `20150331v2` API-version suffix (an 8-digit date, optionally `v<n>`). */
function stripLambdaVersion(name: string): string {
  let end = name.length;
  let i = end - 1;
  while (i >= 0 && isDigit(name.charCodeAt(i))) i--;
  if (i < end - 1 && i > 0 && name[i] === 'v') {
    end = i;
    i--;
    while (i >= 0 && isDigit(name.charCodeAt(i))) i--;
  }
  const start = end - 8;
  // Exactly eight digits, preceded by the action name itself.
  if (i !== start - 1 || start <= 0 || !allDigits(name, start, end)) return name;
  return name.slice(0, start);
}

/** Drops CloudFront's `2020_05_31` API-version suffix. */
function stripCloudFrontVersion(name: string): string {
  const start = name.length - 10;
  if (start <= 0 || name[start + 4] !== '_' || name[start + 7] !== '_') return name;
  const digits =
    allDigits(name, start, start + 4) &&
    allDigits(name, start + 5, start + 7) &&
    allDigits(name, start + 8, name.length);
  return digits ? name.slice(0, start) : name;
}

/** The event name as IAM spells the action: API-version suffixes removed. */
export function actionNameOf(eventSource: string, eventName: string): string {
  if (eventSource === LAMBDA) return stripLambdaVersion(eventName);
  if (eventSource === CLOUDFRONT) return stripCloudFrontVersion(eventName);
  return eventName;
}

// Actions by source then name, for the same reason as the prefixes: no string built per record.
const actionCache = new Map<string, Map<string, string>>();
let actionsCached = 0;
const ACTION_CACHE_LIMIT = 20_000;

/** `<service prefix>:<action name>`, e.g. `lambda:UpdateFunctionCode` for `UpdateFunctionCode20150331v2`. */
export function actionOf(eventSource: string, eventName: string): string {
  let byName = actionCache.get(eventSource);
  const cached = byName?.get(eventName);
  if (cached !== undefined) return cached;
  const action = `${servicePrefixOf(eventSource)}:${actionNameOf(eventSource, eventName)}`;
  if (actionsCached < ACTION_CACHE_LIMIT) {
    if (byName === undefined) {
      byName = new Map();
      actionCache.set(eventSource, byName);
    }
    byName.set(eventName, action);
    actionsCached++;
  }
  return action;
}

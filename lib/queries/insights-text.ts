import { formatDuration } from '../config/duration.ts';
import { DENIAL_CODES } from '../identity/denial.ts';
import { QueryError } from './query-error.ts';

/**
 * Building blocks of Logs Insights query text. Every value placed in a query is attacker-influenced (key
 * ids and ARNs read from records) or typed by a user, so it only ever enters as a double-quoted string
 * literal with `\` and `"` escaped; a value with a line break or other control character is refused
 * rather than escaped, since a query is line-oriented and no real key, ARN or name contains one. No
 * value is ever placed inside a regular expression.
 */

/** Fields that identify the caller: enough for `normalizeRecord` to resolve the same `actor` as locally. */
export const IDENTITY_FIELDS = [
  'userIdentity.type',
  'userIdentity.arn',
  'userIdentity.accountId',
  'userIdentity.principalId',
  'userIdentity.userName',
  'userIdentity.invokedBy',
  'userIdentity.identityProvider',
  'userIdentity.onBehalfOf.userId',
  'userIdentity.sessionContext.sessionIssuer.type',
  'userIdentity.sessionContext.sessionIssuer.arn',
] as const;

/** Every reconstructed record needs these to normalize. */
export const EVENT_FIELDS = ['eventSource', 'eventName'] as const;

/** `text` as a literal inside a `/…/` regular expression: metacharacters and the delimiter escaped. */
function regexLiteral(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

function denialPattern(): string {
  const { clientPrefix, exact, prefixes, suffixes } = DENIAL_CODES;
  const covered = (code: string) =>
    prefixes.some((prefix) => code.startsWith(prefix)) || suffixes.some((suffix) => code.endsWith(suffix));
  const alternatives = [
    ...prefixes.map((prefix) => `${regexLiteral(prefix)}.*`),
    ...suffixes.map((suffix) => `.*${regexLiteral(suffix)}`),
    ...exact.filter((code) => !covered(code)).map(regexLiteral),
  ];
  return `^(${regexLiteral(clientPrefix)})?(${alternatives.join('|')})$`;
}

/**
 * The denial allow-list of lib/identity/denial.ts (`DENIAL_CODES`) as one regular expression over
 * `errorCode`: its prefixes (`AccessDenied.*`), its suffixes (`.*UnauthorizedOperation`, …) and the exact
 * codes no prefix or suffix already covers, each optionally behind EC2's `Client.`. It uses only
 * `^ $ ( ) | ? .*` and escaped literals, which Logs Insights and JavaScript read alike.
 */
export const DENIAL_PATTERN = denialPattern();

/** `filter` condition selecting authorization failures. */
export const DENIAL_FILTER = `errorCode =~ /${DENIAL_PATTERN}/`;

/** True when `value` holds a line break (CR, LF, U+2028/9) or another C0 control or DEL. */
export function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f || code === 0x2028 || code === 0x2029) return true;
  }
  return false;
}

/** A Logs Insights string literal for `value`; throws `QueryError` (usage) for line breaks and controls. */
export function insightsString(value: string): string {
  if (hasControlCharacter(value)) {
    throw new QueryError(
      `${JSON.stringify(value)} contains a line break or control character: refusing to put it in a query`,
      true,
    );
  }
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** `["a", "b"]` for `in`. */
export function insightsList(values: readonly string[]): string {
  return `[${values.map(insightsString).join(', ')}]`;
}

/** `field = "value"`. */
export function equals(field: string, value: string): string {
  return `${field} = ${insightsString(value)}`;
}

/** Conditions joined with `or`, each in parentheses when there are several. */
export function anyOf(conditions: readonly string[]): string {
  return conditions.length === 1 ? (conditions[0] ?? '') : conditions.map((c) => `(${c})`).join(' or ');
}

/** Conditions joined with `and`, each in parentheses when there are several. */
export function allOf(conditions: readonly string[]): string {
  return conditions.length === 1 ? (conditions[0] ?? '') : conditions.map((c) => `(${c})`).join(' and ');
}

/** Distinct fields in first-seen order. */
function distinct(fields: readonly string[]): string[] {
  return [...new Set(fields)];
}

/**
 * `filter … | stats count(*), min/max(@timestamp) by …`: one row per distinct combination of `groupBy`
 * (and time bin), with the group's size and first and last event time.
 */
export function statsQuery(spec: { filter: string; groupBy: readonly string[]; binMs?: number }): string {
  const bin = spec.binMs === undefined ? [] : [`bin(${formatDuration(spec.binMs)})`];
  const by = [...bin, ...distinct([...EVENT_FIELDS, ...spec.groupBy])];
  return [
    `filter ${spec.filter}`,
    `| stats count(*) as count, min(@timestamp) as first, max(@timestamp) as last by ${by.join(', ')}`,
  ].join('\n');
}

/** `fields … | filter … | sort @timestamp asc`: the matching events themselves. */
export function eventsQuery(spec: { filter: string; fields: readonly string[] }): string {
  const fields = distinct(['eventID', 'eventTime', ...EVENT_FIELDS, ...spec.fields]);
  return [`fields ${fields.join(', ')}`, `| filter ${spec.filter}`, '| sort @timestamp asc'].join('\n');
}

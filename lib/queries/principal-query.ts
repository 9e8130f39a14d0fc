import type { Actor } from '../events/normalized-event.ts';
import { parseAssumedRoleArn, parseRoleArn } from '../identity/arn.ts';
import { formatTable } from '../output/format-table.ts';
import { BoundedSet, isoTime, type TimeSpan, widen } from './cells.ts';
import { allOf, anyOf, equals, IDENTITY_FIELDS, insightsString, statsQuery } from './insights-text.ts';
import { QueryError } from './query-error.ts';
import type { Aggregation, Column, Observation, QueryDefinition, Row } from './query-types.ts';
import { runOnePass } from './query-types.ts';
import { renderGenericTable } from './render-rows.ts';

/**
 * `query principal ARN`: what one principal did, one row per action: calls, denials, other errors,
 * regions, source IPs, user agents, first and last seen. A role ARN matches every session of the role,
 * by account and name whatever the IAM path (as the inventory matches); an assumed-role session ARN
 * matches that session name only; any other ARN (user, root, federated user) matches exactly.
 */

export interface PrincipalParams {
  arn: string;
}

const COLUMNS: readonly Column[] = [
  { key: 'principal', header: 'PRINCIPAL', width: 60 },
  { key: 'action', header: 'ACTION', width: 50 },
  { key: 'calls', header: 'CALLS' },
  { key: 'denied', header: 'DENIED' },
  { key: 'errors', header: 'ERRORS' },
  { key: 'regions', header: 'REGIONS', width: 30 },
  { key: 'sourceIps', header: 'SOURCE IPS', width: 40 },
  { key: 'userAgents', header: 'USER AGENTS', width: 60 },
  { key: 'firstSeen', header: 'FIRST SEEN' },
  { key: 'lastSeen', header: 'LAST SEEN' },
];

/** How a principal ARN selects callers, locally and in Logs Insights. */
export interface PrincipalMatcher {
  /** The principal as shown in rows (a role's path-less ARN). */
  display: string;
  matches(actor: Actor): boolean;
  /** A `filter` condition that selects at least every matching event. */
  filter: string;
}

const ISSUER = 'userIdentity.sessionContext.sessionIssuer';

export function principalMatcher(arn: string): PrincipalMatcher {
  if (!arn.startsWith('arn:')) throw new QueryError(`"${arn}" is not an ARN (arn:aws:iam::…)`, true);
  const role = parseRoleArn(arn);
  if (role !== undefined) {
    const partition = arn.split(':')[1] ?? 'aws';
    // Sessions of old records lack sessionIssuer; their session ARN names the role without its path.
    const sessionPrefix = `arn:${partition}:sts::${role.account}:assumed-role/${role.name}/`;
    return {
      display: role.canonicalArn,
      matches: (actor) => actor.role?.canonicalArn === role.canonicalArn,
      filter: anyOf([
        allOf([equals(`${ISSUER}.accountId`, role.account), equals(`${ISSUER}.userName`, role.name)]),
        `userIdentity.arn like ${insightsString(sessionPrefix)}`,
      ]),
    };
  }
  if (parseAssumedRoleArn(arn) !== undefined) {
    return {
      display: arn,
      matches: (actor) => actor.sessionArn === arn,
      filter: equals('userIdentity.arn', arn),
    };
  }
  return { display: arn, matches: (actor) => actor.arn === arn, filter: equals('userIdentity.arn', arn) };
}

interface ActionStats extends TimeSpan {
  calls: number;
  denied: number;
  errors: number;
  regions: BoundedSet;
  sourceIps: BoundedSet;
  userAgents: BoundedSet;
}

class PrincipalAggregation implements Aggregation {
  readonly #actions = new Map<string, ActionStats>();

  constructor(readonly matcher: PrincipalMatcher) {}

  add({ event, count, first, last }: Observation): void {
    if (!this.matcher.matches(event.actor)) return;
    let stats = this.#actions.get(event.action);
    if (stats === undefined) {
      stats = {
        first,
        last,
        calls: 0,
        denied: 0,
        errors: 0,
        regions: new BoundedSet(),
        sourceIps: new BoundedSet(),
        userAgents: new BoundedSet(),
      };
      this.#actions.set(event.action, stats);
    }
    stats.calls += count;
    if (event.outcome === 'denied') stats.denied += count;
    if (event.outcome === 'error') stats.errors += count;
    stats.regions.add(event.region);
    stats.sourceIps.add(event.sourceIp);
    stats.userAgents.add(event.userAgent);
    widen(stats, first, last);
  }

  rows(): Row[] {
    return [...this.#actions]
      .sort(([a, x], [b, y]) => y.calls - x.calls || a.localeCompare(b))
      .map(([action, s]) => ({
        principal: this.matcher.display,
        action,
        calls: s.calls,
        denied: s.denied,
        errors: s.errors,
        regions: s.regions.list(),
        sourceIps: s.sourceIps.list(),
        userAgents: s.userAgents.list(),
        firstSeen: isoTime(s.first),
        lastSeen: isoTime(s.last),
      }));
  }
}

function totals(rows: readonly Row[]): string {
  let calls = 0;
  let denied = 0;
  let errors = 0;
  let first = '';
  let last = '';
  for (const row of rows) {
    calls += Number(row.calls);
    denied += Number(row.denied);
    errors += Number(row.errors);
    const firstSeen = String(row.firstSeen);
    const lastSeen = String(row.lastSeen);
    if (first === '' || firstSeen < first) first = firstSeen;
    if (lastSeen > last) last = lastSeen;
  }
  return formatTable([[String(rows.length), String(calls), String(denied), String(errors), first, last]], {
    headers: ['ACTIONS', 'CALLS', 'DENIED', 'ERRORS', 'FIRST SEEN', 'LAST SEEN'],
  });
}

export const principalQuery: QueryDefinition<PrincipalParams> = {
  name: 'principal',
  description: 'what a principal did: actions with counts, denials, regions, source IPs, user agents',
  columns: COLUMNS,
  insights: ({ arn }) => ({
    shape: 'groups',
    text: statsQuery({
      filter: principalMatcher(arn).filter,
      groupBy: [...IDENTITY_FIELDS, 'errorCode', 'awsRegion', 'sourceIPAddress', 'userAgent'],
    }),
  }),
  async run(params, context, source) {
    const aggregation = new PrincipalAggregation(principalMatcher(params.arn));
    return runOnePass(source, principalQuery.insights(params, context), aggregation);
  },
  table(rows, columns) {
    if (rows.length === 0) return 'No calls by this principal.';
    return `${totals(rows)}\n\n${renderGenericTable(columns, rows)}`;
  },
};

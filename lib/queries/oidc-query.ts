import { BoundedSet, compositeKey, isoTime, type TimeSpan, widen } from './cells.ts';
import { allOf, equals, IDENTITY_FIELDS, statsQuery } from './insights-text.ts';
import type { Aggregation, Column, Observation, QueryDefinition, Row } from './query-types.ts';
import { runOnePass } from './query-types.ts';

/**
 * `query oidc`: which OIDC subjects assumed which roles, as the logs see it — the inventory the trail
 * would write. One row per role and subject: successes, denials, other errors, first/last seen and how
 * many distinct source IPs. Denied calls may not name the role (`role` is then null).
 */

export type OidcParams = Record<string, never>;

const COLUMNS: readonly Column[] = [
  { key: 'role', header: 'ROLE', width: 60 },
  { key: 'subject', header: 'SUBJECT', width: 80 },
  { key: 'provider', header: 'PROVIDER' },
  { key: 'issuer', header: 'ISSUER', width: 50 },
  { key: 'repository', header: 'REPOSITORY', width: 40 },
  { key: 'branch', header: 'BRANCH', width: 30 },
  { key: 'environment', header: 'ENVIRONMENT', width: 20 },
  { key: 'successes', header: 'OK' },
  { key: 'denials', header: 'DENIED' },
  { key: 'errors', header: 'ERRORS' },
  { key: 'firstSeen', header: 'FIRST SEEN' },
  { key: 'lastSeen', header: 'LAST SEEN' },
  { key: 'sourceIps', header: 'IPS' },
];

/** The fields of an `AssumeRoleWithWebIdentity` record that `resolveOidcAssumption` reads. */
export const OIDC_FIELDS = [
  'requestParameters.roleArn',
  'requestParameters.roleSessionName',
  'responseElements.subjectFromWebIdentityToken',
  'responseElements.provider',
  'responseElements.audience',
  'resources.0.type',
  'resources.0.ARN',
] as const;

interface SubjectStats extends TimeSpan {
  role: string | null;
  subject: string | null;
  provider: string;
  issuer: string | null;
  repository: string | null;
  branch: string | null;
  environment: string | null;
  successes: number;
  denials: number;
  errors: number;
  sourceIps: BoundedSet;
}

class OidcAggregation implements Aggregation {
  readonly #pairs = new Map<string, SubjectStats>();

  add({ event, count, first, last }: Observation): void {
    const oidc = event.oidc;
    if (oidc === undefined) return;
    const role = oidc.role?.canonicalArn ?? null;
    const key = compositeKey(role ?? undefined, oidc.subject);
    let stats = this.#pairs.get(key);
    if (stats === undefined) {
      const claims = oidc.claims;
      stats = {
        role,
        subject: oidc.subject ?? null,
        provider: oidc.provider,
        issuer: oidc.issuer ?? null,
        repository: claims.repositoryPath ?? null,
        branch: claims.branch ?? null,
        environment: claims.environment ?? null,
        successes: 0,
        denials: 0,
        errors: 0,
        first,
        last,
        sourceIps: new BoundedSet(),
      };
      this.#pairs.set(key, stats);
    }
    if (event.outcome === 'success') stats.successes += count;
    else if (event.outcome === 'denied') stats.denials += count;
    else stats.errors += count;
    stats.sourceIps.add(event.sourceIp);
    widen(stats, first, last);
  }

  rows(): Row[] {
    return [...this.#pairs.values()]
      .sort(
        (a, b) =>
          (a.role ?? '').localeCompare(b.role ?? '') || (a.subject ?? '').localeCompare(b.subject ?? ''),
      )
      .map(({ sourceIps, first, last, ...rest }) => ({
        ...rest,
        firstSeen: isoTime(first),
        lastSeen: isoTime(last),
        // Capped with the set: past MAX_DISTINCT this is a lower bound.
        sourceIps: sourceIps.size,
      }));
  }
}

export const oidcQuery: QueryDefinition<OidcParams> = {
  name: 'oidc',
  description: 'which OIDC subjects assumed which roles: successes, denials, first/last seen, source IPs',
  columns: COLUMNS,
  insights: () => ({
    shape: 'groups',
    text: statsQuery({
      filter: allOf([
        equals('eventSource', 'sts.amazonaws.com'),
        equals('eventName', 'AssumeRoleWithWebIdentity'),
      ]),
      groupBy: [...IDENTITY_FIELDS, ...OIDC_FIELDS, 'errorCode', 'sourceIPAddress'],
    }),
  }),
  async run(params, context, source) {
    return runOnePass(source, oidcQuery.insights(params, context), new OidcAggregation());
  },
};

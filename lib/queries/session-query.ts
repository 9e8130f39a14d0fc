import { parseAssumedRoleArn } from '../identity/arn.ts';
import { formatTable } from '../output/format-table.ts';
import { anyOf, equals, eventsQuery, IDENTITY_FIELDS, insightsList } from './insights-text.ts';
import { OIDC_FIELDS } from './oidc-query.ts';
import { QueryError } from './query-error.ts';
import type { Column, EventSource, InsightsQuery, QueryDefinition, QueryResult, Row } from './query-types.ts';
import { renderGenericTable } from './render-rows.ts';
import { isAccessKeyId, SessionCollector, type SessionInfo, type SessionStart } from './session-collector.ts';

/**
 * `query session`: every event of a role session in time order, starting with the assumption that
 * created it (for OIDC sessions the subject's repository, branch, environment and workflow), and following
 * chained assumptions: an `AssumeRole` made by a tracked session issues a new key, whose events join at
 * depth + 1. Selected by access key id(s), by session ARN (every session that ARN names), or by the
 * sessions of a finding's lineage (`starts`, from its origin: lib/queries/session-finding.ts).
 *
 * A chained key is only known once its assumption is read, so after a pass that found new keys the source
 * is read again with the full set (files and log groups; stdin cannot be, which is noted). The pass loop
 * ends when a pass finds nothing new.
 */

export interface SessionParams {
  /** Sessions to start from, at depth 0. */
  accessKeyIds: readonly string[];
  sessionArn?: string;
  /**
   * Sessions known to be chained before the trail is read, with their depth and the key that assumed
   * them (a finding's lineage); a key also in `accessKeyIds` stays at depth 0.
   */
  starts?: readonly SessionStart[];
}

const MAX_PASSES = 8;

const COLUMNS: readonly Column[] = [
  { key: 'depth', header: 'DEPTH' },
  { key: 'session', header: 'SESSION' },
  { key: 'eventTime', header: 'TIME' },
  { key: 'eventID', header: 'EVENT ID', width: 40 },
  { key: 'eventSource', header: 'SOURCE', width: 30 },
  { key: 'eventName', header: 'EVENT', width: 40 },
  { key: 'errorCode', header: 'ERROR', width: 30 },
  { key: 'sourceIp', header: 'SOURCE IP', width: 40 },
  { key: 'region', header: 'REGION' },
  { key: 'userAgent', header: 'USER AGENT', width: 50 },
  { key: 'accessKeyId', header: 'SIGNED BY' },
  { key: 'issuedAccessKeyId', header: 'ISSUED' },
  { key: 'role', header: 'ROLE', width: 60 },
  { key: 'subject', header: 'SUBJECT', width: 80 },
  { key: 'repository', header: 'REPOSITORY', width: 40 },
  { key: 'branch', header: 'BRANCH', width: 30 },
  { key: 'environment', header: 'ENV', width: 20 },
  { key: 'workflow', header: 'WORKFLOW', width: 60 },
];

/** Everything `normalizeRecord` needs to see keys, assumptions and OIDC claims in a session's events. */
const SESSION_FIELDS = [
  'awsRegion',
  'errorCode',
  'sourceIPAddress',
  'userAgent',
  'eventType',
  'readOnly',
  'recipientAccountId',
  'sessionCredentialFromConsole',
  ...IDENTITY_FIELDS,
  'userIdentity.accessKeyId',
  'responseElements.credentials.accessKeyId',
  'responseElements.assumedRoleUser.arn',
  ...OIDC_FIELDS,
];

function validate(params: SessionParams): void {
  const starts = params.starts ?? [];
  if (params.accessKeyIds.length === 0 && params.sessionArn === undefined && starts.length === 0) {
    throw new QueryError('session needs --access-key-id, --session-arn or --finding', true);
  }
  for (const key of [...params.accessKeyIds, ...starts.map((start) => start.key)]) {
    if (!isAccessKeyId(key)) {
      throw new QueryError(`--access-key-id "${key}" is not an access key id (ASIA…/AKIA…)`, true);
    }
  }
  if (params.sessionArn !== undefined && parseAssumedRoleArn(params.sessionArn) === undefined) {
    throw new QueryError(
      `--session-arn "${params.sessionArn}" is not a session ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION)`,
      true,
    );
  }
}

function sessionInsights(keys: readonly string[], sessionArn: string | undefined): InsightsQuery {
  const conditions: string[] = [];
  if (keys.length > 0) {
    conditions.push(`userIdentity.accessKeyId in ${insightsList(keys)}`);
    conditions.push(`responseElements.credentials.accessKeyId in ${insightsList(keys)}`);
  }
  if (sessionArn !== undefined) {
    conditions.push(equals('userIdentity.arn', sessionArn));
    conditions.push(equals('responseElements.assumedRoleUser.arn', sessionArn));
  }
  return { shape: 'events', text: eventsQuery({ filter: anyOf(conditions), fields: SESSION_FIELDS }) };
}

function startingSessions(params: SessionParams): Map<string, SessionInfo> {
  const known = new Map<string, SessionInfo>(params.accessKeyIds.map((key) => [key, { key, depth: 0 }]));
  for (const start of params.starts ?? []) if (!known.has(start.key)) known.set(start.key, { ...start });
  return known;
}

async function runSession(params: SessionParams, source: EventSource): Promise<QueryResult> {
  validate(params);
  let known = startingSessions(params);
  const notes: string[] = [];
  for (let pass = 1; ; pass++) {
    const collector = new SessionCollector(known, params.sessionArn, MAX_PASSES);
    await source.scan(sessionInsights([...known.keys()], params.sessionArn), (o) => collector.add(o.event));
    if (collector.sessions.size === known.size) return { rows: collector.rows(), notes };
    if (!source.rereadable) {
      notes.push(
        'chained sessions were found while reading stdin, which cannot be read twice: their events logged before the assumption that created them are missing; pass files instead',
      );
      return { rows: collector.rows(), notes };
    }
    if (pass >= MAX_PASSES) {
      notes.push(`stopped following chained sessions after ${MAX_PASSES} passes`);
      return { rows: collector.rows(), notes };
    }
    known = collector.sessions;
  }
}

/** One line per session above the events: where it came from. */
function sessionsTable(rows: readonly Row[]): string {
  const sessions = new Map<string, { row: Row; events: number }>();
  for (const row of rows) {
    const key = String(row.session);
    const seen = sessions.get(key);
    if (seen) seen.events++;
    else sessions.set(key, { row, events: 1 });
  }
  const cell = (value: Row[string] | undefined) =>
    value === null || value === undefined ? '-' : String(value);
  return formatTable(
    [...sessions.values()].map(({ row, events }) => [
      cell(row.session),
      cell(row.depth),
      cell(row.role),
      cell(row.subject),
      cell(row.repository),
      cell(row.branch),
      cell(row.environment),
      cell(row.workflow),
      String(events),
    ]),
    {
      headers: ['SESSION', 'DEPTH', 'ROLE', 'SUBJECT', 'REPOSITORY', 'BRANCH', 'ENV', 'WORKFLOW', 'EVENTS'],
      maxWidths: [24, 5, 60, 80, 40, 30, 20, 60, 8],
    },
  );
}

const TABLE_KEYS = new Set([
  'depth',
  'session',
  'eventTime',
  'eventSource',
  'eventName',
  'errorCode',
  'sourceIp',
  'issuedAccessKeyId',
]);

export const sessionQuery: QueryDefinition<SessionParams> = {
  name: 'session',
  description: 'every event of a role session, from the assumption that created it, following chained roles',
  columns: COLUMNS,
  insights: (params) => {
    validate(params);
    return sessionInsights([...startingSessions(params).keys()], params.sessionArn);
  },
  run: (params, _context, source) => runSession(params, source),
  table(rows, columns) {
    if (rows.length === 0) return 'No events of this session.';
    const compact = columns.filter((c) => TABLE_KEYS.has(c.key));
    return `${sessionsTable(rows)}\n\n${renderGenericTable(compact, rows)}`;
  },
};

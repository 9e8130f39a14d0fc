import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../lib/config/load-config.ts';
import { deniedQuery } from '../../../lib/queries/denied-query.ts';
import { iamWritesQuery } from '../../../lib/queries/iam-writes-query.ts';
import { InsightsSource } from '../../../lib/queries/insights-source.ts';
import { keysQuery } from '../../../lib/queries/keys-query.ts';
import { oidcQuery } from '../../../lib/queries/oidc-query.ts';
import { principalQuery } from '../../../lib/queries/principal-query.ts';
import type { QueryDefinition } from '../../../lib/queries/query-types.ts';
import { sessionQuery } from '../../../lib/queries/session-query.ts';
import { SYNTHETIC_CONFIG, syntheticTrail } from '../../helpers/synthetic-trail.ts';
import type { CloudTrailRecord } from '../../helpers/trail-records.ts';
import { CHAINED_TRAIL, ROOT } from './chained-trail.ts';
import { emulate } from './insights-emulator.ts';
import { type LogsServer, startLogsServer } from './logs-server.ts';
import { memorySource } from './memory-source.ts';

/**
 * Each query defined once, run both ways: over local records, and through Logs Insights (the SDK against
 * a loopback endpoint answering from the same records, from the fields and groups each query's text
 * asks for). The rows must be identical — with a small row cap, so every query is also split many times
 * and its groups merged.
 */

const context = { config: parseConfigText(SYNTHETIC_CONFIG, 'synthetic.yaml') };
const records: CloudTrailRecord[] = [...syntheticTrail({ seed: 7, attacks: true }), ...CHAINED_TRAIL].sort(
  (a, b) => String(a.eventTime).localeCompare(String(b.eventTime)),
);
const since = Date.parse('2026-11-20T06:00:00Z');
const until = Date.parse('2026-11-20T12:30:00Z');

let server: LogsServer;
beforeAll(async () => {
  server = await startLogsServer(emulate(records));
});
afterAll(() => server.close());

function logsSource(maxRows: number): InsightsSource {
  return new InsightsSource({
    client: server.client(),
    logGroups: ['CloudTrail/DefaultLogGroup'],
    since,
    until,
    deadline: Date.now() + 60_000,
    pollMs: 1,
    maxRows,
  });
}

const cases: [string, QueryDefinition<never>, unknown][] = [
  ['denied', deniedQuery as QueryDefinition<never>, { binMs: 3_600_000 }],
  ['denied, 10m bins', deniedQuery as QueryDefinition<never>, { binMs: 600_000 }],
  [
    'principal',
    principalQuery as QueryDefinition<never>,
    { arn: 'arn:aws:iam::111122223333:role/deploy-shop-prod' },
  ],
  ['oidc', oidcQuery as QueryDefinition<never>, {}],
  ['iam-writes', iamWritesQuery as QueryDefinition<never>, {}],
  ['keys', keysQuery as QueryDefinition<never>, {}],
  ['session', sessionQuery as QueryDefinition<never>, { accessKeyIds: ['ASIASHOPPROD00000145'] }],
  ['chained session', sessionQuery as QueryDefinition<never>, { accessKeyIds: [ROOT] }],
];

describe.each(cases)('query %s', (_name, definition, params) => {
  it('gives the same rows from local records and from Logs Insights, split at a small row cap', async () => {
    const local = await definition.run(params as never, context, memorySource(records));
    expect(local.rows.length).toBeGreaterThan(0);
    const logs = logsSource(40);
    const remote = await definition.run(params as never, context, logs);
    expect(remote.rows).toEqual(local.rows);
    expect(logs.stats.splits).toBeGreaterThan(0);
    expect(logs.stats.skippedRows).toBe(0);
  });
});

it('needs no split when the result fits', async () => {
  const logs = logsSource(10_000);
  const local = await oidcQuery.run({}, context, memorySource(records));
  expect((await oidcQuery.run({}, context, logs)).rows).toEqual(local.rows);
  expect(logs.stats).toMatchObject({ queries: 1, splits: 0 });
});

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoDbOutbox } from '../../../lib/alerts/dynamodb-outbox.ts';
import type { Finding } from '../../../lib/engine/finding.ts';
import { findingRows, findingsQuery } from '../../../lib/queries/findings-query.ts';
import { renderCsv, renderJsonl } from '../../../lib/queries/render-rows.ts';
import { LOCAL_AWS_ENV, localClient } from '../../helpers/dynamodb-local.ts';
import { runCli } from '../../helpers/run-cli.ts';
import { createTestTable, sharedDynamoDb } from '../../helpers/shared-dynamodb.ts';
import { hostileFinding } from '../alerts/hostile.ts';

const T0 = Date.parse('2026-11-20T10:00:00Z');
const SNS = 'sns:arn:aws:sns:us-east-1:111122223333:alerts';
const HOSTILE = '\u001b[31mred\u001b[0m<!channel>';

const first: Finding = hostileFinding(HOSTILE, {
  id: 'tg-00000000000000000001',
  time: '2026-11-19T22:15:00.000Z',
  severity: 'high',
});
const second: Finding = {
  ...hostileFinding('main', { id: 'tg-00000000000000000002', time: '2026-11-20T09:31:00.000Z' }),
  pipeline: undefined,
  subject: undefined,
};
const late: Finding = hostileFinding('late', {
  id: 'tg-00000000000000000003',
  time: '2026-11-21T08:00:00.000Z',
});
const to = (finding: Finding, sink = 'slack:#sec') => ({ findingId: finding.id, sink, finding });

let client: DynamoDBClient;
let endpoint: string;
let table: string;

beforeAll(async () => {
  endpoint = await sharedDynamoDb();
  client = localClient(endpoint);
  table = await createTestTable(client, 'findings-query');
  const outbox = new DynamoDbOutbox(client, table);
  await outbox.record([to(first), to(second), to(second, SNS)], T0);
  await outbox.record([to(late), to(first)], T0 + 1);
  await outbox.begin(to(second), T0, 1000);
  await outbox.markSent(to(second), T0 + 2);
  await outbox.begin(to(second, SNS), T0, 1000);
  await outbox.markFailed(to(second, SNS), 'AuthorizationError', true, T0 + 3);
});
afterAll(() => client.destroy());

const EXPECTED_ROWS = [
  {
    time: '2026-11-19T22:15:00.000Z',
    severity: 'high',
    detector: 'oidc-unexpected-subject',
    principal: `arn:aws:iam::111122223333:role/${HOSTILE}`,
    pipeline: `shop-${HOSTILE}`,
    subject: `repo:acme/shop:ref:refs/heads/${HOSTILE}`,
    summary: first.summary,
    findingId: 'tg-00000000000000000001',
    deliveries: ['slack:#sec:pending'],
  },
  {
    time: '2026-11-20T09:31:00.000Z',
    severity: 'critical',
    detector: 'oidc-unexpected-subject',
    principal: 'arn:aws:iam::111122223333:role/main',
    pipeline: null,
    subject: null,
    summary: second.summary,
    findingId: 'tg-00000000000000000002',
    deliveries: [`slack:#sec:sent`, `${SNS}:failed`],
  },
];

describe('query findings', () => {
  it('reads the findings of a range from the outbox history as rows, with delivery states', async () => {
    const outbox = new DynamoDbOutbox(client, table);
    const rows = await findingRows(
      outbox,
      Date.parse('2026-11-19T00:00:00Z'),
      Date.parse('2026-11-21T00:00:00Z'),
    );
    expect(rows).toEqual(EXPECTED_ROWS);
    expect(renderJsonl(findingsQuery.columns, rows).split('\n')[1]).toBe(JSON.stringify(EXPECTED_ROWS[1]));
    const csv = renderCsv(findingsQuery.columns, rows);
    expect(csv.split(/\r?\n/)[0]).toBe(
      'time,severity,detector,principal,pipeline,subject,summary,findingId,deliveries',
    );
    const shown = findingsQuery.table(rows, findingsQuery.columns);
    expect(shown).not.toContain('\u001b');
    expect(shown).toContain('slack:#sec:sent, sns:');
    expect(shown).toMatch(/\n\n2 findings\.$/);
    expect(findingsQuery.table([], findingsQuery.columns)).toBe('No findings recorded in this range.');
  });

  describe('from the CLI', () => {
    afterEach(() => vi.unstubAllEnvs());

    it('prints the history of dynamodb:TABLE for --since/--until in each format', async () => {
      vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', endpoint);
      for (const [name, value] of Object.entries(LOCAL_AWS_ENV)) vi.stubEnv(name, value);
      const range = ['--since', '2026-11-19', '--until', '2026-11-21T00:00:00Z'];
      const jsonl = await runCli([
        'query',
        'findings',
        '--state',
        `dynamodb:${table}`,
        ...range,
        '-f',
        'jsonl',
      ]);
      expect(jsonl.stderr).toBe('');
      expect(jsonl.code).toBe(0);
      expect(
        jsonl.stdout
          .trimEnd()
          .split('\n')
          .map((line) => JSON.parse(line)),
      ).toEqual(EXPECTED_ROWS);

      const all = await runCli([
        'query',
        'findings',
        '--state',
        `dynamodb:${table}`,
        '--now',
        '2026-11-22T00:00:00Z',
        '--since',
        '3d',
      ]);
      expect(all.code).toBe(0);
      expect(all.stdout).not.toContain('\u001b');
      expect(all.stdout).toMatch(/tg-00000000000000000003/);
      expect(all.stdout).toMatch(/\n3 findings\.\n$/);
    });

    it('needs --state dynamodb:TABLE and takes no files or logs:', async () => {
      for (const args of [
        ['query', 'findings'],
        ['query', 'findings', '--state', 'memory'],
        ['query', 'findings', '--state', 'dynamodb:x'],
        ['query', 'findings', '--state', `dynamodb:${table}`, 'logs:/aws/cloudtrail'],
        ['query', 'findings', '--state', `dynamodb:${table}`, 'examples/AWSLogs'],
      ]) {
        const run = await runCli(args);
        expect(run.code, args.join(' ')).toBe(2);
        expect(run.stderr, args.join(' ')).toContain('--state');
        expect(run.stdout).toBe('');
      }
      const reversed = await runCli([
        'query',
        'findings',
        '--state',
        `dynamodb:${table}`,
        '--since',
        '1d',
        '--until',
        '2d',
      ]);
      expect(reversed.code).toBe(2);
      expect(reversed.stderr).toContain('--since must be before --until');
    });
  });
});

import { compositeKey, isoTime, type TimeSpan, widen } from './cells.ts';
import { allOf, equals, IDENTITY_FIELDS, statsQuery } from './insights-text.ts';
import { QueryError } from './query-error.ts';
import type { Aggregation, Column, Observation, QueryContext, QueryDefinition, Row } from './query-types.ts';
import { runOnePass } from './query-types.ts';

/**
 * `query iam-writes`: IAM writes (non-read-only `iam.amazonaws.com` calls, whatever their outcome) by the
 * pipeline roles of the inventory in `--config`. Service pipelines are flagged: only the platform
 * pipeline should write IAM.
 */

export type IamWritesParams = Record<string, never>;

const COLUMNS: readonly Column[] = [
  { key: 'pipeline', header: 'PIPELINE', width: 30 },
  { key: 'kind', header: 'KIND' },
  { key: 'environment', header: 'ENV', width: 16 },
  { key: 'role', header: 'ROLE', width: 60 },
  { key: 'action', header: 'ACTION', width: 40 },
  { key: 'outcome', header: 'OUTCOME' },
  { key: 'count', header: 'COUNT' },
  { key: 'firstSeen', header: 'FIRST SEEN' },
  { key: 'lastSeen', header: 'LAST SEEN' },
  { key: 'flagged', header: 'FLAGGED' },
];

interface WriteStats extends TimeSpan {
  pipeline: string;
  kind: string;
  environment: string | null;
  role: string;
  action: string;
  outcome: string;
  count: number;
}

class IamWritesAggregation implements Aggregation {
  readonly #writes = new Map<string, WriteStats>();

  constructor(readonly context: QueryContext) {}

  add({ event, count, first, last }: Observation): void {
    if (event.source !== 'iam.amazonaws.com' || event.readOnly) return;
    const role = event.actor.role;
    const pipeline = this.context.config.inventory.findByRole(role);
    if (pipeline === undefined || role === undefined) return;
    const key = compositeKey(pipeline.name, role.canonicalArn, event.action, event.outcome);
    const stats = this.#writes.get(key);
    if (stats) {
      stats.count += count;
      widen(stats, first, last);
      return;
    }
    this.#writes.set(key, {
      pipeline: pipeline.name,
      kind: pipeline.kind,
      environment: pipeline.environment ?? null,
      role: role.canonicalArn,
      action: event.action,
      outcome: event.outcome,
      count,
      first,
      last,
    });
  }

  rows(): Row[] {
    const flagged = (s: WriteStats) => s.kind === 'service';
    return [...this.#writes.values()]
      .sort(
        (a, b) =>
          Number(flagged(b)) - Number(flagged(a)) ||
          a.pipeline.localeCompare(b.pipeline) ||
          a.action.localeCompare(b.action) ||
          a.outcome.localeCompare(b.outcome),
      )
      .map(({ first, last, ...rest }) => ({
        ...rest,
        firstSeen: isoTime(first),
        lastSeen: isoTime(last),
        flagged: rest.kind === 'service',
      }));
  }
}

export const iamWritesQuery: QueryDefinition<IamWritesParams> = {
  name: 'iam-writes',
  description: 'IAM writes by the pipeline roles of the inventory (--config); service pipelines flagged',
  columns: COLUMNS,
  insights: () => ({
    shape: 'groups',
    text: statsQuery({
      filter: allOf([equals('eventSource', 'iam.amazonaws.com'), equals('userIdentity.type', 'AssumedRole')]),
      groupBy: [...IDENTITY_FIELDS, 'errorCode', 'readOnly'],
    }),
  }),
  async run(params, context, source) {
    if (context.config.inventory.empty) {
      throw new QueryError(
        `iam-writes needs the pipeline inventory: pass --config with pipelines (${context.config.origin} has none)`,
        true,
      );
    }
    return runOnePass(source, iamWritesQuery.insights(params, context), new IamWritesAggregation(context));
  },
};

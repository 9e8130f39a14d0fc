import { type Command, Option } from 'commander';
import { EXIT } from '../../errors.ts';
import { terminalSafe } from '../../output/terminal-safe.ts';
import { findingRows, findingsQuery } from '../../queries/findings-query.ts';
import { QUERY_FORMATS, type QueryFormat, renderCsv, renderJsonl } from '../../queries/render-rows.ts';
import { parseStateSpec } from '../../state/open-state.ts';
import { parseTimeArgument } from '../parse-time.ts';
import { UsageError } from '../usage-error.ts';

/**
 * `trailguard query findings --state dynamodb:TABLE`: the alert history the outbox keeps in the state
 * table. It reads no CloudTrail, so files and `logs:` are usage errors. The AWS SDK loads only once the
 * options are known to be good.
 */

interface FindingsCliOptions {
  state?: string;
  since?: string;
  until?: string;
  now?: string;
  format: QueryFormat;
}

/** The outbox keeps findings 30 days by default: older history is gone anyway. */
const DEFAULT_SINCE_MS = 30 * 86_400_000;
/** One Query per day: a range wider than this is almost surely a typo in --since. */
const MAX_RANGE_DAYS = 366;
const NEEDS_STATE =
  'query findings reads the alert history from the state table: give --state dynamodb:TABLE';

function time(name: string, text: string | undefined, now: number, fallback: number): number {
  if (text === undefined) return fallback;
  const parsed = parseTimeArgument(text, now);
  if (parsed === undefined) {
    throw new UsageError(`${name} "${terminalSafe(text)}" is neither an ISO time nor a duration like 7d`);
  }
  return parsed;
}

async function runFindings(sources: readonly string[], options: FindingsCliOptions): Promise<number> {
  if (sources.length > 0) {
    throw new UsageError(`${NEEDS_STATE}, not files or logs: ("${terminalSafe(sources[0] ?? '')}")`);
  }
  if (options.state === undefined) throw new UsageError(NEEDS_STATE);
  const spec = parseStateSpec(options.state);
  if (spec.kind !== 'dynamodb') throw new UsageError(`${NEEDS_STATE} (memory keeps no history)`);
  const now = options.now === undefined ? Date.now() : Date.parse(options.now);
  if (Number.isNaN(now))
    throw new UsageError(`--now "${terminalSafe(options.now ?? '')}" is not an ISO time`);
  const since = time('--since', options.since, now, now - DEFAULT_SINCE_MS);
  const until = time('--until', options.until, now, now);
  if (since >= until) throw new UsageError('--since must be before --until');
  if (until - since > MAX_RANGE_DAYS * 86_400_000) {
    throw new UsageError(`--since to --until spans more than ${MAX_RANGE_DAYS} days`);
  }

  const { createDynamoDbClient } = await import('../../state/dynamodb-client.ts');
  const { openState } = await import('../../state/open-state.ts');
  const { DynamoDbOutbox } = await import('../../alerts/dynamodb-outbox.ts');
  const client = createDynamoDbClient();
  try {
    // Checks the table exists with the trailguard keys, with the same messages as detect --state.
    (await openState(spec, { client })).close();
    const rows = await findingRows(new DynamoDbOutbox(client, spec.table), since, until);
    const { columns } = findingsQuery;
    const output =
      options.format === 'jsonl'
        ? renderJsonl(columns, rows)
        : options.format === 'csv'
          ? renderCsv(columns, rows)
          : `${findingsQuery.table(rows, columns)}\n`;
    process.stdout.write(output);
    return EXIT.ok;
  } finally {
    client.destroy();
  }
}

/** Adds `query findings` under `query`. */
export function registerFindingsQuery(query: Command): void {
  query
    .command(findingsQuery.name)
    .description(findingsQuery.description)
    .option('--state <spec>', 'the state table: dynamodb:TABLE (required)')
    .option('--since <time>', 'findings at or after this time (ISO time, or a duration ago: 7d; default 30d)')
    .option('--until <time>', 'findings before this time (ISO time, or a duration ago; default now)')
    .option('--now <time>', 'the wall clock (ISO time; for tests and replays)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(QUERY_FORMATS).default('table'))
    .argument('[sources...]', 'none: findings come from --state, not from CloudTrail files or logs:')
    .action(async (sources: string[], options: FindingsCliOptions) => {
      process.exitCode = await runFindings(sources, options);
    });
}

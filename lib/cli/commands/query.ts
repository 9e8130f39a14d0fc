import { type Command, Option } from 'commander';
import { parseDuration } from '../../config/duration.ts';
import { EXIT } from '../../errors.ts';
import { terminalSafe } from '../../output/terminal-safe.ts';
import { deniedQuery } from '../../queries/denied-query.ts';
import { findingKeys } from '../../queries/finding-keys.ts';
import { iamWritesQuery } from '../../queries/iam-writes-query.ts';
import { keysQuery } from '../../queries/keys-query.ts';
import { LocalSource } from '../../queries/local-source.ts';
import { oidcQuery } from '../../queries/oidc-query.ts';
import { type PreparedRun, prepareRun, type SourceCliOptions } from '../../queries/prepare-run.ts';
import { principalQuery } from '../../queries/principal-query.ts';
import type { QueryDefinition, QueryResult } from '../../queries/query-types.ts';
import { QUERY_FORMATS, type QueryFormat, renderRows } from '../../queries/render-rows.ts';
import type { SessionStart } from '../../queries/session-collector.ts';
import { sessionsOfFinding } from '../../queries/session-finding.ts';
import { type SessionParams, sessionQuery } from '../../queries/session-query.ts';
import { formatSkip } from '../report-skip.ts';
import { UsageError } from '../usage-error.ts';
import { registerFindingsQuery } from './query-findings.ts';

/**
 * `trailguard query NAME ... SOURCE...`: the canned forensic queries of lib/queries over local CloudTrail
 * files or a CloudWatch log group (`logs:LOG_GROUP`). Rows go to stdout (table, jsonl or csv); progress,
 * skipped input, notes and the summary go to stderr. Exit 2 for usage errors, 1 when Logs Insights fails.
 */

interface QueryCliOptions extends SourceCliOptions {
  format: QueryFormat;
  showQuery?: boolean;
}

/** Adds `--since`, `--until`, `--timeout`, `--region`, `--now` and `--config` to a command. */
export function addSourceOptions(command: Command): Command {
  return command
    .option(
      '--since <time>',
      'only events at or after this time (ISO time, or a duration ago: 7d); required for logs:',
    )
    .option(
      '--until <time>',
      'only events before this time (ISO time, or a duration ago; default now for logs:)',
    )
    .option('--timeout <duration>', 'give up on Logs Insights after this long, for the whole run', '10m')
    .option('--region <region>', 'AWS region of the log group (default: the standard AWS chain)')
    .option('--now <time>', 'the wall clock (ISO time; for tests and replays)')
    .option(
      '-c, --config <file>',
      'config file (default: ./trailguard.yaml if present, else built-in defaults)',
    );
}

async function runQuery<P>(
  definition: QueryDefinition<P>,
  sources: readonly string[],
  options: QueryCliOptions,
  params: (run: PreparedRun) => Promise<P> | P,
  reportSkips = true,
): Promise<number> {
  const run = await prepareRun(sources, options, reportSkips);
  const context = { config: run.config };
  const resolved = await params(run);
  if (options.showQuery) {
    process.stdout.write(`${definition.insights(resolved, context).text}\n`);
    return EXIT.ok;
  }
  const result: QueryResult = await definition.run(resolved, context, run.opened.source);
  process.stdout.write(renderRows(definition, result.rows, options.format, resolved));
  run.finish(result.rows.length, result.notes);
  return EXIT.ok;
}

interface SessionCliOptions extends QueryCliOptions {
  accessKeyId: string[];
  sessionArn?: string;
  finding?: string;
}

/** `--finding`: raise the findings again over the same files to learn the finding's sessions. */
async function sessionParams(run: PreparedRun, options: SessionCliOptions): Promise<SessionParams> {
  const keys = [...options.accessKeyId];
  const starts: SessionStart[] = [];
  if (options.finding !== undefined) {
    if (run.opened.kind !== 'local' || !run.opened.source.rereadable) {
      throw new UsageError(
        '--finding re-runs detection over SOURCE: it needs local files (not logs: or stdin)',
      );
    }
    const { paths } = run.opened;
    const found = await findingKeys(
      options.finding,
      {
        paths,
        config: run.config,
        now: run.now,
        since: run.since,
        until: run.until,
        onSkip: (origin, reason) => process.stderr.write(`${formatSkip(origin, reason)}\n`),
      },
      new LocalSource({ paths, since: run.since, until: run.until }),
    );
    const sessions = sessionsOfFinding(found);
    for (const line of sessions.report) process.stderr.write(`${line}\n`);
    starts.push(...sessions.starts);
  }
  return { accessKeyIds: [...new Set(keys)], sessionArn: options.sessionArn, starts };
}

function queryCommand(parent: Command, name: string, description: string): Command {
  const command = parent.command(name).description(description);
  addSourceOptions(command)
    .addOption(new Option('-f, --format <format>', 'output format').choices(QUERY_FORMATS).default('table'))
    .option('--show-query', 'print the Logs Insights query text instead of running it');
  return command;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerQuery(program: Command): void {
  const query = program
    .command('query')
    .description('forensic queries over CloudTrail files or a CloudWatch log group (logs:LOG_GROUP)');
  queryCommand(query, sessionQuery.name, sessionQuery.description)
    .option('--access-key-id <key>', "the session's access key id (repeatable)", collect, [])
    .option(
      '--session-arn <arn>',
      'every session of this ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION)',
    )
    .option('--finding <id>', 'the session behind a finding id (re-runs detection over SOURCE)')
    .argument('<sources...>', 'files or directories ("-" for stdin), or logs:LOG_GROUP')
    .action(async (sources: string[], options: SessionCliOptions) => {
      process.exitCode = await runQuery(
        sessionQuery,
        sources,
        options,
        (run) => sessionParams(run, options),
        options.finding === undefined,
      );
    });

  queryCommand(query, principalQuery.name, principalQuery.description)
    .argument('<arn>', 'a role ARN (every session, any path), session ARN, or user ARN')
    .argument('<sources...>', 'files or directories ("-" for stdin), or logs:LOG_GROUP')
    .action(async (arn: string, sources: string[], options: QueryCliOptions) => {
      process.exitCode = await runQuery(principalQuery, sources, options, () => ({ arn }));
    });

  queryCommand(query, deniedQuery.name, deniedQuery.description)
    .option('--bin <duration>', 'time bucket of the trend (30m, 1h, 1d)', '1h')
    .argument('<sources...>', 'files or directories ("-" for stdin), or logs:LOG_GROUP')
    .action(async (sources: string[], options: QueryCliOptions & { bin: string }) => {
      const binMs = parseDuration(options.bin);
      if (binMs === undefined || binMs < 1_000) {
        throw new UsageError(
          `--bin "${terminalSafe(options.bin)}" is not a duration of a second or more (1h)`,
        );
      }
      process.exitCode = await runQuery(deniedQuery, sources, options, () => ({ binMs }));
    });

  for (const definition of [oidcQuery, iamWritesQuery, keysQuery] as const) {
    queryCommand(query, definition.name, definition.description)
      .argument('<sources...>', 'files or directories ("-" for stdin), or logs:LOG_GROUP')
      .action(async (sources: string[], options: QueryCliOptions) => {
        process.exitCode = await runQuery(definition, sources, options, () => ({}));
      });
  }
  registerFindingsQuery(query);
}

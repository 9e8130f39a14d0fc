import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { findMissingPaths } from '../ingest/check-paths.ts';
import { InsightsSource, type InsightsSourceOptions } from './insights-source.ts';
import { hasControlCharacter } from './insights-text.ts';
import { LocalSource, type LocalSourceOptions } from './local-source.ts';
import { QueryError } from './query-error.ts';

/**
 * SOURCE arguments: local files and directories (`-` for stdin), or `logs:LOG_GROUP` for the CloudWatch
 * log group CloudTrail delivers to (several allowed, at most 50; a name or an ARN). One kind per run.
 */

export const LOGS_PREFIX = 'logs:';
const MAX_LOG_GROUPS = 50;

export type SourceSpec = { kind: 'local'; paths: string[] } | { kind: 'logs'; logGroups: string[] };

/** Classifies SOURCE arguments; throws `QueryError` (usage) for a mix, an empty or odd log group name. */
export function parseSources(args: readonly string[]): SourceSpec {
  const logGroups = args.filter((a) => a.startsWith(LOGS_PREFIX)).map((a) => a.slice(LOGS_PREFIX.length));
  if (logGroups.length === 0) return { kind: 'local', paths: [...args] };
  if (logGroups.length !== args.length) {
    throw new QueryError('SOURCE is either local files or logs:LOG_GROUP, not both in one run', true);
  }
  for (const group of logGroups) {
    if (group.length === 0 || group.length > 2048 || hasControlCharacter(group)) {
      throw new QueryError(`"${LOGS_PREFIX}${group}" does not name a log group`, true);
    }
  }
  if (logGroups.length > MAX_LOG_GROUPS) {
    throw new QueryError(`Logs Insights queries at most ${MAX_LOG_GROUPS} log groups at once`, true);
  }
  return { kind: 'logs', logGroups };
}

export interface OpenSourceOptions {
  spec: SourceSpec;
  since?: number;
  until?: number;
  /** Wall clock (epoch ms): the default `--until` for logs. */
  now: number;
  /** The whole run's Logs Insights budget in ms (`--timeout`). */
  timeoutMs: number;
  region?: string;
  /** For tests: a client pointed at a loopback endpoint. */
  client?: CloudWatchLogsClient;
  pollMs?: number;
  local?: Pick<LocalSourceOptions, 'onSkip' | 'onProgress' | 'stdin'>;
  logs?: Pick<InsightsSourceOptions, 'onSkip' | 'onProgress'>;
}

export type OpenedSource =
  | { kind: 'local'; paths: string[]; source: LocalSource }
  | { kind: 'logs'; logGroups: string[]; source: InsightsSource; since: number; until: number };

/**
 * Checks and opens the source: missing local paths and a `logs:` source without `--since` are usage
 * errors, raised before anything is read.
 */
export async function openSource(options: OpenSourceOptions): Promise<OpenedSource> {
  const { spec } = options;
  if (spec.kind === 'local') {
    const missing = await findMissingPaths(spec.paths);
    if (missing.length > 0) throw new QueryError(`no such file or directory: ${missing.join(', ')}`, true);
    const source = new LocalSource({
      paths: spec.paths,
      since: options.since,
      until: options.until,
      ...options.local,
    });
    return { kind: 'local', paths: spec.paths, source };
  }
  if (options.since === undefined) {
    throw new QueryError('logs: sources need --since (Logs Insights queries a time range)', true);
  }
  const until = options.until ?? options.now;
  if (until <= options.since) throw new QueryError('--until must be after --since', true);
  const client = options.client ?? new CloudWatchLogsClient(options.region ? { region: options.region } : {});
  const source = new InsightsSource({
    client,
    logGroups: spec.logGroups,
    since: options.since,
    until,
    deadline: Date.now() + options.timeoutMs,
    pollMs: options.pollMs,
    ...options.logs,
  });
  return { kind: 'logs', logGroups: spec.logGroups, source, since: options.since, until };
}

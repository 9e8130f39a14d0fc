import type { ResolvedConfig } from '../config/resolved-config.ts';
import type { NormalizedEvent } from '../events/normalized-event.ts';

/**
 * The contract every canned query follows. A query is defined once: an aggregation over
 * `Observation`s plus the Logs Insights text that selects the same events. Locally each event is one
 * observation; from Logs Insights each result row (a `stats` group or one event) is rebuilt into a record,
 * normalized by the same `normalizeRecord`, and becomes one observation with its count. The aggregation
 * then applies the exact test (the denial allow-list, the inventory, the principal match) in both cases,
 * so both sources give rows of the same shape and meaning.
 */

/** One value in a result row. Lists hold distinct values (source IPs, user agents, regions). */
export type Cell = string | number | boolean | null | readonly string[];

/** A result row: stable field names (the columns' keys), in column order. */
export type Row = Readonly<Record<string, Cell>>;

export interface Column {
  /** Field name in JSON Lines and the CSV header; never renamed once released. */
  key: string;
  /** Table header. */
  header: string;
  /** Longest table cell before it is cut with `…`. */
  width?: number;
}

/** One event, or a group of events that agree on every field the query reads. */
export interface Observation {
  event: NormalizedEvent;
  /** How many events (1 locally; the group's `count(*)` from Logs Insights). */
  count: number;
  /** Earliest and latest event time in the group, epoch ms (both `event.time` for one event). */
  first: number;
  last: number;
}

/** A query's state while events stream past: bounded by the number of distinct rows, never by the trail. */
export interface Aggregation {
  add(observation: Observation): void;
  rows(): Row[];
}

/** Logs Insights text for a query, and the shape of its result rows. */
export interface InsightsQuery {
  text: string;
  /** `groups`: `stats` rows with `count`, `first`, `last`; `events`: one row per matching event. */
  shape: 'groups' | 'events';
}

/** Where observations come from: local files/stdin, or a CloudWatch log group through Logs Insights. */
export interface EventSource {
  /** False when a second pass is impossible (stdin). */
  readonly rereadable: boolean;
  /** Feeds the observations matching `query` (a local source feeds every event in range) to `sink`. */
  scan(query: InsightsQuery, sink: (observation: Observation) => void): Promise<void>;
}

export interface QueryContext {
  config: ResolvedConfig;
}

export interface QueryResult {
  rows: Row[];
  /** Things the reader must know about the rows (incomplete chains, capped lists), for stderr. */
  notes: string[];
}

/** A canned query; `P` is what its command-line options parse to. */
export interface QueryDefinition<P> {
  name: string;
  /** One line for `--help`. */
  description: string;
  columns: readonly Column[];
  /** The Insights query for these parameters (shown by `--show-query` and used for `logs:` sources). */
  insights(params: P, context: QueryContext): InsightsQuery;
  run(params: P, context: QueryContext, source: EventSource): Promise<QueryResult>;
  /** A table for people, when the generic one is not enough (sparklines, per-session headers). */
  table?(rows: readonly Row[], columns: readonly Column[], params: P): string;
}

/** Runs a one-pass query: every observation into a fresh aggregation. */
export async function runOnePass(
  source: EventSource,
  query: InsightsQuery,
  aggregation: Aggregation,
): Promise<QueryResult> {
  await source.scan(query, (observation) => aggregation.add(observation));
  return { rows: aggregation.rows(), notes: [] };
}

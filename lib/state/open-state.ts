import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ResolvedConfig } from '../config/resolved-config.ts';
import type { Detector, DetectorContext } from '../engine/detector.ts';
import { terminalSafe } from '../output/terminal-safe.ts';
import { DEFAULT_RETENTION_MS } from './dynamodb-keys.ts';
import { MemoryState } from './memory-state.ts';
import { RequestStats } from './request-stats.ts';
import { StateOpenError } from './state-open-error.ts';
import type { StatePort } from './state-port.ts';
import { isValidTableName } from './table-definition.ts';

/** Where state lives, as `--state` names it: `memory` or `dynamodb:TABLE`. */
export type StateSpec = { kind: 'memory' } | { kind: 'dynamodb'; table: string };

export function parseStateSpec(text: string): StateSpec {
  if (text === 'memory') return { kind: 'memory' };
  if (text.startsWith('dynamodb:')) {
    const table = text.slice('dynamodb:'.length);
    if (!isValidTableName(table)) {
      throw new StateOpenError(
        `--state "${terminalSafe(text)}": "${terminalSafe(table)}" is not a DynamoDB table name (3-255 of A-Z a-z 0-9 _ - .)`,
      );
    }
    return { kind: 'dynamodb', table };
  }
  throw new StateOpenError(`--state "${terminalSafe(text)}" is neither "memory" nor "dynamodb:TABLE"`);
}

export interface OpenedState {
  state: StatePort;
  /** `memory` or `dynamodb:TABLE`. */
  label: string;
  /** DynamoDB requests made by the store (none for memory). */
  stats: RequestStats;
  /** Problems worth a line on stderr that do not stop a run (e.g. TTL off). */
  warnings: string[];
  /** Releases the client's sockets when `openState` made the client. */
  close(): void;
}

/**
 * How long DynamoDB must keep state: the longest lookback of the enabled stateful detectors plus the
 * engine's lateness, and never less than the 2-day default.
 */
export function stateRetention(detectors: readonly Detector[], config: ResolvedConfig): number {
  return Math.max(DEFAULT_RETENTION_MS, stateReach(detectors, config));
}

/** How far behind the newest event a state read may reach: the longest enabled lookback plus lateness. */
export function stateReach(detectors: readonly Detector[], config: ResolvedConfig): number {
  let lookback = 0;
  for (const detector of detectors) {
    const settings = config.detectors[detector.id];
    if (detector.kind !== 'stateful' || settings?.enabled === false) continue;
    const params = (settings ?? detector.params.parse({})) as DetectorContext['params'];
    lookback = Math.max(lookback, detector.lookback({ inventory: config.inventory, params }));
  }
  return lookback + config.engine.lateness;
}

export interface OpenStateOptions {
  /** Default: a client from the standard AWS SDK chain, destroyed by `close`. */
  client?: DynamoDBClient;
  retentionMs?: number;
  /** How far back state reads reach (`stateReach`). */
  reachMs?: number;
}

/**
 * Builds the store `spec` names. For DynamoDB the table must already exist with the trailguard key
 * schema (`trailguard state create-table`); region, credentials and endpoint come from the standard AWS
 * SDK chain unless a client is given.
 */
export async function openState(spec: StateSpec, options: OpenStateOptions = {}): Promise<OpenedState> {
  if (spec.kind === 'memory') {
    const close = () => {};
    return { state: new MemoryState(), label: 'memory', stats: new RequestStats(), warnings: [], close };
  }
  // Loaded on demand: the AWS SDK adds a third of a second to every start that does not need it.
  const { openDynamoDb } = await import('./open-dynamodb.ts');
  return openDynamoDb(spec.table, options);
}

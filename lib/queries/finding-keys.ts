import { detectors } from '../../detectors/index.ts';
import type { ResolvedConfig } from '../config/resolved-config.ts';
import { DetectionEngine } from '../engine/detection-engine.ts';
import type { Finding } from '../engine/finding.ts';
import { replay } from '../engine/replay.ts';
import { objectAt, stringAt } from '../events/record-fields.ts';
import { readCloudTrail } from '../ingest/read-cloudtrail.ts';
import type { RecordOrigin } from '../ingest/types.ts';
import { MemoryState } from '../state/memory-state.ts';
import { QueryError } from './query-error.ts';
import type { EventSource } from './query-types.ts';
import { isAccessKeyId } from './session-collector.ts';

/**
 * `query session --finding ID`: finding ids are stable hashes, so nothing maps one back to its events
 * except raising it again. Detection (the registered detectors, the config, a fresh in-memory state) runs
 * over the same files and time range; the finding's access key is its `details.issuedAccessKeyId` or
 * `details.accessKeyId`, else the key that signed (or was issued by) one of its `eventIds`.
 */

export interface FindingLookupOptions {
  paths: readonly string[];
  config: ResolvedConfig;
  /** Wall clock for suppression expiry, as `detect --now`. */
  now: number;
  since?: number;
  until?: number;
  onSkip?(origin: RecordOrigin, reason: string): void;
}

export interface FindingKeys {
  finding: Finding;
  accessKeyIds: string[];
}

/** The key ids a finding names in its details. */
function keysInDetails(finding: Finding): string[] {
  const details = finding.details ?? {};
  return [stringAt(details, 'issuedAccessKeyId'), stringAt(details, 'accessKeyId')].filter(
    (key): key is string => key !== undefined && isAccessKeyId(key),
  );
}

async function findFinding(id: string, options: FindingLookupOptions): Promise<Finding | undefined> {
  const engine = new DetectionEngine({
    detectors,
    config: options.config,
    now: options.now,
    state: new MemoryState(),
  });
  let found: Finding | undefined;
  await replay(readCloudTrail(options.paths, { since: options.since }), engine, {
    since: options.since,
    until: options.until,
    onSkip: options.onSkip,
    onFindings: (findings) => {
      found ??= findings.find((f) => f.id === id);
    },
  });
  return found;
}

/** Keys that signed, or were issued by, the finding's events (one more pass over `source`). */
async function keysOfEvents(finding: Finding, source: EventSource): Promise<string[]> {
  const wanted = new Set(finding.eventIds);
  const keys = new Set<string>();
  await source.scan({ shape: 'events', text: '' }, ({ event }) => {
    if (!wanted.has(event.id)) return;
    const issued =
      event.oidc?.issuedAccessKeyId ??
      stringAt(objectAt(event.responseElements, 'credentials'), 'accessKeyId');
    for (const key of [event.credential.accessKeyId, event.outcome === 'success' ? issued : undefined]) {
      if (key !== undefined && isAccessKeyId(key)) keys.add(key);
    }
  });
  return [...keys];
}

/**
 * Raises the findings again and returns the one with `id` and its access keys. Throws `QueryError`
 * (usage) when no finding has that id, or when it names no access key (a denied assumption issues none).
 * `lookupSource` reads the same files, for findings whose details carry no key.
 */
export async function findingKeys(
  id: string,
  options: FindingLookupOptions,
  lookupSource: EventSource,
): Promise<FindingKeys> {
  const finding = await findFinding(id, options);
  if (finding === undefined) {
    throw new QueryError(
      `no finding ${id} in these logs: run query with the same logs, --since/--until and --config as the detect run that raised it`,
      true,
    );
  }
  let accessKeyIds = keysInDetails(finding);
  if (accessKeyIds.length === 0) accessKeyIds = await keysOfEvents(finding, lookupSource);
  if (accessKeyIds.length === 0) {
    throw new QueryError(
      `finding ${id} (${finding.detector}) names no access key to trace (a denied call issues none); try query principal ${finding.principal}`,
      true,
    );
  }
  return { finding, accessKeyIds };
}

import type { ResolvedConfig } from '../../lib/config/resolved-config.ts';
import { DetectionEngine } from '../../lib/engine/detection-engine.ts';
import type { Detector, DetectorContext } from '../../lib/engine/detector.ts';
import type { Finding } from '../../lib/engine/finding.ts';
import type { NormalizedEvent } from '../../lib/events/normalized-event.ts';
import { MemoryState } from '../../lib/state/memory-state.ts';
import { variant } from './records.ts';

type JsonRecord = Record<string, unknown>;

/** Wall clock for suppression expiry in detector tests. */
const NOW = Date.parse('2026-11-26T00:00:00Z');

/** CloudTrail's eventTime format: ISO 8601 to the second. */
export function cloudTrailTime(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/**
 * `count` copies of real records (cycling through them), each with its own eventID (`<tag>-0000`…) and
 * eventTime (`timeOf(i)`): a captured burst stretched to any length, every other field as captured.
 */
export function replicate(
  records: readonly JsonRecord[],
  count: number,
  timeOf: (i: number) => number,
  tag: string,
): NormalizedEvent[] {
  return Array.from({ length: count }, (_, i) =>
    variant(records[i % records.length] as JsonRecord, (record) => {
      record.eventID = `${tag}-${String(i).padStart(4, '0')}`;
      record.eventTime = cloudTrailTime(timeOf(i));
    }),
  );
}

/** Runs one detector through the real engine and in-memory state, in event-time order, `batch` per call. */
export async function runDetector(
  detector: Detector,
  events: readonly NormalizedEvent[],
  config: ResolvedConfig,
  batch = 500,
): Promise<Finding[]> {
  const engine = new DetectionEngine({ detectors: [detector], config, state: new MemoryState(), now: NOW });
  const sorted = [...events].sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const findings: Finding[] = [];
  for (let i = 0; i < sorted.length; i += batch)
    findings.push(...(await engine.process(sorted.slice(i, i + batch))));
  return findings;
}

/** The context the engine hands `detector`: its settings merged with its parameters from the config. */
export function detectorContext<D extends Detector>(
  detector: D,
  resolved: ResolvedConfig,
): DetectorContext<D['params']> {
  const params = resolved.detectors[detector.id];
  if (params === undefined) throw new Error(`config has no settings for ${detector.id}`);
  return {
    inventory: resolved.inventory,
    params: params as unknown as DetectorContext<D['params']>['params'],
  };
}

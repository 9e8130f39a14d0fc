import { fileURLToPath } from 'node:url';
import { detectors } from '../../../detectors/index.ts';
import { loadConfig } from '../../../lib/config/load-config.ts';
import { DetectionEngine } from '../../../lib/engine/detection-engine.ts';
import type { Finding } from '../../../lib/engine/finding.ts';
import { replay } from '../../../lib/engine/replay.ts';
import { readCloudTrail } from '../../../lib/ingest/read-cloudtrail.ts';
import { MemoryState } from '../../../lib/state/memory-state.ts';

const root = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

/** The wall clock the example config's suppression expiry is judged against. */
export const EXAMPLE_NOW = Date.parse('2026-11-26T00:00:00Z');

/** The findings `detect` raises over the bundled example trail: one per detector. */
export async function exampleFindings(): Promise<Finding[]> {
  const config = await loadConfig(root('examples/trailguard.yaml'));
  const engine = new DetectionEngine({ detectors, config, now: EXAMPLE_NOW, state: new MemoryState() });
  const findings: Finding[] = [];
  await replay(readCloudTrail([root('examples/AWSLogs')]), engine, {
    onFindings: (batch) => {
      findings.push(...batch);
    },
  });
  return findings;
}

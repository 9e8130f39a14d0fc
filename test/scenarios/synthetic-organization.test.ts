import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { detectors } from '../../detectors/index.ts';
import { parseConfigText } from '../../lib/config/load-config.ts';
import { DetectionEngine } from '../../lib/engine/detection-engine.ts';
import type { Finding } from '../../lib/engine/finding.ts';
import { replay } from '../../lib/engine/replay.ts';
import { readCloudTrail } from '../../lib/ingest/read-cloudtrail.ts';
import { MemoryState } from '../../lib/state/memory-state.ts';
import { INJECTED_ATTACKS, SYNTHETIC_CONFIG, syntheticTrail } from '../helpers/synthetic-trail.ts';
import { writeS3Trail } from '../helpers/write-s3-trail.ts';

/**
 * The whole product on a realistic six-hour trail: benign pipelines, an application role, console users,
 * AWS services, a steady auditor and an agent within budget — plus one injected attack per detector.
 */
async function detect(paths: readonly string[], batchSize = 500): Promise<Finding[]> {
  const config = parseConfigText(SYNTHETIC_CONFIG, 'synthetic.yaml');
  const engine = new DetectionEngine({
    detectors,
    config,
    state: new MemoryState(),
    now: Date.parse('2026-11-26T00:00:00Z'),
  });
  const findings: Finding[] = [];
  await replay(readCloudTrail(paths), engine, { batchSize, onFindings: (f) => void findings.push(...f) });
  return findings;
}

describe('a six-hour synthetic organization', () => {
  let benign: string[];
  let attacked: string[];
  beforeAll(async () => {
    benign = await writeS3Trail(syntheticTrail({ seed: 7 }), await mkdtemp(join(tmpdir(), 'tg-benign-')));
    attacked = await writeS3Trail(
      syntheticTrail({ seed: 7, attacks: true }),
      await mkdtemp(join(tmpdir(), 'tg-attacked-')),
    );
  });

  it('raises nothing on benign traffic', async () => {
    expect(await detect(benign)).toEqual([]);
  });

  it('finds every injected attack with the right detector, and nothing else', async () => {
    const findings = await detect(attacked);
    for (const attack of INJECTED_ATTACKS) {
      const matching = findings.filter(
        (f) => f.detector === attack.detector && f.principal === attack.principal,
      );
      // A burst (60 denials, 25 agent changes) is one finding, not one per event.
      expect(matching.length, `${attack.detector} on ${attack.principal}`).toBe(1);
    }
    expect(findings).toHaveLength(INJECTED_ATTACKS.length);
  });

  it('gives the same findings whatever the order of the files and the batch size', async () => {
    const forward = await detect(attacked);
    const reversed = await detect([...attacked].reverse(), 1);
    expect(reversed.map((f) => f.id).sort()).toEqual(forward.map((f) => f.id).sort());
  });
});

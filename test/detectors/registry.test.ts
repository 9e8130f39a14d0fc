import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { detectors } from '../../detectors/index.ts';
import { SEVERITIES } from '../../lib/engine/finding.ts';

const detectorFiles = async () =>
  (await readdir(new URL('../../detectors/', import.meta.url)))
    .filter((file) => file.endsWith('.ts') && file !== 'index.ts')
    .map((file) => file.replace(/\.ts$/, ''));

describe('detector registry', () => {
  it('registers every detector file, once, under its file name', async () => {
    const ids = detectors.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual((await detectorFiles()).sort());
  });

  it('gives every detector its own tests', async () => {
    const tests = await readdir(new URL('./', import.meta.url));
    for (const detector of detectors) expect(tests).toContain(`${detector.id}.test.ts`);
  });

  it.each(detectors.map((d) => [d.id, d] as const))(
    '%s carries what on-call and infra need',
    (_id, detector) => {
      expect(detector.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(SEVERITIES).toContain(detector.severity);
      expect(detector.title.length).toBeGreaterThan(5);
      expect(detector.description.length).toBeGreaterThan(40);
      expect(detector.runbook).toMatch(/^1\. /);
      expect(detector.needs.length).toBeGreaterThan(0);
      for (const need of detector.needs) expect(need.source).toMatch(/^(\*|[a-z0-9-]+\.amazonaws\.com)$/);
      // Every parameter has a default: an empty config section must be valid.
      expect(() => detector.params.parse({})).not.toThrow();
    },
  );
});

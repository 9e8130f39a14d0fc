import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { detectors } from '../../detectors/index.ts';
import { SEVERITIES } from '../../lib/engine/finding.ts';

/**
 * A detector lives in `<dir>/<id>.ts`, or in `<dir>/<id>/<id>.ts` when it needs more files (tables, its
 * own analysis) beside it. Other files in such a folder are the detector's helpers, not detectors.
 */
async function namedFiles(dir: URL, suffix: string): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith(suffix)) {
      names.push(entry.name.slice(0, -suffix.length));
    } else if (entry.isDirectory()) {
      const inside = await readdir(new URL(`${entry.name}/`, dir));
      if (inside.includes(`${entry.name}${suffix}`)) names.push(entry.name);
    }
  }
  return names;
}

const detectorFiles = async () =>
  (await namedFiles(new URL('../../detectors/', import.meta.url), '.ts')).filter((name) => name !== 'index');

describe('detector registry', () => {
  it('registers every detector file, once, under its file name', async () => {
    const ids = detectors.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual((await detectorFiles()).sort());
  });

  it('keeps no stray folder under detectors/: each is named after the detector file inside it', async () => {
    const entries = await readdir(new URL('../../detectors/', import.meta.url), { withFileTypes: true });
    const folders = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    expect(folders.filter((folder) => !detectors.some((d) => d.id === folder))).toEqual([]);
  });

  it('gives every detector its own tests', async () => {
    const tests = await namedFiles(new URL('./', import.meta.url), '.test.ts');
    for (const detector of detectors) expect(tests).toContain(detector.id);
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

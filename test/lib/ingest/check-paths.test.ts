import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findMissingPaths } from '../../../lib/ingest/check-paths.ts';
import { put, tempDir } from './helpers.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

describe('findMissingPaths', () => {
  it('returns the paths that do not exist, in the order given; - always exists', async () => {
    const file = await put(dir, 'one.json', '{}');
    const missing = [join(dir, 'typo.json'), join(file, 'under-a-file.json')];
    expect(await findMissingPaths([missing[0] as string, file, '-', dir, missing[1] as string])).toEqual(
      missing,
    );
  });

  it('returns nothing when everything exists', async () => {
    expect(await findMissingPaths([dir, '-'])).toEqual([]);
    expect(await findMissingPaths([])).toEqual([]);
  });
});

import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { detectorCatalogue } from '../lib/cli/commands/detectors.ts';

describe('README', () => {
  it('carries the generated detector catalogue (regenerate: npx trailguard detectors --format markdown)', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const start = readme.indexOf('\n', readme.indexOf('<!-- detector-catalogue:start')) + 1;
    const end = readme.indexOf('<!-- detector-catalogue:end');
    expect(readme.slice(start, end).trim()).toBe(detectorCatalogue());
  });

  it('opens with the two quick-start commands the CI and users rely on', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(firstBlock.split('\n')[0]).toMatch(/^npm ci && npm start\b/);
    expect(firstBlock.split('\n')[1]).toMatch(/^npm cit\b/);
  });
});

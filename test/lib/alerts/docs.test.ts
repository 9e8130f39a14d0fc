import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectors } from '../../../detectors/index.ts';
import { DOCS_DIR, renderDocs } from './render-docs.ts';

describe('docs/alerts examples', () => {
  it('hold the current Slack message of every detector and an SNS message', async () => {
    const files = await renderDocs();
    expect([...files.keys()].sort()).toEqual(
      [...detectors.map((d) => `slack-${d.id}.json`), 'sns-example.json'].sort(),
    );
    for (const [name, text] of files) {
      const stored = await readFile(join(DOCS_DIR, name), 'utf8').catch(() => '(missing)');
      expect(stored, `${name} is stale: npx tsx test/lib/alerts/render-docs.ts`).toBe(text);
    }
  });
});

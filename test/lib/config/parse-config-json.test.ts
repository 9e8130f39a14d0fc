import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../../infra/paths.ts';
import { ConfigError } from '../../../lib/config/config-error.ts';
import { parseConfigText } from '../../../lib/config/load-config.ts';
import { parseConfigJson } from '../../../lib/config/parse-config-json.ts';

describe('parseConfigJson', () => {
  it('gives the same config as the YAML it was converted from', () => {
    const file = join(REPO_ROOT, 'examples', 'trailguard.yaml');
    const text = readFileSync(file, 'utf8');
    const fromJson = parseConfigJson(JSON.stringify(parse(text)), file);
    const fromYaml = parseConfigText(text, file);
    // Compiled globs are closures, equal in behaviour but not by identity: compare everything else.
    const data = (config: typeof fromJson) =>
      JSON.stringify(config, (_key, value: unknown) =>
        typeof value === 'function' ? 'function' : value instanceof Set ? [...value] : value,
      );
    expect(data(fromJson)).toBe(data(fromYaml));
    expect(fromJson.inventory.pipelines.length).toBeGreaterThan(0);
  });

  it('reads null (an empty YAML file converted) as the defaults', () => {
    expect(parseConfigJson('null', 'trailguard.json').alerts).toEqual(
      parseConfigText('', 'trailguard.json').alerts,
    );
  });

  it('names every problem by its path, and text that is not JSON', () => {
    const problems = (text: string) => {
      try {
        parseConfigJson(text, 'trailguard.json');
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).problems;
      }
      throw new Error('expected a ConfigError');
    };
    expect(problems('{"detectors":{"access-denied-spike":{"threshold":-1}},"nope":1}')).toEqual([
      { path: 'detectors.access-denied-spike.threshold', message: expect.any(String) },
      { path: '', message: expect.stringContaining('(nope)') },
    ]);
    expect(problems('detectors:\n  long-lived-key: {}\n')).toEqual([
      { path: '', message: expect.stringMatching(/^not JSON: /) },
    ]);
  });
});

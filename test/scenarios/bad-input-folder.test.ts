import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../lib/engine/finding.ts';
import { terminalSafe } from '../../lib/output/terminal-safe.ts';
import { type BadInputFolder, buildBadInputFolder } from '../helpers/bad-input-folder.ts';
import { RAW_TERMINAL_CONTROL } from '../helpers/hostile-text.ts';
import { type CliResult, runCli } from '../helpers/run-cli.ts';

/**
 * The "done when": a folder mixing valid CloudTrail files with each kind of bad file is processed
 * by the real CLI with exit 0, every valid record judged, each bad file named on stderr with its reason.
 * The same valid records alone (the clean folder) are the oracle: the bad files around them may change
 * nothing about the findings.
 */

let folder: BadInputFolder;
let mixed: CliResult;
let clean: CliResult;

const detect = (dir: string) => runCli(['detect', dir, '--config', folder.configPath, '--format', 'json']);
const judged = (stderr: string) => Number(/([\d,]+) events? judged/.exec(stderr)?.[1]?.replaceAll(',', ''));
const ids = (result: CliResult) => (JSON.parse(result.stdout) as Finding[]).map((f) => f.id).sort();
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

beforeAll(async () => {
  folder = await buildBadInputFolder();
  [mixed, clean] = await Promise.all([detect(folder.dir), detect(folder.cleanDir)]);
}, 120_000);
afterAll(() => folder.cleanup());

describe('trailguard detect on a folder of valid and bad files', () => {
  it('exits 0 without a crash or a stack trace', () => {
    expect(mixed.code).toBe(0);
    expect(mixed.stderr).not.toMatch(/unexpected error|\n\s+at .+:\d+:\d+|RangeError|TypeError/);
    expect(mixed.stderr).not.toMatch(RAW_TERMINAL_CONTROL);
  });

  it('judges every valid record: as many as were written, and as many as without the bad files', () => {
    expect(clean.code).toBe(0);
    expect(judged(clean.stderr)).toBe(folder.validRecords);
    expect(judged(mixed.stderr)).toBe(folder.validRecords);
  });

  it('raises exactly the findings of the valid records alone, from every detector they should fire', () => {
    expect(ids(mixed)).toEqual(ids(clean));
    const detectors = new Set((JSON.parse(clean.stdout) as Finding[]).map((f) => f.detector));
    expect([...detectors].sort()).toEqual([
      'access-denied-spike',
      'agent-change-rate',
      'audit-tampering',
      'long-lived-key',
      'oidc-session-exfiltration',
      'oidc-trust-policy',
      'oidc-unexpected-subject',
      'pipeline-iam-write',
    ]);
  });

  it('names each bad file (or entry) on stderr with its reason', () => {
    const lines = mixed.stderr.split('\n');
    const missing: string[] = [];
    for (const { kind, skips } of folder.kinds) {
      expect(skips.length, kind).toBeGreaterThan(0);
      for (const skip of skips) {
        const head = new RegExp(`^trailguard: skipped ${literal(terminalSafe(skip.file) + skip.where)}: `);
        const line = lines.find((l) => head.test(l));
        if (line === undefined || !skip.reason.test(line.replace(head, ''))) {
          missing.push(`${kind}: ${skip.file}${skip.where} ${skip.reason} (got ${line})`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('names nothing else: every skip line is one the catalogue expects', () => {
    const expected = folder.kinds.flatMap((k) => k.skips).length;
    expect(mixed.stderr.split('\n').filter((l) => l.startsWith('trailguard: skipped '))).toHaveLength(
      expected,
    );
  });
});

describe('trailguard detect refuses to start (exit 2) and names the culprit', () => {
  it('for a missing path among good ones, before reading anything', async () => {
    const missing = join(folder.dir, 'no-such-file.json.gz');
    const { code, stdout, stderr } = await runCli(['detect', folder.cleanDir, missing]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(missing);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('for a config that is not YAML, or not a valid config', async () => {
    const broken = join(folder.dir, '..', 'broken.yaml');
    await writeFile(broken, 'pipelines: [\n  - name: x\n');
    const invalid = join(folder.dir, '..', 'invalid.yaml');
    await writeFile(invalid, 'pipelines:\n  - name: x\n    role: 42\n    kind: servise\n');
    for (const config of [broken, invalid]) {
      const { code, stdout, stderr } = await runCli(['detect', folder.cleanDir, '--config', config]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain(config);
      expect(stderr).not.toMatch(/\n\s+at /);
    }
  });
});

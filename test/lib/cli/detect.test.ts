import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { detectors } from '../../../detectors/index.ts';
import type { Finding } from '../../../lib/engine/finding.ts';
import { REPO_ROOT, runCli } from '../../helpers/run-cli.ts';

const EXAMPLE = ['--config', 'examples/trailguard.yaml', 'examples/AWSLogs'];
const parseJsonl = (text: string): Finding[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Finding);

describe('trailguard detect', () => {
  it('finds each attack in the bundled example once, one per detector, and nothing else', async () => {
    const { code, stdout, stderr } = await runCli(['detect', '--format', 'jsonl', ...EXAMPLE]);
    expect(code).toBe(0);
    const findings = parseJsonl(stdout);
    expect(findings.map((f) => f.detector).sort()).toEqual([...detectors.map((d) => d.id)].sort());
    const subject = findings.find((f) => f.detector === 'oidc-unexpected-subject');
    expect(subject).toMatchObject({
      severity: 'critical',
      principal: 'arn:aws:iam::111122223333:role/deploy-shop-prod',
      subject: 'repo:acme/shop:ref:refs/heads/feature/add-cache',
      pipeline: 'shop-prod',
      account: '111122223333',
    });
    expect(findings.find((f) => f.detector === 'pipeline-iam-write')).toMatchObject({
      severity: 'critical',
      principal: 'arn:aws:iam::111122223333:role/deploy-shop-prod',
      pipeline: 'shop-prod',
    });
    for (const finding of findings) {
      expect(finding.id).toMatch(/^tg-[0-9a-f]{20}$/);
      expect(finding.eventIds.length).toBeGreaterThan(0);
      expect(finding.runbook.length).toBeGreaterThan(20);
    }
    expect(stderr).toMatch(/56 records from 5 files/);
    expect(stderr).toMatch(/findings 9:/);
    expect(stderr).toMatch(/CloudTrail digest files ignored: 1/);
  });

  it('gives the same ids on a second run and whatever the order of paths', async () => {
    const files = ['examples/AWSLogs/o-1234abcde', 'examples/AWSLogs/o-acme12345'];
    const first = parseJsonl(
      (await runCli(['detect', '-f', 'jsonl', '-c', 'examples/trailguard.yaml', ...files])).stdout,
    );
    const reversed = parseJsonl(
      (await runCli(['detect', '-f', 'jsonl', '-c', 'examples/trailguard.yaml', ...files.reverse()])).stdout,
    );
    expect(reversed.map((f) => f.id)).toEqual(first.map((f) => f.id));
  });

  it('prints a readable table by default', async () => {
    const { code, stdout } = await runCli(['detect', ...EXAMPLE]);
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/^SEVERITY\s+TIME\s+DETECTOR\s+PRINCIPAL\s+PIPELINE\s+SUMMARY$/);
    expect(stdout).toContain('CRITICAL');
  });

  it('prints one JSON array with --format json', async () => {
    const { stdout } = await runCli(['detect', '--format', 'json', ...EXAMPLE]);
    expect(JSON.parse(stdout)).toHaveLength(detectors.length);
  });

  it('exits 3 when --fail-on is met, 0 when it is not', async () => {
    expect((await runCli(['detect', '--fail-on', 'critical', ...EXAMPLE])).code).toBe(3);
    const quiet = await runCli(['detect', '--fail-on', 'high', 'test/fixtures/corpus/benign']);
    expect(quiet.code).toBe(0);
  });

  it('exits 2 naming a missing path, before reading anything', async () => {
    const { code, stderr, stdout } = await runCli(['detect', 'examples/AWSLogs', 'no/such/dir']);
    expect(code).toBe(2);
    expect(stderr).toContain('no/such/dir');
    expect(stdout).toBe('');
  });

  it('exits 2 for an invalid config, naming the file, path and line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tg-cli-'));
    await writeFile(
      join(dir, 'bad.yaml'),
      'pipelines:\n  - name: x\n    role: arn:aws:iam::1:role/x\n    kind: servise\n',
    );
    const { code, stderr } = await runCli(['detect', '--config', join(dir, 'bad.yaml'), 'examples/AWSLogs']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/bad\.yaml:4: pipelines\[0\]\.kind/);
  });

  it('exits 2 for unknown options and bad values', async () => {
    expect((await runCli(['detect', '--no-such-flag', 'examples'])).code).toBe(2);
    expect((await runCli(['detect', '--format', 'xml', 'examples'])).code).toBe(2);
    expect((await runCli(['detect', '--since', 'yesterday', 'examples'])).code).toBe(2);
  });

  it('reads stdin with "-"', async () => {
    const record = await readFile(
      join(REPO_ROOT, 'test/fixtures/corpus/guardrail/stratus-cloudtrail-stoplogging-iamuser.json'),
    );
    const { code, stdout } = await runCli(['detect', '-f', 'jsonl', '-'], { stdin: gzipSync(record) });
    expect(code).toBe(0);
    expect(parseJsonl(stdout).map((f) => f.detector)).toEqual(['audit-tampering', 'long-lived-key']);
  });

  it('filters by --since and --until on event time, without reading files delivered well before --since', async () => {
    const { stdout, stderr } = await runCli([
      'detect',
      '-f',
      'jsonl',
      '--since',
      '2026-11-20T09:31:00Z',
      '--until',
      '2026-11-20T09:35:00Z',
      ...EXAMPLE,
    ]);
    expect(
      parseJsonl(stdout)
        .map((f) => f.detector)
        .sort(),
    ).toEqual(['oidc-unexpected-subject', 'pipeline-iam-write']);
    // The 2024 and 2025 example files; the one delivered at 09:15, inside the hour's margin, is read.
    expect(stderr).toContain('files delivered before --since, not read: 2');
    expect(stderr).toMatch(/from 3 files/);
  });

  describe('with bad input mixed in', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'tg-bad-'));
      const stop = await readFile(
        join(REPO_ROOT, 'test/fixtures/corpus/guardrail/stratus-cloudtrail-stoplogging-iamuser.json'),
      );
      await mkdir(join(dir, 'nested'));
      await writeFile(join(dir, 'a-good.json.gz'), gzipSync(stop));
      await writeFile(join(dir, 'truncated.json.gz'), gzipSync(stop).subarray(0, 40));
      await writeFile(join(dir, 'not-json.json'), 'this is not json');
      await writeFile(join(dir, 'nested', 'wrong-shape.json'), '{"hello":"world"}');
      const lines = [
        JSON.stringify({ Records: [null, 42] }),
        '{broken',
        JSON.stringify(JSON.parse(stop.toString())),
      ];
      await writeFile(join(dir, 'nested', 'mixed.jsonl'), lines.join('\n'));
    });

    it('judges every valid record, names each bad file, and exits 0', async () => {
      const { code, stdout, stderr } = await runCli(['detect', '-f', 'jsonl', dir]);
      expect(code).toBe(0);
      // The same record in two files: one finding (same event id), both judged.
      expect(parseJsonl(stdout).map((f) => f.detector)).toEqual(['audit-tampering', 'long-lived-key']);
      for (const name of ['truncated.json.gz', 'not-json.json', 'wrong-shape.json', 'mixed.jsonl']) {
        expect(stderr).toContain(name);
      }
      expect(stderr).toMatch(/2 events judged/);
    });
  });
});

describe('trailguard detectors / config', () => {
  it('lists the detectors', async () => {
    const { code, stdout } = await runCli(['detectors']);
    expect(code).toBe(0);
    for (const id of [
      'oidc-unexpected-subject',
      'oidc-trust-policy',
      'pipeline-iam-write',
      'audit-tampering',
    ]) {
      expect(stdout).toContain(id);
    }
  });

  it('validates the example config and rejects a bad one', async () => {
    expect((await runCli(['config', 'validate', 'examples/trailguard.yaml'])).code).toBe(0);
    const dir = await mkdtemp(join(tmpdir(), 'tg-cfg-'));
    await writeFile(join(dir, 'bad.yaml'), 'prodEnvironments: prod\nsuppressions:\n  - reason: x\n');
    const { code, stderr } = await runCli(['config', 'validate', join(dir, 'bad.yaml')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/bad\.yaml:1: prodEnvironments/);
    expect(stderr).toMatch(/bad\.yaml:3: suppressions\[0\]/);
  });

  it('prints a JSON Schema', async () => {
    const { code, stdout } = await runCli(['config', 'schema']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toHaveProperty('properties.pipelines');
  });
});

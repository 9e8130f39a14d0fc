import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../lib/engine/finding.ts';
import type { OcsfDetectionFinding } from '../../../lib/output/ocsf.ts';
import { runCli } from '../../helpers/run-cli.ts';

const EXAMPLE = ['--config', 'examples/trailguard.yaml', 'examples/AWSLogs'];
const lines = (text: string): string[] => text.split('\n').filter(Boolean);

describe('trailguard detect --format ocsf', () => {
  it('writes one OCSF Detection Finding per line for each finding of the bundled example', async () => {
    const [ocsf, jsonl] = await Promise.all([
      runCli(['detect', '--format', 'ocsf', ...EXAMPLE]),
      runCli(['detect', '--format', 'jsonl', ...EXAMPLE]),
    ]);
    expect(ocsf.code).toBe(0);
    expect(ocsf.stdout.endsWith('\n')).toBe(true);
    expect(ocsf.stderr).toMatch(/findings 9:/);
    const events = lines(ocsf.stdout).map((line) => JSON.parse(line) as OcsfDetectionFinding);
    const findings = lines(jsonl.stdout).map((line) => JSON.parse(line) as Finding);
    expect(events).toHaveLength(9);
    for (const event of events) {
      expect(event).toMatchObject({ class_uid: 2004, category_uid: 2, activity_id: 1, type_uid: 200401 });
      expect(event.cloud).toMatchObject({
        provider: 'AWS',
        account: { uid: expect.stringMatching(/^\d{12}$/) },
      });
      expect(event.finding_info.related_events.length).toBeGreaterThan(0);
    }
    const uids = events.map((event) => event.finding_info.uid);
    expect(new Set(uids).size).toBe(9);
    expect(uids).toEqual(findings.map((finding) => finding.id));
    const critical = events.find((event) => event.finding_info.analytic.uid === 'oidc-unexpected-subject');
    expect(critical).toMatchObject({
      severity_id: 5,
      evidences: [{ actor: { user: { uid: 'arn:aws:iam::111122223333:role/deploy-shop-prod' } } }],
      unmapped: { pipeline: 'shop-prod', subject: 'repo:acme/shop:ref:refs/heads/feature/add-cache' },
    });
  });

  it('exits 3 when --fail-on is met and 0 when it is not, as with jsonl', async () => {
    expect((await runCli(['detect', '-f', 'ocsf', '--fail-on', 'critical', ...EXAMPLE])).code).toBe(3);
    const quiet = await runCli(['detect', '-f', 'ocsf', '--fail-on', 'high', 'test/fixtures/corpus/benign']);
    expect(quiet.code).toBe(0);
  });
});

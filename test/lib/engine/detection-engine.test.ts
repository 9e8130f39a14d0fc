import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { resolveConfig } from '../../../lib/config/resolved-config.ts';
import { buildConfigSchema } from '../../../lib/config/schema.ts';
import { DetectionEngine } from '../../../lib/engine/detection-engine.ts';
import { type Detector, defineDetector } from '../../../lib/engine/detector.ts';
import { MemoryState } from '../../../lib/state/memory-state.ts';
import { syntheticEvent } from '../../helpers/synthetic-event.ts';

const iamWrites = defineDetector({
  kind: 'event',
  id: 'test-iam-writes',
  title: 'IAM write',
  description: 'every IAM write',
  severity: 'high',
  runbook: '1. Look.',
  needs: [{ source: 'iam.amazonaws.com' }],
  params: z.object({ boom: z.string().default('never') }),
  evaluate: (event, { params }) => {
    if (event.name === params.boom) throw new Error(`boom on ${event.name}`);
    return { severity: 'high', summary: `${event.name} by ${event.actor.key}`, principal: event.actor.key };
  },
});

const readsToo = defineDetector({
  kind: 'event',
  id: 'test-reads',
  title: 'IAM read',
  description: 'read-only IAM calls, which must be asked for',
  severity: 'low',
  runbook: '1. Look.',
  needs: [{ source: 'iam.amazonaws.com', names: ['GetRole'], readOnly: true }],
  params: z.object({}),
  evaluate: (event) => ({ severity: 'low', summary: event.name, principal: event.actor.key }),
});

const testDetectors = [iamWrites, readsToo] as unknown as Detector[];

function engineWith(yaml: Record<string, unknown>, now = Date.parse('2026-11-26T00:00:00Z')) {
  const config = resolveConfig(buildConfigSchema(testDetectors).parse(yaml), 'test');
  return new DetectionEngine({ detectors: testDetectors, config, now, state: new MemoryState() });
}

describe('DetectionEngine', () => {
  it('routes events only to detectors that declared them', async () => {
    const engine = engineWith({});
    const findings = await engine.process([
      syntheticEvent({ name: 'AttachRolePolicy' }),
      syntheticEvent({ name: 'GetRole', readOnly: true }),
      syntheticEvent({ name: 'ListRoles', readOnly: true }),
      syntheticEvent({ source: 's3.amazonaws.com', name: 'PutBucketPolicy' }),
    ]);
    expect(findings.map((f) => `${f.detector}:${f.summary.split(' ')[0]}`)).toEqual([
      'test-iam-writes:AttachRolePolicy',
      'test-reads:GetRole',
    ]);
  });

  it('fills in the finding contract with a stable id', async () => {
    const event = syntheticEvent();
    const [first] = await engineWith({}).process([event]);
    const [again] = await engineWith({}).process([event]);
    expect(first).toMatchObject({
      detector: 'test-iam-writes',
      severity: 'high',
      title: 'IAM write',
      account: '111122223333',
      region: 'us-east-1',
      eventIds: [event.id],
      runbook: '1. Look.',
      time: new Date(event.time).toISOString(),
    });
    expect(first?.id).toMatch(/^tg-[0-9a-f]{20}$/);
    expect(again?.id).toBe(first?.id);
  });

  it('raises one finding when the same event arrives twice', async () => {
    const engine = engineWith({});
    const event = syntheticEvent();
    expect(await engine.process([event, { ...event }])).toHaveLength(1);
    expect(engine.folded.get('test-iam-writes')).toBe(1);
  });

  it('isolates a detector that throws: the batch goes on and the failure is counted', async () => {
    const engine = engineWith({ detectors: { 'test-iam-writes': { boom: 'DeleteRole' } } });
    const findings = await engine.process([
      syntheticEvent({ name: 'AttachRolePolicy' }),
      syntheticEvent({ name: 'DeleteRole' }),
      syntheticEvent({ name: 'CreateRole' }),
    ]);
    expect(findings).toHaveLength(2);
    expect(engine.failures.get('test-iam-writes')).toMatchObject({
      count: 1,
      firstError: 'boom on DeleteRole',
    });
  });

  it('applies enabled and severity from config', async () => {
    const engine = engineWith({
      detectors: { 'test-iam-writes': { severity: 'info' }, 'test-reads': { enabled: false } },
    });
    const findings = await engine.process([
      syntheticEvent(),
      syntheticEvent({ name: 'GetRole', readOnly: true }),
    ]);
    expect(findings.map((f) => [f.detector, f.severity])).toEqual([['test-iam-writes', 'info']]);
  });

  it('suppresses by detector and principal glob until the entry expires', async () => {
    const yaml = {
      suppressions: [
        {
          detector: 'test-iam-writes',
          principal: 'arn:aws:iam::*:user/scanner-*',
          reason: 'pentest',
          expires: '2026-11-30',
        },
      ],
    };
    const scanner = {
      type: 'IAMUser' as const,
      arn: 'arn:aws:iam::1:user/scanner-7',
      key: 'arn:aws:iam::1:user/scanner-7',
    };
    const during = engineWith(yaml, Date.parse('2026-11-30T23:59:59Z'));
    expect(await during.process([syntheticEvent({ actor: scanner }), syntheticEvent()])).toHaveLength(1);
    expect([...during.suppressions.hits.values()]).toEqual([1]);

    const after = engineWith(yaml, Date.parse('2026-12-01T00:00:00Z'));
    expect(await after.process([syntheticEvent({ actor: scanner })])).toHaveLength(1);
    expect(after.suppressions.expired).toHaveLength(1);
  });
});

import { describe, expect, it } from 'vitest';
import { type Finding, SEVERITIES } from '../../../lib/engine/finding.ts';
import { findingToOcsf, findingToOcsfLine, OCSF_VERSION } from '../../../lib/output/ocsf.ts';
import packageJson from '../../../package.json' with { type: 'json' };
import { HOSTILE_TEXT, RAW_TERMINAL_CONTROL } from '../../helpers/hostile-text.ts';

/** A windowed finding with every optional field set. */
const FULL: Finding = {
  id: 'tg-0123456789abcdef0123',
  detector: 'access-denied-spike',
  severity: 'high',
  title: 'AccessDenied spike',
  summary: 'deploy-shop-prod was denied 42 calls in 10m',
  time: '2025-03-01T12:00:05.000Z',
  account: '111122223333',
  region: 'eu-west-1',
  principal: 'arn:aws:iam::111122223333:role/deploy-shop-prod',
  subject: 'repo:acme/shop:ref:refs/heads/main',
  pipeline: 'shop-prod',
  environment: 'prod',
  eventIds: ['e-1', 'e-2'],
  runbook: 'Look at what the role tried, then revoke its sessions.',
  count: 42,
  firstSeen: '2025-03-01T11:55:00.000Z',
  lastSeen: '2025-03-01T12:00:05.000Z',
  details: { actions: ['iam:CreateUser'], nested: { n: 1 } },
};

/** A one-event finding with only the required fields. */
const MINIMAL: Finding = {
  id: 'tg-ffffffffffffffffffff',
  detector: 'audit-tampering',
  severity: 'critical',
  title: 'CloudTrail stopped',
  summary: 'StopLogging on org-trail',
  time: '2025-03-01T12:00:00.000Z',
  principal: 'arn:aws:iam::111122223333:user/ops',
  eventIds: ['e-9'],
  runbook: 'Start logging again.',
};

/** Paths of every value that is `undefined` or `null`, however deep. */
function emptyPaths(value: unknown, path = '$'): string[] {
  if (value === undefined || value === null) return [path];
  if (typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => emptyPaths(inner, `${path}.${key}`));
}

describe('findingToOcsf', () => {
  it('maps every finding field to its OCSF Detection Finding attribute', () => {
    const ms = (iso: string) => Date.parse(iso);
    expect(findingToOcsf(FULL)).toEqual({
      activity_id: 1,
      activity_name: 'Create',
      category_uid: 2,
      category_name: 'Findings',
      class_uid: 2004,
      class_name: 'Detection Finding',
      type_uid: 200401,
      type_name: 'Detection Finding: Create',
      severity_id: 4,
      severity: 'High',
      status_id: 1,
      status: 'New',
      time: ms(FULL.time),
      start_time: ms('2025-03-01T11:55:00.000Z'),
      end_time: ms('2025-03-01T12:00:05.000Z'),
      count: 42,
      message: FULL.summary,
      metadata: {
        version: OCSF_VERSION,
        product: { name: 'trailguard', vendor_name: 'trailguard', version: packageJson.version },
        profiles: ['cloud'],
      },
      finding_info: {
        uid: FULL.id,
        title: FULL.title,
        desc: FULL.summary,
        created_time: ms(FULL.time),
        first_seen_time: ms('2025-03-01T11:55:00.000Z'),
        last_seen_time: ms('2025-03-01T12:00:05.000Z'),
        data_sources: ['AWS CloudTrail'],
        analytic: { uid: 'access-denied-spike', name: 'access-denied-spike', type_id: 1, type: 'Rule' },
        related_events: [{ uid: 'e-1' }, { uid: 'e-2' }],
      },
      cloud: {
        provider: 'AWS',
        account: { uid: '111122223333', type_id: 10, type: 'AWS Account' },
        region: 'eu-west-1',
      },
      evidences: [{ actor: { user: { uid: FULL.principal } } }],
      remediation: { desc: FULL.runbook },
      unmapped: {
        pipeline: 'shop-prod',
        environment: 'prod',
        subject: 'repo:acme/shop:ref:refs/heads/main',
        details: { actions: ['iam:CreateUser'], nested: { n: 1 } },
      },
    });
    expect(OCSF_VERSION).toMatch(/^1\.\d+\.\d+$/);
  });

  it('gives a one-event finding its event time as first and last seen, and leaves absent fields out', () => {
    const event = findingToOcsf(MINIMAL);
    const time = Date.parse(MINIMAL.time);
    expect(event).toMatchObject({ time, start_time: time, end_time: time, severity_id: 5 });
    expect(event.finding_info).toMatchObject({
      created_time: time,
      first_seen_time: time,
      last_seen_time: time,
    });
    expect(event.cloud).toEqual({ provider: 'AWS' });
    expect(event).not.toHaveProperty('count');
    expect(event).not.toHaveProperty('unmapped');
  });

  it('writes no undefined or null value, with every field or only the required ones', () => {
    for (const finding of [FULL, MINIMAL]) {
      expect(emptyPaths(findingToOcsf(finding))).toEqual([]);
      // Strict equality fails on a key whose value is undefined, which JSON would drop silently.
      expect(JSON.parse(findingToOcsfLine(finding))).toStrictEqual(findingToOcsf(finding));
    }
  });

  it('maps severities to OCSF severity_id: critical 5, high 4, medium 3, low 2, info 1', () => {
    const ids = Object.fromEntries(
      SEVERITIES.map((severity) => {
        const event = findingToOcsf({ ...MINIMAL, severity });
        return [severity, [event.severity_id, event.severity]];
      }),
    );
    expect(ids).toEqual({
      critical: [5, 'Critical'],
      high: [4, 'High'],
      medium: [3, 'Medium'],
      low: [2, 'Low'],
      info: [1, 'Informational'],
    });
  });
});

describe('findingToOcsfLine', () => {
  it('keeps attacker-controlled text exact, on one line with no raw terminal control', () => {
    for (const text of HOSTILE_TEXT) {
      const finding: Finding = {
        ...FULL,
        title: text,
        summary: text,
        principal: text,
        subject: text,
        pipeline: text,
        eventIds: [text],
        runbook: text,
        details: { [text]: text },
      };
      const line = findingToOcsfLine(finding);
      expect(line).not.toContain('\n');
      expect(line).not.toContain('\r');
      expect(line).not.toMatch(RAW_TERMINAL_CONTROL);
      const event = JSON.parse(line) as ReturnType<typeof findingToOcsf>;
      expect(event).toEqual(findingToOcsf(finding));
      expect(event.message).toBe(text);
      expect(event.finding_info.title).toBe(text);
      expect(event.finding_info.desc).toBe(text);
      expect(event.finding_info.related_events).toEqual([{ uid: text }]);
      expect(event.evidences[0]?.actor.user.uid).toBe(text);
      expect(event.remediation.desc).toBe(text);
      expect(event.unmapped).toMatchObject({ subject: text, pipeline: text, details: { [text]: text } });
    }
  });
});

import { describe, expect, it } from 'vitest';
import { detectors } from '../../detectors/index.ts';
import { analyzeTrustPolicy } from '../../detectors/oidc-trust-policy/trust-policy.ts';
import { DetectionEngine } from '../../lib/engine/detection-engine.ts';
import type { Finding } from '../../lib/engine/finding.ts';
import type { NormalizedEvent } from '../../lib/events/normalized-event.ts';
import { MemoryState } from '../../lib/state/memory-state.ts';
import { exampleConfig } from '../helpers/config.ts';
import { corpusRecords, derivedRecord, variant } from '../helpers/records.ts';

/**
 * Request parameters are the caller's: each case is a real record with one field replaced by arrays nested
 * 100,000 levels deep. `String()`, `Number()` and template literals on such a value recurse through
 * Array.prototype.toString and overflow the stack; the detectors that did so failed on the event.
 */
const DEEP = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;

async function judge(...events: NormalizedEvent[]): Promise<Finding[]> {
  const engine = new DetectionEngine({
    detectors,
    config: exampleConfig(),
    state: new MemoryState(),
    now: Date.parse('2026-01-01T00:00:00Z'),
  });
  const findings: Finding[] = [];
  for (const event of events) findings.push(...(await engine.process([event])));
  expect([...engine.failures]).toEqual([]);
  return findings;
}

const STOP_LOGGING = corpusRecords('guardrail/stratus-cloudtrail-stoplogging-iamuser.json')[0] ?? {};

describe('detectors on deeply nested request parameters', () => {
  it('audit-tampering: a non-string servicePrincipal is no security service (it was String()-ed)', async () => {
    const disable = (servicePrincipal: unknown) =>
      variant(STOP_LOGGING, (copy) => {
        copy.eventSource = 'organizations.amazonaws.com';
        copy.eventName = 'DisableAWSServiceAccess';
        copy.requestParameters = { servicePrincipal };
      });
    const tampering = (findings: Finding[]) => findings.filter((f) => f.detector === 'audit-tampering');
    expect(tampering(await judge(disable(DEEP)))).toEqual([]);
    expect(tampering(await judge(disable('guardduty.amazonaws.com')))).toMatchObject([
      { severity: 'critical' },
    ]);
  });

  it('audit-tampering: a deep request still raises the finding, and it serializes', async () => {
    const stop = variant(STOP_LOGGING, (copy) => {
      copy.requestParameters.extra = DEEP;
    });
    const [finding] = (await judge(stop)).filter((f) => f.detector === 'audit-tampering');
    expect(finding?.severity).toBe('critical');
    expect(JSON.stringify(finding)).toContain('[nested deeper than');
  });

  it('oidc-session-exfiltration: a non-numeric durationSeconds falls back to the default lifetime (it was Number()-ed)', async () => {
    const snitch =
      corpusRecords('oidc/assume-role-with-web-identity-github-success-cloud-snitch.json')[0] ?? {};
    const issue = variant(snitch, (copy) => {
      copy.requestParameters.durationSeconds = DEEP;
      copy.responseElements.credentials.expiration = null;
    });
    const elsewhere = variant(
      derivedRecord('github-oidc-session-secretsmanager-batchgetsecretvalue-elsewhere'),
      () => undefined,
    );
    const findings = await judge(issue, elsewhere);
    expect(findings.map((f) => f.detector)).toContain('oidc-session-exfiltration');
  });

  it('trust policy analysis: a non-string Effect is not Allow (it was String()-ed)', () => {
    const allow = {
      Effect: 'Allow',
      Principal: { Federated: 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com' },
      Action: 'sts:AssumeRoleWithWebIdentity',
    };
    const analysis = analyzeTrustPolicy({ Statement: [{ ...allow, Effect: DEEP }, allow] });
    expect(analysis?.statements.map((s) => s.statement)).toEqual([1]);
    expect(analysis?.worst?.kind).toBeDefined();
  });
});

import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { auditTampering } from '../../detectors/audit-tampering/audit-tampering.ts';
import { oidcTrustPolicy } from '../../detectors/oidc-trust-policy/oidc-trust-policy.ts';
import { oidcUnexpectedSubject } from '../../detectors/oidc-unexpected-subject.ts';
import { pipelineIamWrite } from '../../detectors/pipeline-iam-write.ts';
import { normalizeRecord } from '../../lib/events/normalize.ts';
import { evaluate, exampleConfig, testConfig } from '../helpers/config.ts';
import { corpusRecords } from '../helpers/records.ts';

const OURS = [oidcUnexpectedSubject, oidcTrustPolicy, pipelineIamWrite, auditTampering] as const;
const CORPUS = new URL('../fixtures/corpus/', import.meta.url);

function files(category: string): string[] {
  return readdirSync(new URL(`${category}/`, CORPUS))
    .filter((name) => name.endsWith('.json'))
    .map((name) => `${category}/${name}`);
}

describe('benign corpus records', () => {
  const config = exampleConfig();

  it.each(files('benign'))('%s raises nothing with the example inventory', (file) => {
    for (const record of corpusRecords(file)) {
      const result = normalizeRecord(record);
      if (!result.ok) continue;
      for (const detector of OURS)
        expect(evaluate(detector, result.event, config), detector.id).toBeUndefined();
    }
  });
});

describe('every corpus record', () => {
  const categories = readdirSync(CORPUS, { withFileTypes: true }).filter((entry) => entry.isDirectory());

  it('never makes a detector throw, with or without an inventory', () => {
    for (const config of [testConfig(), exampleConfig()]) {
      for (const category of categories) {
        for (const file of files(category.name)) {
          for (const record of corpusRecords(file)) {
            const result = normalizeRecord(record);
            if (result.ok) for (const detector of OURS) evaluate(detector, result.event, config);
          }
        }
      }
    }
  });
});

describe('detector contract', () => {
  it.each(OURS.map((detector) => [detector.id, detector] as const))(
    '%s follows the conventions',
    (id, detector) => {
      const file = (path: string) => existsSync(new URL(`../../detectors/${path}`, import.meta.url));
      expect(file(`${id}.ts`) || file(`${id}/${id}.ts`)).toBe(true);
      expect(detector.kind).toBe('event');
      const steps = detector.runbook.split('\n');
      expect(steps.length).toBeGreaterThanOrEqual(3);
      expect(steps.length).toBeLessThanOrEqual(5);
      for (const [index, step] of steps.entries()) expect(step.startsWith(`${index + 1}. `)).toBe(true);
      expect(detector.needs.length).toBeGreaterThan(0);
      // Defaults make any config valid.
      expect(() => detector.params.parse({})).not.toThrow();
      expect(testConfig().detectors[id]).toMatchObject({ enabled: true });
    },
  );
});

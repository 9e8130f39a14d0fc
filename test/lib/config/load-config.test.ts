import { describe, expect, it } from 'vitest';
import { ConfigError, configJsonSchema, parseConfigText } from '../../../lib/config/load-config.ts';
import { parseRoleArn } from '../../../lib/identity/arn.ts';

const VALID = `
pipelines:
  - name: shop-prod
    role: arn:aws:iam::111122223333:role/deploy-prod
    kind: service
    environment: prod
    oidc:
      provider: github
      subjects:
        - repo:acme/shop:ref:refs/heads/main
  - name: platform
    role: arn:aws:iam::*:role/platform-*
    kind: platform
detectors:
  audit-tampering:
    severity: medium
suppressions:
  - detector: pipeline-iam-write
    principal: arn:aws:iam::*:role/scanner-*
    reason: quarterly pentest
    expires: 2027-01-31
`;

function problemsOf(text: string) {
  try {
    parseConfigText(text, 'trailguard.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe('config', () => {
  it('applies defaults that work on any account', () => {
    const config = parseConfigText('', 'empty.yaml');
    expect(config.inventory.empty).toBe(true);
    expect([...config.prodEnvironments]).toEqual(['prod', 'production']);
    expect(config.engine.lateness).toBe(15 * 60_000);
    expect(config.detectors['audit-tampering']?.enabled).toBe(true);
  });

  it('reads the documented contract', () => {
    const config = parseConfigText(VALID, 'trailguard.yaml');
    const [shop, platform] = config.inventory.pipelines;
    expect(shop?.prod).toBe(true);
    expect(shop?.allowsSubject('repo:acme/shop:ref:refs/heads/main')).toBe(true);
    expect(shop?.allowsSubject('repo:acme/shop:ref:refs/heads/dev')).toBe(false);
    expect(platform?.prod).toBe(false);
    expect(config.detectors['audit-tampering']?.severity).toBe('medium');
    expect(config.suppressions[0]?.expiresAt).toBe(Date.parse('2027-02-01T00:00:00Z'));
  });

  it('matches roles by account and name, whatever their IAM path', () => {
    const config = parseConfigText(VALID, 'trailguard.yaml');
    const withPath = parseRoleArn('arn:aws:iam::111122223333:role/ci/deploy-prod');
    const otherAccount = parseRoleArn('arn:aws:iam::999999999999:role/deploy-prod');
    expect(config.inventory.findByRole(withPath)?.name).toBe('shop-prod');
    expect(config.inventory.findByRole(otherAccount)).toBeUndefined();
    expect(config.inventory.findByRole(parseRoleArn('arn:aws:iam::5:role/x/platform-ci'))?.name).toBe(
      'platform',
    );
  });

  it('lists every problem with its path and line', () => {
    const problems = problemsOf(`pipelines:
  - name: shop
    role: not-an-arn
    kind: servise
engine:
  lateness: 15 minutes
detectors:
  no-such-detector: {}
pipline: []
`);
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p]));
    expect(byPath['pipelines[0].role']?.line).toBe(3);
    expect(byPath['pipelines[0].kind']?.line).toBe(4);
    expect(byPath['engine.lateness']?.line).toBe(6);
    expect(byPath.detectors?.message).toContain('no-such-detector');
    expect(problems.some((p) => p.message.includes('pipline'))).toBe(true);
    expect(problems.length).toBeGreaterThanOrEqual(5);
  });

  it('reports YAML syntax errors with their line', () => {
    const [problem] = problemsOf('pipelines:\n  - name: [unclosed\n');
    expect(problem?.message).toMatch(/YAML syntax/);
    expect(problem?.line).toBeGreaterThan(0);
  });

  it('rejects a suppression that would hide everything', () => {
    const problems = problemsOf('suppressions:\n  - reason: too broad\n');
    expect(problems[0]?.message).toMatch(/would hide every finding/);
  });

  it('exports a JSON Schema that names every detector', () => {
    const schema = JSON.stringify(configJsonSchema());
    for (const id of [
      'oidc-unexpected-subject',
      'pipeline-iam-write',
      'audit-tampering',
      'oidc-trust-policy',
    ]) {
      expect(schema).toContain(id);
    }
    expect(schema).toContain('prodEnvironments');
  });
});

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfigText } from '../../../lib/config/load-config.ts';
import { oidcQuery } from '../../../lib/queries/oidc-query.ts';
import type { Row } from '../../../lib/queries/query-types.ts';
import { suggestionYaml, suggestPipelines } from '../../../lib/queries/suggest-pipelines.ts';
import { testConfig } from '../../helpers/config.ts';
import { syntheticTrail } from '../../helpers/synthetic-trail.ts';
import { memorySource } from './memory-source.ts';

const row = (fields: Partial<Record<string, Row[string]>>): Row => ({
  role: 'arn:aws:iam::111122223333:role/deploy-api-prod',
  subject: 'repo:acme/api:ref:refs/heads/main',
  provider: 'github',
  issuer: 'token.actions.githubusercontent.com',
  repository: 'acme/api',
  branch: 'main',
  environment: null,
  successes: 1,
  denials: 0,
  errors: 0,
  firstSeen: '2026-11-20T06:00:00.000Z',
  lastSeen: '2026-11-20T07:00:00.000Z',
  sourceIps: 1,
  ...fields,
});

describe('config suggest', () => {
  it('writes one pipeline per role assumed through OIDC, with the exact subjects that succeeded', async () => {
    const { rows } = await oidcQuery.run(
      {},
      { config: testConfig() },
      memorySource([...syntheticTrail({ seed: 7 })]),
    );
    const yaml = suggestionYaml(suggestPipelines(rows), ['header']);
    const config = parseConfigText(yaml, 'suggested.yaml');
    expect(config.inventory.pipelines.map((p) => [p.name, p.kind, p.environment])).toEqual([
      ['deploy-shop-prod', 'service', 'prod'],
      ['deploy-shop-staging', 'service', 'staging'],
      ['platform-iam', 'service', undefined],
    ]);
    const parsed = parse(yaml) as {
      pipelines: { role: string; oidc: { provider: string; subjects: string[] } }[];
    };
    expect(parsed.pipelines.map((p) => [p.role, p.oidc.provider, p.oidc.subjects])).toEqual([
      ['arn:aws:iam::111122223333:role/deploy-shop-prod', 'github', ['repo:acme/shop:ref:refs/heads/main']],
      ['arn:aws:iam::111122223333:role/deploy-shop-staging', 'github', ['repo:acme/shop:pull_request']],
      ['arn:aws:iam::111122223333:role/platform-iam', 'github', ['repo:acme/platform:ref:refs/heads/main']],
    ]);
    expect(yaml).toContain('# header\n');
    expect(yaml).toContain(
      '# arn:aws:iam::111122223333:role/deploy-shop-prod: 8 successful and 0 denied assumptions',
    );
    expect(yaml).toContain(
      '"repo:acme/shop:ref:refs/heads/main" # 8 successful, last 2026-11-20T11:25:00.000Z',
    );
    expect(yaml).toContain('# environment guessed from the role name');
    expect(yaml).toMatch(/# review: kind is a guess/);
  });

  it('takes the environment from the subjects when they agree, and keeps a non-public issuer', () => {
    const suggestion = suggestPipelines([
      row({
        subject: 'repo:acme/api:environment:production',
        environment: 'production',
        issuer: 'token.actions.githubusercontent.com/acme',
      }),
      row({
        subject: 'repo:acme/api:environment:production:x',
        environment: 'production',
        issuer: 'token.actions.githubusercontent.com/acme',
      }),
    ]);
    expect(suggestion.pipelines[0]).toMatchObject({
      environment: 'production',
      environmentFrom: 'subject',
      issuer: 'token.actions.githubusercontent.com/acme',
    });
    const config = parseConfigText(suggestionYaml(suggestion, []), 'x.yaml');
    expect(config.inventory.pipelines[0]?.prod).toBe(true);
    expect(config.inventory.pipelines[0]?.oidc?.issuer).toBe('token.actions.githubusercontent.com/acme');
  });

  it('keeps hostile subjects and role names exact and inert: quoted values, single-line comments', () => {
    const hostile = 'repo:acme/api:ref:refs/heads/x"\n  kind: platform\n# \u001b]0;pwned\u0007\u2028';
    const role = 'arn:aws:iam::111122223333:role/a"b\nkind: platform';
    const yaml = suggestionYaml(
      suggestPipelines([row({ subject: hostile, role }), row({ subject: 'repo:acme/*', role })]),
      ['from a hostile\nlog'],
    );
    const config = parseConfigText(yaml, 'x.yaml');
    expect(config.inventory.pipelines).toHaveLength(1);
    expect(config.inventory.pipelines[0]?.kind).toBe('service');
    const parsed = parse(yaml) as { pipelines: { role: string; oidc: { subjects: string[] } }[] };
    expect(parsed.pipelines[0]?.role).toBe(role);
    // The glob-like subject is left out: listed, it would allow every acme repository.
    expect(parsed.pipelines[0]?.oidc.subjects).toEqual([hostile]);
    expect(yaml).toContain('1 subject(s) containing "*" not listed');
    for (const line of yaml.split('\n')) expect(line).not.toMatch(/^\s*kind: platform/);
    expect(yaml).not.toContain('\u001b');
    expect(yaml).toContain('# from a hostile\\u{a}log');
  });

  it('leaves out roles never assumed successfully and issuers it cannot express, saying why', () => {
    const suggestion = suggestPipelines([
      row({ successes: 0, denials: 4 }),
      row({ role: 'arn:aws:iam::111122223333:role/eks-pod', provider: 'other', issuer: 'oidc.eks.example' }),
      row({ role: null, successes: 0, denials: 1 }),
    ]);
    expect(suggestion.pipelines).toEqual([]);
    expect(suggestion.skippedRoles).toEqual([
      { role: 'arn:aws:iam::111122223333:role/deploy-api-prod', reason: 'never assumed successfully' },
      {
        role: 'arn:aws:iam::111122223333:role/eks-pod',
        reason: 'assumed through an issuer that is neither GitHub nor GitLab',
      },
    ]);
    const yaml = suggestionYaml(suggestion, []);
    expect(parseConfigText(yaml, 'x.yaml').inventory.empty).toBe(true);
    expect(yaml).toContain('# not suggested: arn:aws:iam::111122223333:role/eks-pod');
  });

  it('makes clashing names unique by account', () => {
    const suggestion = suggestPipelines([
      row({}),
      row({ role: 'arn:aws:iam::444455556666:role/deploy-api-prod' }),
    ]);
    expect(suggestion.pipelines.map((p) => p.name)).toEqual([
      'deploy-api-prod-111122223333',
      'deploy-api-prod-444455556666',
    ]);
  });
});

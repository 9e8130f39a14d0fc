import type * as z from 'zod';
import { detectors } from '../../detectors/index.ts';
import { type ResolvedConfig, resolveConfig } from '../../lib/config/resolved-config.ts';
import { buildConfigSchema } from '../../lib/config/schema.ts';
import type { EventDetector, ParamsSchema } from '../../lib/engine/detector.ts';
import type { FindingDraft } from '../../lib/engine/finding.ts';
import type { NormalizedEvent } from '../../lib/events/normalized-event.ts';

/** A config as `trailguard.yaml` would give it (the parsed YAML object), validated and resolved. */
export function testConfig(yaml: Record<string, unknown> = {}): ResolvedConfig {
  return resolveConfig(buildConfigSchema(detectors).parse(yaml), 'test');
}

/** Runs one detector the way the engine does: with its merged settings and parameters from the config. */
export function evaluate<S extends ParamsSchema>(
  detector: EventDetector<S>,
  event: NormalizedEvent,
  config: ResolvedConfig = testConfig(),
): FindingDraft | undefined {
  const params = config.detectors[detector.id];
  if (params === undefined) throw new Error(`config has no settings for ${detector.id}`);
  return detector.evaluate(event, { inventory: config.inventory, params: params as z.output<S> });
}

const ACCOUNT = '774305579662';

/**
 * An inventory shaped like the pattern trailguard guards, around the roles the fixtures use: the real
 * cloud-snitch GitHub Actions role as a prod service pipeline, a platform pipeline, a staging service
 * pipeline that PRs may use, an agent, and a GitLab prod pipeline.
 */
export const EXAMPLE_PIPELINES = [
  {
    name: 'cloud-snitch',
    role: `arn:aws:iam::${ACCOUNT}:role/cloud-snitch-github-actio-GithubActionsRoleF5CC769F-MoeCHSu77MYt`,
    kind: 'service',
    environment: 'prod',
    oidc: {
      provider: 'github',
      subjects: [
        'repo:ccbrown/cloud-snitch:ref:refs/heads/main',
        'repo:ccbrown/cloud-snitch:environment:prod',
      ],
    },
  },
  {
    name: 'platform',
    role: `arn:aws:iam::${ACCOUNT}:role/platform-deploy`,
    kind: 'platform',
    environment: 'prod',
    oidc: { provider: 'github', subjects: ['repo:ccbrown/infra:ref:refs/heads/main'] },
  },
  {
    name: 'api-staging',
    role: `arn:aws:iam::${ACCOUNT}:role/api-deploy-staging`,
    kind: 'service',
    environment: 'staging',
    oidc: { provider: 'github', subjects: ['repo:ccbrown/api:*'] },
  },
  { name: 'change-agent', role: `arn:aws:iam::${ACCOUNT}:role/ai-agent`, kind: 'agent', environment: 'prod' },
  {
    name: 'shop',
    role: `arn:aws:iam::${ACCOUNT}:role/gitlab-deploy-prod`,
    kind: 'service',
    environment: 'prod',
    oidc: { provider: 'gitlab', subjects: ['project_path:acme/shop:ref_type:branch:ref:main'] },
  },
  // The role the pull_request trust-policy fixture creates (account from that Stratus capture).
  {
    name: 'deploy',
    role: 'arn:aws:iam::609418236337:role/deploy-prod',
    kind: 'service',
    environment: 'prod',
  },
];

export function exampleConfig(extra: Record<string, unknown> = {}): ResolvedConfig {
  return testConfig({ pipelines: EXAMPLE_PIPELINES, ...extra });
}

import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { detectors } from '../../detectors/index.ts';
import { CONTEXT, readDeployParameters } from '../../infra/deploy-parameters.ts';
import { ForwarderStack } from '../../infra/forwarder-stack.ts';
import { loadDeployConfig, TrailguardStack } from '../../infra/trailguard-stack.ts';
import { parseConfigText } from '../../lib/config/load-config.ts';
import { planRules } from '../../lib/eventbridge/rule-plan.ts';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';

export type ContextValues = Partial<Record<keyof typeof CONTEXT, unknown>>;

/** An app that skips bundling (the one bundling test builds the real assets). */
export function testApp(): App {
  return new App({ context: { 'aws:cdk:bundling-stacks': [] } });
}

/** The central stack for a config (YAML text; the defaults when none) and deploy parameters. */
export function centralStack(options: { yaml?: string; context?: ContextValues; app?: App } = {}) {
  const app = options.app ?? testApp();
  const values: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(options.context ?? {}))
    values[CONTEXT[field as keyof typeof CONTEXT]] = value;
  const parameters = readDeployParameters((key) => values[key], { region: REGION, account: ACCOUNT });
  const config =
    options.yaml === undefined ? loadDeployConfig(undefined) : parseConfigText(options.yaml, 'test.yaml');
  const stack = new TrailguardStack(app, 'Central', {
    env: { account: ACCOUNT, region: REGION },
    parameters,
    config,
  });
  return { app, stack, parameters, config, template: Template.fromStack(stack) };
}

/** A forwarder stack for the same config. */
export function forwarderStack(options: { yaml?: string; region?: string; centralAccount?: string } = {}) {
  const app = testApp();
  const config =
    options.yaml === undefined ? loadDeployConfig(undefined) : parseConfigText(options.yaml, 'test.yaml');
  const stack = new ForwarderStack(app, 'Forwarder', {
    env: { account: '444455556666', region: options.region ?? 'us-east-1' },
    plans: planRules(detectors, config),
    busName: 'trailguard',
    centralAccount: options.centralAccount ?? ACCOUNT,
    centralRegion: REGION,
  });
  return { stack, template: Template.fromStack(stack) };
}

/** cdk-nag's AWS Solutions findings on a stack (after its template was made), acknowledgements applied. */
export function nagViolations(stack: Stack) {
  return new AwsSolutionsChecks(undefined, { verbose: false }).validateScope(stack).violations;
}

/** Disables the detectors that need every event source, so the rules get precise patterns. */
export const SERVICE_ONLY_YAML = `
detectors:
  oidc-session-exfiltration: { enabled: false }
  long-lived-key: { enabled: false }
  agent-change-rate: { enabled: false }
`;

import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { detectors } from '../detectors/index.ts';
import { planRules } from '../lib/eventbridge/rule-plan.ts';
import { readDeployParameters } from './deploy-parameters.ts';
import { ForwarderStack } from './forwarder-stack.ts';
import { loadDeployConfig, TrailguardStack } from './trailguard-stack.ts';

/**
 * The CDK app: `Trailguard` (the central stack, in trailguard:centralRegion) and one
 * `TrailguardForwarder-<region>` per trailguard:regions (us-east-1 and the central region always).
 * Deploy everything in the central account; in every other account, only the forwarders, with
 * trailguard:centralAccount set. cdk-nag's AWS Solutions checks run on every synth.
 */
const app = new App();
const account = process.env.CDK_DEFAULT_ACCOUNT;
const parameters = readDeployParameters((key) => app.node.tryGetContext(key), {
  region: process.env.CDK_DEFAULT_REGION,
  account,
});
const config = loadDeployConfig(parameters.configFile);

new TrailguardStack(app, 'Trailguard', {
  env: { account, region: parameters.centralRegion },
  description: 'trailguard: CloudTrail detection for CI/CD pipeline credential abuse',
  parameters,
  config,
});
const plans = planRules(detectors, config);
for (const region of parameters.regions) {
  new ForwarderStack(app, `TrailguardForwarder-${region}`, {
    env: { account, region },
    description: `trailguard: forwards the CloudTrail events trailguard needs from ${region} to the central bus`,
    plans,
    busName: 'trailguard',
    centralAccount: parameters.centralAccount,
    centralRegion: parameters.centralRegion,
  });
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();

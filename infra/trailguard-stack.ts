import { readFileSync } from 'node:fs';
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { configSchema, parseConfigText } from '../lib/config/load-config.ts';
import { type ResolvedConfig, resolveConfig } from '../lib/config/resolved-config.ts';
import type { DeployParameters } from './deploy-parameters.ts';
import { Trailguard } from './trailguard.ts';

export interface TrailguardStackProps extends StackProps {
  parameters: DeployParameters;
  /** Default: read from `parameters.configFile` (the defaults when none). */
  config?: ResolvedConfig;
}

/** The config the stack deploys, validated at synth: a broken file fails `cdk synth`, not the Lambda. */
export function loadDeployConfig(file: string | undefined): ResolvedConfig {
  if (file === undefined) return resolveConfig(configSchema.parse({}), 'defaults');
  return parseConfigText(readFileSync(file, 'utf8'), file);
}

/** The central trailguard stack: one per organization, in the region its forwarders send to. */
export class TrailguardStack extends Stack {
  readonly trailguard: Trailguard;

  constructor(scope: Construct, id: string, props: TrailguardStackProps) {
    super(scope, id, props);
    const { parameters } = props;
    this.trailguard = new Trailguard(this, 'Trailguard', {
      config: props.config ?? loadDeployConfig(parameters.configFile),
      configFile: parameters.configFile,
      organizationId: parameters.organizationId,
      slackChannel: parameters.slackChannel,
      alertEmails: parameters.alertEmails,
      delivery: parameters.delivery,
      logRetention: retentionOf(parameters.logRetentionDays),
      digestLogGroup: parameters.digestLogGroup,
      flushInterval: Duration.minutes(5),
    });
    const tg = this.trailguard;
    new CfnOutput(this, 'EventBusArn', {
      value: tg.bus.eventBusArn,
      description: 'where the forwarders send',
    });
    new CfnOutput(this, 'AlertTopicArn', { value: tg.topic.topicArn });
    new CfnOutput(this, 'StateTableName', { value: tg.table.tableName });
    if (tg.slackTokenSecret) {
      new CfnOutput(this, 'SlackTokenSecretArn', {
        value: tg.slackTokenSecret.secretArn,
        description:
          'put the Slack bot token here: aws secretsmanager put-secret-value --secret-id <arn> --secret-string xoxb-...',
      });
    }
  }
}

/** CloudWatch Logs only takes certain retentions: the smallest one that keeps logs at least that long. */
export function retentionOf(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays)
    .filter((value): value is number => typeof value === 'number' && value > 0)
    .sort((a, b) => a - b);
  const fit = allowed.find((value) => value >= days);
  return (fit ?? allowed.at(-1)) as logs.RetentionDays;
}

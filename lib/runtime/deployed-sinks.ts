import { Router } from '../alerts/routing.ts';
import type { ResolvedConfig } from '../config/resolved-config.ts';

/** Alert destinations chosen at deploy time rather than in trailguard.yaml. */
export interface DeployedSinks {
  /** The Slack channel the deployer named. */
  slackChannel?: string;
  /** The stack's own SNS topic. */
  topicArn?: string;
}

/**
 * The config with the deployed destinations filling in what it leaves out: `alerts.slack` when it names
 * no channel, `alerts.sns` when it names no topic. What the file says wins; infra refuses to synthesize a
 * Slack channel that contradicts the file, so the two never silently disagree.
 */
export function withDeployedSinks(config: ResolvedConfig, sinks: DeployedSinks): ResolvedConfig {
  const alerts = { ...config.alerts };
  if (alerts.slack === undefined && sinks.slackChannel !== undefined)
    alerts.slack = { channel: sinks.slackChannel };
  if (alerts.sns === undefined && sinks.topicArn !== undefined) alerts.sns = { topicArn: sinks.topicArn };
  return { ...config, alerts };
}

/** Every SNS topic the config may publish findings to: its default and those of its routes. */
export function configuredTopicArns(config: ResolvedConfig): string[] {
  const arns = [config.alerts.sns?.topicArn, ...config.alerts.routes.map((r) => r.sns?.topicArn)];
  return [...new Set(arns.filter((arn): arn is string => arn !== undefined))].sort();
}

/** True when some destination (or the digest) is a Slack channel: then the Slack token is needed. */
export function usesSlack(config: ResolvedConfig): boolean {
  const sinks = new Router(config.alerts).sinks;
  return sinks.some((sink) => sink.startsWith('slack:')) || config.alerts.digest?.channel !== undefined;
}

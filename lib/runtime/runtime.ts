import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { WebClient } from '@slack/web-api';
import { detectors as allDetectors } from '../../detectors/index.ts';
import { type Alerting, createAlerting } from '../alerts/alerting.ts';
import { SLACK_TOKEN_VARIABLE, SLACK_URL_VARIABLE, slackClientFromEnv } from '../alerts/clients.ts';
import { DynamoDbOutbox } from '../alerts/dynamodb-outbox.ts';
import type { ResolvedConfig } from '../config/resolved-config.ts';
import type { Detector } from '../engine/detector.ts';
import { createDynamoDbClient } from '../state/dynamodb-client.ts';
import { DynamoDbState } from '../state/dynamodb-state.ts';
import { stateReach, stateRetention } from '../state/open-state.ts';
import type { StatePort } from '../state/state-port.ts';
import { usesSlack } from './deployed-sinks.ts';
import { readSettings } from './environment.ts';
import { lazy } from './lazy.ts';
import { alertLogLine, createLogger, type RuntimeLogger } from './logger.ts';
import { loadRuntimeConfig } from './runtime-config.ts';
import {
  PLACEHOLDER_RECHECK_SECONDS,
  type SlackTokenSource,
  secretsManagerSlackToken,
} from './slack-token.ts';

/** Everything a handler needs, built once per cold start. */
export interface Runtime {
  config: ResolvedConfig;
  detectors: readonly Detector[];
  state: StatePort;
  logger: RuntimeLogger;
  /** Alerting as of now: a fresh one per invocation picks up a Slack token filled in since the last. */
  alerting(): Promise<Alerting>;
  /** The Slack client, or undefined while no token is deployed (deliveries then stay pending). */
  slack(): Promise<WebClient | undefined>;
  /** The CloudWatch log group of the CloudTrail trail the weekly digest queries, if one was deployed. */
  digestLogGroup?: string;
  /** Logs Insights client for the digest (default: the standard chain). */
  logs?: CloudWatchLogsClient;
  /** Wall clock (epoch ms). */
  now(): number;
}

/** What a handler is built from: the runtime, made on first use. */
export type RuntimeProvider = () => Promise<Runtime>;

/** Clients and overrides for `buildRuntime`; every one defaults to what the Lambda environment gives. */
export interface RuntimeOptions {
  env?: Readonly<Record<string, string | undefined>>;
  logger?: RuntimeLogger;
  dynamodb?: DynamoDBClient;
  secretsManager?: SecretsManagerClient;
  sns?: SNSClient;
  logs?: CloudWatchLogsClient;
  /** Where the Slack Web API is (tests: a loopback server); never read from the environment in Lambda. */
  slackApiUrl?: string;
  now?: () => number;
}

/**
 * Builds the runtime from the environment (lib/runtime/environment.ts): config, DynamoDB state and
 * outbox in the one table, the Slack token from Secrets Manager, SNS. Throws for a broken deployment (a
 * missing variable, an unreadable config), which the invocation then reports.
 */
export async function buildRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const settings = readSettings(options.env ?? process.env);
  const logger = options.logger ?? createLogger();
  const config = await loadRuntimeConfig(settings);
  const detectors = allDetectors;
  const dynamodb = options.dynamodb ?? createDynamoDbClient();
  const state = new DynamoDbState({
    client: dynamodb,
    table: settings.table,
    retentionMs: stateRetention(detectors, config),
    reachMs: stateReach(detectors, config),
  });
  const outbox = new DynamoDbOutbox(dynamodb, settings.table);
  const now = options.now ?? Date.now;
  let tokens: SlackTokenSource | undefined;
  if (usesSlack(config)) {
    if (settings.slackSecretArn === undefined)
      logger.error('Slack is configured but no secret is deployed: Slack deliveries stay pending');
    else tokens = secretsManagerSlackToken(settings.slackSecretArn, options.secretsManager);
  }
  const slackClient = slackClients(options.slackApiUrl);
  let warnedAt = Number.NEGATIVE_INFINITY;
  const slack = async () => {
    const token = await tokens?.token();
    // Once per recheck interval, not per invocation: a busy function would log it millions of times.
    if (
      tokens !== undefined &&
      token === undefined &&
      now() - warnedAt >= PLACEHOLDER_RECHECK_SECONDS * 1000
    ) {
      warnedAt = now();
      logger.warn('the Slack token secret holds no token yet: Slack deliveries stay pending until it does', {
        secretArn: settings.slackSecretArn,
      });
    }
    return token === undefined ? undefined : slackClient(token);
  };
  return {
    config,
    detectors,
    state,
    logger,
    now,
    slack,
    digestLogGroup: settings.digestLogGroup,
    logs: options.logs,
    async alerting() {
      return createAlerting({
        config,
        outbox,
        slack: await slack(),
        sns: options.sns,
        now,
        logger: alertLogLine(logger),
        // With the trail's log group deployed, alerts show the `trailguard query session` to run on it.
        traceSources: settings.digestLogGroup === undefined ? undefined : [`logs:${settings.digestLogGroup}`],
      });
    },
  };
}

/** One WebClient per token value: the token only changes when the secret is filled in or replaced. */
function slackClients(apiUrl: string | undefined): (token: string) => WebClient {
  let current: { token: string; client: WebClient } | undefined;
  return (token) => {
    if (current?.token !== token) {
      const env = { [SLACK_TOKEN_VARIABLE]: token, [SLACK_URL_VARIABLE]: apiUrl };
      current = { token, client: slackClientFromEnv(env) };
    }
    return current.client;
  };
}

/** The runtime of a deployed handler: built from `process.env` on the first invocation, then kept. */
export function defaultRuntime(): RuntimeProvider {
  return lazy(() => buildRuntime());
}

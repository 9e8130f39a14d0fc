import { EXIT, TrailguardError } from '../errors.ts';

/**
 * The environment variables the Lambda handlers read. Infra sets them by these same names, so a rename
 * cannot leave one side behind.
 */
export const ENV = {
  /** The state table (lib/state/table-definition.ts); the alert outbox lives in it too. */
  table: 'TRAILGUARD_TABLE',
  /** The config file, relative to the function's code directory (bundled next to the handler). */
  configFile: 'TRAILGUARD_CONFIG_FILE',
  /** ARN of the Secrets Manager secret holding the Slack bot token (`xoxb-…`). */
  slackSecretArn: 'TRAILGUARD_SLACK_SECRET_ARN',
  /** The Slack channel given at deploy time; fills in `alerts.slack` when the config has none. */
  slackChannel: 'TRAILGUARD_SLACK_CHANNEL',
  /** The CloudWatch log group CloudTrail delivers to, for the weekly AccessDenied digest (optional). */
  digestLogGroup: 'TRAILGUARD_DIGEST_LOG_GROUP',
  /** The stack's SNS topic: findings go there unless the config names another (`alerts.sns`). */
  topicArn: 'TRAILGUARD_TOPIC_ARN',
} as const;

/** The config file infra bundles next to each handler: the deploy's trailguard.yaml as JSON. */
export const BUNDLED_CONFIG_FILE = 'trailguard.json';

/** What the handlers need from the environment, checked. */
export interface RuntimeSettings {
  table: string;
  configFile?: string;
  slackSecretArn?: string;
  slackChannel?: string;
  topicArn?: string;
  digestLogGroup?: string;
  /** Where the code is: `LAMBDA_TASK_ROOT` in Lambda, the working directory elsewhere. */
  codeDirectory: string;
}

/** Thrown for a deployment that forgot a variable: no retry fixes it, so the message says which. */
export class RuntimeSettingsError extends TrailguardError {
  override name = 'RuntimeSettingsError';

  constructor(message: string) {
    super(message, EXIT.usage);
  }
}

/** Reads and checks the settings; throws `RuntimeSettingsError` naming every variable that is missing. */
export function readSettings(env: Readonly<Record<string, string | undefined>>): RuntimeSettings {
  const value = (name: string) => {
    const text = env[name]?.trim();
    return text ? text : undefined;
  };
  const table = value(ENV.table);
  if (table === undefined) throw new RuntimeSettingsError(`environment variable ${ENV.table} is not set`);
  return {
    table,
    configFile: value(ENV.configFile),
    slackSecretArn: value(ENV.slackSecretArn),
    slackChannel: value(ENV.slackChannel),
    topicArn: value(ENV.topicArn),
    digestLogGroup: value(ENV.digestLogGroup),
    codeDirectory: value('LAMBDA_TASK_ROOT') ?? process.cwd(),
  };
}

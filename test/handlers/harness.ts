import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeEvent, SQSEvent } from 'aws-lambda';
import { parse } from 'yaml';
import { ENV } from '../../lib/runtime/environment.ts';
import { buildRuntime, type Runtime, type RuntimeOptions } from '../../lib/runtime/runtime.ts';
import type { DynamoDbState } from '../../lib/state/dynamodb-state.ts';

const FIXTURES = new URL('./fixtures/', import.meta.url);

/**
 * The handlers read the config as infra bundles it: fixtures/trailguard.yaml as JSON
 * (infra/handler-function.ts converts it the same way at synth).
 */
export const CONFIG_FILE = jsonConfig(new URL('trailguard.yaml', FIXTURES));

/** A YAML config converted to the JSON file the handlers read. */
export function jsonConfig(yamlFile: URL): string {
  const dir = mkdtempSync(join(tmpdir(), 'trailguard-handler-config-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'trailguard.json');
  writeFileSync(file, JSON.stringify(parse(readFileSync(yamlFile, 'utf8'))));
  return file;
}
export const SECRET_ARN =
  'arn:aws:secretsmanager:us-east-1:111122223333:secret:trailguard/slack-bot-token-AbCdEf';
export const SLACK_TOKEN = 'xoxb-1111111111-2222222222-handlertesttoken';

export type Envelope = EventBridgeEvent<string, Record<string, unknown>>;

/** A fixture (test/handlers/fixtures): one EventBridge event, or an array of them. */
export function fixture<T = Envelope>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as T;
}

/** An SQS batch as the event source mapping hands it over: each body one EventBridge event. */
export function sqsBatch(bodies: readonly string[]): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `message-${i}`,
      receiptHandle: `receipt-${i}`,
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'events.amazonaws.com',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:111122223333:trailguard-buffer',
      awsRegion: 'us-east-1',
    })),
  };
}

/** Every JSON line the Powertools loggers wrote (info to stdout, warnings and errors to stderr) while on. */
export class LogCapture {
  readonly lines: Record<string, unknown>[] = [];
  readonly raw: string[] = [];
  readonly #streams = [process.stdout, process.stderr] as const;
  readonly #writes = this.#streams.map((stream) => stream.write);

  start(): void {
    for (const stream of this.#streams) {
      stream.write = ((chunk: string | Uint8Array) => {
        const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
        this.raw.push(text);
        for (const line of text.split('\n')) {
          if (!line.startsWith('{')) continue;
          try {
            this.lines.push(JSON.parse(line) as Record<string, unknown>);
          } catch {
            // Not a JSON line: not one of ours.
          }
        }
        return true;
      }) as typeof stream.write;
    }
  }

  stop(): void {
    this.#streams.forEach((stream, i) => {
      stream.write = this.#writes[i] as typeof stream.write;
    });
  }

  messages(message: string): Record<string, unknown>[] {
    return this.lines.filter((line) => line.message === message);
  }
}

export interface RuntimeFixture {
  table: string;
  dynamodb: DynamoDBClient;
  options: Omit<RuntimeOptions, 'env' | 'dynamodb' | 'logger'>;
  topicArn?: string;
  digestLogGroup?: string;
  /** The JSON config the handlers read; the harness's own fixture when omitted. */
  configFile?: string;
}

/** The runtime exactly as a cold start builds it, pointed at local stand-ins. */
export async function testRuntime(fixture: RuntimeFixture): Promise<Runtime & { state: DynamoDbState }> {
  const env: Record<string, string> = {
    [ENV.table]: fixture.table,
    [ENV.configFile]: fixture.configFile ?? CONFIG_FILE,
    [ENV.slackSecretArn]: SECRET_ARN,
  };
  if (fixture.topicArn) env[ENV.topicArn] = fixture.topicArn;
  if (fixture.digestLogGroup) env[ENV.digestLogGroup] = fixture.digestLogGroup;
  const runtime = await buildRuntime({
    ...fixture.options,
    env,
    dynamodb: fixture.dynamodb,
    logger: new Logger({ serviceName: 'trailguard', logLevel: 'DEBUG' }),
  });
  return runtime as Runtime & { state: DynamoDbState };
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { parse } from 'yaml';
import { BUNDLED_CONFIG_FILE, ENV } from '../lib/runtime/environment.ts';
import { REPO_ROOT } from './paths.ts';

/** The three entry points in handlers/. */
export type HandlerFile = 'eventbridge' | 'sqs-batch' | 'scheduled';

export interface HandlerFunctionProps {
  handler: HandlerFile;
  functionName: string;
  description: string;
  memorySize: number;
  timeout: Duration;
  environment: Record<string, string>;
  /** The trailguard.yaml to bundle next to the code (as JSON); none: the handler runs with the defaults. */
  configFile?: string;
  logRetention: logs.RetentionDays;
}

/** Single-quotes a path for the shell that runs the bundling hooks. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * The bundling command that writes the config next to the code as JSON, so the handlers need no YAML
 * parser (lib/runtime/runtime-config.ts). The JSON goes in the command as base64, which needs no quoting;
 * `node` is there, since it runs the bundling.
 */
function writeConfigJson(configFile: string, target: string): string {
  const json = JSON.stringify(parse(readFileSync(configFile, 'utf8')) ?? {});
  const write = "require('node:fs').writeFileSync(process.argv[1], Buffer.from(process.argv[2], 'base64'))";
  return `node -e ${shellQuote(write)} ${shellQuote(target)} ${Buffer.from(json).toString('base64')}`;
}

/**
 * One handler as a Lambda function: Node.js 24 on arm64, bundled locally by esbuild into one ESM file
 * (the AWS SDK included, so it runs the versions the tests ran), with the config next to it as JSON,
 * its own log group with a retention, and its own role that starts with nothing but writing its logs —
 * not AWSLambdaBasicExecutionRole, whose CreateLogGroup is granted on every log group.
 */
export class HandlerFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: props.logRetention,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.functionName}: writes its logs; the rest is granted per resource`,
    });
    this.logGroup.grantWrite(this.role);
    const config = props.configFile;
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      functionName: props.functionName,
      description: props.description,
      entry: join(REPO_ROOT, 'handlers', `${props.handler}.ts`),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      // Not the START/END/REPORT lines: at millions of invocations they are most of the log bill, and the
      // same durations are in the function's CloudWatch metrics.
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      environment: {
        ...props.environment,
        ...(config === undefined ? {} : { [ENV.configFile]: BUNDLED_CONFIG_FILE }),
        POWERTOOLS_SERVICE_NAME: 'trailguard',
      },
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: 'node24',
        minify: true,
        keepNames: true,
        sourceMap: false,
        mainFields: ['module', 'main'],
        externalModules: [],
        // Some CommonJS dependencies require() Node built-ins, which an ES module has no `require` for.
        banner:
          "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
        forceDockerBundling: false,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_input: string, output: string) =>
            config === undefined ? [] : [writeConfigJson(config, join(output, BUNDLED_CONFIG_FILE))],
        },
      },
    });
  }
}

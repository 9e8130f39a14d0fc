import { ACCOUNT, random, SYNTHETIC_CONFIG, syntheticTrail } from '../test/helpers/synthetic-trail.ts';
import {
  apiCall,
  type CloudTrailRecord,
  type RecordBase,
  type RoleSession,
  roleIdentity,
  serviceIdentity,
} from '../test/helpers/trail-records.ts';

/**
 * The bench trail: the test suite's synthetic organization (pipelines, platform IAM writes, console users,
 * a steady auditor, an agent, and one injected attack per detector) under the background a busy production
 * account adds: ECS and Lambda roles reading KMS/SSM/Secrets Manager/DynamoDB, AWS services assuming
 * roles, SSO users in the console, GitHub and GitLab OIDC deploy runs (a few with expired tokens), and
 * scattered access denials. About 600 records a minute, so a CloudTrail file holds some 3,000 records as
 * in a busy account. Deterministic: the same seed and size give the same trail, byte for byte.
 */

/** The synthetic organization's inventory plus the GitLab pipeline the background deploys with. */
export const BENCH_CONFIG = `${SYNTHETIC_CONFIG}  - name: billing
    role: arn:aws:iam::${ACCOUNT}:role/deploy-billing
    kind: service
    environment: prod
    oidc: { provider: gitlab, subjects: ['project_path:acme/billing:ref_type:branch:ref:main'] }
`;

/** Background records per minute, on average (the synthetic organization adds about five). */
export const BACKGROUND_PER_MINUTE = 600;
const START = Date.parse('2026-11-20T06:00:00Z');
const MINUTE = 60_000;
const ORGANIZATION_LEAD = 90 * MINUTE;
const REGION = 'us-east-1';
const GITLAB_PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/gitlab.com`;
const GITHUB_PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const SDK_UA = [
  'aws-sdk-java/2.25.31 Linux/5.10.219-208.866.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.11+9-LTS',
  'aws-sdk-nodejs/3.700.0 linux/v20.19.0 exec-env/AWS_ECS_FARGATE',
  'Boto3/1.34.120 md/Botocore#1.34.120 ua/2.0 os/linux#5.10.219 md/arch#x86_64 lang/python#3.12.3',
  'aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64',
];
const RUNNER_UA = 'aws-sdk-nodejs/3.700.0 linux/v20.19.0 configure-aws-credentials-for-github-actions';
const GITLAB_UA = 'aws-cli/2.15.30 Python/3.11.8 Linux/5.15.0-1057-aws exe/x86_64.ubuntu.22 prompt/off';
const CONSOLE_UA = 'AWS Internal';
const TLS = (service: string) => ({
  tlsVersion: 'TLSv1.3',
  cipherSuite: 'TLS_AES_128_GCM_SHA256',
  clientProvidedHostHeader: `${service}.${REGION}.amazonaws.com`,
});

const APPS = [
  ...['orders', 'payments', 'catalog', 'search', 'checkout', 'inventory', 'shipping', 'pricing'],
  ...['reviews', 'accounts', 'notifications', 'recommendations', 'media', 'reports', 'auth', 'ledger'],
];
const FUNCTIONS = [
  'resize-image',
  'send-receipt',
  'nightly-export',
  'fraud-score',
  'webhook-relay',
  'audit-sink',
];
const SERVICES = [
  'ecs-tasks.amazonaws.com',
  'lambda.amazonaws.com',
  'ec2.amazonaws.com',
  'events.amazonaws.com',
];
const BRANCHES = ['main', 'feature/cart-v2', 'fix/tax-rounding', 'renovate/aws-sdk', 'release/2026.11'];

interface Read {
  source: string;
  name: string;
  readOnly: boolean;
  request: (app: string, n: number) => CloudTrailRecord;
}

/** What application roles call, weighted by repetition (decrypts and parameter reads dominate real trails). */
const APP_CALLS: readonly Read[] = [
  ...Array.from({ length: 4 }, () => ({
    source: 'kms.amazonaws.com',
    name: 'Decrypt',
    readOnly: true,
    request: (app: string) => ({
      encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      encryptionContext: {
        'aws:secretsmanager:arn': `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${app}/db-AbCdEf`,
      },
    }),
  })),
  {
    source: 'kms.amazonaws.com',
    name: 'GenerateDataKey',
    readOnly: true,
    request: (app) => ({ keyId: `alias/${app}`, keySpec: 'AES_256' }),
  },
  ...Array.from({ length: 3 }, () => ({
    source: 'ssm.amazonaws.com',
    name: 'GetParameter',
    readOnly: true,
    request: (app: string, n: number) => ({ name: `/${app}/config/param-${n % 12}`, withDecryption: true }),
  })),
  {
    source: 'secretsmanager.amazonaws.com',
    name: 'GetSecretValue',
    readOnly: true,
    request: (app) => ({ secretId: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${app}/db-AbCdEf` }),
  },
  {
    source: 'dynamodb.amazonaws.com',
    name: 'DescribeTable',
    readOnly: true,
    request: (app) => ({ tableName: `${app}-items` }),
  },
  {
    source: 'ecr.amazonaws.com',
    name: 'GetAuthorizationToken',
    readOnly: true,
    request: () => ({ registryIds: [ACCOUNT] }),
  },
  {
    source: 'logs.amazonaws.com',
    name: 'CreateLogStream',
    readOnly: false,
    request: (app, n) => ({ logGroupName: `/ecs/${app}`, logStreamName: `ecs/${app}/${n.toString(16)}` }),
  },
  {
    source: 'sqs.amazonaws.com',
    name: 'GetQueueAttributes',
    readOnly: true,
    request: (app) => ({
      queueUrl: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${app}-events`,
      attributeNames: ['All'],
    }),
  },
];

const CONSOLE_CALLS: readonly Read[] = [
  {
    source: 'ec2.amazonaws.com',
    name: 'DescribeInstances',
    readOnly: true,
    request: () => ({ maxResults: 50 }),
  },
  { source: 'monitoring.amazonaws.com', name: 'DescribeAlarms', readOnly: true, request: () => ({}) },
  { source: 'iam.amazonaws.com', name: 'ListRoles', readOnly: true, request: () => ({ maxItems: 100 }) },
  {
    source: 's3.amazonaws.com',
    name: 'ListBuckets',
    readOnly: true,
    request: () => ({ Host: 's3.amazonaws.com' }),
  },
  {
    source: 'ecs.amazonaws.com',
    name: 'DescribeServices',
    readOnly: true,
    request: (app) => ({ cluster: 'prod', services: [app] }),
  },
  {
    source: 'logs.amazonaws.com',
    name: 'StartQuery',
    readOnly: true,
    request: (app) => ({
      logGroupName: `/ecs/${app}`,
      queryString: 'fields @timestamp, @message | limit 20',
    }),
  },
];

const DEPLOY_STEPS: readonly [string, string, boolean][] = [
  ['sts.amazonaws.com', 'GetCallerIdentity', true],
  ['cloudformation.amazonaws.com', 'DescribeStacks', true],
  ['s3.amazonaws.com', 'GetBucketLocation', true],
  ['cloudformation.amazonaws.com', 'CreateChangeSet', false],
  ['cloudformation.amazonaws.com', 'DescribeChangeSet', true],
  ['cloudformation.amazonaws.com', 'ExecuteChangeSet', false],
  ['ecr.amazonaws.com', 'GetAuthorizationToken', true],
  ['ecr.amazonaws.com', 'PutImage', false],
  ['cloudformation.amazonaws.com', 'DescribeStackEvents', true],
  ['cloudformation.amazonaws.com', 'DescribeStackEvents', true],
];

/** Formats an epoch-ms time as CloudTrail does: ISO, whole seconds, `Z`. */
function eventTime(time: number): string {
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** STS credential expiries as CloudTrail writes them: `Nov 20, 2026, 7:00:00 AM` (UTC). */
function humanExpiry(time: number): string {
  const d = new Date(time);
  const hour = d.getUTCHours() % 12 || 12;
  const pad = (n: number) => String(n).padStart(2, '0');
  const clock = `${hour}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCHours() < 12 ? 'AM' : 'PM'}`;
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${clock}`;
}

/** One minute of background records, in no particular order. */
function backgroundMinute(minute: number, rand: () => number, nextId: () => string): CloudTrailRecord[] {
  const t0 = START + minute * MINUTE;
  const out: CloudTrailRecord[] = [];
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const at = () => t0 + Math.floor(rand() * 60) * 1000;
  const base = (time: number): RecordBase => ({ time, eventId: nextId(), account: ACCOUNT, region: REGION });
  const withExtras = (record: CloudTrailRecord, source: string, extra: CloudTrailRecord = {}) =>
    Object.assign(record, { requestID: nextId(), tlsDetails: TLS(source.split('.')[0] as string) }, extra);

  // Application roles (ECS tasks and Lambda functions), about 80% of the traffic.
  const appCalls = Math.round(BACKGROUND_PER_MINUTE * 0.62 * (0.8 + rand() * 0.4));
  for (let i = 0; i < appCalls; i++) {
    const app = pick(APPS);
    const task = Math.floor(rand() * 3);
    const session: RoleSession = {
      account: ACCOUNT,
      role: `${app}-task`,
      sessionName: `${(task * 0x9e3779b1 + app.length).toString(16).padStart(8, '0')}ecs${task}`,
      accessKeyId: `ASIA${app.toUpperCase().padEnd(12, 'X').slice(0, 12)}TSK${task}`,
    };
    const call = pick(APP_CALLS);
    const denied = rand() < 0.004;
    const record = apiCall(base(at()), {
      identity: roleIdentity(session),
      source: call.source,
      name: call.name,
      readOnly: call.readOnly,
      sourceIp: `10.0.${APPS.indexOf(app)}.${10 + task}`,
      userAgent: pick(SDK_UA),
      requestParameters: call.request(app, i),
      ...(denied
        ? {
            errorCode: 'AccessDeniedException',
            errorMessage: `User: arn:aws:sts::${ACCOUNT}:assumed-role/${app}-task/${session.sessionName} is not authorized to perform: ${call.source.split('.')[0]}:${call.name}`,
          }
        : {}),
    });
    out.push(
      withExtras(record, call.source, rand() < 0.3 ? { vpcEndpointId: 'vpce-0a1b2c3d4e5f60718' } : {}),
    );
  }
  const fnCalls = Math.round(BACKGROUND_PER_MINUTE * 0.1);
  for (let i = 0; i < fnCalls; i++) {
    const fn = pick(FUNCTIONS);
    const session: RoleSession = {
      account: ACCOUNT,
      role: `${fn}-role`,
      sessionName: fn,
      accessKeyId: `ASIA${fn.toUpperCase().replace(/-/g, '').padEnd(12, 'X').slice(0, 12)}LMB0`,
    };
    const call = pick(APP_CALLS);
    const record = apiCall(base(at()), {
      identity: roleIdentity(session),
      source: call.source,
      name: call.name,
      readOnly: call.readOnly,
      sourceIp: `3.${80 + FUNCTIONS.indexOf(fn)}.${Math.floor(rand() * 250)}.${Math.floor(rand() * 250)}`,
      userAgent: SDK_UA[1] as string,
      requestParameters: call.request(fn, i),
    });
    out.push(withExtras(record, call.source));
  }

  // AWS services assuming roles for tasks and functions: a large share of every real trail.
  const assumes = Math.round(BACKGROUND_PER_MINUTE * 0.2);
  for (let i = 0; i < assumes; i++) {
    const service = pick(SERVICES);
    const app = pick(APPS);
    const time = at();
    const record = apiCall(base(time), {
      identity: serviceIdentity(service),
      source: 'sts.amazonaws.com',
      name: 'AssumeRole',
      readOnly: true,
      sourceIp: service,
      userAgent: service,
      requestParameters: {
        roleArn: `arn:aws:iam::${ACCOUNT}:role/${app}-task`,
        roleSessionName: `${app}-${(i * 2654435761) >>> 0}`,
      },
    });
    out.push(
      Object.assign(record, {
        responseElements: {
          credentials: {
            accessKeyId: `ASIA${nextId().replace(/-/g, '').slice(0, 16).toUpperCase()}`,
            sessionToken: '',
            expiration: humanExpiry(time + 6 * 3_600_000),
          },
          assumedRoleUser: {
            assumedRoleId: `AROAEXAMPLE${APPS.indexOf(app)}:${app}`,
            arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${app}-task/${app}`,
          },
        },
        resources: [
          { accountId: ACCOUNT, type: 'AWS::IAM::Role', ARN: `arn:aws:iam::${ACCOUNT}:role/${app}-task` },
        ],
        sharedEventID: nextId(),
      }),
    );
  }

  // People in the console through Identity Center, now and then denied.
  const consoleCalls = Math.round(BACKGROUND_PER_MINUTE * 0.06 * rand() * 2);
  for (let i = 0; i < consoleCalls; i++) {
    const person = ['dana', 'lee', 'sam', 'kim', 'alex'][Math.floor(rand() * 5)] as string;
    const call = pick(CONSOLE_CALLS);
    const denied = rand() < 0.03;
    const record = apiCall(base(at()), {
      identity: roleIdentity({
        account: ACCOUNT,
        role: denied
          ? 'AWSReservedSSO_ReadOnly_0123456789abcdef'
          : 'AWSReservedSSO_Developer_0123456789abcdef',
        sessionName: `${person}@acme.example`,
        accessKeyId: `ASIACONSOLE${person.toUpperCase().padEnd(9, '0')}`,
      }),
      source: call.source,
      name: call.name,
      readOnly: call.readOnly,
      sourceIp: `198.18.4.${10 + person.length}`,
      userAgent: CONSOLE_UA,
      requestParameters: call.request(pick(APPS), i),
      ...(denied ? { errorCode: 'AccessDenied', errorMessage: 'Access Denied' } : {}),
    });
    out.push(withExtras(record, call.source, { sessionCredentialFromConsole: 'true' }));
  }

  // CI: a GitHub Actions deploy of the staging app every other minute, a GitLab billing deploy every five.
  if (minute % 2 === 1) out.push(...deployRun('github', minute, at(), rand, nextId, pick));
  if (minute % 5 === 3) out.push(...deployRun('gitlab', minute, at(), rand, nextId, pick));
  return out;
}

function deployRun(
  ci: 'github' | 'gitlab',
  minute: number,
  time: number,
  rand: () => number,
  nextId: () => string,
  pick: <T>(list: readonly T[]) => T,
): CloudTrailRecord[] {
  const github = ci === 'github';
  const role = github ? 'deploy-shop-staging' : 'deploy-billing';
  const subject = github
    ? rand() < 0.2
      ? 'repo:acme/shop:pull_request'
      : `repo:acme/shop:ref:refs/heads/${pick(BRANCHES)}`
    : 'project_path:acme/billing:ref_type:branch:ref:main';
  const provider = github ? GITHUB_PROVIDER : GITLAB_PROVIDER;
  const audience = github ? 'sts.amazonaws.com' : 'https://gitlab.com';
  const runner = github
    ? `4.${150 + Math.floor(rand() * 50)}.${Math.floor(rand() * 250)}.${Math.floor(rand() * 250)}`
    : `34.74.${Math.floor(rand() * 250)}.${Math.floor(rand() * 250)}`;
  const key = `ASIA${ci.toUpperCase()}RUN${String(minute).padStart(16 - ci.length - 3, '0')}`;
  const sessionName = github ? 'GitHubActions' : `GitLabRunner-${minute}`;
  const roleArn = `arn:aws:iam::${ACCOUNT}:role/${role}`;
  const expired = rand() < 0.05;
  const records: CloudTrailRecord[] = [];
  const assume: CloudTrailRecord = {
    eventVersion: '1.08',
    userIdentity: {
      type: 'WebIdentityUser',
      principalId: `${provider}:${audience}:${subject}`,
      userName: subject,
      identityProvider: provider,
    },
    eventTime: eventTime(time),
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRoleWithWebIdentity',
    awsRegion: REGION,
    sourceIPAddress: runner,
    userAgent: github ? RUNNER_UA : GITLAB_UA,
    requestParameters: expired ? null : { roleArn, roleSessionName: sessionName, durationSeconds: 3600 },
    responseElements: expired
      ? null
      : {
          credentials: {
            accessKeyId: key,
            sessionToken: '',
            expiration: humanExpiry(time + 3_600_000),
          },
          subjectFromWebIdentityToken: subject,
          assumedRoleUser: {
            assumedRoleId: `AROAEXAMPLE:${sessionName}`,
            arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${sessionName}`,
          },
          provider,
          audience,
        },
    additionalEventData: {
      identityProviderConnectionVerificationMethod: 'IAMTrustStore',
      RequestDetails: { awsServingRegion: REGION, endpointType: 'regional' },
    },
    requestID: nextId(),
    eventID: nextId(),
    readOnly: true,
    resources: expired ? undefined : [{ accountId: ACCOUNT, type: 'AWS::IAM::Role', ARN: roleArn }],
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    tlsDetails: TLS('sts'),
    ...(expired
      ? { errorCode: 'ExpiredTokenException', errorMessage: 'Token expired: current date/time is after exp' }
      : {}),
  };
  records.push(assume);
  if (expired) return records;
  const identity = roleIdentity({
    account: ACCOUNT,
    role,
    sessionName,
    accessKeyId: key,
    federatedProvider: provider,
  });
  for (const [i, [source, name, readOnly]] of DEPLOY_STEPS.entries()) {
    const record = apiCall(
      { time: time + (i + 1) * 3_000, eventId: nextId(), account: ACCOUNT, region: REGION },
      {
        identity,
        source,
        name,
        readOnly,
        sourceIp: runner,
        userAgent: github ? RUNNER_UA : GITLAB_UA,
        requestParameters: { stackName: `${role}-stack` },
      },
    );
    records.push(
      Object.assign(record, { requestID: nextId(), tlsDetails: TLS(source.split('.')[0] as string) }),
    );
  }
  return records;
}

export interface BenchTrailOptions {
  /** How many records to yield. */
  records: number;
  seed?: number;
}

/** The time of a record the generators built (they always write `eventTime`). */
function timeOf(record: CloudTrailRecord): number {
  return Date.parse(record.eventTime as string);
}

/** Yields `records` records in event-time order: the synthetic organization merged with the background. */
export function* benchTrail(options: BenchTrailOptions): Generator<CloudTrailRecord> {
  const seed = options.seed ?? 7;
  const rand = random(seed * 7919);
  let serial = 0;
  const nextId = () => {
    const n = (++serial).toString(16).padStart(12, '0');
    const r = Math.floor(rand() * 0xffffffff)
      .toString(16)
      .padStart(8, '0');
    return `${r}-${n.slice(0, 4)}-4${n.slice(4, 7)}-8${n.slice(7, 10)}-${r}${n.slice(10)}${n.slice(0, 2)}`;
  };
  const minutes = Math.ceil(options.records / (BACKGROUND_PER_MINUTE + 5)) + 60;
  // The organization starts 90 minutes early, so its attacks (150 minutes in) fall within the first
  // 100,000 records; its first hour and a half are quiet, as a night would be.
  const organization = syntheticTrail({
    seed,
    start: START - ORGANIZATION_LEAD,
    hours: (minutes * MINUTE + ORGANIZATION_LEAD) / 3_600_000,
    attacks: true,
  });
  let next = organization.next();
  let emitted = 0;
  for (let minute = 0; minute < minutes && emitted < options.records; minute++) {
    const end = START + (minute + 1) * MINUTE;
    const batch = backgroundMinute(minute, rand, nextId);
    while (!next.done && timeOf(next.value) < end) {
      batch.push(next.value);
      next = organization.next();
    }
    // Stable by time: the same seed always gives the same order.
    const ordered = batch.map((record, i) => ({ record, i, time: timeOf(record) }));
    ordered.sort((a, b) => a.time - b.time || a.i - b.i);
    for (const { record } of ordered) {
      if (emitted++ >= options.records) return;
      yield record;
    }
  }
}

/** Groups a time-ordered record stream into consecutive chunks of one hour, for writing file by file. */
export function* hourChunks(records: Iterable<CloudTrailRecord>): Generator<CloudTrailRecord[]> {
  let chunk: CloudTrailRecord[] = [];
  let hour: number | undefined;
  for (const record of records) {
    const h = Math.floor(timeOf(record) / 3_600_000);
    if (hour !== undefined && h !== hour && chunk.length > 0) {
      yield chunk;
      chunk = [];
    }
    hour = h;
    chunk.push(record);
  }
  if (chunk.length > 0) yield chunk;
}

import {
  apiCall,
  assumeRoleWithGitHub,
  type CallOptions,
  type CloudTrailRecord,
  githubProviderArn,
  iamUserIdentity,
  type RecordBase,
  type RoleSession,
  roleIdentity,
  serviceIdentity,
} from './trail-records.ts';

/**
 * A deterministic, realistic trail for one account: service pipelines deploying from GitHub Actions, a
 * platform pipeline writing IAM, an application role, console users, AWS services, a steady low-rate
 * auditor that is sometimes denied, and an AI agent within its budget — plus, optionally, one injected
 * attack per detector. Records come out in event-time order; the same seed gives the same trail.
 */
export interface TrailOptions {
  seed?: number;
  /** Epoch ms of the first record. */
  start?: number;
  hours?: number;
  attacks?: boolean;
}

export const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const HOUR = 3_600_000;
const MINUTE = 60_000;

/** The inventory that matches the synthetic organization. */
export const SYNTHETIC_CONFIG = `
pipelines:
  - name: shop-prod
    role: arn:aws:iam::${ACCOUNT}:role/deploy-shop-prod
    kind: service
    environment: prod
    oidc: { provider: github, subjects: ['repo:acme/shop:ref:refs/heads/main', 'repo:acme/shop:environment:production'] }
  - name: shop-staging
    role: arn:aws:iam::${ACCOUNT}:role/deploy-shop-staging
    kind: service
    environment: staging
    oidc: { provider: github, subjects: ['repo:acme/shop:*'] }
  - name: platform
    role: arn:aws:iam::${ACCOUNT}:role/platform-iam
    kind: platform
    environment: prod
    oidc: { provider: github, subjects: ['repo:acme/platform:ref:refs/heads/main'] }
  - name: release-agent
    role: arn:aws:iam::${ACCOUNT}:role/ai-release-agent
    kind: agent
    environment: prod
`;

/** mulberry32: small, fast, deterministic. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const RUNNER_UA = 'aws-sdk-nodejs/3.700.0 linux/v20.19.0 configure-aws-credentials-for-github-actions';
const CLI_UA = 'aws-cli/2.22.0 md/Botocore#1.35.0 ua/2.0 os/linux#6.8';
const CFN = 'cloudformation.amazonaws.com';

const trustPolicy = (subject: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: githubProviderArn(ACCOUNT) },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
          StringLike: { 'token.actions.githubusercontent.com:sub': subject },
        },
      },
    ],
  });

/** Yields the trail's records in event-time order. */
export function* syntheticTrail(options: TrailOptions = {}): Generator<CloudTrailRecord> {
  const rand = random(options.seed ?? 1);
  const start = options.start ?? Date.parse('2026-11-20T06:00:00Z');
  const end = start + (options.hours ?? 6) * HOUR;
  let sequence = 0;
  const queue: CloudTrailRecord[] = [];
  const base = (time: number): RecordBase => ({
    time,
    eventId: `${(options.seed ?? 1).toString(16)}-${(++sequence).toString(16).padStart(10, '0')}`,
    account: ACCOUNT,
    region: REGION,
  });
  const at = (time: number, build: (b: RecordBase) => CloudTrailRecord) => queue.push(build(base(time)));
  const call = (time: number, options: CallOptions) => at(time, (b) => apiCall(b, options));
  const ip = () =>
    `4.${150 + Math.floor(rand() * 50)}.${Math.floor(rand() * 250)}.${Math.floor(rand() * 250)}`;

  // Deploys: one GitHub Actions run assumes the role, then a handful of writes and reads from the runner.
  const deploy = (time: number, role: string, subject: string, key: string) => {
    const runner = ip();
    at(time, (b) => assumeRoleWithGitHub(b, { role, subject, issuedKey: key, sourceIp: runner }));
    const session: RoleSession = {
      account: ACCOUNT,
      role,
      sessionName: 'GitHubActions',
      accessKeyId: key,
      federatedProvider: githubProviderArn(ACCOUNT),
    };
    const identity = roleIdentity(session);
    const steps: [string, string, boolean][] = [
      ['cloudformation.amazonaws.com', 'DescribeStacks', true],
      ['cloudformation.amazonaws.com', 'UpdateStack', false],
      ['ecr.amazonaws.com', 'PutImage', false],
      ['ecs.amazonaws.com', 'RegisterTaskDefinition', false],
      ['cloudformation.amazonaws.com', 'DescribeStackEvents', true],
    ];
    for (const [i, [source, name, readOnly]] of steps.entries()) {
      call(time + (i + 1) * 20_000, {
        identity,
        source,
        name,
        readOnly,
        sourceIp: runner,
        userAgent: RUNNER_UA,
      });
    }
    // CloudFormation then acts with the role's credentials on the pipeline's behalf.
    for (const [i, name] of ['UpdateService', 'CreateService'].entries()) {
      call(time + 150_000 + i * 5_000, {
        identity: { ...identity, invokedBy: CFN },
        source: 'ecs.amazonaws.com',
        name,
        readOnly: false,
        sourceIp: CFN,
        userAgent: CFN,
      });
    }
    return { runner, identity };
  };

  for (let t = start; t < end; t += MINUTE) {
    const minute = Math.round((t - start) / MINUTE);
    const app = roleIdentity({
      account: ACCOUNT,
      role: 'shop-api-task',
      sessionName: 'ecs-task-7f3a',
      accessKeyId: 'ASIAAPPTASK000000001',
    });
    call(t + 1_000, {
      identity: app,
      source: 'kms.amazonaws.com',
      name: 'Decrypt',
      readOnly: true,
      sourceIp: '10.0.12.40',
      userAgent: 'aws-sdk-java/2.25',
    });
    call(t + 2_000, {
      identity: app,
      source: 'ssm.amazonaws.com',
      name: 'GetParameter',
      readOnly: true,
      sourceIp: '10.0.12.40',
      userAgent: 'aws-sdk-java/2.25',
    });
    // A steady auditor: two reads a minute, denied about once every three minutes.
    const auditor = roleIdentity({
      account: ACCOUNT,
      role: 'security-auditor',
      sessionName: 'prowler',
      accessKeyId: 'ASIAAUDITOR000000001',
    });
    call(t + 10_000, {
      identity: auditor,
      source: 'iam.amazonaws.com',
      name: 'ListRoles',
      readOnly: true,
      sourceIp: '34.200.1.9',
      userAgent: CLI_UA,
    });
    const denied = rand() < 0.33;
    call(t + 40_000, {
      identity: auditor,
      source: 'secretsmanager.amazonaws.com',
      name: 'DescribeSecret',
      readOnly: true,
      sourceIp: '34.200.1.9',
      userAgent: CLI_UA,
      ...(denied
        ? {
            errorCode: 'AccessDenied',
            errorMessage: 'User is not authorized to perform: secretsmanager:DescribeSecret',
          }
        : {}),
    });
    if (minute % 5 === 0) {
      call(t + 30_000, {
        identity: serviceIdentity('cloudtrail.amazonaws.com'),
        source: 's3.amazonaws.com',
        name: 'GetBucketAcl',
        readOnly: true,
        sourceIp: 'cloudtrail.amazonaws.com',
        userAgent: 'cloudtrail.amazonaws.com',
      });
    }
    if (minute % 6 === 3) {
      const human = {
        ...roleIdentity({
          account: ACCOUNT,
          role: 'AWSReservedSSO_Developer_0123456789abcdef',
          sessionName: 'dana@acme.example',
          accessKeyId: 'ASIACONSOLE000000001',
        }),
      };
      const record = apiCall(base(t + 20_000), {
        identity: human,
        source: 'ec2.amazonaws.com',
        name: minute % 60 === 3 ? 'CreateTags' : 'DescribeInstances',
        readOnly: minute % 60 !== 3,
        sourceIp: '198.18.4.2',
        userAgent: 'AWS Internal',
      });
      queue.push({ ...record, sessionCredentialFromConsole: 'true' });
    }
    if (minute % 12 === 7) {
      const agent = roleIdentity({
        account: ACCOUNT,
        role: 'ai-release-agent',
        sessionName: 'agent-run',
        accessKeyId: 'ASIAAGENT00000000001',
      });
      call(t + 5_000, {
        identity: agent,
        source: 'lambda.amazonaws.com',
        name: 'UpdateAlias20150331',
        readOnly: false,
        sourceIp: '3.90.1.4',
        userAgent: 'claude-agent/1.0',
      });
    }
    if (minute % 45 === 10)
      deploy(
        t,
        'deploy-shop-prod',
        'repo:acme/shop:ref:refs/heads/main',
        `ASIASHOPPROD${String(minute).padStart(8, '0')}`,
      );
    if (minute % 30 === 20)
      deploy(
        t,
        'deploy-shop-staging',
        'repo:acme/shop:pull_request',
        `ASIASHOPSTAG${String(minute).padStart(8, '0')}`,
      );
    if (minute % 120 === 50) {
      const { runner, identity } = deploy(
        t,
        'platform-iam',
        'repo:acme/platform:ref:refs/heads/main',
        `ASIAPLATFORM${String(minute).padStart(8, '0')}`,
      );
      call(t + 200_000, {
        identity,
        source: 'iam.amazonaws.com',
        name: 'CreateRole',
        readOnly: false,
        sourceIp: runner,
        userAgent: RUNNER_UA,
        requestParameters: {
          roleName: `svc-${minute}`,
          assumeRolePolicyDocument: trustPolicy(`repo:acme/svc-${minute}:environment:production`),
        },
      });
      call(t + 205_000, {
        identity,
        source: 'iam.amazonaws.com',
        name: 'AttachRolePolicy',
        readOnly: false,
        sourceIp: runner,
        userAgent: RUNNER_UA,
        requestParameters: {
          roleName: `svc-${minute}`,
          policyArn: `arn:aws:iam::${ACCOUNT}:policy/svc-deploy`,
        },
      });
    }
    if (options.attacks && minute === 150) injectAttacks(t);
    queue.sort((a, b) => String(a.eventTime).localeCompare(String(b.eventTime)));
    // Everything queued before the next minute is final: emit it in time order.
    while (queue.length > 0 && Date.parse(String(queue[0]?.eventTime)) < t + MINUTE)
      yield queue.shift() as CloudTrailRecord;
  }
  yield* queue.sort((a, b) => String(a.eventTime).localeCompare(String(b.eventTime)));

  function injectAttacks(t: number) {
    // A poisoned workflow on a feature branch gets prod credentials (oidc-unexpected-subject) and tries
    // to escalate (pipeline-iam-write).
    const hijacked = deploy(
      t,
      'deploy-shop-prod',
      'repo:acme/shop:ref:refs/heads/feature/poisoned-action',
      'ASIAATTACKFEATURE001',
    );
    call(t + 60_000, {
      identity: hijacked.identity,
      source: 'iam.amazonaws.com',
      name: 'AttachRolePolicy',
      readOnly: false,
      sourceIp: hijacked.runner,
      userAgent: CLI_UA,
      requestParameters: {
        roleName: 'deploy-shop-prod',
        policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
      },
    });
    // The legitimate main-branch session's key is exfiltrated and used elsewhere: enumeration (a burst of
    // 60 denials: access-denied-spike), then blinding the trail (audit-tampering).
    const stolen = roleIdentity({
      account: ACCOUNT,
      role: 'deploy-shop-prod',
      sessionName: 'GitHubActions',
      accessKeyId: 'ASIASHOPPROD00000145',
      federatedProvider: githubProviderArn(ACCOUNT),
    });
    for (let i = 0; i < 60; i++) {
      call(t + 5 * MINUTE + i * 2_000, {
        identity: stolen,
        source: 'iam.amazonaws.com',
        name: ['ListUsers', 'GetAccountAuthorizationDetails', 'ListSecrets'][i % 3] as string,
        readOnly: true,
        sourceIp: '203.0.113.50',
        userAgent: 'python-requests/2.32',
        errorCode: 'AccessDenied',
        errorMessage: 'User is not authorized to perform this operation',
      });
    }
    call(t + 8 * MINUTE, {
      identity: stolen,
      source: 'cloudtrail.amazonaws.com',
      name: 'StopLogging',
      readOnly: false,
      sourceIp: '203.0.113.50',
      userAgent: 'python-requests/2.32',
      requestParameters: { name: 'org-trail' },
      errorCode: 'AccessDenied',
    });
    // The platform pipeline widens a trust policy (oidc-trust-policy).
    const platform = roleIdentity({
      account: ACCOUNT,
      role: 'platform-iam',
      sessionName: 'GitHubActions',
      accessKeyId: 'ASIAPLATFORM00000050',
      federatedProvider: githubProviderArn(ACCOUNT),
    });
    call(t + 10 * MINUTE, {
      identity: platform,
      source: 'iam.amazonaws.com',
      name: 'UpdateAssumeRolePolicy',
      readOnly: false,
      sourceIp: '4.160.1.1',
      userAgent: RUNNER_UA,
      requestParameters: { roleName: 'deploy-shop-staging', policyDocument: trustPolicy('repo:acme/*') },
    });
    // The AI agent runs away: 25 changes in 25 minutes (agent-change-rate).
    const agent = roleIdentity({
      account: ACCOUNT,
      role: 'ai-release-agent',
      sessionName: 'agent-run',
      accessKeyId: 'ASIAAGENT00000000001',
    });
    for (let i = 0; i < 25; i++) {
      call(t + 12 * MINUTE + i * MINUTE, {
        identity: agent,
        source: 'ec2.amazonaws.com',
        name: 'TerminateInstances',
        readOnly: false,
        sourceIp: '3.90.1.4',
        userAgent: 'claude-agent/1.0',
        requestParameters: { instancesSet: { items: [{ instanceId: `i-0${i}` }] } },
      });
    }
    // A forgotten IAM user key still in use (long-lived-key).
    for (let i = 0; i < 4; i++) {
      call(t + 20 * MINUTE + i * 30_000, {
        identity: iamUserIdentity(ACCOUNT, 'legacy-deployer', 'AKIAIOSFODNN7LEGACY1'),
        source: 's3.amazonaws.com',
        name: 'ListBuckets',
        readOnly: true,
        sourceIp: '192.0.2.44',
        userAgent: CLI_UA,
      });
    }
  }
}

/** The attacks `syntheticTrail({ attacks: true })` injects: which detector must find each, and its principal. */
export const INJECTED_ATTACKS = [
  { detector: 'oidc-unexpected-subject', principal: `arn:aws:iam::${ACCOUNT}:role/deploy-shop-prod` },
  { detector: 'pipeline-iam-write', principal: `arn:aws:iam::${ACCOUNT}:role/deploy-shop-prod` },
  { detector: 'oidc-session-exfiltration', principal: `arn:aws:iam::${ACCOUNT}:role/deploy-shop-prod` },
  { detector: 'access-denied-spike', principal: `arn:aws:iam::${ACCOUNT}:role/deploy-shop-prod` },
  { detector: 'audit-tampering', principal: `arn:aws:iam::${ACCOUNT}:role/deploy-shop-prod` },
  { detector: 'oidc-trust-policy', principal: `arn:aws:iam::${ACCOUNT}:role/deploy-shop-staging` },
  { detector: 'agent-change-rate', principal: `arn:aws:iam::${ACCOUNT}:role/ai-release-agent` },
  { detector: 'long-lived-key', principal: `arn:aws:iam::${ACCOUNT}:user/legacy-deployer` },
] as const;

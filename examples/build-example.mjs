#!/usr/bin/env node
// Rebuilds examples/AWSLogs: a small trail laid out as CloudTrail writes it to S3 (gzipped
// {"Records":[...]} files under AWSLogs/<org>/<account>/CloudTrail/<region>/YYYY/MM/DD/).
// Synthetic records follow the shape of the real GitHub OIDC capture in
// test/fixtures/corpus/oidc/assume-role-with-web-identity-github-success-cloud-snitch.json;
// two files are real corpus records copied as published (see examples/README.md).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const corpus = join(here, '..', 'test', 'fixtures', 'corpus');
const ACCOUNT = '111122223333';
const GITHUB = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const UA_ACTIONS = 'aws-sdk-nodejs/3.700.0 linux/v20.19.0 configure-aws-credentials-for-github-actions';
const UA_CFN = 'cloudformation.amazonaws.com';

let sequence = 0;
const eventId = () => `00000000-example-4000-8000-${String(++sequence).padStart(12, '0')}`;

function base(time, source, name, readOnly, extra) {
  return {
    eventVersion: '1.11',
    eventTime: time,
    eventSource: source,
    eventName: name,
    awsRegion: 'us-east-1',
    requestID: eventId().replace('example', 'request'),
    eventID: eventId(),
    readOnly,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    ...extra,
  };
}

function assumeWithGitHub(time, role, subject, accessKeyId, sourceIPAddress) {
  const roleArn = `arn:aws:iam::${ACCOUNT}:role/${role}`;
  return base(time, 'sts.amazonaws.com', 'AssumeRoleWithWebIdentity', true, {
    userIdentity: {
      type: 'WebIdentityUser',
      principalId: `${GITHUB}:sts.amazonaws.com:${subject}`,
      userName: subject,
      identityProvider: GITHUB,
    },
    sourceIPAddress,
    userAgent: UA_ACTIONS,
    requestParameters: { roleArn, roleSessionName: 'GitHubActions', durationSeconds: 3600 },
    responseElements: {
      credentials: { accessKeyId, sessionToken: '', expiration: 'Nov 20, 2026, 10:05:00 AM' },
      subjectFromWebIdentityToken: subject,
      assumedRoleUser: {
        assumedRoleId: 'AROAEXAMPLEROLEID0001:GitHubActions',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/GitHubActions`,
      },
      provider: GITHUB,
      audience: 'sts.amazonaws.com',
    },
    additionalEventData: { identityProviderConnectionVerificationMethod: 'IAMTrustStore' },
    resources: [{ accountId: ACCOUNT, type: 'AWS::IAM::Role', ARN: roleArn }],
  });
}

function pipelineSession(role, accessKeyId, creationDate) {
  return {
    type: 'AssumedRole',
    principalId: 'AROAEXAMPLEROLEID0001:GitHubActions',
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/GitHubActions`,
    accountId: ACCOUNT,
    accessKeyId,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAEXAMPLEROLEID0001',
        arn: `arn:aws:iam::${ACCOUNT}:role/${role}`,
        accountId: ACCOUNT,
        userName: role,
      },
      webIdFederationData: { federatedProvider: GITHUB, attributes: {} },
      attributes: { creationDate, mfaAuthenticated: 'false' },
    },
  };
}

const trustPolicy = (subject) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: GITHUB },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
          StringLike: { 'token.actions.githubusercontent.com:sub': subject },
        },
      },
    ],
  });

const shopProd = pipelineSession('deploy-shop-prod', 'ASIAEXAMPLESHOPPROD1', '2026-11-20T09:05:00Z');
const platform = pipelineSession('platform-iam', 'ASIAEXAMPLEPLATFORM1', '2026-11-20T09:10:00Z');
const hijacked = pipelineSession('deploy-shop-prod', 'ASIAEXAMPLEFEATURE01', '2026-11-20T09:31:00Z');

const morning = [
  assumeWithGitHub(
    '2026-11-20T09:05:00Z',
    'deploy-shop-prod',
    'repo:acme/shop:environment:production',
    'ASIAEXAMPLESHOPPROD1',
    '4.175.114.51',
  ),
  base('2026-11-20T09:05:40Z', 'cloudformation.amazonaws.com', 'UpdateStack', false, {
    userIdentity: shopProd,
    sourceIPAddress: '4.175.114.51',
    userAgent: UA_ACTIONS,
    requestParameters: { stackName: 'shop-prod' },
    responseElements: { stackId: `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/shop-prod/1` },
  }),
  base('2026-11-20T09:07:12Z', 'ecs.amazonaws.com', 'UpdateService', false, {
    userIdentity: { ...shopProd, invokedBy: UA_CFN },
    sourceIPAddress: UA_CFN,
    userAgent: UA_CFN,
    requestParameters: { cluster: 'shop', service: 'web' },
    responseElements: null,
  }),
  assumeWithGitHub(
    '2026-11-20T09:10:00Z',
    'platform-iam',
    'repo:acme/platform:ref:refs/heads/main',
    'ASIAEXAMPLEPLATFORM1',
    '20.42.11.7',
  ),
  base('2026-11-20T09:11:05Z', 'iam.amazonaws.com', 'CreateRole', false, {
    userIdentity: platform,
    sourceIPAddress: '20.42.11.7',
    userAgent: UA_ACTIONS,
    requestParameters: {
      roleName: 'deploy-billing-prod',
      assumeRolePolicyDocument: trustPolicy('repo:acme/billing:environment:production'),
    },
    responseElements: {
      role: { roleName: 'deploy-billing-prod', arn: `arn:aws:iam::${ACCOUNT}:role/deploy-billing-prod` },
    },
  }),
  base('2026-11-20T09:11:09Z', 'iam.amazonaws.com', 'AttachRolePolicy', false, {
    userIdentity: platform,
    sourceIPAddress: '20.42.11.7',
    userAgent: UA_ACTIONS,
    requestParameters: {
      roleName: 'deploy-billing-prod',
      policyArn: `arn:aws:iam::${ACCOUNT}:policy/billing-deploy`,
    },
    responseElements: null,
  }),
];

const attack = [
  assumeWithGitHub(
    '2026-11-20T09:31:00Z',
    'deploy-shop-prod',
    'repo:acme/shop:ref:refs/heads/feature/add-cache',
    'ASIAEXAMPLEFEATURE01',
    '172.200.9.14',
  ),
  base('2026-11-20T09:31:30Z', 'iam.amazonaws.com', 'AttachRolePolicy', false, {
    userIdentity: hijacked,
    sourceIPAddress: '172.200.9.14',
    userAgent: 'aws-cli/2.22.0 md/Botocore#1.35.0',
    requestParameters: {
      roleName: 'deploy-shop-prod',
      policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
    },
    responseElements: null,
  }),
  base('2026-11-20T09:40:00Z', 'iam.amazonaws.com', 'UpdateAssumeRolePolicy', false, {
    userIdentity: platform,
    sourceIPAddress: '20.42.11.7',
    userAgent: UA_ACTIONS,
    requestParameters: { roleName: 'deploy-shop-staging', policyDocument: trustPolicy('repo:acme/*') },
    responseElements: null,
  }),
];

// The morning deploy's credentials, stolen from the runner and used from elsewhere: reading secrets
// (oidc-session-exfiltration), then enumerating IAM and being denied (access-denied-spike).
const stolen = { ...shopProd };
const exfiltration = [
  base('2026-11-20T09:50:00Z', 'secretsmanager.amazonaws.com', 'ListSecrets', true, {
    userIdentity: stolen,
    sourceIPAddress: '185.220.101.4',
    userAgent: 'python-requests/2.32.3',
    requestParameters: null,
    responseElements: null,
  }),
  ...Array.from({ length: 24 }, (_, i) =>
    base(
      `2026-11-20T09:5${1 + Math.floor(i / 12)}:${String((i % 12) * 5).padStart(2, '0')}Z`,
      'iam.amazonaws.com',
      ['ListUsers', 'ListRoles', 'GetAccountAuthorizationDetails'][i % 3],
      true,
      {
        userIdentity: stolen,
        sourceIPAddress: '185.220.101.4',
        userAgent: 'python-requests/2.32.3',
        requestParameters: null,
        responseElements: null,
        errorCode: 'AccessDenied',
        errorMessage: `User: arn:aws:sts::${ACCOUNT}:assumed-role/deploy-shop-prod/GitHubActions is not authorized to perform: iam:${['ListUsers', 'ListRoles', 'GetAccountAuthorizationDetails'][i % 3]} because no identity-based policy allows it`,
      },
    ),
  ),
];

// The release agent runs away: 12 changes in half an hour against a budget of 10 an hour (agent-change-rate).
const agent = {
  type: 'AssumedRole',
  principalId: 'AROAEXAMPLEAGENT0001:release-run-42',
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ai-release-agent/release-run-42`,
  accountId: ACCOUNT,
  accessKeyId: 'ASIAEXAMPLEAGENT0001',
  sessionContext: {
    sessionIssuer: {
      type: 'Role',
      principalId: 'AROAEXAMPLEAGENT0001',
      arn: `arn:aws:iam::${ACCOUNT}:role/ai-release-agent`,
      accountId: ACCOUNT,
      userName: 'ai-release-agent',
    },
    attributes: { creationDate: '2026-11-20T09:45:00Z', mfaAuthenticated: 'false' },
  },
};
const runaway = Array.from({ length: 12 }, (_, i) =>
  base(
    new Date(Date.parse('2026-11-20T09:46:00Z') + i * 120_000).toISOString().replace('.000Z', 'Z'),
    'lambda.amazonaws.com',
    'UpdateFunctionConfiguration20150331v2',
    false,
    {
      userIdentity: agent,
      sourceIPAddress: '3.90.1.4',
      userAgent: 'release-agent/0.9 aws-sdk-js/3.700.0',
      requestParameters: { functionName: `shop-worker-${i}`, memorySize: 3008 },
      responseElements: null,
    },
  ),
);

// An administrator's Identity Center session takes the production deploy role, which only its
// pipeline's OIDC token may assume (pipeline-role-borrowed).
const sso = 'AWSReservedSSO_AdministratorAccess_0123456789abcdef';
const borrowed = [
  base('2026-11-20T10:02:00Z', 'sts.amazonaws.com', 'AssumeRole', true, {
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLESSOADMIN1:jane.doe@acme.example',
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${sso}/jane.doe@acme.example`,
      accountId: ACCOUNT,
      accessKeyId: 'ASIAEXAMPLESSOJANE01',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROAEXAMPLESSOADMIN1',
          arn: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/${sso}`,
          accountId: ACCOUNT,
          userName: sso,
        },
        attributes: { creationDate: '2026-11-20T09:58:00Z', mfaAuthenticated: 'false' },
      },
    },
    sourceIPAddress: '198.51.100.23',
    userAgent: 'aws-cli/2.22.0 md/Botocore#1.35.0',
    requestParameters: {
      roleArn: `arn:aws:iam::${ACCOUNT}:role/deploy-shop-prod`,
      roleSessionName: 'jane-hotfix',
    },
    responseElements: {
      credentials: {
        accessKeyId: 'ASIAEXAMPLEBORROWED1',
        sessionToken: '',
        expiration: 'Nov 20, 2026, 11:02:00 AM',
      },
      assumedRoleUser: {
        assumedRoleId: 'AROAEXAMPLEROLEID0001:jane-hotfix',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deploy-shop-prod/jane-hotfix`,
      },
    },
    resources: [
      { accountId: ACCOUNT, type: 'AWS::IAM::Role', ARN: `arn:aws:iam::${ACCOUNT}:role/deploy-shop-prod` },
    ],
    sharedEventID: '00000000-shared-4000-8000-000000000001',
  }),
];

function s3Key(org, account, region, day, stamp, suffix) {
  const [y, m, d] = day.split('-');
  return join(
    'AWSLogs',
    org,
    account,
    'CloudTrail',
    region,
    y,
    m,
    d,
    `${account}_CloudTrail_${region}_${stamp}_${suffix}.json.gz`,
  );
}

function write(relative, records) {
  const path = join(here, relative);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, gzipSync(JSON.stringify({ Records: records })));
}

const copied = (file) => {
  const json = JSON.parse(readFileSync(join(corpus, file), 'utf8'));
  return json.Records ?? [json];
};

rmSync(join(here, 'AWSLogs'), { recursive: true, force: true });
write(
  s3Key('o-acme12345', ACCOUNT, 'us-east-1', '2026-11-20', '20261120T0915Z', 'Kq3vYt8LmNp2Xw4R'),
  morning,
);
write(s3Key('o-acme12345', ACCOUNT, 'us-east-1', '2026-11-20', '20261120T0945Z', 'Zr7Hb2QsVc9Jd1Fe'), attack);
write(s3Key('o-acme12345', ACCOUNT, 'us-east-1', '2026-11-20', '20261120T1010Z', 'Pm5Wc8Rt2Gk7Yh3D'), [
  ...exfiltration,
  ...runaway,
  ...borrowed,
]);
write(
  s3Key('o-1234abcde', '222222222222', 'us-east-1', '2025-03-06', '20250306T0230Z', 'QF6qcgyiaVnSueXa'),
  copied('benign/cloud-snitch-s3-log-file-222-mixed-service-traffic.json'),
);
write(
  s3Key('o-1234abcde', '143434273843', 'us-east-1', '2024-07-31', '20240731T1310Z', 'Sx4Tb7Wq1Yc0Pz3N'),
  copied('guardrail/stratus-cloudtrail-stoplogging-iamuser.json'),
);
const digest = join(here, 'AWSLogs/o-acme12345', ACCOUNT, 'CloudTrail-Digest/us-east-1/2026/11/20');
mkdirSync(digest, { recursive: true });
writeFileSync(
  join(digest, `${ACCOUNT}_CloudTrail-Digest_us-east-1_acme-trail_us-east-1_20261120T1000Z.json.gz`),
  gzipSync(
    JSON.stringify({
      awsAccountId: ACCOUNT,
      digestStartTime: '2026-11-20T09:00:00Z',
      digestEndTime: '2026-11-20T10:00:00Z',
      logFiles: [],
    }),
  ),
);
console.log('examples/AWSLogs rebuilt');

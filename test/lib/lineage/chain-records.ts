/**
 * Records for lineage tests, in the shapes CloudTrail writes (field layout as in the corpus captures):
 * sts:AssumeRole by a role session (role chaining: `userIdentity.type AssumedRole`, the issued key in
 * `responseElements.credentials.accessKeyId`, the session in `assumedRoleUser.arn`; AWS IAM User Guide,
 * "Example cross-account AWS STS API events", and test/fixtures/corpus/guardrail/
 * stratus-organizations-leaveorganization-denied-after-assumerole.json), CloudFormation stack operations
 * with `roleARN`, and the calls CloudFormation makes with a service role (`invokedBy`,
 * `sourceIPAddress` and `userAgent` all `cloudformation.amazonaws.com`).
 */
import { expect } from 'vitest';
import { DetectionEngine } from '../../../lib/engine/detection-engine.ts';
import type { Detector } from '../../../lib/engine/detector.ts';
import type { Finding } from '../../../lib/engine/finding.ts';
import { MemoryState } from '../../../lib/state/memory-state.ts';
import { testConfig } from '../../helpers/config.ts';
import { normalized } from '../../helpers/records.ts';
import {
  apiCall,
  assumeRoleWithGitHub,
  type CloudTrailRecord,
  type RecordBase,
  roleIdentity,
  serviceIdentity,
} from '../../helpers/trail-records.ts';

export const PROD = '222222222222';
export const OTHER = '333333333333';
export const FOREIGN = '999999999999';
export const DEPLOY_ROLE = `cdk-hnb659fds-deploy-role-${PROD}-eu-west-1`;
export const EXEC_ROLE = `cdk-hnb659fds-cfn-exec-role-${PROD}-eu-west-1`;
export const RUNNER_IP = '20.55.14.1';
export const START = Date.parse('2026-11-20T10:00:00Z');

export const INVENTORY = {
  pipelines: [
    {
      name: 'shop-prod',
      role: `arn:aws:iam::${PROD}:role/gha-shop-prod`,
      kind: 'service',
      environment: 'prod',
      oidc: { provider: 'github', subjects: ['repo:acme/shop:ref:refs/heads/main'] },
    },
    {
      name: 'platform',
      role: `arn:aws:iam::${PROD}:role/gha-platform`,
      kind: 'platform',
      environment: 'prod',
      oidc: { provider: 'github', subjects: ['repo:acme/platform:ref:refs/heads/main'] },
    },
  ],
};

let counter = 0;
/** A record base `minutes` after START; event ids are unique per call. */
export function at(minutes: number, account = PROD, region = 'us-east-1', tag = 'ev'): RecordBase {
  counter++;
  return {
    time: START + minutes * 60_000,
    eventId: `${tag}-${String(counter).padStart(5, '0')}`,
    account,
    region,
  };
}

export interface Session {
  account: string;
  role: string;
  sessionName: string;
  accessKeyId: string;
}

/** A GitHub runner's OIDC session of `role`. */
export function oidcSession(
  base: RecordBase,
  role: string,
  subject: string,
  key: string,
): [CloudTrailRecord, Session] {
  const record = assumeRoleWithGitHub(base, { role, subject, issuedKey: key, sourceIp: RUNNER_IP });
  return [record, { account: base.account, role, sessionName: 'GitHubActions', accessKeyId: key }];
}

/** sts:AssumeRole made by `caller` (a role session) into `role` of `account`, issuing `key`. */
export function assumeRole(
  base: RecordBase,
  caller: CloudTrailRecord,
  account: string,
  role: string,
  key: string,
  sessionName = 'aws-cdk-runner',
): [CloudTrailRecord, Session] {
  const roleArn = `arn:aws:iam::${account}:role/${role}`;
  const record = apiCall(base, {
    identity: caller,
    source: 'sts.amazonaws.com',
    name: 'AssumeRole',
    readOnly: true,
    sourceIp: RUNNER_IP,
    userAgent: 'aws-cdk/2.170.0 aws-sdk-js/3.700.0',
    requestParameters: { roleArn, roleSessionName: sessionName, durationSeconds: 3600 },
  });
  record.responseElements = {
    credentials: {
      accessKeyId: key,
      sessionToken: '',
      expiration: new Date(base.time + 3_600_000).toUTCString(),
    },
    assumedRoleUser: {
      assumedRoleId: `AROA${role.slice(0, 8).toUpperCase()}:${sessionName}`,
      arn: `arn:aws:sts::${account}:assumed-role/${role}/${sessionName}`,
    },
  };
  record.resources = [{ accountId: account, type: 'AWS::IAM::Role', ARN: roleArn }];
  record.sharedEventID = `shared-${base.eventId}`;
  return [record, { account, role, sessionName, accessKeyId: key }];
}

/** The role owner's copy of a cross-account assumption: `AWSAccount` caller, no ARN. */
export function roleOwnerCopy(
  record: CloudTrailRecord,
  callerAccount: string,
  eventId: string,
): CloudTrailRecord {
  const copy = structuredClone(record);
  copy.userIdentity = {
    type: 'AWSAccount',
    principalId: 'AROAEXAMPLECALLER:aws-cdk-runner',
    accountId: callerAccount,
  };
  copy.eventID = eventId;
  const resources = copy.resources as { accountId: string }[];
  copy.recipientAccountId = resources[0]?.accountId;
  delete copy.resources;
  return copy;
}

/** A call signed by `session`. */
export function call(
  base: RecordBase,
  session: Session,
  source: string,
  name: string,
  requestParameters: CloudTrailRecord,
  extra: { invokedBy?: string; readOnly?: boolean } = {},
): CloudTrailRecord {
  const identity = roleIdentity(session);
  if (extra.invokedBy) identity.invokedBy = extra.invokedBy;
  return apiCall(base, {
    identity,
    source,
    name,
    readOnly: extra.readOnly ?? false,
    sourceIp: extra.invokedBy ?? RUNNER_IP,
    userAgent: extra.invokedBy ?? 'aws-cdk/2.170.0 aws-sdk-js/3.700.0',
    requestParameters,
  });
}

/** CloudFormation assuming a stack's service role (`AWSService` caller, session `AWSCloudFormation`). */
export function cloudFormationAssumes(
  base: RecordBase,
  role: string,
  key: string,
): [CloudTrailRecord, Session] {
  const roleArn = `arn:aws:iam::${base.account}:role/${role}`;
  const record = apiCall(base, {
    identity: serviceIdentity('cloudformation.amazonaws.com'),
    source: 'sts.amazonaws.com',
    name: 'AssumeRole',
    readOnly: true,
    sourceIp: 'cloudformation.amazonaws.com',
    userAgent: 'cloudformation.amazonaws.com',
    requestParameters: { roleArn, roleSessionName: 'AWSCloudFormation' },
  });
  record.responseElements = {
    credentials: {
      accessKeyId: key,
      sessionToken: '',
      expiration: new Date(base.time + 3_600_000).toUTCString(),
    },
    assumedRoleUser: {
      assumedRoleId: 'AROAEXECROLE:AWSCloudFormation',
      arn: `arn:aws:sts::${base.account}:assumed-role/${role}/AWSCloudFormation`,
    },
  };
  return [record, { account: base.account, role, sessionName: 'AWSCloudFormation', accessKeyId: key }];
}

export const ADMIN_POLICY = 'arn:aws:iam::aws:policy/AdministratorAccess';

export function foreignTrust(): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${FOREIGN}:root` }, Action: 'sts:AssumeRole' },
    ],
  });
}

/**
 * Judges `batches` in the order given (each batch as delivered, sorted by time inside as replay does),
 * through the real engine and memory state, with `config` (the parsed YAML object); fails the test when a
 * detector threw.
 */
export async function judgeBatches(
  detectors: readonly Detector[],
  config: Record<string, unknown>,
  batches: readonly (readonly CloudTrailRecord[])[],
): Promise<{ findings: Finding[]; engine: DetectionEngine }> {
  const engine = new DetectionEngine({
    detectors,
    config: testConfig(config),
    state: new MemoryState(),
    now: Date.parse('2026-11-26T00:00:00Z'),
  });
  const findings: Finding[] = [];
  for (const batch of batches) {
    const events = batch.map(normalized).sort((a, b) => a.time - b.time);
    findings.push(...(await engine.process(events)));
  }
  expect(engine.failures.size).toBe(0);
  return { findings, engine };
}

let sessionKeys = 0;
/** A fresh session key id (`ASIA` + 16 characters) tagged for reading. */
export const sessionKey = (tag: string) =>
  `ASIA${tag.toUpperCase().padEnd(10, 'X')}${String(++sessionKeys).padStart(6, '0')}`;

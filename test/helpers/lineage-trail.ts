import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { random } from './synthetic-trail.ts';
import { type CloudTrailRecord, githubProviderArn } from './trail-records.ts';

/**
 * A real-shaped trail for credential lineage (issue 16): role chaining (same- and cross-account), CDK
 * deploys through the CloudFormation exec role, CloudFormation with the caller's own credentials, a human's
 * SSO session borrowing a pipeline role, the platform pipeline doing the same things (quiet), two pipelines'
 * stack operations overlapping on one exec role, and a few hundred records of unrelated background.
 *
 * Record shapes follow test/fixtures/lineage (see its README for the source of every field). The builders
 * in trail-records.ts are not reused for the records themselves: they write `requestID: req-<id>`, a fixed
 * session creationDate and ISO expirations, where lineage needs per-session values in the real formats.
 *
 * Delivery is adversarial but realistic: CloudTrail delivers each account/region on its own clock (about
 * five minutes, not guaranteed). Here us-east-1 (where IAM writes land) is delivered 1 minute after each
 * 5-minute window, eu-west-1 (STS and CloudFormation) 4 minutes after, so a replay, which reads files in
 * object-name time order, meets a chained session's IAM writes before the AssumeRole that issued the key
 * and before the stack operation that caused them. The gap stays under 5 minutes of event time, inside
 * the default `engine.lateness` (15m).
 */

export const PROD_ACCOUNT = '222222222222';
export const SECOND_ACCOUNT = '333333333333';
export const FOREIGN_ACCOUNT = '999999999999';
const HOME = 'eu-west-1';
const IAM_REGION = 'us-east-1';

export const LINEAGE_ROLES = {
  shopProd: `arn:aws:iam::${PROD_ACCOUNT}:role/gha-shop-prod`,
  platform: `arn:aws:iam::${PROD_ACCOUNT}:role/gha-platform`,
  shopProd333: `arn:aws:iam::${SECOND_ACCOUNT}:role/gha-shop-prod`,
  cdkDeploy: `arn:aws:iam::${PROD_ACCOUNT}:role/cdk-hnb659fds-deploy-role-${PROD_ACCOUNT}-${HOME}`,
  cfnExec: `arn:aws:iam::${PROD_ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${PROD_ACCOUNT}-${HOME}`,
  sharedDeployer: `arn:aws:iam::${SECOND_ACCOUNT}:role/shared-deployer`,
  sso: `arn:aws:iam::${PROD_ACCOUNT}:role/aws-reserved/sso.amazonaws.com/${HOME}/AWSReservedSSO_AdministratorAccess_0123456789abcdef`,
  lambda: `arn:aws:iam::${PROD_ACCOUNT}:role/orders-api-role`,
  inventory: `arn:aws:iam::${PROD_ACCOUNT}:role/ops-inventory-task`,
} as const;

export const LINEAGE_SUBJECTS = {
  shop: 'repo:acme/shop:ref:refs/heads/main',
  platform: 'repo:acme/platform:ref:refs/heads/main',
} as const;

/** The config that matches this trail (also at test/fixtures/lineage/trailguard.yaml). */
export const LINEAGE_CONFIG_URL = new URL('../fixtures/lineage/trailguard.yaml', import.meta.url);

const MINUTE = 60_000;
const WINDOW = 5 * MINUTE;
/** Delivery delay after the end of each 5-minute window, per region (see the module comment). */
export const DELIVERY_DELAY: Readonly<Record<string, number>> = { [IAM_REGION]: MINUTE, [HOME]: 4 * MINUTE };
const CFN = 'cloudformation.amazonaws.com';
const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';

const UA = {
  oidc: 'aws-sdk-js/3.896.0 ua/2.1 os/linux#6.11.0-1018-azure lang/js md/nodejs#20.19.5 api/sts#3.896.0 m/E,N,e configure-aws-credentials-for-github-actions',
  cdk: (api: string) =>
    `aws-sdk-js/3.896.0 ua/2.1 os/linux#6.11.0-1018-azure lang/js md/nodejs#20.19.5 api/${api}#3.896.0 m/N,E,e aws-cdk/2.1029.2`,
  boto3:
    'Boto3/1.40.21 md/Botocore#1.40.21 ua/2.1 os/linux#6.11.0-1018-azure md/arch#x86_64 lang/python#3.12.11 md/pyimpl#CPython m/Z,b,D cfg/retry-mode#legacy Botocore/1.40.21',
  cliRunner: (command: string) =>
    `aws-cli/2.31.2 md/awscrt#0.27.6 ua/2.1 os/linux#6.11.0-1018-azure md/arch#x86_64 lang/python#3.13.7 md/pyimpl#CPython m/E,b,Z,N cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#${command}`,
  cliLaptop: (command: string) =>
    `aws-cli/2.31.2 md/awscrt#0.27.6 ua/2.1 os/macos#24.6.0 md/arch#arm64 lang/python#3.13.7 md/pyimpl#CPython m/b,E,Z cfg/retry-mode#standard md/installer#source md/prompt#off md/command#${command}`,
  lambda: (api: string) =>
    `aws-sdk-js/3.890.0 ua/2.1 os/linux#5.10.240-258.930.amzn2.x86_64 lang/js md/nodejs#22.19.0 api/${api}#3.890.0 m/N,E,e exec-env/AWS_Lambda_nodejs22.x`,
  inventory:
    'Boto3/1.40.21 md/Botocore#1.40.21 ua/2.1 os/linux#5.10.240-258.930.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.11 md/pyimpl#CPython exec-env/AWS_ECS_FARGATE m/b,Z cfg/retry-mode#standard Botocore/1.40.21',
} as const;

/** GitHub-hosted runner addresses (Azure ranges GitHub publishes in api.github.com/meta `actions`). */
const RUNNER_IPS = {
  shop: '20.57.44.18',
  platform: '52.238.28.77',
  shopLate: '4.175.114.51',
  platformLate: '13.91.66.24',
};

// ---------------------------------------------------------------------------------------------------------
// Expected findings, as data.

export interface ExpectedHop {
  /** The role assumed at this hop. */
  role: string;
  /** The AssumeRole* record that made the hop (for cross-account hops: the caller account's copy). */
  eventId: string;
  /** The key it issued. */
  accessKeyId: string;
}

export interface ExpectedCase {
  id:
    | 'a-chain'
    | 'a-cross-account'
    | 'b-stack'
    | 'c-borrowed'
    | 'c-borrowed-denied'
    | 'd-platform'
    | 'e-overlap'
    | 'e-named-stack'
    | 'f-caller-credentials'
    | 'other-account-pipeline';
  summary: string;
  expect: 'finding' | 'quiet';
  /** The detector expected to report it (the borrowed-role detector's name is the implementer's call). */
  detector?: 'pipeline-iam-write' | 'pipeline-role-borrowed';
  severity?: 'critical' | 'high' | 'medium' | 'low';
  /** The principal that signed the reported calls (a role ARN, or the SSO session ARN for c-*). */
  principal: string;
  /** The pipeline(s) the calls must be attributed to (origin). More than one: overlap, say so. */
  originPipelines: string[];
  /** For borrowed roles: the pipeline whose role was assumed. */
  targetPipeline?: string;
  /** The chain from origin to the call; [] when the origin signed the call itself. */
  hops: ExpectedHop[];
  /** CloudFormation stack operations in the chain (stack name, the eventIDs of CreateChangeSet/Execute…). */
  stacks: { stackName: string; eventIds: string[] }[];
  /** The calls the finding is about (IAM writes; the AssumeRole itself for c-*), or the quiet ones. */
  eventIds: string[];
}

export interface LineageRecords {
  /** (a) shop-prod OIDC → CDK deploy role → IAM writes; → shared-deployer in 333333333333 → CreateAccessKey. */
  shopChain: CloudTrailRecord[];
  /** (b) shop-prod → deploy role → CreateChangeSet/ExecuteChangeSet with the exec role → CloudFormation writes IAM. */
  shopStack: CloudTrailRecord[];
  /** (f) shop-prod CreateStack without roleARN; CloudFormation writes IAM with the caller's session. */
  shopCallerCredentials: CloudTrailRecord[];
  /** (c) an SSO session assumes gha-shop-prod (allowed) and gha-platform (denied). */
  borrowed: CloudTrailRecord[];
  /** (d) the platform pipeline doing (a) and (b) through the same roles, 3 hours later. */
  platform: CloudTrailRecord[];
  /** (e) shop-prod and platform stack operations through the exec role, 70 s apart. */
  overlap: CloudTrailRecord[];
  /** shop-prod-333's own OIDC deploy in 333333333333 (same role name as shop-prod's, another account). */
  otherAccountPipeline: CloudTrailRecord[];
  /** Lambda function role sessions and an inventory task's describe calls. */
  noise: CloudTrailRecord[];
}

export interface LineageFile {
  path: string;
  account: string;
  region: string;
  /** Epoch ms of the delivery time in the object name. */
  delivered: number;
  records: number;
}

export interface LineageTrail {
  dir: string;
  /** In the order a replay reads them (object-name time, then path). */
  files: LineageFile[];
  recordCount: number;
  cases: ExpectedCase[];
  records: LineageRecords;
  configPath: string;
}

// ---------------------------------------------------------------------------------------------------------
// Identifiers.

class Ids {
  readonly #rand: () => number;
  readonly #roleIds = new Map<string, string>();
  constructor(seed: number) {
    this.#rand = random(seed);
  }
  #chars(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.#rand() * alphabet.length)];
    return out;
  }
  uuid(): string {
    const hex = this.#chars('0123456789abcdef', 32);
    const variant = '89ab'[Math.floor(this.#rand() * 4)];
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20)}`;
  }
  /** ASIA + 16: an STS session key. */
  sessionKey(): string {
    return `ASIA${this.#chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`;
  }
  userKey(): string {
    return `AKIA${this.#chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`;
  }
  /** A stable AROA… unique id per role ARN. */
  roleId(roleArn: string): string {
    let id = this.#roleIds.get(roleArn);
    if (!id) {
      id = `AROA${this.#chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 17)}`;
      this.#roleIds.set(roleArn, id);
    }
    return id;
  }
  userId(): string {
    return `AIDA${this.#chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 17)}`;
  }
  suffix(length: number, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'): string {
    return this.#chars(alphabet, length);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Formats.

const iso = (time: number) => new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
const at = (clock: string) => Date.parse(`2026-11-20T${clock}Z`);
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** CloudTrail's human form, UTC: `Nov 20, 2026, 11:00:05 AM`. */
export function humanTime(time: number): string {
  const d = new Date(time);
  const hours = d.getUTCHours();
  const hour12 = hours % 12 === 0 ? 12 : hours % 12;
  const pad = (n: number) => n.toString().padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${hour12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${hours < 12 ? 'AM' : 'PM'}`;
}

const accountOf = (arn: string) => arn.split(':')[4] ?? '';
const roleNameOf = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

// ---------------------------------------------------------------------------------------------------------
// Identities.

interface Session {
  role: string;
  sessionName: string;
  key: string;
  created: number;
  /** Set for sessions from AssumeRoleWithWebIdentity. */
  webIdentity?: boolean;
  /** Identity Center sessions carry onBehalfOf. */
  onBehalfOf?: { userId: string; identityStoreArn: string };
}

function sessionArn(session: Session): string {
  return `arn:aws:sts::${accountOf(session.role)}:assumed-role/${roleNameOf(session.role)}/${session.sessionName}`;
}

function sessionIdentity(ids: Ids, session: Session, invokedBy?: string): CloudTrailRecord {
  const account = accountOf(session.role);
  const roleId = ids.roleId(session.role);
  const identity: CloudTrailRecord = {
    type: 'AssumedRole',
    principalId: `${roleId}:${session.sessionName}`,
    arn: sessionArn(session),
    accountId: account,
    accessKeyId: session.key,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: roleId,
        arn: session.role,
        accountId: account,
        userName: roleNameOf(session.role),
      },
      ...(session.webIdentity
        ? { webIdFederationData: { federatedProvider: githubProviderArn(account), attributes: {} } }
        : {}),
      attributes: { creationDate: iso(session.created), mfaAuthenticated: 'false' },
    },
  };
  if (session.onBehalfOf) identity.onBehalfOf = session.onBehalfOf;
  if (invokedBy) identity.invokedBy = invokedBy;
  return identity;
}

// ---------------------------------------------------------------------------------------------------------
// Records.

interface Call {
  time: number;
  account: string;
  region: string;
  source: string;
  name: string;
  readOnly: boolean;
  identity: CloudTrailRecord;
  sourceIp: string;
  userAgent: string;
  requestParameters?: CloudTrailRecord | null;
  responseElements?: CloudTrailRecord | null;
  additionalEventData?: CloudTrailRecord;
  resources?: CloudTrailRecord[];
  sharedEventID?: string;
  requestID?: string;
  errorCode?: string;
  errorMessage?: string;
  /** No TLS details on calls AWS services make. */
  byService?: boolean;
}

function record(ids: Ids, call: Call): CloudTrailRecord {
  const host =
    call.source === 'iam.amazonaws.com'
      ? 'iam.amazonaws.com'
      : call.source.replace('.amazonaws.com', `.${call.region}.amazonaws.com`);
  const out: CloudTrailRecord = {
    eventVersion: '1.11',
    userIdentity: call.identity,
    eventTime: iso(call.time),
    eventSource: call.source,
    eventName: call.name,
    awsRegion: call.region,
    sourceIPAddress: call.sourceIp,
    userAgent: call.userAgent,
  };
  if (call.errorCode) {
    out.errorCode = call.errorCode;
    out.errorMessage = call.errorMessage ?? '';
  }
  out.requestParameters = call.requestParameters ?? null;
  out.responseElements = call.responseElements ?? null;
  if (call.additionalEventData) out.additionalEventData = call.additionalEventData;
  out.requestID = call.requestID ?? ids.uuid();
  out.eventID = ids.uuid();
  out.readOnly = call.readOnly;
  if (call.resources) out.resources = call.resources;
  out.eventType = 'AwsApiCall';
  out.managementEvent = true;
  out.recipientAccountId = call.account;
  if (call.sharedEventID) out.sharedEventID = call.sharedEventID;
  out.eventCategory = 'Management';
  if (!call.byService)
    out.tlsDetails = {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: host,
    };
  return out;
}

const idOf = (r: CloudTrailRecord) => String(r.eventID);
const stsDetails = (region: string) => ({
  RequestDetails: { awsServingRegion: region, endpointType: 'regional' },
});
const roleResource = (role: string) => [{ accountId: accountOf(role), type: 'AWS::IAM::Role', ARN: role }];

/** A trust policy as CloudFormation and SDKs send it: a JSON string. */
function trustPolicy(principal: Record<string, string>): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }],
  });
}

class Builder {
  readonly ids: Ids;
  constructor(seed: number) {
    this.ids = new Ids(seed);
  }

  /** GitHub Actions exchanging its OIDC token (configure-aws-credentials, session GitHubActions). */
  oidc(
    time: number,
    role: string,
    subject: string,
    runnerIp: string,
  ): { record: CloudTrailRecord; session: Session } {
    const account = accountOf(role);
    const provider = githubProviderArn(account);
    const key = this.ids.sessionKey();
    const session: Session = { role, sessionName: 'GitHubActions', key, created: time, webIdentity: true };
    const r = record(this.ids, {
      time,
      account,
      region: HOME,
      source: 'sts.amazonaws.com',
      name: 'AssumeRoleWithWebIdentity',
      readOnly: true,
      identity: {
        type: 'WebIdentityUser',
        principalId: `${provider}:sts.amazonaws.com:${subject}`,
        userName: subject,
        identityProvider: provider,
      },
      sourceIp: runnerIp,
      userAgent: UA.oidc,
      requestParameters: { roleArn: role, roleSessionName: 'GitHubActions', durationSeconds: 3600 },
      responseElements: {
        credentials: { accessKeyId: key, sessionToken: '', expiration: humanTime(time + 3_600_000) },
        subjectFromWebIdentityToken: subject,
        assumedRoleUser: {
          assumedRoleId: `${this.ids.roleId(role)}:GitHubActions`,
          arn: sessionArn(session),
        },
        provider,
        audience: 'sts.amazonaws.com',
      },
      additionalEventData: {
        identityProviderConnectionVerificationMethod: 'IAMTrustStore',
        ...stsDetails(HOME),
      },
      resources: roleResource(role),
    });
    return { record: r, session };
  }

  /**
   * sts:AssumeRole made with a session (role chaining). Cross-account: two records, the caller account's
   * (full identity) and the role owner's (AWSAccount, principalId only), same requestID and sharedEventID.
   */
  chain(
    time: number,
    caller: Session,
    role: string,
    sessionName: string,
    sourceIp: string,
    userAgent: string,
  ): { records: CloudTrailRecord[]; session: Session } {
    const key = this.ids.sessionKey();
    const session: Session = { role, sessionName, key, created: time };
    const callerAccount = accountOf(caller.role);
    const owner = accountOf(role);
    const crossAccount = owner !== callerAccount;
    const requestID = this.ids.uuid();
    const sharedEventID = crossAccount ? this.ids.uuid() : undefined;
    const common = {
      time,
      region: HOME,
      source: 'sts.amazonaws.com',
      name: 'AssumeRole',
      readOnly: true,
      sourceIp,
      userAgent,
      requestParameters: { roleArn: role, roleSessionName: sessionName, durationSeconds: 3600 },
      responseElements: {
        credentials: { accessKeyId: key, sessionToken: '', expiration: humanTime(time + 3_600_000) },
        assumedRoleUser: {
          assumedRoleId: `${this.ids.roleId(role)}:${sessionName}`,
          arn: sessionArn(session),
        },
      },
      additionalEventData: stsDetails(HOME),
      resources: roleResource(role),
      requestID,
      ...(sharedEventID ? { sharedEventID } : {}),
    };
    const records = [
      record(this.ids, { ...common, account: callerAccount, identity: sessionIdentity(this.ids, caller) }),
    ];
    if (crossAccount) {
      records.push(
        record(this.ids, {
          ...common,
          account: owner,
          identity: {
            type: 'AWSAccount',
            principalId: `${this.ids.roleId(caller.role)}:${caller.sessionName}`,
            accountId: callerAccount,
          },
        }),
      );
    }
    return { records, session };
  }

  /** A denied sts:AssumeRole: no requestParameters, no responseElements, no resources (Stratus capture). */
  deniedChain(
    time: number,
    caller: Session,
    role: string,
    sourceIp: string,
    userAgent: string,
  ): CloudTrailRecord {
    return record(this.ids, {
      time,
      account: accountOf(caller.role),
      region: HOME,
      source: 'sts.amazonaws.com',
      name: 'AssumeRole',
      readOnly: true,
      identity: sessionIdentity(this.ids, caller),
      sourceIp,
      userAgent,
      errorCode: 'AccessDenied',
      errorMessage: `User: ${sessionArn(caller)} is not authorized to perform: sts:AssumeRole on resource: ${role}`,
      additionalEventData: stsDetails(HOME),
    });
  }

  /** An AWS service assuming a role on its own behalf (CloudFormation: session AWSCloudFormation). */
  serviceAssume(
    time: number,
    service: string,
    role: string,
    sessionName: string,
    durationMs = 3_600_000,
  ): { record: CloudTrailRecord; session: Session } {
    const key = this.ids.sessionKey();
    const session: Session = { role, sessionName, key, created: time };
    const r = record(this.ids, {
      time,
      account: accountOf(role),
      region: HOME,
      source: 'sts.amazonaws.com',
      name: 'AssumeRole',
      readOnly: true,
      identity: { type: 'AWSService', invokedBy: service },
      sourceIp: service,
      userAgent: service,
      requestParameters: { roleArn: role, roleSessionName: sessionName },
      responseElements: {
        credentials: { accessKeyId: key, sessionToken: '', expiration: humanTime(time + durationMs) },
        assumedRoleUser: {
          assumedRoleId: `${this.ids.roleId(role)}:${sessionName}`,
          arn: sessionArn(session),
        },
      },
      resources: roleResource(role),
      sharedEventID: this.ids.uuid(),
      byService: true,
    });
    return { record: r, session };
  }

  /** A call signed by a session; `viaCloudFormation` for calls CloudFormation makes with it. */
  call(
    time: number,
    session: Session,
    region: string,
    source: string,
    name: string,
    readOnly: boolean,
    sourceIp: string,
    userAgent: string,
    requestParameters?: CloudTrailRecord | null,
    responseElements?: CloudTrailRecord | null,
    viaCloudFormation = false,
  ): CloudTrailRecord {
    return record(this.ids, {
      time,
      account: accountOf(session.role),
      region,
      source,
      name,
      readOnly,
      identity: sessionIdentity(this.ids, session, viaCloudFormation ? CFN : undefined),
      sourceIp: viaCloudFormation ? CFN : sourceIp,
      userAgent: viaCloudFormation ? CFN : userAgent,
      requestParameters,
      responseElements,
      byService: viaCloudFormation,
    });
  }

  createRole(
    time: number,
    session: Session,
    roleName: string,
    trust: Record<string, string>,
    viaCloudFormation: boolean,
    sourceIp = CFN,
    userAgent = CFN,
  ): CloudTrailRecord {
    const account = accountOf(session.role);
    const document = trustPolicy(trust);
    return this.call(
      time,
      session,
      IAM_REGION,
      'iam.amazonaws.com',
      'CreateRole',
      false,
      sourceIp,
      userAgent,
      { roleName, path: '/', assumeRolePolicyDocument: document },
      {
        role: {
          path: '/',
          roleName,
          roleId: this.ids.roleId(`arn:aws:iam::${account}:role/${roleName}`),
          arn: `arn:aws:iam::${account}:role/${roleName}`,
          createDate: humanTime(time),
          assumeRolePolicyDocument: encodeURIComponent(document),
        },
      },
      viaCloudFormation,
    );
  }

  attachRolePolicy(
    time: number,
    session: Session,
    roleName: string,
    policyArn: string,
    viaCloudFormation: boolean,
  ): CloudTrailRecord {
    return this.call(
      time,
      session,
      IAM_REGION,
      'iam.amazonaws.com',
      'AttachRolePolicy',
      false,
      CFN,
      CFN,
      { roleName, policyArn },
      null,
      viaCloudFormation,
    );
  }

  stackArn(stackName: string): string {
    return `arn:aws:cloudformation:${HOME}:${PROD_ACCOUNT}:stack/${stackName}/${this.ids.uuid()}`;
  }

  /** cdk deploy: CreateChangeSet with roleARN, DescribeChangeSet, ExecuteChangeSet (change set by ARN). */
  cdkDeploy(
    time: number,
    deploy: Session,
    stackName: string,
    runnerIp: string,
    changeSetType: 'CREATE' | 'UPDATE' = 'UPDATE',
  ) {
    const stackId = this.stackArn(stackName);
    const changeSetId = `arn:aws:cloudformation:${HOME}:${PROD_ACCOUNT}:changeSet/cdk-deploy-change-set/${this.ids.uuid()}`;
    const ua = UA.cdk('cloudformation');
    const describe = this.call(time, deploy, HOME, CFN, 'DescribeStacks', true, runnerIp, ua, { stackName });
    const create = this.call(
      time + 5_000,
      deploy,
      HOME,
      CFN,
      'CreateChangeSet',
      false,
      runnerIp,
      ua,
      {
        stackName,
        templateURL: `https://s3.${HOME}.amazonaws.com/cdk-hnb659fds-assets-${PROD_ACCOUNT}-${HOME}/${this.ids.suffix(64, '0123456789abcdef')}.json`,
        parameters: [{ parameterKey: 'BootstrapVersion' }],
        capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
        roleARN: LINEAGE_ROLES.cfnExec,
        notificationARNs: [],
        tags: [],
        changeSetName: 'cdk-deploy-change-set',
        description: `CDK Changeset for execution ${this.ids.uuid()}`,
        changeSetType,
      },
      { id: changeSetId, stackId },
    );
    const review = this.call(time + 18_000, deploy, HOME, CFN, 'DescribeChangeSet', true, runnerIp, ua, {
      changeSetName: changeSetId,
      stackName,
    });
    const execute = this.call(time + 25_000, deploy, HOME, CFN, 'ExecuteChangeSet', false, runnerIp, ua, {
      changeSetName: changeSetId,
      stackName,
    });
    return { records: [describe, create, review, execute], create, execute, stackId };
  }
}

// ---------------------------------------------------------------------------------------------------------
// The scenario.

function build(seed: number): { records: LineageRecords; cases: ExpectedCase[] } {
  const b = new Builder(seed);
  const cases: ExpectedCase[] = [];
  const cdkSts = UA.cdk('sts');

  // (a) shop-prod: OIDC (K1) → CDK deploy role (K2) → CreateUser + AttachUserPolicy AdministratorAccess,
  // then K2 → shared-deployer in 333333333333 (K3) → CreateAccessKey there.
  const shopChain: CloudTrailRecord[] = [];
  const k1 = b.oidc(at('10:00:05'), LINEAGE_ROLES.shopProd, LINEAGE_SUBJECTS.shop, RUNNER_IPS.shop);
  shopChain.push(k1.record);
  shopChain.push(
    b.call(
      at('10:00:19'),
      k1.session,
      HOME,
      'sts.amazonaws.com',
      'GetCallerIdentity',
      true,
      RUNNER_IPS.shop,
      cdkSts,
    ),
  );
  const k2 = b.chain(
    at('10:00:31'),
    k1.session,
    LINEAGE_ROLES.cdkDeploy,
    'aws-cdk-runner',
    RUNNER_IPS.shop,
    cdkSts,
  );
  shopChain.push(...k2.records);
  const createUser = b.call(
    at('10:01:12'),
    k2.session,
    IAM_REGION,
    'iam.amazonaws.com',
    'CreateUser',
    false,
    RUNNER_IPS.shop,
    UA.boto3,
    { userName: 'svc-backup-sync' },
    {
      user: {
        path: '/',
        userName: 'svc-backup-sync',
        userId: b.ids.userId(),
        arn: `arn:aws:iam::${PROD_ACCOUNT}:user/svc-backup-sync`,
        createDate: humanTime(at('10:01:12')),
      },
    },
  );
  const attachUser = b.call(
    at('10:01:13'),
    k2.session,
    IAM_REGION,
    'iam.amazonaws.com',
    'AttachUserPolicy',
    false,
    RUNNER_IPS.shop,
    UA.boto3,
    {
      userName: 'svc-backup-sync',
      policyArn: ADMIN,
    },
  );
  shopChain.push(createUser, attachUser);
  const k3 = b.chain(
    at('10:01:40'),
    k2.session,
    LINEAGE_ROLES.sharedDeployer,
    'shop-prod-deploy',
    RUNNER_IPS.shop,
    UA.boto3,
  );
  shopChain.push(...k3.records);
  const newKey = b.ids.userKey();
  const createKey = b.call(
    at('10:02:05'),
    k3.session,
    IAM_REGION,
    'iam.amazonaws.com',
    'CreateAccessKey',
    false,
    RUNNER_IPS.shop,
    UA.boto3,
    { userName: 'ci-mirror' },
    {
      accessKey: {
        userName: 'ci-mirror',
        accessKeyId: newKey,
        status: 'Active',
        createDate: humanTime(at('10:02:05')),
      },
    },
  );
  shopChain.push(createKey);
  const hopK2: ExpectedHop = {
    role: LINEAGE_ROLES.cdkDeploy,
    eventId: idOf(k2.records[0] as CloudTrailRecord),
    accessKeyId: k2.session.key,
  };
  const hopK3: ExpectedHop = {
    role: LINEAGE_ROLES.sharedDeployer,
    eventId: idOf(k3.records[0] as CloudTrailRecord),
    accessKeyId: k3.session.key,
  };
  cases.push(
    {
      id: 'a-chain',
      summary: 'shop-prod (service) assumes the CDK deploy role and creates an admin IAM user with it',
      expect: 'finding',
      detector: 'pipeline-iam-write',
      severity: 'critical',
      principal: LINEAGE_ROLES.cdkDeploy,
      originPipelines: ['shop-prod'],
      hops: [hopK2],
      stacks: [],
      eventIds: [idOf(createUser), idOf(attachUser)],
    },
    {
      id: 'a-cross-account',
      summary:
        'three hops: shop-prod → CDK deploy role → shared-deployer in 333333333333 → CreateAccessKey there',
      expect: 'finding',
      detector: 'pipeline-iam-write',
      severity: 'critical',
      principal: LINEAGE_ROLES.sharedDeployer,
      originPipelines: ['shop-prod'],
      hops: [hopK2, hopK3],
      stacks: [],
      eventIds: [idOf(createKey)],
    },
  );

  // (b) shop-prod: K1 → deploy role (K4) → CreateChangeSet(roleARN exec role) + ExecuteChangeSet on ShopStack;
  // CloudFormation assumes the exec role (K5) and creates a role trusted by 999999999999 with AdministratorAccess.
  const shopStack: CloudTrailRecord[] = [];
  const k4 = b.chain(
    at('10:20:04'),
    k1.session,
    LINEAGE_ROLES.cdkDeploy,
    'aws-cdk-runner',
    RUNNER_IPS.shop,
    cdkSts,
  );
  shopStack.push(...k4.records);
  const shopDeploy = b.cdkDeploy(at('10:20:10'), k4.session, 'ShopStack', RUNNER_IPS.shop);
  shopStack.push(...shopDeploy.records);
  const k5 = b.serviceAssume(at('10:20:37'), CFN, LINEAGE_ROLES.cfnExec, 'AWSCloudFormation');
  shopStack.push(k5.record);
  const backdoorName = `ShopStack-SupportAccessRole-${b.ids.suffix(12)}`;
  const shopCreateRole = b.createRole(
    at('10:20:52'),
    k5.session,
    backdoorName,
    { AWS: `arn:aws:iam::${FOREIGN_ACCOUNT}:root` },
    true,
  );
  const shopAttach = b.attachRolePolicy(at('10:20:58'), k5.session, backdoorName, ADMIN, true);
  shopStack.push(shopCreateRole, shopAttach);
  for (const [i, clock] of ['10:21:05', '10:21:35', '10:22:05'].entries())
    shopStack.push(
      b.call(
        at(clock),
        k4.session,
        HOME,
        CFN,
        i < 2 ? 'DescribeStackEvents' : 'DescribeStacks',
        true,
        RUNNER_IPS.shop,
        UA.cdk('cloudformation'),
        {
          stackName: shopDeploy.stackId,
        },
      ),
    );
  cases.push({
    id: 'b-stack',
    summary:
      'shop-prod deploys ShopStack through the CFN exec role; the stack creates a role trusted by 999999999999 and attaches AdministratorAccess',
    expect: 'finding',
    detector: 'pipeline-iam-write',
    severity: 'critical',
    principal: LINEAGE_ROLES.cfnExec,
    originPipelines: ['shop-prod'],
    hops: [
      {
        role: LINEAGE_ROLES.cdkDeploy,
        eventId: idOf(k4.records[0] as CloudTrailRecord),
        accessKeyId: k4.session.key,
      },
      { role: LINEAGE_ROLES.cfnExec, eventId: idOf(k5.record), accessKeyId: k5.session.key },
    ],
    stacks: [{ stackName: 'ShopStack', eventIds: [idOf(shopDeploy.create), idOf(shopDeploy.execute)] }],
    eventIds: [idOf(shopCreateRole), idOf(shopAttach)],
  });

  // (f) shop-prod with its own credentials: CreateStack without roleARN; CloudFormation creates a role with
  // the caller's forward session (invokedBy cloudformation.amazonaws.com on gha-shop-prod's session).
  const shopCallerCredentials: CloudTrailRecord[] = [];
  const queueStack = b.stackArn('ShopQueueStack');
  const createStack = b.call(
    at('10:40:02'),
    k1.session,
    HOME,
    CFN,
    'CreateStack',
    false,
    RUNNER_IPS.shop,
    UA.cliRunner('cloudformation.create-stack'),
    {
      stackName: 'ShopQueueStack',
      templateURL: `https://s3.${HOME}.amazonaws.com/acme-shop-artifacts/queue-stack.yaml`,
      capabilities: ['CAPABILITY_IAM'],
      parameters: [{ parameterKey: 'QueueName' }],
      tags: [],
    },
    { stackId: queueStack },
  );
  const workerRole = `ShopQueueStack-WorkerRole-${b.ids.suffix(12)}`;
  const fasCreateRole = b.createRole(
    at('10:40:20'),
    k1.session,
    workerRole,
    { Service: 'lambda.amazonaws.com' },
    true,
  );
  shopCallerCredentials.push(createStack, fasCreateRole);
  cases.push({
    id: 'f-caller-credentials',
    summary:
      "shop-prod's CreateStack without roleARN: CloudFormation writes IAM with shop-prod's own session (as today)",
    expect: 'finding',
    detector: 'pipeline-iam-write',
    principal: LINEAGE_ROLES.shopProd,
    originPipelines: ['shop-prod'],
    hops: [],
    stacks: [{ stackName: 'ShopQueueStack', eventIds: [idOf(createStack)] }],
    eventIds: [idOf(fasCreateRole)],
  });

  // (c) a human's SSO session (K6) assumes gha-shop-prod (allowed, K7) and gha-platform (denied).
  const borrowed: CloudTrailRecord[] = [];
  const laptop = '81.2.69.160';
  const k6: Session = {
    role: LINEAGE_ROLES.sso,
    sessionName: 'jane.doe@acme.example',
    key: b.ids.sessionKey(),
    created: at('11:52:40'),
    onBehalfOf: {
      userId: '9067d2e1c4-3f1a6b2e-8c4d-4e5f-9a0b-1c2d3e4f5a6b',
      identityStoreArn: 'arn:aws:identitystore::111111111111:identitystore/d-9067d2e1c4',
    },
  };
  borrowed.push(
    b.call(
      at('11:58:02'),
      k6,
      HOME,
      'sts.amazonaws.com',
      'GetCallerIdentity',
      true,
      laptop,
      UA.cliLaptop('sts.get-caller-identity'),
    ),
  );
  const k7 = b.chain(
    at('12:00:31'),
    k6,
    LINEAGE_ROLES.shopProd,
    'botocore-session-1795687231',
    laptop,
    UA.cliLaptop('cloudformation.describe-stacks'),
  );
  borrowed.push(...k7.records);
  borrowed.push(
    b.call(
      at('12:00:32'),
      k7.session,
      HOME,
      CFN,
      'DescribeStacks',
      true,
      laptop,
      UA.cliLaptop('cloudformation.describe-stacks'),
      { stackName: 'ShopStack' },
    ),
  );
  const denied = b.deniedChain(
    at('12:03:12'),
    k6,
    LINEAGE_ROLES.platform,
    laptop,
    UA.cliLaptop('cloudformation.describe-stacks'),
  );
  borrowed.push(denied);
  cases.push(
    {
      id: 'c-borrowed',
      summary: "a human's SSO role session assumes shop-prod's pipeline role (OIDC only, no assumableBy)",
      expect: 'finding',
      detector: 'pipeline-role-borrowed',
      severity: 'high',
      principal: sessionArn(k6),
      originPipelines: [],
      targetPipeline: 'shop-prod',
      hops: [
        {
          role: LINEAGE_ROLES.shopProd,
          eventId: idOf(k7.records[0] as CloudTrailRecord),
          accessKeyId: k7.session.key,
        },
      ],
      stacks: [],
      eventIds: [idOf(k7.records[0] as CloudTrailRecord)],
    },
    {
      id: 'c-borrowed-denied',
      summary:
        'the same SSO session tries gha-platform and is denied (requestParameters null; role only in errorMessage)',
      expect: 'finding',
      detector: 'pipeline-role-borrowed',
      severity: 'medium',
      principal: sessionArn(k6),
      originPipelines: [],
      targetPipeline: 'platform',
      hops: [],
      stacks: [],
      eventIds: [idOf(denied)],
    },
  );

  // (d) the platform pipeline does (a) and (b) through the same roles, 3 hours later: quiet.
  const platform: CloudTrailRecord[] = [];
  const k8 = b.oidc(at('13:00:05'), LINEAGE_ROLES.platform, LINEAGE_SUBJECTS.platform, RUNNER_IPS.platform);
  platform.push(k8.record);
  const k9 = b.chain(
    at('13:00:31'),
    k8.session,
    LINEAGE_ROLES.cdkDeploy,
    'aws-cdk-runner',
    RUNNER_IPS.platform,
    cdkSts,
  );
  platform.push(...k9.records);
  const pUser = b.call(
    at('13:01:12'),
    k9.session,
    IAM_REGION,
    'iam.amazonaws.com',
    'CreateUser',
    false,
    RUNNER_IPS.platform,
    UA.boto3,
    { userName: 'svc-platform-audit' },
    {
      user: {
        path: '/',
        userName: 'svc-platform-audit',
        userId: b.ids.userId(),
        arn: `arn:aws:iam::${PROD_ACCOUNT}:user/svc-platform-audit`,
        createDate: humanTime(at('13:01:12')),
      },
    },
  );
  const pAttachUser = b.call(
    at('13:01:13'),
    k9.session,
    IAM_REGION,
    'iam.amazonaws.com',
    'AttachUserPolicy',
    false,
    RUNNER_IPS.platform,
    UA.boto3,
    {
      userName: 'svc-platform-audit',
      policyArn: ADMIN,
    },
  );
  platform.push(pUser, pAttachUser);
  const k10 = b.chain(
    at('13:01:40'),
    k9.session,
    LINEAGE_ROLES.sharedDeployer,
    'platform-deploy',
    RUNNER_IPS.platform,
    UA.boto3,
  );
  platform.push(...k10.records);
  const pKey = b.call(
    at('13:02:05'),
    k10.session,
    IAM_REGION,
    'iam.amazonaws.com',
    'CreateAccessKey',
    false,
    RUNNER_IPS.platform,
    UA.boto3,
    { userName: 'platform-mirror' },
    {
      accessKey: {
        userName: 'platform-mirror',
        accessKeyId: b.ids.userKey(),
        status: 'Active',
        createDate: humanTime(at('13:02:05')),
      },
    },
  );
  platform.push(pKey);
  const k11 = b.chain(
    at('13:20:04'),
    k8.session,
    LINEAGE_ROLES.cdkDeploy,
    'aws-cdk-runner',
    RUNNER_IPS.platform,
    cdkSts,
  );
  platform.push(...k11.records);
  const platformDeploy = b.cdkDeploy(at('13:20:10'), k11.session, 'PlatformStack', RUNNER_IPS.platform);
  platform.push(...platformDeploy.records);
  const k12 = b.serviceAssume(at('13:20:37'), CFN, LINEAGE_ROLES.cfnExec, 'AWSCloudFormation');
  platform.push(k12.record);
  const breakGlass = `PlatformStack-BreakGlassRole-${b.ids.suffix(12)}`;
  const pCreateRole = b.createRole(
    at('13:20:52'),
    k12.session,
    breakGlass,
    { AWS: `arn:aws:iam::${FOREIGN_ACCOUNT}:root` },
    true,
  );
  const pAttachRole = b.attachRolePolicy(at('13:20:58'), k12.session, breakGlass, ADMIN, true);
  platform.push(pCreateRole, pAttachRole);
  cases.push({
    id: 'd-platform',
    summary: 'the platform pipeline does the same chain and stack deploy through the same roles: quiet',
    expect: 'quiet',
    principal: LINEAGE_ROLES.cdkDeploy,
    originPipelines: ['platform'],
    hops: [
      {
        role: LINEAGE_ROLES.cdkDeploy,
        eventId: idOf(k9.records[0] as CloudTrailRecord),
        accessKeyId: k9.session.key,
      },
    ],
    stacks: [
      { stackName: 'PlatformStack', eventIds: [idOf(platformDeploy.create), idOf(platformDeploy.execute)] },
    ],
    eventIds: [idOf(pUser), idOf(pAttachUser), idOf(pKey), idOf(pCreateRole), idOf(pAttachRole)],
  });

  // (e) overlapping operations on the exec role: shop-prod's ShopStack2 and platform's PlatformStack2 are
  // executed 70 s apart; CloudFormation assumes the exec role for each; then one role named after
  // PlatformStack2 is created and a policy is attached to a role whose name names no stack.
  const overlap: CloudTrailRecord[] = [];
  const k13 = b.oidc(at('15:00:05'), LINEAGE_ROLES.shopProd, LINEAGE_SUBJECTS.shop, RUNNER_IPS.shopLate);
  const k14 = b.chain(
    at('15:00:24'),
    k13.session,
    LINEAGE_ROLES.cdkDeploy,
    'aws-cdk-runner',
    RUNNER_IPS.shopLate,
    cdkSts,
  );
  const shop2 = b.cdkDeploy(at('15:00:30'), k14.session, 'ShopStack2', RUNNER_IPS.shopLate);
  const k15 = b.serviceAssume(at('15:00:57'), CFN, LINEAGE_ROLES.cfnExec, 'AWSCloudFormation');
  const k16 = b.oidc(
    at('15:01:10'),
    LINEAGE_ROLES.platform,
    LINEAGE_SUBJECTS.platform,
    RUNNER_IPS.platformLate,
  );
  const k17 = b.chain(
    at('15:01:34'),
    k16.session,
    LINEAGE_ROLES.cdkDeploy,
    'aws-cdk-runner',
    RUNNER_IPS.platformLate,
    cdkSts,
  );
  const platform2 = b.cdkDeploy(at('15:01:40'), k17.session, 'PlatformStack2', RUNNER_IPS.platformLate);
  const k18 = b.serviceAssume(at('15:02:07'), CFN, LINEAGE_ROLES.cfnExec, 'AWSCloudFormation');
  const taskRole = 'PlatformStack2-TaskRole-1A2B3C4D5E6F';
  const namedCreate = b.createRole(
    at('15:02:30'),
    k18.session,
    taskRole,
    { Service: 'ecs-tasks.amazonaws.com' },
    true,
  );
  const unnamedAttach = b.attachRolePolicy(
    at('15:02:41'),
    k18.session,
    'artifact-reader',
    'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
    true,
  );
  overlap.push(
    k13.record,
    ...k14.records,
    ...shop2.records,
    k15.record,
    k16.record,
    ...k17.records,
    ...platform2.records,
    k18.record,
    namedCreate,
    unnamedAttach,
  );
  const overlapStacks = [
    { stackName: 'ShopStack2', eventIds: [idOf(shop2.create), idOf(shop2.execute)] },
    { stackName: 'PlatformStack2', eventIds: [idOf(platform2.create), idOf(platform2.execute)] },
  ];
  cases.push(
    {
      id: 'e-overlap',
      summary:
        "AttachRolePolicy on 'artifact-reader' (no stack in the name) while ShopStack2 and PlatformStack2 both run on the exec role: attributed to both, the finding says so",
      expect: 'finding',
      detector: 'pipeline-iam-write',
      principal: LINEAGE_ROLES.cfnExec,
      originPipelines: ['shop-prod', 'platform'],
      hops: [{ role: LINEAGE_ROLES.cfnExec, eventId: idOf(k18.record), accessKeyId: k18.session.key }],
      stacks: overlapStacks,
      eventIds: [idOf(unnamedAttach)],
    },
    {
      id: 'e-named-stack',
      summary: `CreateRole ${taskRole}: the name says PlatformStack2, so platform only: quiet`,
      expect: 'quiet',
      principal: LINEAGE_ROLES.cfnExec,
      originPipelines: ['platform'],
      hops: [{ role: LINEAGE_ROLES.cfnExec, eventId: idOf(k18.record), accessKeyId: k18.session.key }],
      stacks: [overlapStacks[1] as { stackName: string; eventIds: string[] }],
      eventIds: [idOf(namedCreate)],
    },
  );

  // shop-prod-333's own deploy in 333333333333 (same role name, other account): quiet.
  const otherAccountPipeline: CloudTrailRecord[] = [];
  const k19 = b.oidc(at('09:30:04'), LINEAGE_ROLES.shopProd333, LINEAGE_SUBJECTS.shop, RUNNER_IPS.shop);
  otherAccountPipeline.push(k19.record);
  for (const [i, clock] of ['09:30:20', '09:30:41', '09:31:10'].entries())
    otherAccountPipeline.push(
      b.call(
        at(clock),
        k19.session,
        HOME,
        CFN,
        i === 1 ? 'DescribeStackEvents' : 'DescribeStacks',
        true,
        RUNNER_IPS.shop,
        UA.cdk('cloudformation'),
        { stackName: 'ShopStack' },
      ),
    );
  cases.push({
    id: 'other-account-pipeline',
    summary: "shop-prod-333's ordinary OIDC deploy in 333333333333: quiet, and never confused with shop-prod",
    expect: 'quiet',
    principal: LINEAGE_ROLES.shopProd333,
    originPipelines: ['shop-prod-333'],
    hops: [],
    stacks: [],
    eventIds: otherAccountPipeline.map(idOf),
  });

  // Background: a Lambda function role assumed by lambda.amazonaws.com every 10 minutes with its calls,
  // and an inventory task's describe/list calls every 15 minutes (eu-west-1 and IAM in us-east-1).
  const noise: CloudTrailRecord[] = [];
  let invocation = 0;
  const lambdaIp = () => `34.245.${((invocation * 37) % 200) + 10}.${((invocation * 91) % 250) + 3}`;
  for (let t = at('09:00:00') + 17_000; t < at('16:00:00'); t += 10 * MINUTE) {
    const fn = b.serviceAssume(t, 'lambda.amazonaws.com', LINEAGE_ROLES.lambda, 'orders-api', 12 * 3_600_000);
    noise.push(fn.record);
    invocation++;
    const ip = lambdaIp();
    const calls: [string, string, CloudTrailRecord][] = [
      ['kms.amazonaws.com', 'Decrypt', { encryptionAlgorithm: 'SYMMETRIC_DEFAULT' }],
      ['ssm.amazonaws.com', 'GetParameter', { name: '/orders-api/prod/config', withDecryption: true }],
      ['secretsmanager.amazonaws.com', 'GetSecretValue', { secretId: 'orders-api/prod/db' }],
      ['dynamodb.amazonaws.com', 'DescribeTable', { tableName: 'orders' }],
      [
        'sqs.amazonaws.com',
        'GetQueueAttributes',
        {
          queueUrl: `https://sqs.${HOME}.amazonaws.com/${PROD_ACCOUNT}/orders-events`,
          attributeNames: ['All'],
        },
      ],
    ];
    for (const [i, [source, name, params]] of calls.entries())
      noise.push(
        b.call(
          t + 2_000 + i * 9_000,
          fn.session,
          HOME,
          source,
          name,
          true,
          ip,
          UA.lambda(source.split('.')[0] ?? ''),
          params,
        ),
      );
  }
  const inventory: Session = {
    role: LINEAGE_ROLES.inventory,
    sessionName: 'a6f1c2d3e4b5c6d7e8f90a1b2c3d4e5f',
    key: b.ids.sessionKey(),
    created: at('08:55:00'),
  };
  for (let t = at('09:05:00'); t < at('16:00:00'); t += 15 * MINUTE) {
    noise.push(
      b.call(t, inventory, HOME, 'ec2.amazonaws.com', 'DescribeInstances', true, '10.40.3.17', UA.inventory, {
        instancesSet: {},
        filterSet: {},
      }),
    );
    noise.push(
      b.call(t + 4_000, inventory, HOME, CFN, 'ListStacks', true, '10.40.3.17', UA.inventory, {
        stackStatusFilter: ['CREATE_COMPLETE', 'UPDATE_COMPLETE'],
      }),
    );
    noise.push(
      b.call(
        t + 9_000,
        inventory,
        IAM_REGION,
        'iam.amazonaws.com',
        'ListRoles',
        true,
        '10.40.3.17',
        UA.inventory,
        { maxItems: 1000 },
      ),
    );
  }

  return {
    records: {
      shopChain,
      shopStack,
      shopCallerCredentials,
      borrowed,
      platform,
      overlap,
      otherAccountPipeline,
      noise,
    },
    cases,
  };
}

const SEED = 16;

/** The scenario's records by case (fresh objects each call; the same every call). */
export function lineageRecords(): LineageRecords {
  return build(SEED).records;
}

/** What a correct lineage implementation reports (and keeps quiet about) on this trail. */
export function lineageCases(): ExpectedCase[] {
  return build(SEED).cases;
}

/** Every record of the scenario, in event-time order. */
export function allLineageRecords(records: LineageRecords = lineageRecords()): CloudTrailRecord[] {
  return Object.values(records)
    .flat()
    .sort((a, b) => Date.parse(String(a.eventTime)) - Date.parse(String(b.eventTime)));
}

function stamp(time: number): string {
  return iso(time)
    .replace(/[-:]/g, '')
    .replace(/\d\dZ$/, 'Z');
}

/**
 * Writes the trail under `dir` as CloudTrail delivers it to S3: one gzipped `{"Records":[...]}` per account,
 * region and 5-minute window, at `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/
 * <account>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<16 chars>.json.gz`, the time being the delivery time
 * (window end + DELIVERY_DELAY of the region). Records inside a file are not in time order.
 */
export async function writeLineageTrail(dir: string): Promise<LineageTrail> {
  const { records, cases } = build(SEED);
  const ids = new Ids(SEED + 1);
  const groups = new Map<
    string,
    { account: string; region: string; window: number; records: CloudTrailRecord[] }
  >();
  for (const r of allLineageRecords(records)) {
    const account = String(r.recipientAccountId);
    const region = String(r.awsRegion);
    const window = Math.floor(Date.parse(String(r.eventTime)) / WINDOW) * WINDOW;
    const key = `${account}/${region}/${window}`;
    const group = groups.get(key) ?? { account, region, window, records: [] };
    group.records.push(r);
    groups.set(key, group);
  }
  const files: LineageFile[] = [];
  for (const group of groups.values()) {
    const delivered = group.window + WINDOW + (DELIVERY_DELAY[group.region] ?? WINDOW);
    const day = iso(group.window).slice(0, 10).split('-');
    const folder = join(dir, 'AWSLogs', group.account, 'CloudTrail', group.region, ...day);
    await mkdir(folder, { recursive: true });
    const path = join(
      folder,
      `${group.account}_CloudTrail_${group.region}_${stamp(delivered)}_${ids.suffix(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')}.json.gz`,
    );
    // Interleave rather than sort: CloudTrail files are not ordered.
    const shuffled = group.records
      .filter((_, i) => i % 2 === 1)
      .concat(group.records.filter((_, i) => i % 2 === 0).reverse());
    await writeFile(path, gzipSync(JSON.stringify({ Records: shuffled })));
    files.push({
      path,
      account: group.account,
      region: group.region,
      delivered,
      records: group.records.length,
    });
  }
  files.sort((a, b) => a.delivered - b.delivered || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    dir,
    files,
    recordCount: files.reduce((sum, f) => sum + f.records, 0),
    cases,
    records,
    configPath: LINEAGE_CONFIG_URL.pathname,
  };
}

/**
 * Builders for real-shaped CloudTrail records (field layout as in the corpus captures, e.g.
 * test/fixtures/corpus/oidc/assume-role-with-web-identity-github-success-cloud-snitch.json and the Stratus
 * detonations), used by the synthetic trail generator.
 */
export type CloudTrailRecord = Record<string, unknown>;

export interface RecordBase {
  time: number;
  eventId: string;
  account: string;
  region: string;
}

const GITHUB_ISSUER = 'token.actions.githubusercontent.com';

export function githubProviderArn(account: string): string {
  return `arn:aws:iam::${account}:oidc-provider/${GITHUB_ISSUER}`;
}

function envelope(base: RecordBase, source: string, name: string, readOnly: boolean, rest: CloudTrailRecord) {
  return {
    eventVersion: '1.11',
    eventTime: new Date(base.time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: source,
    eventName: name,
    awsRegion: base.region,
    requestID: `req-${base.eventId}`,
    eventID: base.eventId,
    readOnly,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: base.account,
    eventCategory: 'Management',
    ...rest,
  };
}

export interface RoleSession {
  account: string;
  role: string;
  sessionName: string;
  accessKeyId: string;
  /** Set for sessions from AssumeRoleWithWebIdentity. */
  federatedProvider?: string;
}

export function roleIdentity(session: RoleSession): CloudTrailRecord {
  return {
    type: 'AssumedRole',
    principalId: `AROA${session.role
      .toUpperCase()
      .replace(/[^A-Z0-9]/g, '')
      .slice(0, 12)}:${session.sessionName}`,
    arn: `arn:aws:sts::${session.account}:assumed-role/${session.role}/${session.sessionName}`,
    accountId: session.account,
    accessKeyId: session.accessKeyId,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAEXAMPLE',
        arn: `arn:aws:iam::${session.account}:role/${session.role}`,
        accountId: session.account,
        userName: session.role,
      },
      webIdFederationData: session.federatedProvider
        ? { federatedProvider: session.federatedProvider, attributes: {} }
        : {},
      attributes: { creationDate: '2026-11-20T00:00:00Z', mfaAuthenticated: 'false' },
    },
  };
}

export function iamUserIdentity(account: string, user: string, accessKeyId: string): CloudTrailRecord {
  return {
    type: 'IAMUser',
    principalId: 'AIDAEXAMPLEUSER',
    arn: `arn:aws:iam::${account}:user/${user}`,
    accountId: account,
    accessKeyId,
    userName: user,
  };
}

export function serviceIdentity(service: string): CloudTrailRecord {
  return { type: 'AWSService', invokedBy: service };
}

export interface CallOptions {
  identity: CloudTrailRecord;
  source: string;
  name: string;
  readOnly: boolean;
  sourceIp: string;
  userAgent: string;
  requestParameters?: CloudTrailRecord | null;
  errorCode?: string;
  errorMessage?: string;
}

export function apiCall(base: RecordBase, call: CallOptions): CloudTrailRecord {
  const record = envelope(base, call.source, call.name, call.readOnly, {
    userIdentity: call.identity,
    sourceIPAddress: call.sourceIp,
    userAgent: call.userAgent,
    requestParameters: call.requestParameters ?? null,
    responseElements: null,
  });
  if (call.errorCode)
    Object.assign(record, { errorCode: call.errorCode, errorMessage: call.errorMessage ?? '' });
  return record;
}

export interface WebIdentityOptions {
  role: string;
  subject: string;
  issuedKey: string;
  sourceIp: string;
  denied?: boolean;
}

/** AssumeRoleWithWebIdentity by a GitHub Actions runner, as configure-aws-credentials makes it. */
export function assumeRoleWithGitHub(base: RecordBase, options: WebIdentityOptions): CloudTrailRecord {
  const provider = githubProviderArn(base.account);
  const roleArn = `arn:aws:iam::${base.account}:role/${options.role}`;
  const record = envelope(base, 'sts.amazonaws.com', 'AssumeRoleWithWebIdentity', true, {
    userIdentity: {
      type: 'WebIdentityUser',
      principalId: `${provider}:sts.amazonaws.com:${options.subject}`,
      userName: options.subject,
      identityProvider: provider,
    },
    sourceIPAddress: options.sourceIp,
    userAgent: 'aws-sdk-nodejs/3.700.0 linux/v20.19.0 configure-aws-credentials-for-github-actions',
    requestParameters: options.denied
      ? null
      : { roleArn, roleSessionName: 'GitHubActions', durationSeconds: 3600 },
    responseElements: options.denied
      ? null
      : {
          credentials: {
            accessKeyId: options.issuedKey,
            sessionToken: '',
            expiration: new Date(base.time + 3_600_000).toISOString(),
          },
          subjectFromWebIdentityToken: options.subject,
          assumedRoleUser: {
            assumedRoleId: 'AROAEXAMPLE:GitHubActions',
            arn: `arn:aws:sts::${base.account}:assumed-role/${options.role}/GitHubActions`,
          },
          provider,
          audience: 'sts.amazonaws.com',
        },
    resources: options.denied
      ? undefined
      : [{ accountId: base.account, type: 'AWS::IAM::Role', ARN: roleArn }],
  });
  if (options.denied)
    Object.assign(record, { errorCode: 'AccessDenied', errorMessage: 'An unknown error occurred' });
  return record;
}

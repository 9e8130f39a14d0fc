import {
  apiCall,
  assumeRoleWithGitHub,
  type CloudTrailRecord,
  githubProviderArn,
  type RecordBase,
  roleIdentity,
} from '../../helpers/trail-records.ts';

/**
 * A small trail with chained sessions: a GitHub Actions run assumes `deploy-prod` (key ROOT) through
 * OIDC, lists buckets, then assumes `data-reader` (key CHILD), which reads an object, is denied a secret
 * and assumes `break-glass` (key GRAND), which stops a trail. Unrelated traffic around it: another run of
 * the same role (key OTHER) and an auditor. `deliveryOrder` puts CHILD's first call before the
 * AssumeRole that issued it, as CloudTrail files delivered out of order would.
 */

export const ACCOUNT = '111122223333';
export const ROOT = 'ASIAROOT000000000001';
export const CHILD = 'ASIACHILD00000000001';
export const GRAND = 'ASIAGRAND00000000001';
export const OTHER = 'ASIAOTHER00000000001';
export const SUBJECT =
  'repo:acme/shop:environment:production:job_workflow_ref:acme/shop/.github/workflows/deploy.yml@refs/heads/main';

const T0 = Date.parse('2026-11-20T10:00:00Z');
let sequence = 0;
const base = (offsetSeconds: number): RecordBase => ({
  time: T0 + offsetSeconds * 1000,
  eventId: `chain-${String(++sequence).padStart(3, '0')}`,
  account: ACCOUNT,
  region: 'eu-west-1',
});

const session = (role: string, sessionName: string, accessKeyId: string, oidc = false) =>
  roleIdentity({
    account: ACCOUNT,
    role,
    sessionName,
    accessKeyId,
    federatedProvider: oidc ? githubProviderArn(ACCOUNT) : undefined,
  });

function assumeRole(
  b: RecordBase,
  identity: CloudTrailRecord,
  role: string,
  sessionName: string,
  issued: string,
) {
  return {
    ...apiCall(b, {
      identity,
      source: 'sts.amazonaws.com',
      name: 'AssumeRole',
      readOnly: true,
      sourceIp: '203.0.113.9',
      userAgent: 'aws-cli/2.22.0',
      requestParameters: { roleArn: `arn:aws:iam::${ACCOUNT}:role/${role}`, roleSessionName: sessionName },
    }),
    responseElements: {
      credentials: { accessKeyId: issued, sessionToken: '', expiration: 'Nov 20, 2026, 11:00:00 AM' },
      assumedRoleUser: {
        assumedRoleId: `AROAEXAMPLE:${sessionName}`,
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${sessionName}`,
      },
    },
  };
}

const call = (b: RecordBase, identity: CloudTrailRecord, source: string, name: string, errorCode?: string) =>
  apiCall(b, {
    identity,
    source,
    name,
    readOnly: name.startsWith('Get') || name.startsWith('List'),
    sourceIp: '203.0.113.9',
    userAgent: 'aws-cli/2.22.0',
    errorCode,
  });

sequence = 0;
const root = session('deploy-prod', 'GitHubActions', ROOT, true);
const child = session('data-reader', 'chained', CHILD);
const grand = session('break-glass', 'deeper', GRAND);
const other = session('deploy-prod', 'GitHubActions', OTHER, true);
const auditor = session('security-auditor', 'prowler', 'ASIAAUDITOR000000001');

/** In event-time order. */
export const CHAINED_TRAIL: CloudTrailRecord[] = [
  assumeRoleWithGitHub(base(0), {
    role: 'deploy-prod',
    subject: SUBJECT,
    issuedKey: ROOT,
    sourceIp: '4.150.0.1',
  }),
  call(base(5), auditor, 'iam.amazonaws.com', 'ListRoles'),
  call(base(10), root, 's3.amazonaws.com', 'ListBuckets'),
  assumeRoleWithGitHub(base(12), {
    role: 'deploy-prod',
    subject: 'repo:acme/shop:ref:refs/heads/main',
    issuedKey: OTHER,
    sourceIp: '4.150.0.2',
  }),
  assumeRole(base(20), root, 'data-reader', 'chained', CHILD),
  call(base(25), other, 's3.amazonaws.com', 'ListBuckets'),
  call(base(30), child, 's3.amazonaws.com', 'GetObject'),
  call(base(40), child, 'secretsmanager.amazonaws.com', 'GetSecretValue', 'AccessDenied'),
  assumeRole(base(50), child, 'break-glass', 'deeper', GRAND),
  call(base(60), grand, 'cloudtrail.amazonaws.com', 'StopLogging'),
  call(base(70), root, 'sts.amazonaws.com', 'GetCallerIdentity'),
];

/** The same records, CHILD's GetObject delivered before the AssumeRole that issued CHILD. */
export const DELIVERY_ORDER: CloudTrailRecord[] = [
  ...CHAINED_TRAIL.slice(0, 4),
  CHAINED_TRAIL[6] as CloudTrailRecord,
  ...CHAINED_TRAIL.slice(4, 6),
  ...CHAINED_TRAIL.slice(7),
];

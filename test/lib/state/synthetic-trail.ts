import {
  apiCall,
  assumeRoleWithGitHub,
  type CloudTrailRecord,
  iamUserIdentity,
  type RecordBase,
  type RoleSession,
  roleIdentity,
} from '../../helpers/trail-records.ts';

const ACCOUNT = '111122223333';
const T0 = Date.parse('2026-11-20T09:00:00Z');
const SECOND = 1000;
const MINUTE = 60 * SECOND;

/**
 * A trail shaped on examples/trailguard.yaml's inventory, heavy on state: principals enumerating with
 * bursts of denials (each burst shorter than the spike cooldown, so each fires once), an agent making
 * more changes than its budget, GitHub runner credentials used from elsewhere, a long-lived key, and
 * background reads. About 700 records in event-time order.
 */
export function syntheticTrail(): CloudTrailRecord[] {
  const records: { time: number; record: CloudTrailRecord }[] = [];
  let serial = 0;
  const base = (time: number): RecordBase => ({
    time,
    eventId: `00000000-0000-4000-8000-${(++serial).toString(16).padStart(12, '0')}`,
    account: ACCOUNT,
    region: 'us-east-1',
  });
  const push = (time: number, make: (b: RecordBase) => CloudTrailRecord) =>
    records.push({ time, record: make(base(time)) });
  const session = (
    role: string,
    sessionName: string,
    accessKeyId: string,
    federated = false,
  ): RoleSession => ({
    account: ACCOUNT,
    role,
    sessionName,
    accessKeyId,
    federatedProvider: federated
      ? 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com'
      : undefined,
  });

  // Five principals enumerate: a 2-minute burst of 80 denials each, minutes apart, after a quiet baseline.
  const denied = ['ListRoles', 'GetRole', 'ListPolicies', 'ListUsers', 'GetAccountAuthorizationDetails'];
  for (let p = 0; p < 5; p++) {
    const who = session(`recon-${p}`, `sess-${p}`, `ASIARECON00000000${p}`);
    for (let i = 0; i < 6; i++) {
      push(T0 + i * 9 * MINUTE + p * SECOND, (b) =>
        apiCall(b, {
          identity: roleIdentity(who),
          source: 'iam.amazonaws.com',
          name: 'ListRoles',
          readOnly: true,
          sourceIp: '198.51.100.7',
          userAgent: 'aws-cli/2.15.0',
          errorCode: 'AccessDenied',
        }),
      );
    }
    const start = T0 + 60 * MINUTE + p * 7 * MINUTE;
    for (let i = 0; i < 80; i++) {
      push(start + i * 1500, (b) =>
        apiCall(b, {
          identity: roleIdentity(who),
          source: 'iam.amazonaws.com',
          name: denied[i % denied.length] as string,
          readOnly: true,
          sourceIp: '198.51.100.7',
          userAgent: 'aws-cli/2.15.0',
          errorCode: 'AccessDenied',
          errorMessage: `User: arn:aws:sts::${ACCOUNT}:assumed-role/recon-${p}/sess-${p} is not authorized`,
        }),
      );
    }
  }

  // The release agent makes 30 changes in 15 minutes (budget: 10 an hour).
  const agent = session('ai-release-agent', 'agent-run-42', 'ASIAAGENT0000000001');
  for (let i = 0; i < 30; i++) {
    push(T0 + 20 * MINUTE + i * 30 * SECOND, (b) =>
      apiCall(b, {
        identity: roleIdentity(agent),
        source: 'lambda.amazonaws.com',
        name: 'UpdateFunctionCode20150331v2',
        readOnly: false,
        sourceIp: '10.0.0.5',
        userAgent: 'agent/1.0',
        requestParameters: { functionName: `fn-${i % 4}` },
      }),
    );
  }

  // GitHub runners deploy shop-prod; two runs' credentials are then used from an unrelated address.
  for (let run = 0; run < 6; run++) {
    const at = T0 + 10 * MINUTE + run * 20 * MINUTE;
    const key = `ASIARUNNER00000000${run}`;
    push(at, (b) =>
      assumeRoleWithGitHub(b, {
        role: 'deploy-shop-prod',
        subject: 'repo:acme/shop:ref:refs/heads/main',
        issuedKey: key,
        sourceIp: '4.148.0.10',
      }),
    );
    const runner = session('deploy-shop-prod', 'GitHubActions', key, true);
    for (let i = 1; i <= 8; i++) {
      push(at + i * 10 * SECOND, (b) =>
        apiCall(b, {
          identity: roleIdentity(runner),
          source: 'cloudformation.amazonaws.com',
          name: i % 2 ? 'DescribeStacks' : 'UpdateStack',
          readOnly: i % 2 === 1,
          sourceIp: '4.148.0.10',
          userAgent: 'aws-sdk-js/3.0 configure-aws-credentials',
        }),
      );
    }
    if (run % 3 === 1) {
      for (let i = 0; i < 5; i++) {
        push(at + 5 * MINUTE + i * SECOND, (b) =>
          apiCall(b, {
            identity: roleIdentity(runner),
            source: 's3.amazonaws.com',
            name: 'ListBuckets',
            readOnly: true,
            sourceIp: '203.0.113.99',
            userAgent: 'curl/8.0',
          }),
        );
      }
    }
  }

  // A long-lived key in use, and a service pipeline writing IAM.
  for (let i = 0; i < 12; i++) {
    push(T0 + 5 * MINUTE + i * 11 * MINUTE, (b) =>
      apiCall(b, {
        identity: iamUserIdentity(ACCOUNT, 'legacy-ci', 'AKIALEGACYCI0000001'),
        source: 'ec2.amazonaws.com',
        name: 'DescribeInstances',
        readOnly: true,
        sourceIp: '192.0.2.10',
        userAgent: 'Boto3/1.34.0',
      }),
    );
  }
  const prod = session('deploy-shop-prod', 'GitHubActions', 'ASIARUNNER000000000', true);
  for (const [i, name] of ['AttachRolePolicy', 'PutRolePolicy', 'CreateAccessKey'].entries()) {
    push(T0 + 30 * MINUTE + i * MINUTE, (b) =>
      apiCall(b, {
        identity: roleIdentity(prod),
        source: 'iam.amazonaws.com',
        name,
        readOnly: false,
        sourceIp: '4.148.0.10',
        userAgent: 'aws-sdk-js/3.0',
        requestParameters: { roleName: 'app', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
      }),
    );
  }

  // Background: successful reads by a few roles, every 30 seconds for two hours.
  for (let i = 0; i < 240; i++) {
    const reader = session(`reader-${i % 3}`, 'ops', `ASIAREADER00000000${i % 3}`);
    push(T0 + i * 30 * SECOND, (b) =>
      apiCall(b, {
        identity: roleIdentity(reader),
        source: 'ec2.amazonaws.com',
        name: 'DescribeInstances',
        readOnly: true,
        sourceIp: '10.1.2.3',
        userAgent: 'aws-sdk-go/1.50',
      }),
    );
  }

  return records.sort((a, b) => a.time - b.time).map((r) => r.record);
}

import { describe, expect, it } from 'vitest';
import { normalizeRecord } from '../../../lib/events/normalize.ts';
import { corpusEvent, corpusRecord } from '../../helpers/records.ts';

const CLOUD_SNITCH_OIDC = 'oidc/assume-role-with-web-identity-github-success-cloud-snitch.json';

function reasonOf(record: Record<string, unknown>): string | undefined {
  const result = normalizeRecord(record);
  return result.ok ? undefined : result.reason;
}

describe('normalizeRecord on the cloud-snitch GitHub OIDC record', () => {
  it('builds the full event', () => {
    const record = corpusRecord(CLOUD_SNITCH_OIDC);
    const result = normalizeRecord(record);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const roleArn =
      'arn:aws:iam::774305579662:role/cloud-snitch-github-actio-GithubActionsRoleF5CC769F-MoeCHSu77MYt';
    const providerArn = 'arn:aws:iam::774305579662:oidc-provider/token.actions.githubusercontent.com';
    expect(result.event).toEqual({
      id: 'ef0464cd-918e-4528-9ea3-1a081d39b393',
      time: Date.UTC(2025, 3, 16, 2, 46, 56),
      account: '774305579662',
      region: 'us-east-1',
      source: 'sts.amazonaws.com',
      name: 'AssumeRoleWithWebIdentity',
      action: 'sts:AssumeRoleWithWebIdentity',
      readOnly: true,
      management: true,
      eventType: 'AwsApiCall',
      outcome: 'success',
      errorCode: undefined,
      errorMessage: undefined,
      actor: {
        type: 'WebIdentityUser',
        arn: providerArn,
        key: providerArn,
        accountId: undefined,
        role: undefined,
        sessionArn: undefined,
        sessionName: undefined,
        userName: 'repo:ccbrown/cloud-snitch:ref:refs/heads/main',
        service: undefined,
        sourceIdentity: undefined,
      },
      credential: { kind: 'none', accessKeyId: undefined },
      sourceIp: '52.154.133.36',
      userAgent:
        'aws-sdk-nodejs/2.1112.0 linux/v20.19.0 configure-aws-credentials-for-github-actions promise',
      invokedBy: undefined,
      viaAwsService: false,
      vpcEndpointId: undefined,
      oidc: {
        provider: 'github',
        issuer: 'token.actions.githubusercontent.com',
        providerArn,
        subject: 'repo:ccbrown/cloud-snitch:ref:refs/heads/main',
        audience: 'sts.amazonaws.com',
        role: {
          arn: roleArn,
          canonicalArn: roleArn,
          account: '774305579662',
          name: 'cloud-snitch-github-actio-GithubActionsRoleF5CC769F-MoeCHSu77MYt',
        },
        claims: {
          owner: 'ccbrown',
          repository: 'cloud-snitch',
          repositoryPath: 'ccbrown/cloud-snitch',
          ref: 'refs/heads/main',
          branch: 'main',
        },
        issuedAccessKeyId: 'ASIA3ISBVQKHJOCMRQJH',
        expiresAt: Date.UTC(2025, 3, 16, 3, 46, 56),
        sessionName: 'GitHubActions',
      },
      federatedProvider: undefined,
      requestParameters: record.requestParameters,
      responseElements: record.responseElements,
      raw: record,
    });
  });

  it('accepts configured issuers for GHES / self-managed GitLab', () => {
    const record = structuredClone(corpusRecord(CLOUD_SNITCH_OIDC));
    const identity = record.userIdentity as Record<string, unknown>;
    identity.identityProvider = 'arn:aws:iam::774305579662:oidc-provider/ghes.example.com/_services/token';
    delete (record.responseElements as Record<string, unknown>).provider;
    const plain = normalizeRecord(record);
    const configured = normalizeRecord(record, {
      oidcIssuers: [{ issuer: 'https://ghes.example.com/_services/token/', provider: 'github' }],
    });
    expect(plain.ok && plain.event.oidc?.provider).toBe('other');
    expect(configured.ok && configured.event.oidc?.provider).toBe('github');
    expect(configured.ok && configured.event.oidc?.issuer).toBe('ghes.example.com/_services/token');
  });
});

describe('records that cannot be judged', () => {
  const base = () => structuredClone(corpusRecord(CLOUD_SNITCH_OIDC));

  it.each([
    ['eventTime', undefined, 'missing eventTime'],
    ['eventTime', null, 'missing eventTime'],
    ['eventTime', '', 'missing eventTime'],
    ['eventTime', 1713235616000, 'eventTime is not a string'],
    ['eventTime', 'yesterday', 'unparseable eventTime'],
    ['eventTime', '2025-02-30T00:00:00Z', 'unparseable eventTime'],
    ['eventSource', undefined, 'missing eventSource'],
    ['eventSource', ['sts.amazonaws.com'], 'eventSource is not a string'],
    ['eventName', undefined, 'missing eventName'],
    ['eventName', 42, 'eventName is not a string'],
  ])('%s = %j → %s', (field, value, reason) => {
    const record = base();
    if (value === undefined) delete record[field];
    else record[field] = value;
    expect(reasonOf(record)).toBe(reason);
  });

  it('rejects CloudTrail Insights records, which have no top-level eventName', () => {
    const reason = 'CloudTrail Insights event (not an API call)';
    expect(
      reasonOf(corpusRecord('mutation-burst/awsdocs-insights-apicallrateinsight-start-end.json', 0)),
    ).toBe(reason);
    expect(reasonOf({ eventTime: '2019-11-14T00:51:00Z', insightDetails: { state: 'Start' } })).toBe(reason);
  });

  it('rejects non-objects without throwing', () => {
    for (const value of [null, undefined, 42, 'text', [], [{}]]) {
      expect(normalizeRecord(value as unknown as Record<string, unknown>)).toEqual({
        ok: false,
        reason: 'record is not an object',
      });
    }
  });
});

describe('derived fields', () => {
  it('digests records without eventID (eventVersion 1.0) deterministically', () => {
    const file = 'iam-write/awsdocs-createuser-addusertogroup-createrole-2014.json';
    const first = corpusEvent(file, 0);
    const again = normalizeRecord(structuredClone(corpusRecord(file, 0)));
    expect(first.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(again.ok && again.event.id).toBe(first.id);
    expect(corpusEvent(file, 1).id).not.toBe(first.id);
  });

  it('reads Panther-normalized event times as UTC', () => {
    const file = 'long-lived-key/panther-accesskey-auth-success-failed-and-console-negative.json';
    expect(corpusEvent(file, 0).time).toBe(Date.UTC(2024, 5, 2, 20, 16, 22));
    const dryRun = corpusEvent('access-denied/panther-negative-dryrun-operation-not-a-denial.json');
    expect(dryRun.time).toBe(Date.UTC(2022, 9, 13, 16, 35, 33));
  });

  it.each([
    ['long-lived-key/stratus-lambda-updatefunctioncode-iamuser.json', 0, 'lambda:UpdateFunctionCode'],
    ['access-denied/tenable-accessdenied-explicit-deny-scp-listfunctions.json', 0, 'lambda:ListFunctions'],
    ['benign/elastic-sso-console-read-and-grafana-errorcode-200.json', 1, 's3express:ListDirectoryBuckets'],
    ['benign/stratus-consolelogin-iamuser-no-mfa.json', 0, 'signin:ConsoleLogin'],
    [
      'oidc/later-calls-with-webidfederationdata-eks-irsa-and-ec2-contrast.json',
      1,
      'aws-marketplace:MeterUsage',
    ],
    [
      'mutation-burst/stratus-ec2-instance-connect-sendsshpublickey-x3-iamuser.json',
      0,
      'ec2-instance-connect:SendSSHPublicKey',
    ],
  ])('%s #%i → %s', (file, index, action) => {
    expect(corpusEvent(file, index).action).toBe(action);
  });

  it('maps CloudWatch to its IAM prefix', () => {
    const record = {
      ...corpusRecord(CLOUD_SNITCH_OIDC),
      eventSource: 'monitoring.amazonaws.com',
      eventName: 'PutMetricAlarm',
    };
    const result = normalizeRecord(record);
    expect(result.ok && result.event.action).toBe('cloudwatch:PutMetricAlarm');
  });

  it('takes readOnly from the record (boolean or string), else from the name', () => {
    expect(corpusEvent('benign/lambda-invoke-data-events-readonly-false.json').readOnly).toBe(false);
    // No readOnly field in these records.
    expect(corpusEvent('access-denied/panther-accessdenied-iam-getrole-recon.json').readOnly).toBe(true);
    expect(corpusEvent('long-lived-key/panther-getsessiontoken-by-iamuser.json').readOnly).toBe(false);
    expect(corpusEvent('iam-write/awsdocs-createuser-addusertogroup-createrole-2014.json').readOnly).toBe(
      false,
    );
    const stringly = normalizeRecord({ ...corpusRecord(CLOUD_SNITCH_OIDC), readOnly: 'false' });
    expect(stringly.ok && stringly.event.readOnly).toBe(false);
  });

  it('management: managementEvent, else eventCategory, else not a VPCE/Insight event type', () => {
    expect(corpusEvent('benign/lambda-invoke-data-events-readonly-false.json').management).toBe(false);
    expect(corpusEvent('access-denied/panther-vpceaccessdenied-network-activity-event.json').management).toBe(
      false,
    );
    // eventVersion 1.05 without managementEvent / eventCategory.
    expect(
      corpusEvent('oidc/later-calls-with-webidfederationdata-eks-irsa-and-ec2-contrast.json').management,
    ).toBe(true);
    const stringly = normalizeRecord({ ...corpusRecord(CLOUD_SNITCH_OIDC), managementEvent: 'false' });
    expect(stringly.ok && stringly.event.management).toBe(false);
  });

  it('account: recipientAccountId, else the caller account', () => {
    const file = 'benign/awsdocs-cross-account-assumerole-caller-and-role-account.json';
    expect(corpusEvent(file, 0).account).toBe('111122223333');
    // The role-side copy has no recipientAccountId.
    expect(corpusEvent(file, 1).account).toBe('777788889999');
  });

  it('viaAwsService: AWS service names and "AWS Internal", not IPs', () => {
    const file = 'access-denied/panther-accessdenied-createservicelinkedrole-ip-vs-fqdn.json';
    expect(corpusEvent(file, 0).viaAwsService).toBe(false);
    expect(corpusEvent(file, 1).viaAwsService).toBe(true);
    expect(corpusEvent('benign/awsdocs-assumerolewithsaml-aws-internal-source.json').viaAwsService).toBe(
      true,
    );
    const grafana = corpusEvent('benign/elastic-sso-console-read-and-grafana-errorcode-200.json', 0);
    expect(grafana.viaAwsService).toBe(false);
  });

  it('keeps the VPC endpoint, region and request/response objects', () => {
    const event = corpusEvent('guardrail/panther-updatetrail-via-vpc-endpoint.json');
    expect(event.vpcEndpointId).toBe('vpce-1234abcd');
    const denied = corpusEvent('access-denied/stratus-sts-assumerole-denied-then-allowed-iamuser.json', 2);
    expect(denied.requestParameters).toBeUndefined();
    expect(denied.responseElements).toBeUndefined();
  });
});

describe('wrong types read as missing', () => {
  it('survives a userIdentity of the wrong shape', () => {
    for (const userIdentity of [null, 'IAMUser', 7, [], { type: 5, arn: ['x'], accessKeyId: 12 }]) {
      const result = normalizeRecord({ ...corpusRecord(CLOUD_SNITCH_OIDC), userIdentity });
      expect(result.ok).toBe(true);
      if (!result.ok) continue;
      expect(result.event.actor).toMatchObject({ type: 'Unknown', key: 'unknown', arn: undefined });
      expect(result.event.credential).toEqual({ kind: 'none', accessKeyId: undefined });
    }
  });

  it('treats a numeric errorCode or recipientAccountId as absent', () => {
    const result = normalizeRecord({
      ...corpusRecord('benign/cloud-snitch-s3-log-file-222-mixed-service-traffic.json', 1),
      errorCode: 403,
      recipientAccountId: 222222222222,
      responseElements: 'none',
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.event.outcome).toBe('success');
    expect(result.event.errorCode).toBeUndefined();
    expect(result.event.account).toBe('222222222222');
    expect(result.event.responseElements).toBeUndefined();
  });
});

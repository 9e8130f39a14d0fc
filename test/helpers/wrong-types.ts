import { corpusRecords, derivedRecord } from './records.ts';

type Json = Record<string, unknown>;

/**
 * Every field the normalizer and the identity readers look at (lib/events/normalize.ts, record-fields.ts,
 * lib/identity/actor.ts, credential.ts, oidc.ts, denial.ts, network.ts) and the request/response fields the
 * detectors read, as dotted paths. A number step indexes an array.
 */
export const FIELDS_READ = [
  'eventTime',
  'eventSource',
  'eventName',
  'eventID',
  'eventType',
  'eventCategory',
  'readOnly',
  'managementEvent',
  'recipientAccountId',
  'awsRegion',
  'errorCode',
  'errorMessage',
  'sourceIPAddress',
  'userAgent',
  'vpcEndpointId',
  'sessionCredentialFromConsole',
  'insightDetails',
  'additionalEventData',
  'userIdentity',
  'userIdentity.type',
  'userIdentity.arn',
  'userIdentity.principalId',
  'userIdentity.accountId',
  'userIdentity.accessKeyId',
  'userIdentity.userName',
  'userIdentity.invokedBy',
  'userIdentity.identityProvider',
  'userIdentity.credentialId',
  'userIdentity.onBehalfOf',
  'userIdentity.onBehalfOf.userId',
  'userIdentity.sessionContext',
  'userIdentity.sessionContext.sourceIdentity',
  'userIdentity.sessionContext.attributes',
  'userIdentity.sessionContext.sessionIssuer',
  'userIdentity.sessionContext.sessionIssuer.type',
  'userIdentity.sessionContext.sessionIssuer.arn',
  'userIdentity.sessionContext.webIdFederationData',
  'userIdentity.sessionContext.webIdFederationData.federatedProvider',
  'requestParameters',
  'requestParameters.roleArn',
  'requestParameters.roleSessionName',
  'requestParameters.durationSeconds',
  'requestParameters.name',
  'requestParameters.roleName',
  'requestParameters.policyArn',
  'requestParameters.policyDocument',
  'requestParameters.servicePrincipal',
  'responseElements',
  'responseElements.credentials',
  'responseElements.credentials.accessKeyId',
  'responseElements.credentials.expiration',
  'responseElements.subjectFromWebIdentityToken',
  'responseElements.audience',
  'responseElements.provider',
  'responseElements.assumedRoleUser',
  'responseElements.assumedRoleUser.arn',
  'resources',
  'resources.0',
  'resources.0.ARN',
  'resources.0.type',
] as const;

/** Values of every JSON type but the right one (and hostile text, which is a string but not a time). */
export const WRONG_VALUES: readonly unknown[] = [
  null,
  '',
  0,
  -1.5,
  true,
  false,
  [],
  ['x', 1, null],
  {},
  { nested: { deeper: [null, {}] } },
  'main\u001b[2J\u001b[H\u202e<!channel>=cmd|',
];

/** Real records of three identity shapes: an IAM user's long-lived key, OIDC web identity, a pipeline session. */
const BASES: Record<string, () => Json> = {
  iamuser: () => corpusRecords('guardrail/stratus-cloudtrail-stoplogging-iamuser.json')[0] as Json,
  webidentity: () =>
    corpusRecords('oidc/assume-role-with-web-identity-github-success-cloud-snitch.json')[0] as Json,
  session: () => derivedRecord('github-oidc-service-role-attachrolepolicy-admin'),
};

const REQUIRED = new Set<string>(['eventTime', 'eventSource', 'eventName']);

/** A variant, and the skip reason the normalizer must give it (undefined: it must be judged). */
export interface WrongTypeVariant {
  record: Json;
  reason: RegExp | undefined;
}

function expectedReason(field: string, value: unknown): RegExp | undefined {
  if (!REQUIRED.has(field)) return undefined;
  if (value === null || value === '') return new RegExp(`^missing ${field}$`);
  if (typeof value !== 'string') return new RegExp(`^${field} is not a string$`);
  return field === 'eventTime' ? /^unparseable eventTime$/ : undefined;
}

/** Sets a dotted path, making the containers on the way when the record lacks them. */
function setPath(record: Json, path: string, value: unknown): void {
  const steps = path.split('.');
  let cursor: Record<string, unknown> = record;
  for (let i = 0; i < steps.length - 1; i++) {
    const step = steps[i] as string;
    const next = cursor[step];
    if (typeof next !== 'object' || next === null)
      cursor[step] = /^\d+$/.test(steps[i + 1] ?? '') ? [{}] : {};
    cursor = cursor[step] as Record<string, unknown>;
  }
  cursor[steps[steps.length - 1] as string] = value;
}

/** Each base record with each field read set to each wrong value, one change per record, unique event ids. */
export function wrongTypeVariants(): WrongTypeVariant[] {
  const variants: WrongTypeVariant[] = [];
  for (const [base, make] of Object.entries(BASES)) {
    for (const field of FIELDS_READ) {
      WRONG_VALUES.forEach((value, i) => {
        const record = structuredClone(make());
        record.eventID = `wrong-${base}-${field}-${i}`;
        setPath(record, field, structuredClone(value));
        variants.push({ record, reason: expectedReason(field, value) });
      });
    }
  }
  return variants;
}

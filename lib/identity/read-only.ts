/**
 * Whether a call only reads, for records that lack the `readOnly` field (eventVersion 1.0, some
 * hand-written examples). Derived from the API name's verb; CloudTrail's own field always wins.
 */

/** Verbs that only read. Matched as a whole leading word: `Get` matches `GetRole`, not `Getaway`. */
const READ_VERBS = [
  'Describe',
  'Get',
  'List',
  'Head',
  'Lookup',
  'BatchGet',
  'BatchDescribe',
  'Select',
  'Search',
  'Scan',
  'Query',
  'Check',
  'Verify',
  'Test',
  'Simulate',
  'Validate',
  'Estimate',
  'Preview',
  'Filter',
  'Download',
] as const;

/**
 * Names whose verb misleads. STS `GetFederationToken` / `GetSessionToken` mint credentials, and CloudTrail
 * logs them `readOnly: false`; `AssumeRole*` are logged `readOnly: true`, as are KMS cryptographic calls.
 */
const EXCEPTIONS: ReadonlyMap<string, boolean> = new Map([
  ['GetFederationToken', false],
  ['GetSessionToken', false],
  ['AssumeRole', true],
  ['AssumeRoleWithSAML', true],
  ['AssumeRoleWithWebIdentity', true],
  ['Decrypt', true],
  ['Encrypt', true],
  ['GenerateDataKey', true],
  ['GenerateDataKeyWithoutPlaintext', true],
  ['GenerateDataKeyPair', true],
  ['GenerateDataKeyPairWithoutPlaintext', true],
  ['GenerateMac', true],
  ['GenerateRandom', true],
  ['Sign', true],
]);

/** True when `code` ends a leading verb: an upper-case letter, a digit, or the end of the name. */
function isWordBoundary(code: number): boolean {
  return Number.isNaN(code) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57);
}

/** The read-only flag implied by an event name when the record does not carry one. */
export function isReadOnlyEventName(eventName: string): boolean {
  const exception = EXCEPTIONS.get(eventName);
  if (exception !== undefined) return exception;
  for (const verb of READ_VERBS) {
    if (eventName.startsWith(verb) && isWordBoundary(eventName.charCodeAt(verb.length))) return true;
  }
  return false;
}

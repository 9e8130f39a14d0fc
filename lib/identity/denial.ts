import type { Outcome } from '../events/normalized-event.ts';

/**
 * Which `errorCode`s mean "the caller was not authorized". An allow-list, never "any errorCode": records
 * carry `Client.DryRunOperation` (a dry run that would have succeeded), `NoSuchEntity`,
 * `EntityTemporarilyUnmodifiableException`, `ConflictException`, `InvalidIdentityToken`, `ExpiredToken`,
 * and Amazon Managed Grafana even writes the HTTP status `"200"` into errorCode.
 */

const EXACT_CODES = [
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'VpceAccessDenied',
  'UnauthorizedAccess',
  'AuthorizationError',
  // SNS's code as the JSON-protocol SDKs name it.
  'AuthorizationErrorException',
  'NotAuthorized',
  'Forbidden',
  'ForbiddenException',
] as const;

const EXACT_DENIALS: ReadonlySet<string> = new Set(EXACT_CODES);

/** EC2 prefixes its client-fault codes (`Client.UnauthorizedOperation`). */
const CLIENT_PREFIX = 'Client.';

/**
 * Every code `isAuthorizationFailure` accepts by exact match, bare and `Client.`-prefixed: the list for an
 * exact-match filter (`EventNeed.errorCodes`, an EventBridge `errorCode` pattern). Codes the predicate only
 * accepts by pattern (an unseen `AccessDenied…` or `…UnauthorizedAccess` spelling) are not in it.
 */
export const DENIAL_ERROR_CODES: readonly string[] = [
  ...EXACT_CODES,
  ...EXACT_CODES.map((code) => `${CLIENT_PREFIX}${code}`),
];

/**
 * True for an authorization failure. Beyond the exact codes, it follows the CIS "unauthorized API calls"
 * metric filter (`*UnauthorizedOperation` or `AccessDenied*`) and accepts `*UnauthorizedAccess`.
 *
 * Deliberately NOT a denial: `<Dependency>AccessDeniedException` such as Lambda's
 * `KMSAccessDeniedException` or CodeCommit's `EncryptionKeyAccessDeniedException`. Those report that the
 * service itself (or the function's role) could not use a KMS key: the caller's own permission check
 * passed, so counting them would blame the caller for a resource misconfiguration. CIS excludes them too.
 * Nor Cognito's `NotAuthorizedException` (a failed login: authentication, not authorization).
 */
export function isAuthorizationFailure(code: string | undefined): boolean {
  if (code === undefined || code.length === 0) return false;
  const bare = code.startsWith(CLIENT_PREFIX) ? code.slice(CLIENT_PREFIX.length) : code;
  if (EXACT_DENIALS.has(bare)) return true;
  return (
    bare.startsWith('AccessDenied') ||
    bare.endsWith('UnauthorizedOperation') ||
    bare.endsWith('UnauthorizedAccess')
  );
}

/** True for an HTTP 2xx status written where an error code belongs (Amazon Managed Grafana: `"200"`). */
function isSuccessStatus(code: string): boolean {
  if (code.length !== 3 || code.charCodeAt(0) !== 50 /* 2 */) return false;
  const tens = code.charCodeAt(1);
  const units = code.charCodeAt(2);
  return tens >= 48 && tens <= 57 && units >= 48 && units <= 57;
}

/**
 * The outcome of a call from its `errorCode`: absent/empty (or a 2xx status) → success, an authorization
 * failure → denied, anything else → error. Console sign-in failures carry no errorCode (only
 * `responseElements.ConsoleLogin: "Failure"`), so they read as success here by design.
 */
export function outcomeOf(errorCode: string | undefined): Outcome {
  if (errorCode === undefined || errorCode.length === 0 || isSuccessStatus(errorCode)) return 'success';
  return isAuthorizationFailure(errorCode) ? 'denied' : 'error';
}

import type { Outcome } from '../events/normalized-event.ts';

/**
 * Which `errorCode`s mean "the caller was not authorized". An allow-list, never "any errorCode": records
 * carry `Client.DryRunOperation` (a dry run that would have succeeded), `NoSuchEntity`,
 * `EntityTemporarilyUnmodifiableException`, `ConflictException`, `InvalidIdentityToken`, `ExpiredToken`,
 * and Amazon Managed Grafana even writes the HTTP status `"200"` into errorCode.
 */

/** The denial allow-list as data, so every filter that selects denials is derived from this one place. */
export interface DenialCodes {
  /** EC2 prefixes its client-fault codes (`Client.UnauthorizedOperation`); every form below may carry it once. */
  readonly clientPrefix: string;
  /** Codes that are a denial exactly as written. */
  readonly exact: readonly string[];
  /** A code starting with one of these is a denial (the CIS metric filter's `AccessDenied*`). */
  readonly prefixes: readonly string[];
  /** A code ending with one of these is a denial (CIS's `*UnauthorizedOperation`, and `*UnauthorizedAccess`). */
  readonly suffixes: readonly string[];
}

/**
 * The single owner of the denial codes: `isAuthorizationFailure` reads it, and the EventBridge pattern
 * (lib/eventbridge/event-patterns.ts) and the Logs Insights filter (lib/queries/insights-text.ts) are built
 * from it.
 */
export const DENIAL_CODES: DenialCodes = {
  clientPrefix: 'Client.',
  exact: [
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
  ],
  prefixes: ['AccessDenied'],
  suffixes: ['UnauthorizedOperation', 'UnauthorizedAccess'],
};

const EXACT_DENIALS: ReadonlySet<string> = new Set(DENIAL_CODES.exact);

/**
 * Every code `isAuthorizationFailure` accepts by exact match, bare and `Client.`-prefixed: the list for an
 * exact-match filter (`EventNeed.errorCodes`, an EventBridge `errorCode` pattern). Codes the predicate only
 * accepts by pattern (an unseen `AccessDenied…` or `…UnauthorizedAccess` spelling) are not in it.
 */
export const DENIAL_ERROR_CODES: readonly string[] = [
  ...DENIAL_CODES.exact,
  ...DENIAL_CODES.exact.map((code) => `${DENIAL_CODES.clientPrefix}${code}`),
];

/**
 * True for an authorization failure: an exact code, or one matching a prefix or suffix of `DENIAL_CODES`
 * (the CIS "unauthorized API calls" metric filter, `*UnauthorizedOperation` or `AccessDenied*`, plus
 * `*UnauthorizedAccess`), optionally behind `Client.`.
 *
 * Deliberately NOT a denial: `<Dependency>AccessDeniedException` such as Lambda's
 * `KMSAccessDeniedException` or CodeCommit's `EncryptionKeyAccessDeniedException`. Those report that the
 * service itself (or the function's role) could not use a KMS key: the caller's own permission check
 * passed, so counting them would blame the caller for a resource misconfiguration. CIS excludes them too.
 * Nor Cognito's `NotAuthorizedException` (a failed login: authentication, not authorization).
 */
export function isAuthorizationFailure(code: string | undefined): boolean {
  if (code === undefined || code.length === 0) return false;
  const { clientPrefix, prefixes, suffixes } = DENIAL_CODES;
  const bare = code.startsWith(clientPrefix) ? code.slice(clientPrefix.length) : code;
  if (EXACT_DENIALS.has(bare)) return true;
  return (
    prefixes.some((prefix) => bare.startsWith(prefix)) || suffixes.some((suffix) => bare.endsWith(suffix))
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

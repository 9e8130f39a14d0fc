import type { Credential, CredentialKind } from '../events/normalized-event.ts';
import { booleanValue, type JsonObject, nonEmptyString, objectValue } from '../events/record-fields.ts';

/**
 * How a request was signed. The key prefix decides, not `userIdentity.type`: an IAM user's console
 * session carries an `ASIA` session key, so "IAMUser" alone does not mean a long-lived key.
 */

const LONG_LIVED_PREFIX = 'AKIA';
const TEMPORARY_PREFIX = 'ASIA';
const CONSOLE_SIGN_IN = 'AwsConsoleSignIn';
// The AWS docs' sign-in failure example spells it with a lower-case "i".
const CONSOLE_SIGN_IN_LEGACY = 'AwsConsoleSignin';

/** True for a console session or a console sign-in event. */
function isConsole(record: JsonObject): boolean {
  if (booleanValue(record.sessionCredentialFromConsole) === true) return true;
  const eventType = record.eventType;
  if (eventType === CONSOLE_SIGN_IN || eventType === CONSOLE_SIGN_IN_LEGACY) return true;
  // eventVersion ≤ 1.05 sign-in records have no eventType.
  return record.eventName === 'ConsoleLogin' && record.eventSource === 'signin.amazonaws.com';
}

/**
 * Classifies the credential: console first (a sign-in is a password/SSO flow whatever key id the record
 * shows, and console sessions carry session keys), then `AKIA` → long-lived, `ASIA` → temporary, and
 * `none` otherwise. Placeholder keys (`EXAMPLE_KEY_ID`, `1`, `ACCESSKEYID`) are `none` but keep their id,
 * since a key did sign the request; `""` is no key at all.
 */
export function resolveCredential(userIdentity: unknown, record: JsonObject): Credential {
  const accessKeyId = nonEmptyString(objectValue(userIdentity)?.accessKeyId);
  let kind: CredentialKind = 'none';
  if (isConsole(record)) kind = 'console';
  else if (accessKeyId?.startsWith(LONG_LIVED_PREFIX)) kind = 'long-lived';
  else if (accessKeyId?.startsWith(TEMPORARY_PREFIX)) kind = 'temporary';
  return { kind, accessKeyId };
}

import { describe, expect, it } from 'vitest';
import { resolveCredential } from '../../../lib/identity/credential.ts';
import { corpusRecord } from '../../helpers/records.ts';

function credentialOf(file: string, index = 0) {
  const record = corpusRecord(file, index);
  return resolveCredential(record.userIdentity, record);
}

describe('resolveCredential', () => {
  it('AKIA → long-lived', () => {
    expect(credentialOf('iam-write/stratus-createaccesskey-for-other-user-iamuser.json')).toEqual({
      kind: 'long-lived',
      accessKeyId: 'AKIA30BEZSJBVKOFKZW0',
    });
  });

  it('ASIA → temporary', () => {
    expect(
      credentialOf('mutation-burst/stratus-bedrock-entitlement-agreement-invoke-assumedrole.json'),
    ).toEqual({
      kind: 'temporary',
      accessKeyId: 'ASIA6FTSFH98XNF7DFZB',
    });
  });

  it('sessionCredentialFromConsole "true" (string) or true (boolean) → console', () => {
    const stringly = credentialOf('benign/elastic-sso-console-read-and-grafana-errorcode-200.json', 1);
    expect(stringly).toEqual({ kind: 'console', accessKeyId: 'ACCESSKEYEXAMPLE' });
    const boolean = credentialOf('iam-write/panther-updateloginprofile-console-session-assumedrole.json');
    expect(boolean).toEqual({ kind: 'console', accessKeyId: 'ABC1234' });
  });

  it('sign-in events are console, with either eventType spelling or none (eventVersion 1.05)', () => {
    expect(credentialOf('benign/eventbridge-envelope-console-signin-root-awsdocs.json').kind).toBe('console');
    expect(credentialOf('benign/awsdocs-console-signin-failure-hidden-username.json')).toEqual({
      kind: 'console',
      accessKeyId: undefined,
    });
    expect(credentialOf('benign/awsdocs-console-signin-success-failure.json', 2).kind).toBe('console');
  });

  it('no key or a placeholder key → none', () => {
    expect(credentialOf('benign/cloud-snitch-s3-log-file-222-mixed-service-traffic.json', 2)).toEqual({
      kind: 'none',
      accessKeyId: undefined,
    });
    expect(credentialOf('iam-write/awsdocs-createuser-addusertogroup-createrole-2014.json')).toEqual({
      kind: 'none',
      accessKeyId: 'EXAMPLE_KEY_ID',
    });
  });

  it('wrong types read as no key', () => {
    expect(resolveCredential({ accessKeyId: 42 }, { sessionCredentialFromConsole: 'yes' })).toEqual({
      kind: 'none',
      accessKeyId: undefined,
    });
    expect(resolveCredential('AKIA', {})).toEqual({ kind: 'none', accessKeyId: undefined });
  });
});

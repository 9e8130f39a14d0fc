import { describe, expect, it } from 'vitest';
import { parsePolicyDocument } from '../../../detectors/oidc-trust-policy/policy-document.ts';

describe('parsePolicyDocument', () => {
  const document = { Version: '2012-10-17', Statement: [] };

  it('reads objects, JSON strings and URL-encoded JSON (as CreateRole responses carry it)', () => {
    expect(parsePolicyDocument(document)).toEqual(document);
    expect(parsePolicyDocument(JSON.stringify(document, null, 2))).toEqual(document);
    expect(parsePolicyDocument(encodeURIComponent(JSON.stringify(document, null, 2)))).toEqual(document);
  });

  it('reads form encoding with + for spaces', () => {
    const form = encodeURIComponent(JSON.stringify(document, null, 1)).replaceAll('%20', '+');
    expect(parsePolicyDocument(form)).toEqual(document);
  });

  it('returns undefined for anything else, without throwing', () => {
    for (const raw of [
      '{"Version":',
      '%7B%22Version',
      '%E0%A4%A',
      '[1,2]',
      '"text"',
      42,
      null,
      undefined,
      [],
    ]) {
      expect(parsePolicyDocument(raw)).toBeUndefined();
    }
  });
});

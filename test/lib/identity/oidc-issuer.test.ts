import { describe, expect, it } from 'vitest';
import {
  issuerOfProvider,
  normalizeIssuer,
  oidcProviderOf,
  providerArnInPrincipal,
} from '../../../lib/identity/oidc-issuer.ts';

describe('oidcProviderOf', () => {
  it.each([
    ['token.actions.githubusercontent.com', 'github'],
    ['https://token.actions.githubusercontent.com/', 'github'],
    ['token.actions.githubusercontent.com/octo-enterprise', 'github'],
    ['vstoken.actions.githubusercontent.com', 'github'],
    ['Token.Actions.GitHubUserContent.com', 'github'],
    ['gitlab.com', 'gitlab'],
    ['https://gitlab.com', 'gitlab'],
    ['token.actions.githubusercontent.com.evil.example', 'other'],
    ['evil.example/token.actions.githubusercontent.com', 'other'],
    ['token.actions.githubusercontent.com/', 'github'],
    ['gitlab.com.evil.example', 'other'],
    ['gitlab.example.com', 'other'],
    ['oidc.eks.us-west-2.amazonaws.com/id/ABC', 'other'],
    ['agent.buildkite.com', 'other'],
    ['', 'other'],
    [undefined, 'other'],
  ] as const)('%s → %s', (issuer, provider) => {
    expect(oidcProviderOf(issuer)).toBe(provider);
  });

  it('consults configured mappings (GHES, self-managed GitLab) exactly', () => {
    const extra = [
      { issuer: 'https://ghes.example.com/_services/token', provider: 'github' },
      { issuer: 'gitlab.example.com', provider: 'gitlab' },
    ] as const;
    expect(oidcProviderOf('ghes.example.com/_services/token', extra)).toBe('github');
    expect(oidcProviderOf('GITLAB.example.com/', extra)).toBe('gitlab');
    expect(oidcProviderOf('gitlab.example.com/other', extra)).toBe('other');
    expect(oidcProviderOf('token.actions.githubusercontent.com', extra)).toBe('github');
    expect(oidcProviderOf('gitlab.example.com', [])).toBe('other');
  });
});

describe('issuer helpers', () => {
  it('normalizeIssuer drops scheme, trailing slashes and case', () => {
    expect(normalizeIssuer(' HTTPS://Token.Actions.GitHubUserContent.com// ')).toBe(
      'token.actions.githubusercontent.com',
    );
  });

  it('issuerOfProvider reads provider ARNs and bare hosts', () => {
    expect(
      issuerOfProvider('arn:aws:iam::774305579662:oidc-provider/token.actions.githubusercontent.com'),
    ).toBe('token.actions.githubusercontent.com');
    expect(issuerOfProvider('arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com/ent')).toBe(
      'token.actions.githubusercontent.com/ent',
    );
    expect(issuerOfProvider('cognito-identity.amazonaws.com')).toBe('cognito-identity.amazonaws.com');
    expect(issuerOfProvider('arn:aws:iam::1:saml-provider/x')).toBeUndefined();
    expect(issuerOfProvider('arn:aws:iam::1:oidc-provider/')).toBeUndefined();
    expect(issuerOfProvider(undefined)).toBeUndefined();
  });

  it('providerArnInPrincipal ends the ARN at the first colon after the issuer', () => {
    expect(
      providerArnInPrincipal(
        'arn:aws:iam::774305579662:oidc-provider/token.actions.githubusercontent.com:sts.amazonaws.com:repo:o/r:ref:refs/heads/main',
      ),
    ).toBe('arn:aws:iam::774305579662:oidc-provider/token.actions.githubusercontent.com');
    expect(providerArnInPrincipal('cognito-identity.amazonaws.com:ap-southeast-2:x')).toBeUndefined();
    expect(providerArnInPrincipal('AROAEXAMPLE:session')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { parseOidcSubject } from '../../../lib/identity/oidc-subject.ts';

describe('parseOidcSubject: GitHub', () => {
  it('branch', () => {
    expect(parseOidcSubject('repo:ccbrown/cloud-snitch:ref:refs/heads/main', 'github')).toEqual({
      owner: 'ccbrown',
      repository: 'cloud-snitch',
      repositoryPath: 'ccbrown/cloud-snitch',
      ref: 'refs/heads/main',
      branch: 'main',
    });
  });

  it('branch with a slash and a percent-encoded colon', () => {
    expect(parseOidcSubject('repo:o/r:ref:refs/heads/feature/a%3Ab', 'github')).toMatchObject({
      ref: 'refs/heads/feature/a%3Ab',
      branch: 'feature/a:b',
    });
  });

  it('tag', () => {
    expect(parseOidcSubject('repo:o/r:ref:refs/tags/v1.2.3', 'github')).toEqual({
      owner: 'o',
      repository: 'r',
      repositoryPath: 'o/r',
      ref: 'refs/tags/v1.2.3',
      tag: 'v1.2.3',
    });
  });

  it('pull request', () => {
    expect(parseOidcSubject('repo:octo-org/octo-repo:pull_request', 'github')).toEqual({
      owner: 'octo-org',
      repository: 'octo-repo',
      repositoryPath: 'octo-org/octo-repo',
      pullRequest: true,
    });
  });

  it('environment', () => {
    expect(parseOidcSubject('repo:octo-org/octo-repo:environment:Production', 'github')).toEqual({
      owner: 'octo-org',
      repository: 'octo-repo',
      repositoryPath: 'octo-org/octo-repo',
      environment: 'Production',
    });
  });

  it('immutable subject with owner and repository ids', () => {
    expect(parseOidcSubject('repo:octo-org@123456/octo-repo@987654:ref:refs/heads/main', 'github')).toEqual({
      owner: 'octo-org',
      ownerId: '123456',
      repository: 'octo-repo',
      repositoryId: '987654',
      repositoryPath: 'octo-org/octo-repo',
      ref: 'refs/heads/main',
      branch: 'main',
    });
  });

  it('custom template: repo, context, job_workflow_ref', () => {
    const subject =
      'repo:ORG/REPO:environment:prod:job_workflow_ref:ORG/AUTOMATION/.github/workflows/oidc.yml@refs/heads/main';
    expect(parseOidcSubject(subject, 'github')).toEqual({
      owner: 'ORG',
      repository: 'REPO',
      repositoryPath: 'ORG/REPO',
      environment: 'prod',
      extra: { job_workflow_ref: 'ORG/AUTOMATION/.github/workflows/oidc.yml@refs/heads/main' },
    });
  });

  it('custom template: repository_owner and visibility', () => {
    expect(parseOidcSubject('repository_owner:ORG:repository_visibility:private', 'github')).toEqual({
      owner: 'ORG',
      extra: { repository_visibility: 'private' },
    });
  });

  it('custom template: repository_id only', () => {
    expect(parseOidcSubject('repository_id:123', 'github')).toEqual({ repositoryId: '123' });
  });

  it('custom template with context = pull_request in the middle', () => {
    expect(
      parseOidcSubject(
        'repo:o/r:pull_request:job_workflow_ref:o/w/.github/workflows/x.yml@refs/heads/main',
        'github',
      ),
    ).toMatchObject({
      pullRequest: true,
      extra: { job_workflow_ref: 'o/w/.github/workflows/x.yml@refs/heads/main' },
    });
  });

  it('the first occurrence of a key wins', () => {
    expect(parseOidcSubject('repo:a/b:repo:c/d:ref:refs/heads/x:ref:refs/heads/y', 'github')).toMatchObject({
      repositoryPath: 'a/b',
      branch: 'x',
    });
  });
});

describe('parseOidcSubject: GitLab', () => {
  it('default subject with nested groups', () => {
    expect(parseOidcSubject('project_path:mygroup/sub/myproject:ref_type:branch:ref:main', 'gitlab')).toEqual(
      {
        owner: 'mygroup/sub',
        repository: 'myproject',
        repositoryPath: 'mygroup/sub/myproject',
        ref: 'main',
        branch: 'main',
        extra: { ref_type: 'branch' },
      },
    );
  });

  it('tag', () => {
    const claims = parseOidcSubject('project_path:g/p:ref_type:tag:ref:v1.0', 'gitlab');
    expect(claims.tag).toBe('v1.0');
    expect(claims.branch).toBeUndefined();
  });

  it('custom subject with environment and ids', () => {
    expect(
      parseOidcSubject(
        'project_path:g/p:environment:production:namespace_id:7:project_id:42:pipeline_source:push',
        'gitlab',
      ),
    ).toEqual({
      owner: 'g',
      repository: 'p',
      repositoryPath: 'g/p',
      environment: 'production',
      ownerId: '7',
      repositoryId: '42',
      extra: { pipeline_source: 'push' },
    });
  });

  it('merge-request refs count as pull requests', () => {
    expect(
      parseOidcSubject('project_path:g/p:ref_type:branch:ref:refs/merge-requests/12/head', 'gitlab'),
    ).toMatchObject({
      pullRequest: true,
    });
  });
});

describe('parseOidcSubject: other issuers and hostile input', () => {
  it('leaves non-CI subjects alone for other issuers', () => {
    expect(parseOidcSubject('system:serviceaccount:argo:awf-aws-executor-plugin', 'other')).toEqual({});
    expect(
      parseOidcSubject(
        'organization:example-org:pipeline:example-pipeline:ref:refs/heads/main:commit:1da1:step:',
        'other',
      ),
    ).toEqual({});
  });

  it('still reads GitHub-shaped subjects from an unconfigured issuer', () => {
    expect(parseOidcSubject('repo:o/r:ref:refs/heads/main', 'other')).toMatchObject({
      repositoryPath: 'o/r',
      branch: 'main',
    });
  });

  it.each([
    '',
    ':',
    '::::',
    'repo',
    'repo:',
    'repo:/:ref:',
    'repo:owner:ref',
    '<!channel>',
    'repo:o/r:ref:refs/heads/<!channel> \u0000\u001b[31m',
    'repo:o/r:__proto__:polluted:constructor:x:toString:y',
  ])('does not throw on %j', (subject) => {
    expect(() => parseOidcSubject(subject, 'github')).not.toThrow();
  });

  it('cannot be used to pollute prototypes', () => {
    const claims = parseOidcSubject('repo:o/r:__proto__:polluted:constructor:x', 'github');
    expect(Object.getPrototypeOf(claims.extra)).toBe(Object.prototype);
    expect(claims.extra).toEqual({ constructor: 'x' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('parses a huge subject quickly and only its head', () => {
    const subject = `repo:o/r:ref:refs/heads/main${':a'.repeat(500_000)}${'%3A'.repeat(100_000)}`;
    const started = performance.now();
    const claims = parseOidcSubject(subject, 'github');
    expect(performance.now() - started).toBeLessThan(500);
    expect(claims.branch).toBe('main');
    const colons = parseOidcSubject(':'.repeat(1_000_000), 'github');
    expect(colons).toEqual({});
  });
});

import * as z from 'zod';
import { defineDetector } from '../lib/engine/detector.ts';
import type { Severity } from '../lib/engine/finding.ts';
import type { OidcAssumption, Outcome } from '../lib/events/normalized-event.ts';
import { type CiProvider, ciProviderOf, configuredIssuers, issuerKey } from '../lib/identity/ci-issuer.ts';
import type { Inventory, Pipeline } from '../lib/inventory/inventory.ts';

/** Inventory pipelines that judge subjects for this provider (by configured issuer, else by kind). */
function judges(
  pipelines: readonly Pipeline[],
  provider: CiProvider,
  issuer: string | undefined,
): Pipeline[] {
  return pipelines.filter((pipeline) => {
    const oidc = pipeline.oidc;
    if (!oidc || oidc.subjects.length === 0) return false;
    return oidc.issuer
      ? issuer !== undefined && issuerKey(oidc.issuer) === issuerKey(issuer)
      : oidc.provider === provider;
  });
}

/** How bad the assumption is, or undefined when it is expected. */
function verdictOf(
  outcome: Outcome,
  oidc: OidcAssumption,
  pipeline: Pipeline | undefined,
  inventory: Inventory,
  provider: CiProvider,
): { severity: Severity; problem: string } | undefined {
  const { subject } = oidc;
  if (outcome === 'success') {
    if (pipeline?.prod && oidc.claims.pullRequest) {
      return { severity: 'critical', problem: 'pull_request subject got production credentials' };
    }
    if (pipeline) {
      const listed = judges([pipeline], provider, oidc.issuer).length > 0;
      if (!listed || subject === undefined || pipeline.allowsSubject(subject)) return undefined;
      return {
        severity: 'critical',
        problem: 'subject not allowed for the pipeline, yet the trust policy admitted it',
      };
    }
    // With no inventory every role is unknown: nothing to say without noise.
    return oidc.role && !inventory.empty
      ? { severity: 'medium', problem: 'CI role missing from the inventory' }
      : undefined;
  }
  // A failed attempt, judged by the role's pipeline, else by every pipeline of the provider. Without any
  // subject list to judge by (an empty inventory) it is a probe or a broken pipeline: worth a look, not a page.
  const candidates = judges(pipeline ? [pipeline] : inventory.pipelines, provider, oidc.issuer);
  if (candidates.length === 0) {
    return { severity: 'medium', problem: 'failed CI assumption that no inventory subject list covers' };
  }
  if (subject !== undefined && candidates.some((candidate) => candidate.allowsSubject(subject)))
    return undefined;
  // An error (InvalidIdentityToken, ExpiredToken…) means the token itself failed: its claims are unproven.
  return {
    severity: outcome === 'denied' ? 'high' : 'medium',
    problem: 'subject not allowed by any pipeline tried to assume',
  };
}

export const oidcUnexpectedSubject = defineDetector({
  kind: 'event',
  id: 'oidc-unexpected-subject',
  title: 'CI OIDC role assumed by an unexpected subject',
  description:
    'AssumeRoleWithWebIdentity by a GitHub/GitLab token whose subject (repo, branch, environment) the inventory does not allow for the role, a pull_request subject getting production credentials, or a CI role missing from the inventory.',
  severity: 'critical',
  runbook: [
    '1. If it succeeded, list what the session did: `trailguard query session --access-key-id <details.issuedAccessKeyId>`; if anything is unexpected, revoke the role\'s sessions (IAM console → role → "Revoke active sessions").',
    '2. Check details.claims: is the repository yours and the branch/environment one that deploys? A foreign or unexpected subject that succeeded means the trust policy is too broad: pin `<issuer>:sub` with StringEquals to details.allowedSubjects.',
    '3. For a denied attempt, confirm the trust policy rejects the subject (`aws iam get-role --role-name <role>`) and check sourceIp/userAgent: retries from outside CI runners are probing.',
    '4. If the subject is legitimate (new repo, branch, environment or role), add it to `pipelines[].oidc.subjects` / `pipelines[]` in trailguard.yaml.',
  ].join('\n'),
  needs: [{ source: 'sts.amazonaws.com', names: ['AssumeRoleWithWebIdentity'], readOnly: true }],
  params: z.object({}),
  evaluate(event, { inventory }) {
    const oidc = event.oidc;
    if (!oidc || event.name !== 'AssumeRoleWithWebIdentity') return undefined;
    const provider =
      oidc.provider === 'other'
        ? ciProviderOf(oidc.providerArn ?? oidc.issuer, configuredIssuers(inventory))
        : oidc.provider;
    if (!provider) return undefined;
    const subject = oidc.subject;
    const pipeline = inventory.findByRole(oidc.role);
    const verdict = verdictOf(event.outcome, oidc, pipeline, inventory, provider);
    if (!verdict) return undefined;
    const { severity, problem } = verdict;
    const target = oidc.role?.name ?? oidc.providerArn ?? oidc.issuer ?? 'unknown role';
    const where = pipeline
      ? ` (pipeline ${pipeline.name}${pipeline.environment ? `/${pipeline.environment}` : ''})`
      : '';
    const allowed = (pipeline ? [pipeline] : judges(inventory.pipelines, provider, oidc.issuer)).flatMap(
      (p) => p.oidc?.subjects.map((glob) => glob.pattern) ?? [],
    );
    const { repositoryPath, branch, tag, environment, pullRequest, ref } = oidc.claims;
    return {
      severity,
      summary: `${subject ?? 'unknown subject'} → ${target}${where}: ${problem} [${event.outcome}${event.errorCode ? ` ${event.errorCode}` : ''}]`,
      principal: oidc.role?.arn ?? oidc.providerArn ?? oidc.issuer ?? event.actor.key,
      subject,
      pipeline: pipeline?.name,
      environment: pipeline?.environment,
      details: {
        problem,
        claims: {
          repository: repositoryPath,
          branch,
          tag,
          ref,
          environment,
          pullRequest: pullRequest === true,
        },
        allowedSubjects: allowed,
        outcome: event.outcome,
        errorCode: event.errorCode,
        provider,
        providerArn: oidc.providerArn,
        audience: oidc.audience,
        roleArn: oidc.role?.arn,
        issuedAccessKeyId: oidc.issuedAccessKeyId,
        sessionName: oidc.sessionName,
        sourceIp: event.sourceIp,
        userAgent: event.userAgent,
      },
    };
  },
});

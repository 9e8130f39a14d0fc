import * as z from 'zod';
import { defineDetector } from '../../lib/engine/detector.ts';
import { type Severity, severityRank } from '../../lib/engine/finding.ts';
import { parseRoleArn } from '../../lib/identity/arn.ts';
import { configuredIssuers } from '../../lib/identity/ci-issuer.ts';
import { analyzeTrustPolicy } from './trust-policy.ts';

/** Where each event carries the new trust policy (a JSON string, URL-encoded in older records). */
const DOCUMENT_FIELD: Readonly<Record<string, string>> = {
  CreateRole: 'assumeRolePolicyDocument',
  UpdateAssumeRolePolicy: 'policyDocument',
};

export const oidcTrustPolicy = defineDetector({
  kind: 'event',
  id: 'oidc-trust-policy',
  title: 'CI OIDC trust policy too broad',
  description:
    'A role trust policy created or updated to let GitHub/GitLab OIDC tokens in without a specific `sub`: missing or wildcard subjects, ForAllValues operators, no audience, or pull_request subjects on a production pipeline role.',
  severity: 'critical',
  runbook: [
    '1. Read the live policy: `aws iam get-role --role-name <role> --query Role.AssumeRolePolicyDocument`; compare with details.problems.',
    '2. If the change was not planned, pin it now: `aws iam update-assume-role-policy` with StringEquals on `<issuer>:aud` = sts.amazonaws.com and `<issuer>:sub` = the exact repo:<org>/<repo>:environment:<env> (no wildcards, no ForAllValues).',
    '3. Check who changed it (details.actor) and trace that session: `trailguard query session --access-key-id <details.accessKeyId>`; only the platform pipeline should write trust policies.',
    '4. Look for AssumeRoleWithWebIdentity into this role since the change (oidc-unexpected-subject findings); revoke its sessions if a foreign subject got in.',
  ].join('\n'),
  needs: [{ source: 'iam.amazonaws.com', names: ['CreateRole', 'UpdateAssumeRolePolicy'] }],
  params: z.object({}),
  evaluate(event, { inventory }) {
    const field = DOCUMENT_FIELD[event.name];
    // A denied change changed nothing; a failed one (EntityAlreadyExists…) shows intent, reported lower.
    if (event.source !== 'iam.amazonaws.com' || field === undefined || event.outcome === 'denied')
      return undefined;
    const request = event.requestParameters;
    const roleName = typeof request?.roleName === 'string' ? request.roleName : undefined;
    const created = event.responseElements?.role as
      | { arn?: unknown; assumeRolePolicyDocument?: unknown }
      | undefined;
    const partition = event.actor.arn?.split(':')[1] || 'aws';
    const role =
      parseRoleArn(typeof created?.arn === 'string' ? created.arn : undefined) ??
      parseRoleArn(roleName && `arn:${partition}:iam::${event.account ?? ''}:role/${roleName}`);
    const pipeline = inventory.findByRole(role);
    // CreateRole echoes the policy URL-encoded in its response: the fallback when the request was truncated.
    const analysis = analyzeTrustPolicy(request?.[field] ?? created?.assumeRolePolicyDocument, {
      issuers: configuredIssuers(inventory),
      prod: pipeline?.prod === true,
    });
    const worst = analysis?.worst;
    if (!analysis || !worst) return undefined;
    const applied = event.outcome === 'success';
    const severity: Severity =
      applied || severityRank(worst.severity) < severityRank('medium') ? worst.severity : 'medium';
    const values = worst.values?.length ? ` (${worst.values.join(', ')})` : '';
    const outcome = applied ? '[success]' : `[error ${event.errorCode ?? ''}: not applied]`;
    return {
      severity,
      summary: `${event.name} ${roleName ?? role?.name ?? 'unknown role'}: ${worst.message}${values}, by ${event.actor.key} ${outcome}`,
      principal: role?.arn ?? roleName ?? 'unknown',
      pipeline: pipeline?.name,
      environment: pipeline?.environment,
      details: {
        action: event.action,
        outcome: event.outcome,
        errorCode: event.errorCode,
        actor: event.actor.key,
        accessKeyId: event.credential.accessKeyId,
        roleName,
        prodRole: pipeline?.prod === true,
        problems: analysis.problems,
        statements: analysis.statements,
      },
    };
  },
});

import type { Detector } from '../lib/engine/detector.ts';
import { accessDeniedSpike } from './access-denied-spike.ts';
import { agentChangeRate } from './agent-change-rate.ts';
import { auditTampering } from './audit-tampering/audit-tampering.ts';
import { longLivedKey } from './long-lived-key.ts';
import { oidcSessionExfiltration } from './oidc-session-exfiltration.ts';
import { oidcTrustPolicy } from './oidc-trust-policy/oidc-trust-policy.ts';
import { oidcUnexpectedSubject } from './oidc-unexpected-subject.ts';
import { pipelineIamWrite } from './pipeline-iam-write.ts';
import { pipelineRoleBorrowed } from './pipeline-role-borrowed.ts';

/** Every detector trailguard runs, in the order findings are listed. Add new detectors here. */
export const detectors: readonly Detector[] = [
  oidcUnexpectedSubject,
  oidcTrustPolicy,
  pipelineIamWrite,
  pipelineRoleBorrowed,
  auditTampering,
  oidcSessionExfiltration,
  longLivedKey,
  accessDeniedSpike,
  agentChangeRate,
];

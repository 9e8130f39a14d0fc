import type { NormalizedEvent } from '../events/normalized-event.ts';
import type { Detector } from './detector.ts';
import type { Finding, FindingDraft, Severity } from './finding.ts';
import { boundDetails } from './finding-details.ts';

/**
 * Turns a detector's draft into the finding contract: the engine's fields (id, time, account, region,
 * runbook, event ids), the config's severity override, and no `undefined` keys in the JSON.
 */
export function buildFinding(
  detector: Detector,
  event: NormalizedEvent,
  draft: FindingDraft,
  id: string,
  severityOverride: Severity | undefined,
): Finding {
  const finding: Finding = {
    id,
    detector: detector.id,
    severity: severityOverride ?? draft.severity,
    title: draft.title ?? detector.title,
    summary: draft.summary,
    time: new Date(event.time).toISOString(),
    account: event.account,
    region: event.region,
    principal: draft.principal,
    subject: draft.subject,
    pipeline: draft.pipeline,
    environment: draft.environment,
    eventIds: draft.eventIds ?? [event.id],
    runbook: detector.runbook,
    count: draft.count,
    firstSeen: draft.firstSeen,
    lastSeen: draft.lastSeen,
    // Bounded: details hold event data as the caller wrote it (any depth, any size).
    details: draft.details === undefined ? undefined : boundDetails(draft.details),
  };
  for (const key of Object.keys(finding) as (keyof Finding)[]) {
    if (finding[key] === undefined) delete finding[key];
  }
  return finding;
}

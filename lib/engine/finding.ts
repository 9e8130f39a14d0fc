/** The finding contract (see README "Finding format"): add fields freely, never rename these. */

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Higher is more severe; `info` is 0. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.length - 1 - SEVERITIES.indexOf(severity);
}

export function atLeast(severity: Severity, minimum: Severity): boolean {
  return severityRank(severity) >= severityRank(minimum);
}

export interface Finding {
  /** Stable: the same finding from the same events always gets the same id. */
  id: string;
  detector: string;
  severity: Severity;
  title: string;
  /** One line: what happened. Contains attacker-controlled text: escape it for every output. */
  summary: string;
  /** ISO time of the triggering event. */
  time: string;
  account?: string;
  region?: string;
  /** Role ARN for assumed roles and for the role being assumed via OIDC; user ARN for IAM users. */
  principal: string;
  /** The OIDC `sub` claim, when one is involved. */
  subject?: string;
  /** Inventory name of the pipeline, when matched. */
  pipeline?: string;
  /** The pipeline's environment, when matched. */
  environment?: string;
  /** CloudTrail eventIDs behind the finding (windowed findings keep the first 20 by time). */
  eventIds: string[];
  /** What on-call should do now. */
  runbook: string;
  /** Windowed findings: how many events, and when the first and last were. */
  count?: number;
  firstSeen?: string;
  lastSeen?: string;
  /** Detector-specific evidence (actions, resources, claims, policy problems…). */
  details?: Record<string, unknown>;
}

/** What a detector returns; the engine adds id, detector, time, account, region and runbook. */
export interface FindingDraft {
  severity: Severity;
  /** Defaults to the detector's title. */
  title?: string;
  summary: string;
  principal: string;
  subject?: string;
  pipeline?: string;
  environment?: string;
  details?: Record<string, unknown>;
  /**
   * What makes repeats the same finding (e.g. the principal for a spike, key id + UTC day for a
   * long-lived key). Omitted: the triggering event, so only a redelivery of that event repeats it.
   */
  key?: string;
  /** How long repeats under `key` fold into the first finding (event time); config `cooldown` overrides. */
  cooldownMs?: number;
  /** Defaults to the triggering event. Windowed findings: the first 20 by time. */
  eventIds?: string[];
  count?: number;
  /** ISO times of the first and last event counted. */
  firstSeen?: string;
  lastSeen?: string;
}

/**
 * `detect --format ocsf`: each finding as an OCSF 1.1.0 Detection Finding (class 2004, category 2
 * Findings, activity Create), one JSON object per line, for security lakes and SIEMs. The attributes are
 * those of the OCSF schema (`events/findings/detection_finding.json`, `objects/finding_info.json`,
 * `objects/metadata.json`, `objects/cloud.json`); trailguard fields OCSF has no place for go to `unmapped`,
 * the schema's own place for product-specific data. Text is written by `jsonText` like every machine format.
 */

import packageJson from '../../package.json' with { type: 'json' };
import type { Finding, Severity } from '../engine/finding.ts';
import { jsonText } from './json-text.ts';

/** The OCSF schema version the events follow (Detection Finding appeared in 1.1.0). */
export const OCSF_VERSION = '1.1.0';

/** Detection Finding's place in the schema: `type_uid` is `class_uid * 100 + activity_id`. */
const CLASS_UID = 2004;
const CATEGORY_UID = 2;
const ACTIVITY_CREATE = 1;
const STATUS_NEW = 1;
/** `analytic.type_id` 1: every detector is a rule, including the windowed ones (a threshold on a count). */
const ANALYTIC_RULE = 1;
/** `account.type_id` 10: an AWS account. */
const AWS_ACCOUNT = 10;

/** OCSF `severity_id` and its caption; `info` is OCSF's Informational (1). */
export const OCSF_SEVERITY: Readonly<Record<Severity, { id: number; caption: string }>> = {
  critical: { id: 5, caption: 'Critical' },
  high: { id: 4, caption: 'High' },
  medium: { id: 3, caption: 'Medium' },
  low: { id: 2, caption: 'Low' },
  info: { id: 1, caption: 'Informational' },
};

/** An OCSF Detection Finding as trailguard writes it (the attributes it fills, not the whole class). */
export interface OcsfDetectionFinding {
  activity_id: number;
  activity_name: string;
  category_uid: number;
  category_name: string;
  class_uid: number;
  class_name: string;
  type_uid: number;
  type_name: string;
  severity_id: number;
  severity: string;
  status_id: number;
  status: string;
  /** Epoch ms of the triggering event (the finding's own time, as in every trailguard output). */
  time: number;
  start_time: number;
  end_time: number;
  count?: number;
  message: string;
  metadata: {
    version: string;
    product: { name: string; vendor_name: string; version: string };
    profiles: string[];
  };
  finding_info: {
    uid: string;
    title: string;
    desc: string;
    created_time: number;
    first_seen_time: number;
    last_seen_time: number;
    data_sources: string[];
    analytic: { uid: string; name: string; type_id: number; type: string };
    related_events: { uid: string }[];
  };
  cloud: { provider: 'AWS'; account?: { uid: string; type_id: number; type: string }; region?: string };
  evidences: { actor: { user: { uid: string } } }[];
  remediation: { desc: string };
  unmapped?: Record<string, unknown>;
}

/**
 * Maps a finding to an OCSF Detection Finding. Optional finding fields that are absent are left out
 * rather than written as `undefined`/`null`; a single-event finding's first and last seen times are its
 * own event time. The principal is the evidence's actor (`evidences[].actor.user.uid`).
 */
export function findingToOcsf(finding: Finding): OcsfDetectionFinding {
  const time = Date.parse(finding.time);
  const firstSeen = finding.firstSeen === undefined ? time : Date.parse(finding.firstSeen);
  const lastSeen = finding.lastSeen === undefined ? time : Date.parse(finding.lastSeen);
  const severity = OCSF_SEVERITY[finding.severity];
  const unmapped = definedOnly({
    pipeline: finding.pipeline,
    environment: finding.environment,
    subject: finding.subject,
    details: finding.details,
  });
  return {
    activity_id: ACTIVITY_CREATE,
    activity_name: 'Create',
    category_uid: CATEGORY_UID,
    category_name: 'Findings',
    class_uid: CLASS_UID,
    class_name: 'Detection Finding',
    type_uid: CLASS_UID * 100 + ACTIVITY_CREATE,
    type_name: 'Detection Finding: Create',
    severity_id: severity.id,
    severity: severity.caption,
    status_id: STATUS_NEW,
    status: 'New',
    time,
    start_time: firstSeen,
    end_time: lastSeen,
    ...(finding.count === undefined ? {} : { count: finding.count }),
    message: finding.summary,
    metadata: {
      version: OCSF_VERSION,
      product: { name: 'trailguard', vendor_name: 'trailguard', version: packageJson.version },
      profiles: ['cloud'],
    },
    finding_info: {
      uid: finding.id,
      title: finding.title,
      desc: finding.summary,
      created_time: time,
      first_seen_time: firstSeen,
      last_seen_time: lastSeen,
      data_sources: ['AWS CloudTrail'],
      analytic: { uid: finding.detector, name: finding.detector, type_id: ANALYTIC_RULE, type: 'Rule' },
      related_events: finding.eventIds.map((uid) => ({ uid })),
    },
    cloud: {
      provider: 'AWS',
      ...(finding.account === undefined
        ? {}
        : { account: { uid: finding.account, type_id: AWS_ACCOUNT, type: 'AWS Account' } }),
      ...(finding.region === undefined ? {} : { region: finding.region }),
    },
    evidences: [{ actor: { user: { uid: finding.principal } } }],
    remediation: { desc: finding.runbook },
    ...(Object.keys(unmapped).length === 0 ? {} : { unmapped }),
  };
}

/** One OCSF Detection Finding as a JSON line (no trailing newline), escaped like `--format jsonl`. */
export function findingToOcsfLine(finding: Finding): string {
  return jsonText(findingToOcsf(finding));
}

function definedOnly(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

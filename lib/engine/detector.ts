import type { z } from 'zod';
import type { ResolvedConfig } from '../config/resolved-config.ts';
import type { NormalizedEvent } from '../events/normalized-event.ts';
import type { FindingDraft, Severity } from './finding.ts';

/**
 * The CloudTrail events a detector needs. The engine uses it to skip detectors cheaply; infra turns the
 * same declaration into EventBridge patterns, so it is the one source of truth for both.
 */
export interface EventNeed {
  /** `eventSource`, e.g. `iam.amazonaws.com`; `*` for every source. */
  source: string;
  /** Exact event names; omitted means every name of the source. */
  names?: readonly string[];
  /**
   * True when the detector needs read-only events (Describe/Get/List…): on EventBridge those only reach
   * rules in the state `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`.
   */
  readOnly?: boolean;
  /** Only failed calls with one of these error codes. */
  errorCodes?: readonly string[];
}

/** A detector's own parameters: a zod object whose defaults make any config valid. */
export type ParamsSchema = z.ZodObject;

/** What every detector carries besides its logic. */
export interface DetectorMeta<S extends ParamsSchema> {
  /** Kebab-case; equal to the file name. */
  id: string;
  title: string;
  description: string;
  /** The highest severity it raises by default (config `severity` replaces every level). */
  severity: Severity;
  /** What on-call should do now, in a few numbered steps. */
  runbook: string;
  needs: readonly EventNeed[];
  /** The detector's own parameters with their defaults; merged into `detectors.<id>` in the config schema. */
  params: S;
}

/** What a detector is handed along with each event. */
export interface DetectorContext<S extends ParamsSchema = ParamsSchema> {
  config: ResolvedConfig;
  params: z.output<S>;
}

/** A detector that judges each event on its own. */
export interface EventDetector<S extends ParamsSchema = ParamsSchema> extends DetectorMeta<S> {
  kind: 'event';
  evaluate(event: NormalizedEvent, context: DetectorContext<S>): FindingDraft | undefined;
}

export type Detector = EventDetector;

/** Identity helper: gives a detector definition its types without ceremony. */
export function defineDetector<S extends ParamsSchema>(detector: EventDetector<S>): EventDetector<S> {
  return detector;
}

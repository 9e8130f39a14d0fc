import type { ResolvedConfig } from '../config/resolved-config.ts';
import type { NormalizedEvent } from '../events/normalized-event.ts';
import type { Detector, DetectorContext } from './detector.ts';
import { EventRouter } from './event-router.ts';
import type { Finding, FindingDraft, Severity } from './finding.ts';
import { findingId } from './finding-id.ts';
import { SuppressionList } from './suppressions.ts';

export interface EngineOptions {
  detectors: readonly Detector[];
  config: ResolvedConfig;
  /** Wall-clock time for suppression expiry (epoch ms); pinned in tests and by `--now`. */
  now: number;
}

/** A detector that threw: isolated, counted, reported; the event is still judged by the others. */
export interface DetectorFailure {
  count: number;
  firstError: string;
  firstEventId: string;
}

/**
 * Runs detectors over normalized events and turns their drafts into findings: routing (only detectors
 * that declared the event), config (enabled, severity override), stable ids, duplicate suppression
 * (the same event delivered twice raises one finding) and config suppressions. Detectors stay pure.
 */
export class DetectionEngine {
  readonly suppressions: SuppressionList;
  readonly failures = new Map<string, DetectorFailure>();
  /** Findings raised, by detector id then severity (after suppression). */
  readonly counts = new Map<string, Map<Severity, number>>();
  eventsJudged = 0;
  duplicateFindings = 0;

  readonly #router: EventRouter;
  readonly #contexts = new Map<string, DetectorContext>();
  readonly #emitted = new Set<string>();

  constructor(options: EngineOptions) {
    const enabled = options.detectors.filter((d) => options.config.detectors[d.id]?.enabled !== false);
    this.#router = new EventRouter(enabled);
    for (const detector of enabled) {
      const params = options.config.detectors[detector.id] ?? detector.params.parse({});
      this.#contexts.set(detector.id, { config: options.config, params });
    }
    this.suppressions = new SuppressionList(options.config.suppressions, options.now);
  }

  /** Judges a batch of events; returns the new findings in event order. */
  async process(events: readonly NormalizedEvent[]): Promise<Finding[]> {
    const findings: Finding[] = [];
    for (const event of events) {
      this.eventsJudged++;
      for (const detector of this.#router.route(event)) {
        const draft = this.#evaluate(detector, event);
        if (draft) this.#accept(this.#toFinding(detector, event, draft), findings);
      }
    }
    return findings;
  }

  #evaluate(detector: Detector, event: NormalizedEvent): FindingDraft | undefined {
    try {
      return detector.evaluate(event, this.#contexts.get(detector.id) as DetectorContext);
    } catch (error) {
      const failure = this.failures.get(detector.id);
      if (failure) failure.count++;
      else {
        const message = error instanceof Error ? error.message : String(error);
        this.failures.set(detector.id, { count: 1, firstError: message, firstEventId: event.id });
      }
      return undefined;
    }
  }

  #toFinding(detector: Detector, event: NormalizedEvent, draft: FindingDraft): Finding {
    const override = this.#contexts.get(detector.id)?.params.severity as Severity | undefined;
    const finding: Finding = {
      id: findingId(detector.id, event.id),
      detector: detector.id,
      severity: override ?? draft.severity,
      title: draft.title ?? detector.title,
      summary: draft.summary,
      time: new Date(event.time).toISOString(),
      account: event.account,
      region: event.region,
      principal: draft.principal,
      subject: draft.subject,
      pipeline: draft.pipeline,
      environment: draft.environment,
      eventIds: [event.id],
      runbook: detector.runbook,
      details: draft.details,
    };
    for (const key of Object.keys(finding) as (keyof Finding)[]) {
      if (finding[key] === undefined) delete finding[key];
    }
    return finding;
  }

  #accept(finding: Finding, into: Finding[]): void {
    if (this.#emitted.has(finding.id)) {
      this.duplicateFindings++;
      return;
    }
    this.#emitted.add(finding.id);
    if (this.suppressions.match(finding)) return;
    const bySeverity = this.counts.get(finding.detector) ?? new Map<Severity, number>();
    this.counts.set(finding.detector, bySeverity);
    bySeverity.set(finding.severity, (bySeverity.get(finding.severity) ?? 0) + 1);
    into.push(finding);
  }
}

import type { Glob } from '../glob/glob.ts';
import type { Finding } from './finding.ts';

/** A config `suppressions[]` entry, compiled (lib/config builds them; the engine applies them). */
export interface Suppression {
  index: number;
  detector: string;
  principal?: Glob;
  subject?: Glob;
  reason: string;
  /** Epoch ms after which the entry no longer applies; undefined = never expires. */
  expiresAt?: number;
  /** The entry as written, for messages. */
  label: string;
}

/**
 * Applies the config's suppressions to findings. Expiry is judged against the wall clock (`now`, which
 * tests and `--now` pin): an expired entry no longer hides anything, and is reported once so someone
 * renews or deletes it.
 */
export class SuppressionList {
  readonly active: readonly Suppression[];
  readonly expired: readonly Suppression[];
  /** How many findings each entry hid, by its label. */
  readonly hits = new Map<string, number>();

  constructor(suppressions: readonly Suppression[], now: number) {
    this.active = suppressions.filter((s) => s.expiresAt === undefined || s.expiresAt > now);
    this.expired = suppressions.filter((s) => s.expiresAt !== undefined && s.expiresAt <= now);
  }

  /** The entry that hides this finding, if any (first match wins); counts the hit. */
  match(finding: Finding): Suppression | undefined {
    for (const entry of this.active) {
      if (entry.detector !== '*' && entry.detector !== finding.detector) continue;
      if (entry.principal && !entry.principal.matches(finding.principal)) continue;
      if (entry.subject && (finding.subject === undefined || !entry.subject.matches(finding.subject)))
        continue;
      this.hits.set(entry.label, (this.hits.get(entry.label) ?? 0) + 1);
      return entry;
    }
    return undefined;
  }
}

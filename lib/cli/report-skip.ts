import type { RecordOrigin } from '../ingest/types.ts';
import { terminalSafe } from '../output/terminal-safe.ts';

/**
 * The stderr line for input that was skipped (a bad file, a record without eventTime), shared by every
 * command that reads CloudTrail: `trailguard: skipped <file>[:line][ record N]: <reason>`. File names and
 * reasons can carry attacker text, so both are made terminal-safe.
 */
export function formatSkip(origin: RecordOrigin, reason: string): string {
  const line = origin.line === undefined ? '' : `:${origin.line}`;
  const index = origin.index === undefined ? '' : ` record ${origin.index}`;
  return `trailguard: skipped ${terminalSafe(`${origin.file}${line}${index}`)}: ${terminalSafe(reason)}`;
}

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalizeRecord } from '../../../lib/events/normalize.ts';
import type { NormalizedEvent } from '../../../lib/events/normalized-event.ts';

/**
 * Reads the test copy of the shared corpus (test/fixtures/corpus). Unwraps the two containers the corpus
 * uses, `{"Records":[...]}` and the EventBridge envelope's `detail`, by hand: the real unwrapping belongs
 * to lib/ingest, and these tests are about record shapes.
 */

export const CORPUS_DIR = fileURLToPath(new URL('../../fixtures/corpus/', import.meta.url));

type JsonRecord = Record<string, unknown>;

/** Every corpus file as `category/name.json`, sorted. */
export function corpusFiles(): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(CORPUS_DIR, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    for (const name of readdirSync(join(CORPUS_DIR, entry.name))) {
      if (name.endsWith('.json')) files.push(`${entry.name}/${name}`);
    }
  }
  return files.sort();
}

/** The CloudTrail records of one corpus file, in file order. */
export function corpusRecords(file: string): JsonRecord[] {
  const parsed = JSON.parse(readFileSync(join(CORPUS_DIR, file), 'utf8')) as JsonRecord;
  if (Array.isArray(parsed.Records)) return parsed.Records as JsonRecord[];
  if (typeof parsed['detail-type'] === 'string') return [parsed.detail as JsonRecord];
  return [parsed];
}

/** One corpus record, by file and index. */
export function corpusRecord(file: string, index = 0): JsonRecord {
  const record = corpusRecords(file)[index];
  if (record === undefined) throw new Error(`${file} has no record #${index}`);
  return record;
}

/** One corpus record, normalized; fails the test when normalization rejects it. */
export function normalizedCorpusEvent(file: string, index = 0): NormalizedEvent {
  const result = normalizeRecord(corpusRecord(file, index));
  if (!result.ok) throw new Error(`${file} #${index} rejected: ${result.reason}`);
  return result.event;
}

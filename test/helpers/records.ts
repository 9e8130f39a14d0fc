import { readdirSync, readFileSync } from 'node:fs';
import { normalizeRecord } from '../../lib/events/normalize.ts';
import type { NormalizedEvent } from '../../lib/events/normalized-event.ts';

/**
 * Real-shaped records for detector tests: the test copy of the corpus (test/fixtures/corpus), and records
 * derived from it where the corpus lacks a shape (test/fixtures/records, see its README).
 */

type JsonRecord = Record<string, unknown>;

const FIXTURES = new URL('../fixtures/', import.meta.url);

function readJson(path: string): JsonRecord {
  return JSON.parse(readFileSync(new URL(path, FIXTURES), 'utf8')) as JsonRecord;
}

/** Every corpus file as `category/name.json`, sorted. */
export function corpusFiles(): string[] {
  const corpus = new URL('corpus/', FIXTURES);
  const files: string[] = [];
  for (const entry of readdirSync(corpus, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    for (const name of readdirSync(new URL(`${entry.name}/`, corpus))) {
      if (name.endsWith('.json')) files.push(`${entry.name}/${name}`);
    }
  }
  return files.sort();
}

/** The CloudTrail records of a corpus file (`category/name.json`): `Records[]`, an envelope's `detail`, or the record. */
export function corpusRecords(file: string): JsonRecord[] {
  const parsed = readJson(`corpus/${file}`);
  if (Array.isArray(parsed.Records)) return parsed.Records as JsonRecord[];
  if (typeof parsed['detail-type'] === 'string') return [parsed.detail as JsonRecord];
  return [parsed];
}

/** One derived record (`test/fixtures/records/<name>.json`). */
export function derivedRecord(name: string): JsonRecord {
  return readJson(`records/${name}.json`);
}

/** Normalizes a record; fails the test when normalization rejects it. */
export function normalized(record: JsonRecord): NormalizedEvent {
  const result = normalizeRecord(record);
  if (!result.ok) throw new Error(`record rejected: ${result.reason}`);
  return result.event;
}

/** One corpus record, by file and index. */
export function corpusRecord(file: string, index = 0): JsonRecord {
  const record = corpusRecords(file)[index];
  if (record === undefined) throw new Error(`${file} has no record #${index}`);
  return record;
}

/** One corpus record, normalized; fails the test when normalization rejects it. */
export function corpusEvent(file: string, index = 0): NormalizedEvent {
  return normalized(corpusRecord(file, index));
}

export function derivedEvent(name: string): NormalizedEvent {
  return normalized(derivedRecord(name));
}

// biome-ignore lint/suspicious/noExplicitAny: tests patch fixture records by path; the normalizer validates the result.
type Patchable = Record<string, any>;

/** A copy of a record with a change applied in place (for one-field variations of a fixture). */
export function variant(record: JsonRecord, change: (copy: Patchable) => void): NormalizedEvent {
  const copy: Patchable = structuredClone(record);
  change(copy);
  return normalized(copy);
}

/** A path to a value inside a record: object keys and array indexes. */
export type ValuePath = (string | number)[];

/** Every path to a value inside a record (objects and arrays), depth-first: what fuzzing can replace. */
export function valuePaths(value: unknown, prefix: ValuePath = [], out: ValuePath[] = []): ValuePath[] {
  if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      const path = [...prefix, Array.isArray(value) ? Number(key) : key];
      out.push(path);
      valuePaths(child, path, out);
    }
  }
  return out;
}

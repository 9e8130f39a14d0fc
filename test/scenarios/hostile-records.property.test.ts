import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectors } from '../../detectors/index.ts';
import { DetectionEngine } from '../../lib/engine/detection-engine.ts';
import type { Finding } from '../../lib/engine/finding.ts';
import { normalizeRecord } from '../../lib/events/normalize.ts';
import type { NormalizedEvent } from '../../lib/events/normalized-event.ts';
import { formatFindingsTable } from '../../lib/output/format-findings.ts';
import { MemoryState } from '../../lib/state/memory-state.ts';
import { exampleConfig } from '../helpers/config.ts';
import { HOSTILE_TEXT, RAW_TERMINAL_CONTROL } from '../helpers/hostile-text.ts';
import { corpusFiles, corpusRecords, type ValuePath, valuePaths } from '../helpers/records.ts';

/**
 * Real records with fields replaced, at any depth, by what an attacker or a broken producer could write,
 * judged by every detector: nothing may throw, and no detector may fail (the engine isolates a throwing
 * detector, but an isolated failure is still a missed detection).
 *
 * Figures for docs/RELIABILITY.md: RUNS cases per property below, each judging 1-6 mutated records.
 */
const RUNS = { engine: 1_000, hostileStrings: 700 } as const;
/** 1,000 engine cases take 3-10 s on one core (deep nesting and 150 KB strings are slow to copy and print). */
const TIMEOUT_MS = 120_000;

type Json = Record<string, unknown>;
type Path = ValuePath;

const RECORDS_DIR = new URL('../fixtures/records/', import.meta.url);
const REAL_RECORDS: Json[] = [
  ...corpusFiles().flatMap((file) => corpusRecords(file)),
  ...readdirSync(RECORDS_DIR)
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(new URL(name, RECORDS_DIR), 'utf8')) as Json),
];

const CANDIDATES = REAL_RECORDS.map((record) => ({ record, paths: valuePaths(record) }));

/** Sets `path` in `root` (in place); false when an earlier change left no container on the way. */
function setAt(root: Json, path: Path, make: (old: unknown) => unknown): boolean {
  let cursor: unknown = root;
  for (const step of path.slice(0, -1)) {
    if (typeof cursor !== 'object' || cursor === null) return false;
    cursor = (cursor as Record<string | number, unknown>)[step];
  }
  if (typeof cursor !== 'object' || cursor === null) return false;
  const last = path[path.length - 1] as string | number;
  const container = cursor as Record<string | number, unknown>;
  container[last] = make(container[last]);
  return true;
}

/** JSON nested 20,000 levels deep, built by the parser as it would be from a file. */
const DEEP: unknown = JSON.parse(`${'['.repeat(20_000)}${']'.repeat(20_000)}`);
/** `__proto__` as JSON.parse makes it: an own key, not the prototype. */
const PROTO_JSON = '{"__proto__":{"isAdmin":true},"constructor":{"prototype":1}}';

/**
 * Generated cases are plans (which text, how often repeated; `deep` for DEEP) turned into values inside the
 * property: fast-check prints a failing case, and printing DEEP or a 50 KB string would drown the report.
 */
const textPlan = fc.oneof(
  fc.record({ hostile: fc.nat({ max: HOSTILE_TEXT.length - 1 }), repeat: fc.constantFrom(1, 1, 500) }),
  fc.record({ binary: fc.string({ unit: 'binary', maxLength: 40 }) }),
);
type TextPlan = { hostile: number; repeat: number } | { binary: string };

function textOf(plan: TextPlan): string {
  return 'binary' in plan ? plan.binary : (HOSTILE_TEXT[plan.hostile] ?? '').repeat(plan.repeat);
}

/** A replacement for any field: every JSON type, hostile and huge strings, `__proto__`, deep nesting. */
const junkPlan = fc.oneof(
  fc.record({ json: fc.oneof(fc.constant(null), fc.integer(), fc.boolean(), fc.constant('')) }),
  fc.record({ json: fc.constantFrom(0, -1, 1e308, -0, 0.5, 2 ** 53 + 1, [], {}) }),
  fc.record({ json: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }) }),
  fc.record({
    json: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  }),
  fc.record({ text: textPlan }),
  fc.constantFrom({ deep: true }, { proto: true }),
);
type JunkPlan = { json: unknown } | { text: TextPlan } | { deep: boolean } | { proto: boolean };

/** A fresh value for each use: the property changes records in place. */
function junkOf(plan: JunkPlan): unknown {
  if ('json' in plan) return structuredClone(plan.json);
  if ('text' in plan) return textOf(plan.text);
  if ('deep' in plan) return DEEP;
  return JSON.parse(PROTO_JSON);
}

/** One change: replace a field, or keep a string field's shape and wrap it in hostile text. */
const mutation = fc.record({
  pathSeed: fc.nat(),
  kind: fc.constantFrom('replace', 'replace', 'wrap'),
  replacement: junkPlan,
  text: textPlan,
});

type Plan = {
  which: number;
  changes: { pathSeed: number; kind: string; replacement: JunkPlan; text: TextPlan }[];
};

/** Which record to change and how. */
const plan = fc.record({
  which: fc.nat({ max: CANDIDATES.length - 1 }),
  changes: fc.array(mutation, { minLength: 1, maxLength: 4 }),
});

function mutate({ which, changes }: Plan): Json {
  const candidate = CANDIDATES[which] as (typeof CANDIDATES)[number];
  const copy = structuredClone(candidate.record);
  for (const change of changes) {
    const path = candidate.paths[change.pathSeed % Math.max(candidate.paths.length, 1)];
    if (path === undefined) continue;
    setAt(copy, path, (old) =>
      change.kind === 'wrap' && typeof old === 'string'
        ? `${old}${textOf(change.text)}`
        : junkOf(change.replacement),
    );
  }
  return copy;
}

const config = exampleConfig();

function normalizeAll(records: readonly Json[]): NormalizedEvent[] {
  const events: NormalizedEvent[] = [];
  for (const record of records) {
    const result = normalizeRecord(record);
    if (result.ok) events.push(result.event);
    else expect(result.reason).not.toMatch(/^internal error/);
  }
  return events;
}

/** What every finding must survive: JSON output, and the terminal table without raw controls. */
function expectPrintable(findings: readonly Finding[]): void {
  for (const finding of findings) expect(() => JSON.stringify(finding)).not.toThrow();
  expect(formatFindingsTable(findings)).not.toMatch(RAW_TERMINAL_CONTROL);
}

async function judge(records: readonly Json[]): Promise<void> {
  const engine = new DetectionEngine({
    detectors,
    config,
    now: Date.UTC(2026, 0, 1),
    state: new MemoryState(),
  });
  const findings = await engine.process(normalizeAll(records));
  expect([...engine.failures]).toEqual([]);
  expectPrintable(findings);
}

describe('every detector on hostile variations of real records', () => {
  it(
    'never throws, never fails a detector, and prints every finding safely',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(plan, { minLength: 1, maxLength: 6 }), (plans) => judge(plans.map(mutate))),
        { numRuns: RUNS.engine },
      );
    },
    TIMEOUT_MS,
  );

  it(
    'with every string field of a record wrapped in hostile text (the shape kept, so detectors go deep)',
    async () => {
      const stringPaths = CANDIDATES.map(({ record, paths }) => ({
        record,
        paths: paths.filter(
          (path) => typeof path.reduce<unknown>((v, k) => (v as Json)[k], record) === 'string',
        ),
      }));
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: stringPaths.length - 1 }), textPlan, async (which, text) => {
          const candidate = stringPaths[which] as (typeof stringPaths)[number];
          const copy = structuredClone(candidate.record);
          const suffix = textOf(text);
          for (const path of candidate.paths) setAt(copy, path, (old) => `${String(old)}${suffix}`);
          await judge([copy]);
        }),
        { numRuns: RUNS.hostileStrings },
      );
    },
    TIMEOUT_MS,
  );
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../lib/config/load-config.ts';
import { DetectionEngine } from '../../../lib/engine/detection-engine.ts';
import { replay } from '../../../lib/engine/replay.ts';
import { readCloudTrail } from '../../../lib/ingest/read-cloudtrail.ts';
import type { LogFileScanner, Scanned } from '../../../lib/ingest/scan-worker.ts';
import { MemoryState } from '../../../lib/state/memory-state.ts';
import { collect, eventIds, put, record, skipsOf, tempDir } from './helpers.ts';

/**
 * S3 log files laid out as CloudTrail writes them are scanned on a second thread and parsed record by record
 * (lib/ingest/scan-log-file.ts, lazy-log-file.ts). What a user sees must not change.
 */

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

/** A log file of `count` records, times out of order. */
function bigLog(prefix: string, count: number, extra: object = {}) {
  return {
    Records: Array.from({ length: count }, (_, i) =>
      record(`${prefix}-${i}`, `2025-01-01T00:${String(59 - (i % 60)).padStart(2, '0')}:00Z`, extra),
    ),
  };
}

describe('readCloudTrail: S3 log files read record by record', () => {
  it('gives the records of a gzipped log file in time order, as the whole-file parse does', async () => {
    // Big enough to be scanned on the thread (smaller files are scanned in place).
    const log = bigLog('r', 1000);
    const path = await put(
      dir,
      'AWSLogs/1/CloudTrail/us-east-1/2025/01/01/1_CloudTrail_us-east-1_20250101T0100Z_a.json.gz',
      log,
      true,
    );
    const items = await collect([path]);
    const expected = [...log.Records]
      .map((r, index) => ({ r, index }))
      .sort((a, b) => Date.parse(a.r.eventTime) - Date.parse(b.r.eventTime) || a.index - b.index);
    expect(items).toEqual(
      expected.map(({ r, index }) => ({ kind: 'record', record: r, origin: { file: path, index } })),
    );
  });

  it('never takes a record-like object nested in a record for a record of the file', async () => {
    const forged = [
      { a: 1 },
      record('forged', '2020-01-01T00:00:00Z'),
      record('forged-2', '2020-01-01T00:00:01Z'),
    ];
    const log = bigLog('r', 100, { requestParameters: { items: forged } });
    const path = await put(dir, 'log.json.gz', log, true);
    const ids = eventIds(await collect([path]));
    expect(ids).toHaveLength(100);
    expect(ids).not.toContain('forged');
  });

  it('skips a record that is not JSON on its own, names it, and judges the rest of the file', async () => {
    const good = bigLog('r', 100).Records.map((r) => JSON.stringify(r));
    good.splice(40, 0, '{"eventVersion":"1.08","eventTime":"2025-01-01T00:00:00Z","eventName":tru}');
    const path = await put(dir, 'log.json.gz', `{"Records":[${good.join(',')}]}`, true);
    const items = await collect([path]);
    expect(eventIds(items)).toHaveLength(100);
    expect(skipsOf(items)).toEqual([
      {
        kind: 'skip',
        origin: { file: path, index: 40 },
        reason: expect.stringMatching(/^Records\[40\]: not JSON: /),
      },
    ]);
  });

  it('reads a file again, whole, when the scanning thread lost its bytes', async () => {
    const lost: LogFileScanner = { scan: async (): Promise<Scanned> => ({ ok: false, reason: 'lost' }) };
    const gz = await put(dir, 'a.json.gz', bigLog('gz', 50), true);
    const plain = await put(dir, 'b.json', bigLog('plain', 50));
    const items = await collect([gz, plain], { scanner: lost });
    expect(eventIds(items)).toHaveLength(100);
    expect(skipsOf(items)).toEqual([]);
  });

  it('counts a broken record as a skip in a replay and judges every other record', async () => {
    const good = bigLog('r', 30).Records.map((r) => JSON.stringify(r));
    good.push('{"eventVersion":"1.08","eventTime":"2025-01-01T00:00:00Z","eventName":nul}');
    const path = await put(dir, 'log.json.gz', `{"Records":[${good.join(',')}]}`, true);
    const engine = new DetectionEngine({
      detectors: [],
      config: parseConfigText('{}', 'empty.yaml'),
      state: new MemoryState(),
      now: 0,
    });
    const skipped: string[] = [];
    const stats = await replay(readCloudTrail([path]), engine, {
      onFindings: () => {},
      onSkip: (origin, reason) => skipped.push(`${origin.index} ${reason}`),
    });
    expect([stats.recordsRead, stats.eventsJudged]).toEqual([30, 30]);
    expect(skipped).toEqual([expect.stringMatching(/^30 Records\[30\]: not JSON: /)]);
    // Counted in the summary by what went wrong, not by which record.
    expect(stats.skipped).toEqual(new Map([['not JSON', 1]]));
  });

  it('leaves a file whose brackets do not balance to the whole-file parser, which skips it as before', async () => {
    const good = bigLog('r', 30).Records.map((r) => JSON.stringify(r));
    good.push('{"eventVersion":"1.08","eventTime":"2025-01-01T00:00:00Z","x":[}');
    const path = await put(dir, 'log.json.gz', `{"Records":[${good.join(',')}]}`, true);
    const items = await collect([path]);
    expect(items).toEqual([
      { kind: 'skip', origin: { file: path }, reason: expect.stringMatching(/^not JSON: /) },
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { resolveConfig } from '../../../lib/config/resolved-config.ts';
import { buildConfigSchema } from '../../../lib/config/schema.ts';
import { DetectionEngine } from '../../../lib/engine/detection-engine.ts';
import { type Detector, defineDetector } from '../../../lib/engine/detector.ts';
import { MemoryState } from '../../../lib/state/memory-state.ts';
import { syntheticEvent } from '../../helpers/synthetic-event.ts';

const MINUTE = 60_000;
const T0 = Date.parse('2026-11-20T10:00:00Z');

/** Fires when a principal makes its third IAM write within ten minutes. */
const thirdWrite = defineDetector({
  kind: 'stateful',
  id: 'test-third-write',
  title: 'Third write',
  description: 'a principal writes IAM three times in ten minutes',
  severity: 'high',
  runbook: '1. Look.',
  needs: [{ source: 'iam.amazonaws.com' }],
  params: z.object({}),
  lookback: () => 10 * MINUTE,
  observe: (event) => ({ count: [{ key: event.actor.key }] }),
  judge: (event, state) => {
    const entries = state.entries(event.actor.key);
    if (entries.length < 3) return undefined;
    return {
      severity: 'high',
      summary: `${entries.length} writes`,
      principal: event.actor.key,
      key: event.actor.key,
      cooldownMs: 10 * MINUTE,
      count: entries.length,
      eventIds: entries.map((e) => e.eventId),
    };
  },
});

const engine = (lateness = '15m') =>
  new DetectionEngine({
    detectors: [thirdWrite] as Detector[],
    config: resolveConfig(
      buildConfigSchema([thirdWrite as Detector]).parse({ engine: { lateness } }),
      'test',
    ),
    state: new MemoryState(),
    now: T0,
  });

const write = (minute: number, id = `w-${minute}`) => syntheticEvent({ id, time: T0 + minute * MINUTE });

describe('stateful detection in the engine', () => {
  it('fires on the threshold event, and folds repeats within the cooldown into it', async () => {
    const e = engine();
    expect(await e.process([write(0), write(1)])).toEqual([]);
    const [finding] = await e.process([write(2)]);
    expect(finding).toMatchObject({
      detector: 'test-third-write',
      count: 3,
      eventIds: ['w-0', 'w-1', 'w-2'],
    });
    expect(await e.process([write(3), write(4)])).toEqual([]);
    expect(e.folded.get('test-third-write')).toBe(2);
  });

  it('judges each event on the state as of its own time, whatever the batch size', async () => {
    const events = [0, 1, 2, 3, 12, 13, 14, 30].map((m) => write(m));
    const one = engine();
    const single = [];
    for (const event of events) single.push(...(await one.process([event])));
    const batched = await engine().process(events);
    expect(batched.map((f) => [f.id, f.time, f.count])).toEqual(single.map((f) => [f.id, f.time, f.count]));
    expect(single.map((f) => f.time)).toEqual([
      new Date(T0 + 2 * MINUTE).toISOString(),
      new Date(T0 + 14 * MINUTE).toISOString(),
    ]);
  });

  it('does not count the same event twice', async () => {
    const e = engine();
    expect(await e.process([write(0), write(0), write(1), write(1)])).toEqual([]);
  });

  it('counts and reports events later than the lateness bound, without counting them in windows', async () => {
    const e = engine('5m');
    await e.process([write(30)]);
    // 20 minutes behind the newest event: later than the 5-minute bound.
    expect(await e.process([write(10), write(11), write(12)])).toEqual([]);
    expect(e.lateEvents).toBe(3);
    expect(e.lateCounts).toBe(3);
    // Within the bound (4 minutes behind): counted.
    expect(await e.process([write(26), write(27), write(28)])).toHaveLength(1);
    expect(e.lateEvents).toBe(3);
  });

  it('skips judging an onlyIfRecalled observation when none of its keys holds a value', async () => {
    const judged: string[] = [];
    // Remembers the key of every IAM write; recalls it on every read. Its judge would fire on anything it
    // sees, so a finding for an unrecalled event would mean the engine judged it.
    const correlate = defineDetector({
      kind: 'stateful',
      id: 'test-correlate',
      title: 'Correlate',
      description: 'a read signed by a key that an IAM write used',
      severity: 'high',
      runbook: '1. Look.',
      needs: [{ source: '*', readOnly: true }],
      params: z.object({}),
      lookback: () => 0,
      observe: (event) =>
        event.readOnly
          ? { recall: [event.actor.key], onlyIfRecalled: true }
          : { remember: [{ key: event.actor.key, value: event.id, ttlMs: MINUTE }] },
      judge: (event, state) => {
        judged.push(event.id);
        return event.readOnly
          ? { severity: 'high', summary: `after ${state.recalled(event.actor.key)}`, principal: event.id }
          : undefined;
      },
    });
    const e = new DetectionEngine({
      detectors: [correlate] as Detector[],
      config: resolveConfig(buildConfigSchema([correlate as Detector]).parse({}), 'test'),
      state: new MemoryState(),
      now: T0,
    });
    const read = (id: string, principal: string, minute: number) =>
      syntheticEvent({
        id,
        time: T0 + minute * MINUTE,
        readOnly: true,
        actor: { type: 'IAMUser', key: principal },
      });
    const writeBy = (id: string, principal: string) =>
      syntheticEvent({ id, time: T0, actor: { type: 'IAMUser', key: principal } });
    // Nothing remembered yet: neither read is judged.
    expect(await e.process([read('r-0', 'alice', 0), read('r-1', 'bob', 0)])).toEqual([]);
    expect(judged).toEqual([]);
    await e.process([writeBy('w-alice', 'alice')]);
    // alice's key is remembered, bob's is not: only alice's read is judged, and it fires.
    const findings = await e.process([read('r-2', 'alice', 0), read('r-3', 'bob', 0)]);
    expect(judged).toEqual(['w-alice', 'r-2']);
    expect(findings.map((f) => f.summary)).toEqual(['after w-alice']);
  });
});

describe('prefetched recalls', () => {
  // Remembers where a key was handed out (`handout:<ip>` events) and recalls it on every call with the key.
  const handoff = defineDetector({
    kind: 'stateful',
    id: 'test-prefetch-handoff',
    title: 'Key used away from its handout',
    description: 'test',
    severity: 'high',
    runbook: '1. Look.',
    needs: [{ source: '*', readOnly: true }],
    params: z.object({}),
    lookback: () => 0,
    prefetch: (event) => event.credential.accessKeyId,
    observe(event) {
      const key = event.credential.accessKeyId as string;
      if (event.name.startsWith('handout:'))
        return { remember: [{ key, value: event.name.slice('handout:'.length), ttlMs: 3_600_000 }] };
      return { recall: [key] };
    },
    judge(event, state) {
      const from = state.recalled(event.credential.accessKeyId as string);
      if (from === undefined || from === event.sourceIp) return undefined;
      return {
        severity: 'high',
        summary: `used from ${event.sourceIp}, handed out to ${from}`,
        principal: 'p',
      };
    },
  });
  // Any detector that reads lineage turns the lineage lookup on, and with it the prefetch.
  const lineageReader = defineDetector({
    kind: 'event',
    id: 'test-lineage-reader',
    title: 'Reads lineage',
    description: 'test',
    severity: 'low',
    runbook: '1. Look.',
    needs: [{ source: 'sts.amazonaws.com' }],
    params: z.object({}),
    usesLineage: true,
    evaluate: () => undefined,
  });
  const detectors = [handoff, lineageReader] as Detector[];
  const call = (name: string, sourceIp: string, second: number) =>
    syntheticEvent({
      name,
      sourceIp,
      time: T0 + second * 1000,
      credential: { kind: 'temporary', accessKeyId: 'ASIAPREFETCHEXAMPLE1' },
    });

  it('sees what the same batch remembered, over a value fetched before the batch', async () => {
    const state = new MemoryState();
    const recalls: string[][] = [];
    const recall = state.recall.bind(state);
    state.recall = (keys) => {
      recalls.push([...keys]);
      return recall(keys);
    };
    const e = new DetectionEngine({
      detectors,
      config: resolveConfig(buildConfigSchema(detectors).parse({}), 'test'),
      state,
      now: T0,
    });
    expect(await e.process([call('handout:10.0.0.1', '10.0.0.1', 0)])).toEqual([]);
    // The prefetch reads 10.0.0.1; this batch hands the key to 10.0.0.2 first, then uses it from 10.0.0.1.
    recalls.length = 0;
    const findings = await e.process([call('handout:10.0.0.2', '10.0.0.2', 1), call('Use', '10.0.0.1', 2)]);
    expect(findings.map((f) => f.summary)).toEqual(['used from 10.0.0.1, handed out to 10.0.0.2']);
    // One round trip: the detector's recall rode along with lineage's.
    expect(recalls).toHaveLength(1);
    expect(recalls[0]).toContain('test-prefetch-handoff|ASIAPREFETCHEXAMPLE1');
  });
});

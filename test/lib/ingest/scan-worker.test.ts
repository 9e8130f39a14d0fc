import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { scanLogFile } from '../../../lib/ingest/scan-log-file.ts';
import { SCAN_IN_PLACE_BYTES, ScanWorker } from '../../../lib/ingest/scan-worker.ts';
import { record } from './helpers.ts';

/** A log file in memory that owns its memory, as zlib's output does. */
function logFile(count: number): Buffer {
  const records = Array.from({ length: count }, (_, i) => record(`id-${i}`, '2025-01-01T00:00:00Z'));
  const text = Buffer.from(JSON.stringify({ Records: records }));
  const owned = Buffer.allocUnsafeSlow(text.length);
  text.copy(owned);
  return owned;
}

let worker: ScanWorker | undefined;
afterEach(async () => {
  await worker?.close();
  worker = undefined;
});

describe('ScanWorker', () => {
  it('finds on its thread the layout scanLogFile finds, and hands the bytes back intact', async () => {
    worker = new ScanWorker();
    await worker.start();
    const bytes = logFile(1000);
    expect(bytes.length).toBeGreaterThan(SCAN_IN_PLACE_BYTES);
    const copy = Buffer.from(bytes);
    const scanned = await worker.scan(bytes);
    expect(scanned.ok).toBe(true);
    if (!scanned.ok) return;
    expect(scanned.layout).toEqual(scanLogFile(copy));
    expect(scanned.bytes.equals(copy)).toBe(true);
    // Transferred, not copied: the buffer sent no longer holds the bytes.
    expect(bytes.length).toBe(0);
  });

  it('answers files that are not log files without a layout', async () => {
    worker = new ScanWorker();
    await worker.start();
    const text = Buffer.from(JSON.stringify({ Records: [record('a')] }, null, 2).padEnd(100_000));
    const owned = Buffer.allocUnsafeSlow(text.length);
    text.copy(owned);
    const scanned = await worker.scan(owned);
    expect(scanned).toMatchObject({ ok: true, layout: undefined });
  });

  it("scans a small file in place, without moving its bytes (they may share Node's pool)", async () => {
    worker = new ScanWorker();
    const small = Buffer.from(JSON.stringify({ Records: [record('a')] }));
    expect(small.buffer.byteLength).toBeLessThanOrEqual(Buffer.poolSize);
    const scanned = await worker.scan(small);
    expect(scanned).toEqual({ ok: true, bytes: small, layout: scanLogFile(small) });
    expect(scanned.ok && scanned.layout).toBeTruthy();
    expect(JSON.parse(small.toString()).Records).toHaveLength(1);
  });

  it('scans in place a large buffer that does not start its memory, leaving it usable', async () => {
    worker = new ScanWorker();
    await worker.start();
    const whole = Buffer.concat([Buffer.from('xx'), logFile(1000)]);
    const view = whole.subarray(2);
    const scanned = await worker.scan(view);
    expect(scanned).toEqual({ ok: true, bytes: view, layout: scanLogFile(view) });
    expect(JSON.parse(view.toString()).Records).toHaveLength(1000);
  });

  it('scans in place while the thread is starting: a replay never waits for it', async () => {
    worker = new ScanWorker();
    const bytes = logFile(1000);
    const scanned = await worker.scan(bytes);
    expect(scanned).toEqual({ ok: true, bytes, layout: scanLogFile(bytes) });
    expect(bytes.length).toBeGreaterThan(0);
  });

  it('answers a scan in flight when the thread ends as lost, and scans later files in place', async () => {
    worker = new ScanWorker();
    await worker.start();
    const inFlight = worker.scan(logFile(50_000));
    await worker.close();
    expect(await inFlight).toEqual({ ok: false, reason: 'the scanning thread was closed' });
    const bytes = logFile(1000);
    expect(await worker.scan(bytes)).toEqual({ ok: true, bytes, layout: scanLogFile(bytes) });
  });

  it.each([
    ['after a reply', 'await w.start(); await w.scan(Buffer.allocUnsafeSlow(100000).fill(32));'],
    ['when started and never used', 'await w.start();'],
  ])('keeps the process alive while a reply is awaited, and not once idle (%s)', (_when, use) => {
    // In a child process: it prints only if the reply came, and exits only if the idle thread lets it.
    const url = new URL('../../../lib/ingest/scan-worker.ts', import.meta.url).href;
    const script = `const { ScanWorker } = await import(${JSON.stringify(url)}); const w = new ScanWorker(); ${use} console.log('done');`;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.stdout.trim()).toBe('done');
    expect(result.status).toBe(0);
  });
});

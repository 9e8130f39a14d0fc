import { spawn } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileOutbox, OutboxBusyError } from '../../../lib/alerts/file-outbox.ts';
import { describeOutboxContract, outboxFinding } from './outbox-contract.ts';

const T0 = Date.parse('2026-11-20T10:00:00Z');
const tempFile = async () => join(await mkdtemp(join(tmpdir(), 'tg-outbox-')), 'nested', 'outbox.jsonl');
const delivery = (n: number, sink = 'slack:#sec') => ({
  findingId: outboxFinding(n).id,
  sink,
  finding: outboxFinding(n),
});

describeOutboxContract('FileOutbox', async () => new FileOutbox(await tempFile()));

describe('FileOutbox', () => {
  it('keeps every change across processes: a new instance reads what the last one wrote', async () => {
    const path = await tempFile();
    const first = new FileOutbox(path);
    await first.record([delivery(1), delivery(2), delivery(3)], T0);
    await first.begin(delivery(1), T0, 60_000);
    await first.markSent(delivery(1), T0 + 1);
    await first.begin(delivery(2), T0, 60_000);
    await first.markFailed(delivery(2), 'HTTP 500', false, T0 + 2);
    // No close: as if the process died here. Its lock names a process that is still alive, this one.
    await expect(new FileOutbox(path).open()).rejects.toThrow(OutboxBusyError);
    await first.close();

    const second = new FileOutbox(path);
    expect((await second.pending(10)).map((p) => p.findingId)).toEqual([
      outboxFinding(2).id,
      outboxFinding(3).id,
    ]);
    // The lease of a dead run is void: holding the lock, nobody else can be sending.
    expect(await second.begin(delivery(2), T0 + 3, 60_000)).toEqual({ attempts: 2 });
    await second.record([delivery(1)], T0 + 4);
    expect(await second.countPending()).toBe(2);
    await second.close();
  });

  it('ignores a torn last line and rewrites the file without it', async () => {
    const path = await tempFile();
    const outbox = new FileOutbox(path);
    await outbox.record([delivery(1), delivery(2)], T0);
    await outbox.close();
    await appendFile(path, '{"findingId":"tg-000000000000000000');
    const reopened = new FileOutbox(path);
    await reopened.open();
    expect(reopened.skippedLines).toBe(1);
    expect(await reopened.countPending()).toBe(2);
    await reopened.close();
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).findingId)).toEqual([outboxFinding(1).id, outboxFinding(2).id]);
  });

  it('compacts superseded lines and forgets deliveries done before the retention', async () => {
    const path = await tempFile();
    let now = T0;
    const outbox = new FileOutbox(path, { retentionMs: 86_400_000, now: () => now });
    for (let n = 0; n < 150; n++) {
      await outbox.record([delivery(n)], T0);
      await outbox.begin(delivery(n), T0, 1);
      await outbox.markSent(delivery(n), T0);
    }
    await outbox.record([delivery(999)], T0);
    await outbox.close();
    const before = (await readFile(path, 'utf8')).trim().split('\n').length;
    expect(before).toBe(451);
    now = T0 + 2 * 86_400_000;
    const reopened = new FileOutbox(path, { retentionMs: 86_400_000, now: () => now });
    expect(await reopened.countPending()).toBe(1);
    await reopened.close();
    const after = (await readFile(path, 'utf8')).trim().split('\n');
    expect(after).toHaveLength(1);
    expect(JSON.parse(after[0] as string).findingId).toBe(outboxFinding(999).id);
    expect((await stat(path)).size).toBeGreaterThan(0);
  });

  it('takes over the lock of a process that is gone', async () => {
    const path = await tempFile();
    await mkdir(dirname(path), { recursive: true });
    const child = spawn(process.execPath, ['-e', '']);
    const pid = await new Promise<number>((resolve) => child.on('exit', () => resolve(child.pid as number)));
    await writeFile(`${path}.lock`, `${pid}\n`);
    const outbox = new FileOutbox(path);
    await outbox.record([delivery(1)], T0);
    expect(await outbox.countPending()).toBe(1);
    await outbox.close();
    await expect(stat(`${path}.lock`)).rejects.toThrow();
  });
});

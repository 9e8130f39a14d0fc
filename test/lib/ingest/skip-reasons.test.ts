import { describe, expect, it } from 'vitest';
import { unwrapValue } from '../../../lib/ingest/unwrap.ts';

/** A skip reason is printed on stderr and grouped in the summary: input text in it stays short. */
describe('skip reasons quote hostile input briefly', () => {
  const huge = `${'k'.repeat(5 * 1024 * 1024)}`;

  it('cuts a multi-megabyte key of a record that is not CloudTrail', () => {
    const [skip] = unwrapValue({ [huge]: 1, other: 2 });
    expect(skip).toMatchObject({ kind: 'skip' });
    const reason = skip?.kind === 'skip' ? skip.reason : '';
    expect(reason.length).toBeLessThan(200);
    expect(reason).toBe(`not a CloudTrail record (keys: ${'k'.repeat(64)}…, other)`);
  });

  it('cuts a multi-megabyte detail-type of an EventBridge event without detail', () => {
    const [skip] = unwrapValue({ 'detail-type': huge });
    const reason = skip?.kind === 'skip' ? skip.reason : '';
    expect(reason).toBe(`EventBridge event "${'k'.repeat(64)}…" without a detail object (undefined)`);
  });
});

import { describe, expect, it } from 'vitest';
import { skipReasonClass } from '../../../lib/ingest/skip-class.ts';

describe('skipReasonClass', () => {
  it.each([
    ['Records[12]: not JSON: Unexpected token t', 'not JSON'],
    ['line 3: not JSON: Unexpected end of JSON input', 'not JSON'],
    ['line 3: Records[0]: not a JSON object (number)', 'not a JSON object (number)'],
    ['logEvents[2].message: not JSON: x', 'not JSON'],
    ['not JSON: Unexpected token', 'not JSON'],
    ['empty file', 'empty file'],
    ['cannot read: EACCES: permission denied', 'cannot read'],
    ['file too large (600 MiB; the cap is 512 MiB)', 'file too large (600 MiB; the cap is 512 MiB)'],
  ])('%s → %s', (reason, expected) => {
    expect(skipReasonClass(reason)).toBe(expected);
  });
});

import { describe, expect, it } from 'vitest';
import { retryUnprocessed } from '../../../lib/state/dynamodb-context.ts';

describe('retryUnprocessed', () => {
  it('sends what DynamoDB left unprocessed again until nothing is left', async () => {
    const sent: string[][] = [];
    await retryUnprocessed(
      ['a', 'b', 'c'],
      async (keys) => {
        sent.push(keys);
        // Like a throttled BatchGetItem: each call processes only the first key.
        return keys.length > 1 ? keys.slice(1) : undefined;
      },
      'recall',
    );
    expect(sent).toEqual([['a', 'b', 'c'], ['b', 'c'], ['c']]);
  });

  it('gives up, naming what it was doing, when items stay unprocessed', async () => {
    let calls = 0;
    const never = retryUnprocessed(
      ['a'],
      async (keys) => {
        calls++;
        return keys;
      },
      'remember in t',
    );
    await expect(never).rejects.toThrow('remember in t: items still unprocessed after 8 attempts');
    expect(calls).toBe(8);
  }, 20_000);
});

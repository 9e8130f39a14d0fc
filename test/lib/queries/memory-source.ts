import { normalizeRecord } from '../../../lib/events/normalize.ts';
import type { EventSource, Observation } from '../../../lib/queries/query-types.ts';
import type { CloudTrailRecord } from '../../helpers/trail-records.ts';

/** Records in the order given (as a delivery order would be), one observation per valid record. */
export function memorySource(
  records: readonly CloudTrailRecord[],
  rereadable = true,
): EventSource & { passes: number } {
  const source = {
    rereadable,
    passes: 0,
    async scan(_query: unknown, sink: (observation: Observation) => void) {
      source.passes++;
      for (const record of records) {
        const result = normalizeRecord(record);
        if (result.ok)
          sink({ event: result.event, count: 1, first: result.event.time, last: result.event.time });
      }
    },
  };
  return source;
}

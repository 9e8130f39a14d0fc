import { BoundedSet, compositeKey, isoTime, type TimeSpan, widen } from './cells.ts';
import { IDENTITY_FIELDS, statsQuery } from './insights-text.ts';
import type { Aggregation, Column, Observation, QueryDefinition, Row } from './query-types.ts';
import { runOnePass } from './query-types.ts';
import { renderGenericTable } from './render-rows.ts';

/**
 * `query keys`: long-lived access keys in use (`credential.kind === 'long-lived'`: an `AKIA…` key outside
 * the console), one row per principal and key: calls, denials, first and last use, user agents and source
 * IPs. Answers "how many of our pipelines still use long-lived keys?".
 */

export type KeysParams = Record<string, never>;

const COLUMNS: readonly Column[] = [
  { key: 'principal', header: 'PRINCIPAL', width: 60 },
  { key: 'accessKeyId', header: 'ACCESS KEY' },
  { key: 'calls', header: 'CALLS' },
  { key: 'denied', header: 'DENIED' },
  { key: 'firstUsed', header: 'FIRST USED' },
  { key: 'lastUsed', header: 'LAST USED' },
  { key: 'userAgents', header: 'USER AGENTS', width: 60 },
  { key: 'sourceIps', header: 'SOURCE IPS', width: 40 },
];

interface KeyStats extends TimeSpan {
  principal: string;
  accessKeyId: string;
  calls: number;
  denied: number;
  userAgents: BoundedSet;
  sourceIps: BoundedSet;
}

class KeysAggregation implements Aggregation {
  readonly #keys = new Map<string, KeyStats>();

  add({ event, count, first, last }: Observation): void {
    const { kind, accessKeyId } = event.credential;
    if (kind !== 'long-lived' || accessKeyId === undefined) return;
    const key = compositeKey(event.actor.key, accessKeyId);
    let stats = this.#keys.get(key);
    if (stats === undefined) {
      stats = {
        principal: event.actor.key,
        accessKeyId,
        calls: 0,
        denied: 0,
        first,
        last,
        userAgents: new BoundedSet(),
        sourceIps: new BoundedSet(),
      };
      this.#keys.set(key, stats);
    }
    stats.calls += count;
    if (event.outcome === 'denied') stats.denied += count;
    stats.userAgents.add(event.userAgent);
    stats.sourceIps.add(event.sourceIp);
    widen(stats, first, last);
  }

  rows(): Row[] {
    return [...this.#keys.values()]
      .sort((a, b) => b.last - a.last || a.principal.localeCompare(b.principal))
      .map((s) => ({
        principal: s.principal,
        accessKeyId: s.accessKeyId,
        calls: s.calls,
        denied: s.denied,
        firstUsed: isoTime(s.first),
        lastUsed: isoTime(s.last),
        userAgents: s.userAgents.list(),
        sourceIps: s.sourceIps.list(),
      }));
  }
}

export const keysQuery: QueryDefinition<KeysParams> = {
  name: 'keys',
  description: 'long-lived access keys in use: principal, key id, calls, last used, user agents, source IPs',
  columns: COLUMNS,
  insights: () => ({
    shape: 'groups',
    text: statsQuery({
      // A constant pattern (no user text): the key-prefix test of lib/identity/credential.ts.
      filter: 'userIdentity.accessKeyId like /^AKIA/',
      groupBy: [
        ...IDENTITY_FIELDS,
        'userIdentity.accessKeyId',
        'sessionCredentialFromConsole',
        'eventType',
        'errorCode',
        'userAgent',
        'sourceIPAddress',
      ],
    }),
  }),
  async run(params, context, source) {
    return runOnePass(source, keysQuery.insights(params, context), new KeysAggregation());
  },
  table(rows, columns) {
    if (rows.length === 0) return 'No long-lived access keys in use.';
    const principals = new Set(rows.map((r) => r.principal)).size;
    const keys = new Set(rows.map((r) => r.accessKeyId)).size;
    return `${renderGenericTable(columns, rows)}\n\n${keys} long-lived key${keys === 1 ? '' : 's'} used by ${principals} principal${principals === 1 ? '' : 's'}.`;
  },
};

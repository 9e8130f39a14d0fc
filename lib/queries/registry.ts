import { deniedQuery } from './denied-query.ts';
import { findingsQuery, type StateQueryDefinition } from './findings-query.ts';
import { iamWritesQuery } from './iam-writes-query.ts';
import { keysQuery } from './keys-query.ts';
import { oidcQuery } from './oidc-query.ts';
import { principalQuery } from './principal-query.ts';
import type { QueryDefinition } from './query-types.ts';
import { sessionQuery } from './session-query.ts';

/**
 * Every canned query, in the order `trailguard query --help` lists them. Each is defined once (an
 * aggregation plus its Logs Insights text) and runs over local files or a log group alike; `findings`
 * alone reads the alert history from the DynamoDB state table.
 */
export const QUERIES = [
  sessionQuery,
  principalQuery,
  deniedQuery,
  oidcQuery,
  iamWritesQuery,
  keysQuery,
  findingsQuery,
] as const satisfies readonly (QueryDefinition<never> | StateQueryDefinition)[];

import * as z from 'zod';
import { durationSchema, formatDuration } from '../lib/config/duration.ts';
import { defineDetector } from '../lib/engine/detector.ts';
import type { FindingDraft } from '../lib/engine/finding.ts';
import {
  burstCooldown,
  entriesInWindow,
  facetText,
  summarizeWindow,
  topFacetValues,
} from '../lib/engine/window-evidence.ts';
import type { Chain } from '../lib/events/chain.ts';
import type { NormalizedEvent } from '../lib/events/normalized-event.ts';
import { compileGlob, type Glob, matchesAny } from '../lib/glob/glob.ts';
import type { Inventory, Pipeline } from '../lib/inventory/inventory.ts';
import { chainText, pipelineBehind, principalKeyOf } from '../lib/lineage/chain-principals.ts';
import type { CounterEntry } from '../lib/state/state-port.ts';

const IAM_SOURCE = 'iam.amazonaws.com';
const CLOUDFORMATION = 'cloudformation.amazonaws.com';
const IAM_SUFFIX = ':iam';

const paramsSchema = z.object({
  window: durationSchema.prefault('1h').meta({
    description: 'Sliding window the budget applies to (a pipeline’s `limits.window` overrides it).',
  }),
  maxChanges: z.number().int().positive().default(10).meta({
    description:
      'Management writes (attempts, denied ones included) an agent may make per window; one more raises a finding. A pipeline’s `limits.maxChanges` overrides it.',
  }),
  maxIamChanges: z.number().int().positive().optional().meta({
    description:
      'A stricter budget for IAM writes, counted separately (unset: none). A pipeline’s `limits.maxIamChanges` overrides it.',
  }),
  userAgents: z.array(z.string().min(1)).default([]).meta({
    description:
      'Globs over the user agent (case-insensitive) that mark a session as an agent even without an inventory entry. Self-declared by the client: a budget for cooperative agents, not a boundary.',
  }),
  sourceIdentities: z.array(z.string().min(1)).default([]).meta({
    description:
      'Globs over the session’s sourceIdentity that mark it as an agent. sourceIdentity is set when the role is assumed and survives role chaining, unlike the session name.',
  }),
});

type Params = z.output<typeof paramsSchema>;

/** An agent principal and the budget that applies to it. */
interface Agent {
  pipeline?: Pipeline;
  recognisedBy: 'inventory' | 'userAgent' | 'sourceIdentity';
  window: number;
  maxChanges: number;
  maxIamChanges?: number;
}

interface Matchers {
  userAgents: readonly Glob[];
  sourceIdentities: readonly Glob[];
}

// Params and the inventory live as long as the config: compile globs and scan pipelines once, not per event.
const matchersByParams = new WeakMap<Params, Matchers>();
const hasAgentPipeline = new WeakMap<Inventory, boolean>();

function matchersOf(params: Params): Matchers {
  let matchers = matchersByParams.get(params);
  if (!matchers) {
    matchers = {
      userAgents: params.userAgents.map((pattern) => compileGlob(pattern.toLowerCase())),
      sourceIdentities: params.sourceIdentities.map(compileGlob),
    };
    matchersByParams.set(params, matchers);
  }
  return matchers;
}

function agentPipelinesIn(inventory: Inventory): boolean {
  let found = hasAgentPipeline.get(inventory);
  if (found === undefined) {
    found = inventory.pipelines.some((pipeline) => pipeline.kind === 'agent');
    hasAgentPipeline.set(inventory, found);
  }
  return found;
}

/**
 * What counts: a management write the principal chose to make. Calls an AWS service makes with the
 * principal's credentials (CloudFormation creating a stack's resources, invokedBy / a service source
 * address) are consequences of one change the agent already spent budget on, not further changes.
 */
function countable(event: NormalizedEvent): boolean {
  return (
    !event.readOnly &&
    event.management &&
    event.invokedBy === undefined &&
    !event.viaAwsService &&
    event.actor.type !== 'AWSService'
  );
}

function inventoryAgent(pipeline: Pipeline, params: Params): Agent {
  const limits = pipeline.limits ?? {};
  return {
    pipeline,
    recognisedBy: 'inventory',
    window: limits.window ?? params.window,
    maxChanges: limits.maxChanges ?? params.maxChanges,
    maxIamChanges: limits.maxIamChanges ?? params.maxIamChanges,
  };
}

function agentOf(event: NormalizedEvent, inventory: Inventory, params: Params): Agent | undefined {
  const matchers = matchersOf(params);
  const inventoried = agentPipelinesIn(inventory);
  if (!inventoried && matchers.userAgents.length === 0 && matchers.sourceIdentities.length === 0)
    return undefined;
  const defaults = {
    window: params.window,
    maxChanges: params.maxChanges,
    maxIamChanges: params.maxIamChanges,
  };
  if (inventoried) {
    const pipeline = inventory.findByRole(event.actor.role);
    if (pipeline?.kind === 'agent') return inventoryAgent(pipeline, params);
  }
  const agent = event.userAgent;
  if (
    agent !== undefined &&
    matchers.userAgents.length > 0 &&
    matchesAny(matchers.userAgents, agent.toLowerCase())
  )
    return { recognisedBy: 'userAgent', ...defaults };
  const source = event.actor.sourceIdentity;
  if (source !== undefined && matchesAny(matchers.sourceIdentities, source))
    return { recognisedBy: 'sourceIdentity', ...defaults };
  return undefined;
}

/** A budget a write counts against: the agent and the key its writes count under. */
interface Charge {
  agent: Agent;
  key: string;
  /** Set when the write counts through lineage: the chain from the agent to the signer. */
  chain?: Chain;
  /** Counts toward the IAM budget only (an IAM write CloudFormation made for the agent's stack). */
  iamOnly?: boolean;
}

/**
 * An IAM write CloudFormation made for a stack operation of the agent's, with the agent's own credentials
 * or a stack's service role: the stack operation already spent one change of the overall budget, but each
 * role, user or policy it creates spends the stricter IAM budget, whichever way the stack was deployed (so
 * deploying through a service role, or without one, changes nothing).
 */
function isStackIamWrite(event: NormalizedEvent, agent: Agent): boolean {
  return (
    agent.maxIamChanges !== undefined &&
    event.source === IAM_SOURCE &&
    !event.readOnly &&
    event.invokedBy === CLOUDFORMATION
  );
}

/**
 * The budgets a write counts against, each key once: its signer's when the signer is an agent, and the
 * agent behind each chain of its lineage when that agent is not the signer (the first inventory pipeline
 * from the origin outwards, so a platform or service pipeline going through the same deploy or exec role
 * is never charged to an agent). Undefined (nothing allocated) for the writes of no agent: nearly all.
 */
function chargesOf(event: NormalizedEvent, inventory: Inventory, params: Params): Charge[] | undefined {
  let charges: Charge[] | undefined;
  const counted = countable(event);
  const stackWrite = !counted && event.invokedBy === CLOUDFORMATION;
  const direct = counted || stackWrite ? agentOf(event, inventory, params) : undefined;
  if (direct !== undefined && (counted || isStackIamWrite(event, direct)))
    charges = [{ agent: direct, key: principalKeyOf(event), iamOnly: stackWrite }];
  const lineage = event.lineage;
  if (lineage === undefined || event.readOnly || !event.management || !agentPipelinesIn(inventory))
    return charges;
  for (let c = 0; c < lineage.length; c++) {
    const chain = lineage[c] as Chain;
    const behind = pipelineBehind(chain, inventory);
    // Not indirect: the agent signed the call itself, and the direct charge covers it.
    if (behind?.pipeline.kind !== 'agent' || !behind.indirect) continue;
    if (charges?.some((charge) => charge.key === behind.role)) continue;
    const agent = inventoryAgent(behind.pipeline, params);
    // A chained session's own writes count like the agent's; CloudFormation's (through a stack's service
    // role, or the chained session's own credentials) count as the agent's own stack writes do.
    const viaStack = event.invokedBy === CLOUDFORMATION;
    if (viaStack ? !isStackIamWrite(event, agent) : !counted) continue;
    charges ??= [];
    charges.push({ agent, key: behind.role, chain, iamOnly: viaStack });
  }
  return charges;
}

/** How many entries of the window came through a chain, and the commonest chains. */
function chainsIn(window: readonly CounterEntry[]): {
  count: number;
  top: ReturnType<typeof topFacetValues>;
} {
  let count = 0;
  for (const entry of window) if (entry.facets?.chain !== undefined) count++;
  return { count, top: count > 0 ? topFacetValues(window, 'chain', 3) : [] };
}

function draftFor(
  event: NormalizedEvent,
  charge: Charge,
  window: readonly CounterEntry[],
  iam: boolean,
  changes: number,
): FindingDraft {
  const { agent, key } = charge;
  // The signer's ARN as the record gave it for its own writes; the agent's role for a chained one.
  const principal = charge.chain === undefined ? event.actor.key : key;
  const budget = iam ? (agent.maxIamChanges as number) : agent.maxChanges;
  const summary = summarizeWindow(window);
  const name = agent.pipeline
    ? `${agent.pipeline.name}${agent.pipeline.environment ? `/${agent.pipeline.environment}` : ''} (${principal})`
    : principal;
  const what = iam ? 'IAM changes' : 'changes';
  const outcomes = topFacetValues(window, 'outcome', 3);
  const chains = chainsIn(window);
  const through = chains.top[0]
    ? `, ${chains.count} through ${chains.top[0].value}${chains.top.length > 1 ? ' and others' : ''}`
    : '';
  return {
    severity: 'high',
    title: iam ? 'Agent exceeded its IAM change budget' : 'Agent exceeded its change budget',
    summary: `Agent ${name} made ${summary.count} ${what} in ${formatDuration(agent.window)} (budget ${budget})${through}`,
    principal,
    pipeline: agent.pipeline?.name,
    environment: agent.pipeline?.environment,
    key: iam ? `${key}${IAM_SUFFIX}` : key,
    cooldownMs: burstCooldown(agent.window),
    count: summary.count,
    firstSeen: summary.firstSeen,
    lastSeen: summary.lastSeen,
    eventIds: summary.eventIds,
    details: {
      budget: iam ? 'iam' : 'changes',
      limit: budget,
      window: formatDuration(agent.window),
      // All management writes in the window, IAM ones included (equals count for the changes budget).
      changes,
      recognisedBy: agent.recognisedBy,
      actions: topFacetValues(window, 'action'),
      denied: outcomes.find((o) => o.value === 'denied')?.count ?? 0,
      sessions: topFacetValues(window, 'session', 3),
      accessKeys: topFacetValues(window, 'accessKeyId', 3),
      // Writes of chained sessions and of stacks deployed through a service role, by chain.
      ...(chains.count > 0 ? { chained: chains.count, chains: chains.top } : {}),
    },
  };
}

export const agentChangeRate = defineDetector({
  kind: 'stateful',
  id: 'agent-change-rate',
  title: 'Agent exceeded its change budget',
  description:
    "An AI agent principal (an inventory pipeline of kind agent, or a session recognised by `userAgents` / `sourceIdentities`) made more management writes within `window` than its budget, `maxChanges` (and `maxIamChanges` for IAM writes, when set). Attempts count, denied ones included; reads, data events and calls AWS services make on its behalf do not, except that the IAM budget counts each IAM write CloudFormation makes for the agent's stack operations (with its credentials or a stack's service role). An inventory agent's budget also counts the writes of sessions it chained into (AssumeRole, any number of hops).",
  severity: 'high',
  runbook: [
    "1. Stop the agent: pause its job, or revoke the role's active sessions (and those of every role in details.chains: sessions it already assumed outlive its own); an agent over budget keeps going until stopped.",
    '2. Trace what it changed: `trailguard query principal <principal> SOURCE --since <firstSeen>`, or one run with `trailguard query session --finding <id> SOURCE` (`--access-key-id <details.accessKeys[0].value>`); details.actions shows the mix, details.sessions the runs, details.chains the roles and stacks it went through.',
    '3. Check each write against the task the agent was given (a loop retrying one call, or changes outside its task) and revert what should not have happened.',
    '4. IAM budget (details.budget "iam"): `trailguard query iam-writes SOURCE --since <firstSeen>` lists every role, policy and key it created or changed; review them all before resuming the agent.',
    "5. If the volume was intended, raise the pipeline's `limits` in the inventory rather than disabling the detector.",
  ].join('\n'),
  needs: [{ source: '*' }],
  params: paramsSchema,
  lookback({ inventory, params }) {
    let longest = params.window;
    for (const pipeline of inventory.pipelines) {
      const window = pipeline.kind === 'agent' ? pipeline.limits?.window : undefined;
      if (window !== undefined && window > longest) longest = window;
    }
    return longest;
  },
  usesLineage: true,
  // Only an inventory agent is charged through lineage, and only for writes it could be charged for.
  readsLineage: (event, { inventory }) =>
    !event.readOnly &&
    event.management &&
    agentPipelinesIn(inventory) &&
    (countable(event) || event.invokedBy === CLOUDFORMATION),
  observe(event, { inventory, params }) {
    const charges = chargesOf(event, inventory, params);
    if (charges === undefined) return undefined;
    const facets: Record<string, string> = { action: facetText(event.action), outcome: event.outcome };
    if (event.actor.sessionName) facets.session = facetText(event.actor.sessionName);
    if (event.credential.accessKeyId) facets.accessKeyId = facetText(event.credential.accessKeyId);
    const count: { key: string; facets: Record<string, string> }[] = [];
    for (const { agent, key, chain, iamOnly } of charges) {
      // Chains are long (subjects, CDK role names): a wider bound than other facets, on chained entries only.
      const own = chain === undefined ? facets : { ...facets, chain: facetText(chainText(chain), 300) };
      if (!iamOnly) count.push({ key, facets: own });
      if (agent.maxIamChanges !== undefined && event.source === IAM_SOURCE)
        count.push({ key: `${key}${IAM_SUFFIX}`, facets: own });
    }
    return { count };
  },
  judge(event, state, { inventory, params }) {
    const charges = chargesOf(event, inventory, params);
    if (charges === undefined) return undefined;
    const end = { time: event.time, eventId: event.id };
    // One draft per event. Of the budgets it exceeds, report the one crossed most recently (the smallest
    // excess; IAM before the overall budget and the signer's before a chained agent's on a tie), so a
    // budget crossed after another still raises its own finding; repeats of the older one would fold into
    // its cooldown anyway. Both crossed by the same IAM write: the IAM finding, whose details carry the
    // overall count.
    let best: { excess: number; draft: () => FindingDraft } | undefined;
    for (const charge of charges) {
      const { agent, key } = charge;
      const all = entriesInWindow(state.entries(key), end, agent.window);
      const candidates: { excess: number; window: CounterEntry[]; iam: boolean }[] = [];
      if (agent.maxIamChanges !== undefined && event.source === IAM_SOURCE) {
        const iam = entriesInWindow(state.entries(`${key}${IAM_SUFFIX}`), end, agent.window);
        candidates.push({ excess: iam.length - agent.maxIamChanges, window: iam, iam: true });
      }
      if (!charge.iamOnly)
        candidates.push({ excess: all.length - agent.maxChanges, window: all, iam: false });
      for (const { excess, window, iam } of candidates) {
        if (excess > 0 && (best === undefined || excess < best.excess))
          best = { excess, draft: () => draftFor(event, charge, window, iam, all.length) };
      }
    }
    return best?.draft();
  },
});

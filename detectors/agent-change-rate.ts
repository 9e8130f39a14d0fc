import * as z from 'zod';
import { durationSchema, formatDuration } from '../lib/config/duration.ts';
import { compileGlob, type Glob, matchesAny } from '../lib/config/glob.ts';
import type { Inventory, Pipeline, ResolvedConfig } from '../lib/config/resolved-config.ts';
import { defineDetector } from '../lib/engine/detector.ts';
import type { FindingDraft } from '../lib/engine/finding.ts';
import {
  burstCooldown,
  entriesInWindow,
  facetText,
  summarizeWindow,
  topFacetValues,
} from '../lib/engine/window-evidence.ts';
import type { NormalizedEvent } from '../lib/events/normalized-event.ts';
import type { CounterEntry } from '../lib/state/state-port.ts';

const IAM_SOURCE = 'iam.amazonaws.com';
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

function agentOf(event: NormalizedEvent, config: ResolvedConfig, params: Params): Agent | undefined {
  const matchers = matchersOf(params);
  const inventoried = agentPipelinesIn(config.inventory);
  if (!inventoried && matchers.userAgents.length === 0 && matchers.sourceIdentities.length === 0)
    return undefined;
  const defaults = {
    window: params.window,
    maxChanges: params.maxChanges,
    maxIamChanges: params.maxIamChanges,
  };
  if (inventoried) {
    const pipeline = config.inventory.findByRole(event.actor.role);
    if (pipeline?.kind === 'agent') {
      const limits = pipeline.limits ?? {};
      return {
        pipeline,
        recognisedBy: 'inventory',
        window: limits.window ?? defaults.window,
        maxChanges: limits.maxChanges ?? defaults.maxChanges,
        maxIamChanges: limits.maxIamChanges ?? defaults.maxIamChanges,
      };
    }
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

function draftFor(
  event: NormalizedEvent,
  agent: Agent,
  window: readonly CounterEntry[],
  iam: boolean,
  changes: number,
): FindingDraft {
  const principal = event.actor.key;
  const budget = iam ? (agent.maxIamChanges as number) : agent.maxChanges;
  const summary = summarizeWindow(window);
  const name = agent.pipeline
    ? `${agent.pipeline.name}${agent.pipeline.environment ? `/${agent.pipeline.environment}` : ''} (${principal})`
    : principal;
  const what = iam ? 'IAM changes' : 'changes';
  const outcomes = topFacetValues(window, 'outcome', 3);
  return {
    severity: 'high',
    title: iam ? 'Agent exceeded its IAM change budget' : 'Agent exceeded its change budget',
    summary: `Agent ${name} made ${summary.count} ${what} in ${formatDuration(agent.window)} (budget ${budget})`,
    principal,
    pipeline: agent.pipeline?.name,
    environment: agent.pipeline?.environment,
    key: iam ? `${principal}${IAM_SUFFIX}` : principal,
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
    },
  };
}

export const agentChangeRate = defineDetector({
  kind: 'stateful',
  id: 'agent-change-rate',
  title: 'Agent exceeded its change budget',
  description:
    'An AI agent principal (an inventory pipeline of kind agent, or a session recognised by `userAgents` / `sourceIdentities`) made more management writes within `window` than its budget, `maxChanges` (and `maxIamChanges` for IAM writes, when set). Attempts count, denied ones included; reads, data events and calls AWS services make on its behalf do not.',
  severity: 'high',
  runbook: [
    "1. Stop the agent: pause its job, or revoke the role's active sessions; an agent over budget keeps going until stopped.",
    '2. Trace what it changed: `trailguard query principal <principal> SOURCE --since <firstSeen>`, or one run with `trailguard query session --finding <id> SOURCE` (`--access-key-id <details.accessKeys[0].value>`); details.actions shows the mix, details.sessions the runs.',
    '3. Check each write against the task the agent was given (a loop retrying one call, or changes outside its task) and revert what should not have happened.',
    '4. IAM budget (details.budget "iam"): `trailguard query iam-writes SOURCE --since <firstSeen>` lists every role, policy and key it created or changed; review them all before resuming the agent.',
    "5. If the volume was intended, raise the pipeline's `limits` in the inventory rather than disabling the detector.",
  ].join('\n'),
  needs: [{ source: '*' }],
  params: paramsSchema,
  lookback({ config, params }) {
    let longest = params.window;
    for (const pipeline of config.inventory.pipelines) {
      const window = pipeline.kind === 'agent' ? pipeline.limits?.window : undefined;
      if (window !== undefined && window > longest) longest = window;
    }
    return longest;
  },
  observe(event, { config, params }) {
    if (!countable(event)) return undefined;
    const agent = agentOf(event, config, params);
    if (!agent) return undefined;
    const facets: Record<string, string> = { action: facetText(event.action), outcome: event.outcome };
    if (event.actor.sessionName) facets.session = facetText(event.actor.sessionName);
    if (event.credential.accessKeyId) facets.accessKeyId = facetText(event.credential.accessKeyId);
    const principal = event.actor.key;
    const count = [{ key: principal, facets }];
    if (agent.maxIamChanges !== undefined && event.source === IAM_SOURCE)
      count.push({ key: `${principal}${IAM_SUFFIX}`, facets });
    return { count };
  },
  judge(event, state, { config, params }) {
    const agent = agentOf(event, config, params);
    if (!agent) return undefined;
    const principal = event.actor.key;
    const end = { time: event.time, eventId: event.id };
    const all = entriesInWindow(state.entries(principal), end, agent.window);
    const overBy = all.length - agent.maxChanges;
    let iam: CounterEntry[] | undefined;
    if (agent.maxIamChanges !== undefined && event.source === IAM_SOURCE) {
      const entries = entriesInWindow(state.entries(`${principal}${IAM_SUFFIX}`), end, agent.window);
      if (entries.length > agent.maxIamChanges) iam = entries;
    }
    // One draft per event. When both budgets are exceeded, report the one crossed more recently (the
    // smaller excess; IAM on a tie), so a budget crossed after the other still raises its own finding;
    // repeats of the older one would fold into its cooldown anyway. Both crossed by the same IAM write:
    // the IAM finding, whose details carry the overall count.
    if (iam && (overBy <= 0 || iam.length - (agent.maxIamChanges as number) <= overBy))
      return draftFor(event, agent, iam, true, all.length);
    return overBy > 0 ? draftFor(event, agent, all, false, all.length) : undefined;
  },
});

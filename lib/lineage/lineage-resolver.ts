import type { Chain } from '../events/chain.ts';
import { normalizeRecord } from '../events/normalize.ts';
import type { NormalizedEvent } from '../events/normalized-event.ts';
import type { CounterEntry, MemoryEntry, StatePort } from '../state/state-port.ts';
import {
  type Assumption,
  assumptionOf,
  callerAsOrigin,
  chainFromCaller,
  hopOf,
  isAssumption,
} from './assumption.ts';
import { chainRank, extendChain } from './chain.ts';
import {
  linkKey,
  parkedFlagKey,
  parkedKey,
  parkedStackKey,
  readChain,
  readOperation,
  readRecord,
  recordKey,
  type StoredOperation,
  stackOpKey,
  stackOpsKey,
  stackRoleKey,
} from './lineage-keys.ts';
import {
  CLOUDFORMATION,
  isCloudFormationCall,
  isNamedStack,
  regionMatches,
  type StackOperationCall,
  stackNamedBy,
  stackOperationOf,
} from './stack-operation.ts';

/** What the detectors ask of lineage, event by event (the engine answers from the detectors routed to it). */
export interface LineageDemand {
  /** A detector reads this event's lineage: only such events' keys are looked up. */
  needs(event: NormalizedEvent): boolean;
  /** A detector would judge this event differently once its lineage is known: kept until it is. */
  wants(event: NormalizedEvent): boolean;
}

/** Keys other than lineage's to fetch in lineage's round trip; `found` gets the values the store had. */
export interface Prefetch {
  readonly keys: ReadonlySet<string>;
  readonly found: Map<string, MemoryEntry>;
}

export interface LineageSettings {
  /** `engine.lateness`: a call whose link arrives later than this behind the newest event is not judged again. */
  lateness: number;
  /** How long after a stack operation starts its service role's writes are attributed to it. */
  stackWindow: number;
}

/** Assumptions and the calls they link may carry clocks a little apart. */
const CLOCK_SKEW_MS = 5 * 60_000;
/** How long a stack's service role is remembered after an operation names it. */
const STACK_ROLE_TTL_MS = 30 * 86_400_000;
/** Records larger than this are not parked (a DynamoDB item holds 400 KB, with room for its keys). */
const MAX_PARKED_RECORD_CHARS = 300_000;

const SERVICE_CLOUDFORMATION = `service:${CLOUDFORMATION}`;

/** The session key that signed a call, when it is an STS session key. */
function sessionKeyOf(event: NormalizedEvent): string | undefined {
  const key = event.credential.accessKeyId;
  return key?.startsWith('ASIA') ? key : undefined;
}

/**
 * Resolves the lineage of each event of a batch, through the state port, and keeps what later batches
 * need. The engine calls it before any detector sees the batch:
 *
 * 1. Every successful `AssumeRole*` links the key it issued to its caller's chain plus one hop; a link
 *    replaces an existing one only when it knows more (`chainRank`).
 * 2. Every stack operation with a service role is recorded against that role; the role's later writes
 *    made by CloudFormation get the chain of each operation that may have made them.
 * 3. Each event gets `lineage` from its signing key's link (and stack operations).
 * 4. An event whose link (or stack operation) is not known yet, and that a detector would judge
 *    differently with it (`wantsLineage`), is parked; when the link arrives, parked events not older than
 *    `lateness` behind the newest event are returned to be judged again.
 *
 * Every write is idempotent (links by key, entries by event id), so redelivered and re-judged events change
 * nothing.
 */
export class LineageResolver {
  readonly #state: StatePort;
  readonly #settings: LineageSettings;

  constructor(state: StatePort, settings: LineageSettings) {
    this.#state = state;
    this.#settings = settings;
  }

  /**
   * Sets `lineage` on the events that have one, parks those that wait for theirs, and returns parked
   * events (of earlier batches) whose link this batch brought: the caller judges them again.
   */
  async resolve(
    events: readonly NormalizedEvent[],
    newest: number,
    demand: LineageDemand,
    prefetch?: Prefetch,
  ): Promise<NormalizedEvent[]> {
    const batch = new Batch(events, demand);
    const keys = batch.recallKeys();
    // The detectors' own recalls ride along: one round trip for both.
    if (prefetch) for (const key of prefetch.keys) keys.push(key);
    const recalled = keys.length > 0 ? await this.#state.recall(keys) : new Map<string, MemoryEntry>();
    if (prefetch)
      for (const key of prefetch.keys) {
        const entry = recalled.get(key);
        if (entry !== undefined) prefetch.found.set(key, entry);
      }
    const links = new Map<string, Chain>();
    const stackRoles = new Map<string, string>();
    for (const [key, entry] of recalled) {
      if (key.startsWith('lineage|link:')) {
        const chain = readChain(entry.value);
        if (chain !== undefined) links.set(key, chain);
      } else if (key.startsWith('lineage|stack-role:')) stackRoles.set(key, entry.value);
    }
    const chainOf = (accessKeyId: string | undefined) =>
      accessKeyId === undefined ? undefined : links.get(linkKey(accessKeyId));

    const remembered: MemoryEntry[] = [];
    const newLinks: string[] = [];
    const parked: CounterEntry[] = [];
    const park = (key: string, event: NormalizedEvent, flag?: string) => {
      const text = recordText(event);
      if (text === undefined) return;
      parked.push({ key, time: event.time, eventId: event.id });
      const expiresAt = event.time + this.#settings.lateness + this.#settings.stackWindow + CLOCK_SKEW_MS;
      remembered.push({ key: recordKey(event.id), value: text, expiresAt });
      // Lets the assumption that brings the link know, in the recall it makes anyway, that a read is due.
      if (flag !== undefined) remembered.push({ key: parkedFlagKey(flag), value: '1', expiresAt });
    };

    // 1. Links, in time order: an assumption made by a session created earlier in the batch extends it.
    for (const { event, assumption } of batch.assumptions) {
      const callerKey = sessionKeyOf(event);
      const parent = chainOf(callerKey);
      const chain = parent
        ? extendChain(parent, hopOf(event, assumption))
        : chainFromCaller(event, assumption);
      // A session whose own creation is not known yet: the link may be improved when it arrives.
      if (parent === undefined && callerKey !== undefined) park(parkedKey(callerKey), event, callerKey);
      const key = linkKey(assumption.issuedKey);
      const existing = links.get(key);
      if (existing !== undefined && chainRank(existing) >= chainRank(chain)) continue;
      links.set(key, chain);
      if (recalled.has(parkedFlagKey(assumption.issuedKey))) newLinks.push(assumption.issuedKey);
      remembered.push({ key, value: JSON.stringify(chain), expiresAt: assumption.expiresAt });
    }

    // 2. Stack operations: the role they run with, and who started them.
    const operations: CounterEntry[] = [];
    const newOperations: { account: string; role: string; time: number }[] = [];
    for (const { event, operation } of batch.stackOperations) {
      const roleKey = stackRoleKey(operation.account, operation.region, operation.stack);
      if (operation.role !== undefined) {
        stackRoles.set(roleKey, operation.role.canonicalArn);
        remembered.push({
          key: roleKey,
          value: operation.role.canonicalArn,
          expiresAt: event.time + STACK_ROLE_TTL_MS,
        });
      }
      const role = stackRoles.get(roleKey);
      if (role === undefined || operation.createsChangeSet) continue;
      const stored: StoredOperation = {
        chain: chainOf(sessionKeyOf(event)) ?? {
          origin: callerAsOrigin(event, event.actor.sourceIdentity),
          hops: [],
        },
        stack: operation.stack,
        region: operation.region,
      };
      operations.push({ key: stackOpsKey(operation.account, role), time: event.time, eventId: event.id });
      remembered.push({
        key: stackOpKey(event.id),
        value: JSON.stringify(stored),
        expiresAt: event.time + this.#settings.stackWindow + this.#settings.lateness,
      });
      newOperations.push({ account: operation.account, role, time: event.time });
    }

    // 3. Each event's lineage from its key; CloudFormation service-role calls from their operations.
    const serviceRoleCalls: NormalizedEvent[] = [];
    for (const event of batch.needing) {
      const key = sessionKeyOf(event);
      const chain = chainOf(key);
      if (chain !== undefined) event.lineage = [chain];
      if (
        isCloudFormationCall(event) &&
        (chain === undefined || chain.origin.principal === SERVICE_CLOUDFORMATION)
      )
        serviceRoleCalls.push(event);
      else if (chain === undefined && key !== undefined && !isAssumption(event) && demand.wants(event))
        park(parkedKey(key), event, key);
    }
    // Links and operations are stored before attribution reads them back (this batch's included).
    if (operations.length > 0) await this.#state.addEntries(operations);
    if (remembered.length > 0) await this.#state.remember(remembered.splice(0));
    if (serviceRoleCalls.length > 0) {
      const unattributed = await this.#attributeToOperations(serviceRoleCalls);
      for (const event of unattributed) {
        if (demand.wants(event))
          park(parkedStackKey(event.account ?? '', event.actor.role?.canonicalArn ?? ''), event);
      }
    }

    if (remembered.length > 0) await this.#state.remember(remembered);
    if (parked.length > 0) await this.#state.addEntries(parked);

    // 4. Parked events of earlier batches that this batch's links and operations resolve.
    return this.#unpark(newLinks, newOperations, newest, events);
  }

  /** Gives CloudFormation service-role calls the chains of their stack operations; returns those with none. */
  async #attributeToOperations(calls: readonly NormalizedEvent[]): Promise<NormalizedEvent[]> {
    const { stackWindow } = this.#settings;
    const keys = new Set<string>();
    let from = Number.POSITIVE_INFINITY;
    let to = Number.NEGATIVE_INFINITY;
    for (const call of calls) {
      keys.add(stackOpsKey(call.account ?? '', call.actor.role?.canonicalArn ?? ''));
      from = Math.min(from, call.time - stackWindow);
      to = Math.max(to, call.time + CLOCK_SKEW_MS);
    }
    const entries = await this.#state.readEntries([...keys], from, to);
    const ids = new Set<string>();
    for (const list of entries.values()) for (const entry of list) ids.add(entry.eventId);
    const stored = ids.size > 0 ? await this.#state.recall([...ids].map(stackOpKey)) : new Map();

    const unattributed: NormalizedEvent[] = [];
    for (const call of calls) {
      const role = call.actor.role?.canonicalArn ?? '';
      const candidates: { operation: StoredOperation; entry: CounterEntry }[] = [];
      for (const entry of entries.get(stackOpsKey(call.account ?? '', role)) ?? []) {
        if (entry.time > call.time + CLOCK_SKEW_MS || entry.time < call.time - stackWindow) continue;
        const operation = readOperation(stored.get(stackOpKey(entry.eventId))?.value);
        if (operation && regionMatches(call.source, call.region, operation.region))
          candidates.push({ operation, entry });
      }
      if (candidates.length === 0) {
        unattributed.push(call);
        continue;
      }
      // A record that names its stack belongs to that stack's operation: if that one is not known yet, wait
      // for it rather than attribute the write to whichever operation is.
      const named = stackNamedBy(call);
      const chosen =
        named === undefined ? candidates : candidates.filter((c) => isNamedStack(c.operation.stack, named));
      if (chosen.length === 0) {
        unattributed.push(call);
        continue;
      }
      call.lineage = chosen.map(({ operation, entry }) =>
        extendChain(operation.chain, {
          via: 'cloudformation',
          role,
          account: call.account ?? '',
          sessionName: call.actor.sessionName,
          accessKeyId: call.credential.accessKeyId,
          eventId: entry.eventId,
          time: entry.time,
          stack: operation.stack,
        }),
      );
    }
    return unattributed;
  }

  async #unpark(
    links: readonly string[],
    operations: readonly { account: string; role: string; time: number }[],
    newest: number,
    batch: readonly NormalizedEvent[],
  ): Promise<NormalizedEvent[]> {
    if (links.length === 0 && operations.length === 0) return [];
    const inBatch = new Set(batch.map((event) => event.id));
    const horizon = newest - this.#settings.lateness;
    const keys = [...links.map(parkedKey), ...operations.map((op) => parkedStackKey(op.account, op.role))];
    const earliest = Math.min(...operations.map((op) => op.time - CLOCK_SKEW_MS), horizon - CLOCK_SKEW_MS);
    const entries = await this.#state.readEntries(keys, earliest, Number.MAX_SAFE_INTEGER);
    const ids = new Set<string>();
    for (const list of entries.values()) {
      for (const entry of list)
        if (entry.time >= horizon && !inBatch.has(entry.eventId)) ids.add(entry.eventId);
    }
    if (ids.size === 0) return [];
    const records = await this.#state.recall([...ids].map(recordKey));
    const events: NormalizedEvent[] = [];
    for (const entry of records.values()) {
      const record = readRecord(entry.value);
      const result = record === undefined ? undefined : normalizeRecord(record);
      if (result?.ok) events.push(result.event);
    }
    return events.sort((a, b) => a.time - b.time);
  }
}

/** The record as parked: undefined when it cannot be kept (too large, or not JSON at all). */
function recordText(event: NormalizedEvent): string | undefined {
  try {
    const text = JSON.stringify(event.raw);
    return text.length > MAX_PARKED_RECORD_CHARS ? undefined : text;
  } catch {
    // Records come from JSON, but a caller may hand the engine any object (cycles, BigInts).
    return undefined;
  }
}

/** The events of a batch that lineage acts on, assumptions and stack operations sorted by time. */
class Batch {
  readonly assumptions: { event: NormalizedEvent; assumption: Assumption }[] = [];
  readonly stackOperations: { event: NormalizedEvent; operation: StackOperationCall }[] = [];
  /** Events a detector reads the lineage of. */
  readonly needing: NormalizedEvent[] = [];
  readonly #recallKeys = new Set<string>();

  constructor(events: readonly NormalizedEvent[], demand: LineageDemand) {
    for (const event of events) {
      // An AWS service assuming a role on its own behalf (Lambda, ECS, EC2, CloudFormation: a fifth of
      // some trails) starts a chain of one hop whose origin no detector judges by: the session's own
      // calls are judged by its role, and an assumption the session makes starts a chain at that role.
      // So it is not linked, and costs no lookup and no write.
      const assumption = event.actor.type === 'AWSService' ? undefined : assumptionOf(event);
      if (assumption !== undefined) {
        this.assumptions.push({ event, assumption });
        // The caller's chain to extend; the issued key's link to keep if it knows more, and whether
        // calls made with it wait for it.
        this.#addKey(sessionKeyOf(event));
        this.#recallKeys.add(linkKey(assumption.issuedKey));
        this.#recallKeys.add(parkedFlagKey(assumption.issuedKey));
      } else {
        const operation = stackOperationOf(event);
        if (operation !== undefined) {
          this.stackOperations.push({ event, operation });
          this.#addKey(sessionKeyOf(event));
          if (operation.role === undefined)
            this.#recallKeys.add(stackRoleKey(operation.account, operation.region, operation.stack));
        }
      }
      if (demand.needs(event)) {
        this.needing.push(event);
        this.#addKey(sessionKeyOf(event));
      }
    }
    const byTime = (a: { event: NormalizedEvent }, b: { event: NormalizedEvent }) =>
      a.event.time - b.event.time;
    this.assumptions.sort(byTime);
    this.stackOperations.sort(byTime);
  }

  #addKey(accessKeyId: string | undefined): void {
    if (accessKeyId !== undefined) this.#recallKeys.add(linkKey(accessKeyId));
  }

  recallKeys(): string[] {
    return [...this.#recallKeys];
  }
}

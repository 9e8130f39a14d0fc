import type { Chain, Hop, Origin, OriginKind } from '../events/chain.ts';
import { isRecord, type JsonObject, numberValue, stringAt } from '../events/record-fields.ts';
import { describeChain } from '../lineage/attribution.ts';
import { terminalSafe } from '../output/terminal-safe.ts';
import type { FindingKeys } from './finding-keys.ts';
import { isAccessKeyId, type SessionStart } from './session-collector.ts';

/**
 * Where `query session --finding` starts. A finding whose `details.lineage` holds the chains behind its
 * call starts at each chain's origin, so the rows are the whole run, not only the session that made the
 * call: the origin's own key when it signed the first assumption (a role session whose creation the trail
 * does not hold, an IAM user's key), else the key the first hop issued (a CI run's OIDC session). Every
 * later hop's key is given with its depth and the key before it: the query finds assumed sessions by
 * following assumptions anyway, but a CloudFormation service-role session was assumed by CloudFormation,
 * not by the run, and is only reached this way. Without readable lineage, the keys the finding names.
 */

export interface FindingSessions {
  starts: SessionStart[];
  /** What stderr says about where the query starts, escaped for the terminal. */
  report: string[];
}

function readOrigin(value: JsonObject): Origin | undefined {
  const kind = stringAt(value, 'kind');
  const principal = stringAt(value, 'principal');
  if (kind === undefined || principal === undefined) return undefined;
  return {
    kind: kind as OriginKind,
    principal,
    account: stringAt(value, 'account'),
    accessKeyId: stringAt(value, 'accessKeyId'),
    subject: stringAt(value, 'subject'),
    provider: stringAt(value, 'provider'),
    sourceIdentity: stringAt(value, 'sourceIdentity'),
    sessionName: stringAt(value, 'sessionName'),
  };
}

function readHop(value: unknown): Hop | undefined {
  if (!isRecord(value)) return undefined;
  const via = stringAt(value, 'via');
  const role = stringAt(value, 'role');
  if (via === undefined || role === undefined) return undefined;
  return {
    via: via as Hop['via'],
    role,
    account: stringAt(value, 'account') ?? '',
    sessionName: stringAt(value, 'sessionName'),
    accessKeyId: stringAt(value, 'accessKeyId'),
    eventId: stringAt(value, 'eventId') ?? '',
    time: numberValue(value.time) ?? 0,
    stack: stringAt(value, 'stack'),
  };
}

/**
 * The chains of a finding's `details.lineage`. Details are a bounded JSON copy (a list past its bound ends
 * in a note), so a chain with a part that does not read is left out rather than followed with a gap.
 */
export function chainsOfDetails(details: JsonObject | undefined): Chain[] {
  const lineage = details?.lineage;
  if (!Array.isArray(lineage)) return [];
  const chains: Chain[] = [];
  for (const value of lineage) {
    if (!isRecord(value) || !isRecord(value.origin) || !Array.isArray(value.hops)) continue;
    const origin = readOrigin(value.origin);
    const hops = value.hops.map(readHop);
    if (origin !== undefined && hops.every((hop) => hop !== undefined)) chains.push({ origin, hops });
  }
  return chains;
}

/** The keys of a chain from its origin outwards, at their depth from the first key. */
function sessionsOfChain(chain: Chain): SessionStart[] {
  const keys = [chain.origin.accessKeyId, ...chain.hops.map((hop) => hop.accessKeyId)];
  // An origin without a key of its own (a web-identity or SAML token holder) starts at its first session.
  if (keys[0] === undefined) keys.shift();
  const sessions: SessionStart[] = [];
  let parent: string | undefined;
  keys.forEach((key, depth) => {
    if (key === undefined || !isAccessKeyId(key)) return;
    sessions.push({ key, depth, parent });
    parent = key;
  });
  return sessions;
}

/**
 * The sessions to start from for a finding, and what to tell the user. A key reached through several
 * chains (one service-role session serving overlapping stack operations of two pipelines) keeps its
 * smallest depth, and a parent only when every chain agrees on it: its subject would otherwise be a guess.
 */
export function sessionsOfFinding(found: FindingKeys): FindingSessions {
  const { finding } = found;
  const heading = `trailguard: finding ${terminalSafe(finding.id)} (${terminalSafe(finding.detector)}): tracing`;
  const starts = new Map<string, SessionStart>();
  const report: string[] = [];
  const serviceRoles = new Map<string, Hop>();
  for (const chain of chainsOfDetails(finding.details)) {
    const sessions = sessionsOfChain(chain);
    const first = sessions[0];
    if (first === undefined) continue;
    report.push(`${heading} ${first.key} from the origin: ${terminalSafe(describeChain(chain))}`);
    for (const session of sessions) {
      const seen = starts.get(session.key);
      if (seen === undefined) starts.set(session.key, session);
      else
        starts.set(session.key, {
          key: session.key,
          depth: Math.min(seen.depth, session.depth),
          parent: seen.parent === session.parent ? seen.parent : undefined,
        });
    }
    for (const hop of chain.hops)
      if (hop.via === 'cloudformation' && hop.accessKeyId !== undefined && starts.has(hop.accessKeyId))
        serviceRoles.set(hop.accessKeyId, hop);
  }
  if (starts.size === 0) {
    return {
      starts: found.accessKeyIds.map((key) => ({ key, depth: 0 })),
      report: [`${heading} ${found.accessKeyIds.join(', ')}`],
    };
  }
  for (const [key, hop] of serviceRoles) {
    report.push(
      `trailguard: note: ${key} is a CloudFormation service-role session (${terminalSafe(hop.role)}): its calls are those of every stack operation that ran with the role while the session lived, not only this run's`,
    );
  }
  return { starts: [...starts.values()], report };
}

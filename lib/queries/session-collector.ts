import type { NormalizedEvent, OidcClaims } from '../events/normalized-event.ts';
import { issuedCredentialsOf } from '../lineage/assumption.ts';
import { isoTime } from './cells.ts';
import type { Row } from './query-types.ts';

/**
 * The state of one pass of `query session`: which keys are tracked (at what depth, issued by which key),
 * what each session's creating assumption said (role, OIDC subject and claims), and the rows so far.
 * An event belongs to a tracked session when that session's key signed it, or when it issued a tracked
 * key (the assumption that created the session); a successful assumption made by a tracked session adds
 * the issued key at depth + 1. What an STS call issued is read by lib/lineage/assumption.ts, as detection
 * reads it.
 */

const KEY_ID = /^[A-Z0-9]{16,128}$/;

/** Access key ids are upper-case letters and digits; anything else read from a record is not followed. */
export function isAccessKeyId(value: string): boolean {
  return KEY_ID.test(value);
}

/** A session to start from: a key, how many assumptions from the start, and the key that assumed it. */
export interface SessionStart {
  key: string;
  depth: number;
  parent?: string;
}

export interface SessionInfo extends SessionStart {
  role?: string;
  subject?: string;
  claims?: OidcClaims;
}

/** The event columns of a row; the session's subject and claims are added once all passes are done. */
interface Entry {
  time: number;
  creates: boolean;
  owner: string;
  row: Record<string, Row[string]>;
}

export class SessionCollector {
  readonly sessions: Map<string, SessionInfo>;
  readonly entries: Entry[] = [];

  constructor(
    known: ReadonlyMap<string, SessionInfo>,
    readonly sessionArn: string | undefined,
    /** Longest parent chain walked for a subject (chains cannot be longer than the passes that found them). */
    readonly maxDepth: number,
  ) {
    // Depth and parent carry over between passes; what the assumptions say is read again.
    this.sessions = new Map([...known].map(([k, s]) => [k, { key: k, depth: s.depth, parent: s.parent }]));
  }

  #track(key: string, depth: number, parent?: string): SessionInfo {
    const info: SessionInfo = { key, depth, parent };
    this.sessions.set(key, info);
    return info;
  }

  add(event: NormalizedEvent): void {
    const used = event.credential.accessKeyId;
    const credentials = issuedCredentialsOf(event);
    const issued = credentials?.issuedKey;
    let caller = used === undefined ? undefined : this.sessions.get(used);
    if (caller === undefined && used !== undefined && isAccessKeyId(used) && this.sessionArn !== undefined) {
      if (event.actor.sessionArn === this.sessionArn) caller = this.#track(used, 0);
    }
    let created = issued === undefined ? undefined : this.sessions.get(issued);
    if (created === undefined && issued !== undefined && isAccessKeyId(issued)) {
      if (caller !== undefined) created = this.#track(issued, caller.depth + 1, caller.key);
      else if (this.sessionArn !== undefined && credentials?.sessionArn === this.sessionArn)
        created = this.#track(issued, 0);
    }
    const owner = caller ?? created;
    if (owner === undefined) return;
    if (created !== undefined) {
      created.role = credentials?.role?.canonicalArn;
      created.subject = event.oidc?.subject;
      created.claims = event.oidc?.claims;
    }
    const creates = owner === created;
    this.entries.push({
      time: event.time,
      creates,
      owner: owner.key,
      row: {
        depth: owner.depth,
        session: owner.key,
        eventTime: isoTime(event.time),
        eventID: event.id,
        eventSource: event.source,
        eventName: event.name,
        errorCode: event.errorCode ?? null,
        sourceIp: event.sourceIp ?? null,
        region: event.region ?? null,
        userAgent: event.userAgent ?? null,
        accessKeyId: used ?? null,
        issuedAccessKeyId: created?.key ?? null,
        role: creates ? null : (event.actor.role?.canonicalArn ?? null),
      },
    });
  }

  /** The session that carries the subject for `key`: itself, or the nearest ancestor with one. */
  #origin(key: string): SessionInfo | undefined {
    let info = this.sessions.get(key);
    for (let hops = 0; info !== undefined && hops <= this.maxDepth + 1; hops++) {
      if (info.subject !== undefined || info.parent === undefined) return info;
      info = this.sessions.get(info.parent);
    }
    return info;
  }

  rows(): Row[] {
    this.entries.sort(
      (a, b) =>
        a.time - b.time ||
        Number(b.creates) - Number(a.creates) ||
        Number(a.row.depth) - Number(b.row.depth) ||
        String(a.row.eventID).localeCompare(String(b.row.eventID)),
    );
    return this.entries.map(({ owner, row }) => {
      const info = this.sessions.get(owner);
      const origin = this.#origin(owner);
      const claims = origin?.claims ?? {};
      const extra = claims.extra ?? {};
      return {
        ...row,
        role: row.role ?? info?.role ?? null,
        subject: origin?.subject ?? null,
        repository: claims.repositoryPath ?? null,
        branch: claims.branch ?? null,
        environment: claims.environment ?? null,
        workflow: extra.job_workflow_ref ?? extra.workflow_ref ?? extra.workflow ?? null,
      };
    });
  }
}

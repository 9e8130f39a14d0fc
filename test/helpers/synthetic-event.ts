import type { NormalizedEvent } from '../../lib/events/normalized-event.ts';

let counter = 0;

/**
 * A normalized event built directly, for engine tests that are about routing and bookkeeping rather than
 * record shapes (detector tests use real records through `normalizeRecord`).
 */
export function syntheticEvent(overrides: Partial<NormalizedEvent> = {}): NormalizedEvent {
  counter++;
  return {
    id: `evt-${counter}`,
    time: Date.parse('2026-11-20T10:00:00Z') + counter * 1000,
    account: '111122223333',
    region: 'us-east-1',
    source: 'iam.amazonaws.com',
    name: 'AttachRolePolicy',
    action: 'iam:AttachRolePolicy',
    readOnly: false,
    management: true,
    outcome: 'success',
    actor: {
      type: 'IAMUser',
      arn: 'arn:aws:iam::111122223333:user/alice',
      key: 'arn:aws:iam::111122223333:user/alice',
    },
    credential: { kind: 'long-lived', accessKeyId: 'AKIAEXAMPLEEXAMPLE01' },
    viaAwsService: false,
    raw: {},
    ...overrides,
  };
}

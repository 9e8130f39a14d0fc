import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTEXT, readDeployParameters } from '../../infra/deploy-parameters.ts';
import { REPO_ROOT } from '../../infra/paths.ts';
import { retentionOf } from '../../infra/trailguard-stack.ts';

const read = (values: Record<string, unknown>, defaults = {}) =>
  readDeployParameters((key) => values[key], defaults);

describe('deploy parameters', () => {
  it('reads lists from -c text and from cdk.json arrays, and always forwards from us-east-1', () => {
    const fromText = read({
      [CONTEXT.alertEmails]: 'sec@example.com, oncall@example.com',
      [CONTEXT.regions]: 'eu-west-1,eu-central-1',
      [CONTEXT.centralRegion]: 'eu-west-1',
      [CONTEXT.centralAccount]: 111122223333,
      [CONTEXT.configFile]: 'examples/trailguard.yaml',
    });
    expect(fromText).toMatchObject({
      alertEmails: ['sec@example.com', 'oncall@example.com'],
      regions: ['us-east-1', 'eu-west-1', 'eu-central-1'],
      centralRegion: 'eu-west-1',
      centralAccount: '111122223333',
      configFile: join(REPO_ROOT, 'examples/trailguard.yaml'),
      delivery: 'direct',
      logRetentionDays: 365,
    });
    expect(read({ [CONTEXT.regions]: ['ap-southeast-2'] }, { region: 'eu-west-2' }).regions).toEqual([
      'us-east-1',
      'eu-west-2',
      'ap-southeast-2',
    ]);
  });

  it('names every bad parameter by its context key', () => {
    expect(() =>
      read({
        [CONTEXT.slackChannel]: 'security alerts',
        [CONTEXT.organizationId]: 'acme',
        [CONTEXT.delivery]: 'kinesis',
        [CONTEXT.alertEmails]: 'not-an-email',
      }),
    ).toThrow(
      /trailguard:slackChannel: .*\n.*trailguard:alertEmails.*\n.*trailguard:organizationId: .*\n.*trailguard:delivery/s,
    );
  });

  it('rounds a log retention up to one CloudWatch Logs offers', () => {
    expect(retentionOf(365)).toBe(365);
    expect(retentionOf(10)).toBe(14);
    expect(retentionOf(100_000)).toBe(9999);
  });
});

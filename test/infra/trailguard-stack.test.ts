import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { STATE_TABLE_ACTIONS } from '../../infra/permissions.ts';
import type { EventPattern } from '../../lib/eventbridge/event-patterns.ts';
import { READ_ONLY_RULE_STATE } from '../../lib/eventbridge/rule-plan.ts';
import { ASSUMPTION_EVENTS } from '../../lib/lineage/assumption.ts';
import { CLOUDFORMATION, STACK_OPERATION_EVENTS } from '../../lib/lineage/stack-operation.ts';
import { ENV } from '../../lib/runtime/environment.ts';
import { PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from '../../lib/state/table-definition.ts';
import { toEventBridgeEvent } from '../lib/eventbridge/envelope.ts';
import { matchesPattern } from '../lib/eventbridge/pattern-matcher.ts';
import { centralStack, forwarderStack, nagViolations, SERVICE_ONLY_YAML } from './synth.ts';

type Resource = { Type: string; Properties?: Record<string, unknown> };
type Statement = {
  Effect: string;
  Action: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
};

function resources(template: Template, type?: string): [string, Resource][] {
  const all = Object.entries(template.toJSON().Resources as Record<string, Resource>);
  return type === undefined ? all : all.filter(([, r]) => r.Type === type);
}

/** Every policy statement in the template: identity, resource, key and trust policies. */
function statements(template: Template): Statement[] {
  const found: Statement[] = [];
  for (const [, r] of resources(template)) {
    const p = r.Properties ?? {};
    const docs = [
      p.Statement === undefined ? undefined : { Statement: [p.Statement] },
      p.PolicyDocument,
      p.KeyPolicy,
      p.AssumeRolePolicyDocument,
      ...((p.Policies as { PolicyDocument: unknown }[] | undefined) ?? []).map((x) => x.PolicyDocument),
    ];
    for (const doc of docs)
      found.push(...(((doc as { Statement?: Statement[] })?.Statement ?? []) as Statement[]));
  }
  return found;
}

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

function expectNoWildcardActions(template: Template): void {
  const all = statements(template);
  expect(all.length).toBeGreaterThan(0);
  for (const statement of all) {
    for (const action of actionsOf(statement)) {
      if (statement.Effect === 'Deny' && action === 'sqs:*') {
        // enforceSSL: denying every SQS action over plain HTTP is the point, and only restricts.
        expect(statement.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
        continue;
      }
      expect(action, JSON.stringify(statement)).not.toContain('*');
    }
  }
}

interface RuleProperties {
  id: string;
  EventBusName?: unknown;
  State?: string;
  EventPattern?: unknown;
  Targets: Record<string, unknown>[];
}

/** A successful API call record of `eventSource` `eventName`, as EventBridge delivers it. */
function apiCallEnvelope(
  eventSource: string,
  eventName: string,
  readOnly: boolean,
  callerType = 'AssumedRole',
) {
  return toEventBridgeEvent({
    eventVersion: '1.11',
    userIdentity: { type: callerType },
    eventTime: '2026-11-26T10:00:00Z',
    eventSource,
    eventName,
    eventType: 'AwsApiCall',
    readOnly,
    awsRegion: 'eu-west-1',
    recipientAccountId: '111122223333',
  });
}

/** The rules a record reaches: a read-only record only those in the read-only state. */
function rulesMatching(rules: RuleProperties[], envelope: Record<string, unknown>, readOnly: boolean) {
  return rules.filter(
    (r) =>
      (r.State === READ_ONLY_RULE_STATE || !readOnly) &&
      matchesPattern(r.EventPattern as EventPattern, envelope),
  );
}

function rulesOf(template: Template): RuleProperties[] {
  return resources(template, 'AWS::Events::Rule').map(([id, r]) => ({
    id,
    ...(r.Properties as Omit<RuleProperties, 'id'>),
  }));
}

describe('the central stack', () => {
  const central = centralStack({ context: { organizationId: 'o-a1b2c3d4e5' } });
  const serviceOnly = centralStack({
    yaml: SERVICE_ONLY_YAML,
    context: {
      slackChannel: '#security-alerts',
      digestLogGroup: 'org-trail',
      alertEmails: 'sec@example.com,oncall@example.com',
    },
  });
  const queued = centralStack({ context: { delivery: 'queue', slackChannel: '#security-alerts' } });

  it('builds the state table from the shared definition: keys, on-demand, TTL, PITR, encrypted', () => {
    central.template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'trailguard-state',
      KeySchema: [
        { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
        { AttributeName: SORT_KEY, KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('runs every handler on Node.js 24, arm64, with its own log group kept a year', () => {
    for (const { template } of [central, queued]) {
      const functions = resources(template, 'AWS::Lambda::Function');
      expect(functions).toHaveLength(2);
      for (const [, fn] of functions) {
        expect(fn.Properties).toMatchObject({
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN' },
        });
      }
      template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 365 }, 2);
    }
    central.template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'trailguard-detect',
      Environment: {
        Variables: Match.objectLike({ [ENV.table]: Match.anyValue(), [ENV.topicArn]: Match.anyValue() }),
      },
    });
  });

  it('with every detector on: one detection rule, in the read-only state', () => {
    const detection = rulesOf(central.template).filter((r) => r.EventBusName !== undefined);
    expect(detection).toHaveLength(1);
    expect(detection[0]?.State).toBe(READ_ONLY_RULE_STATE);
    expect(detection[0]?.EventPattern).toEqual({
      source: [{ prefix: 'aws.' }],
      'detail-type': expect.arrayContaining(['AWS API Call via CloudTrail']),
    });
  });

  it('with precise needs: the read-only state only on the rule that needs it', () => {
    const detection = rulesOf(serviceOnly.template).filter((r) => r.EventBusName !== undefined);
    const readOnly = detection.filter((r) => r.State === READ_ONLY_RULE_STATE);
    expect(readOnly).toHaveLength(1);
    expect(detection.length).toBeGreaterThan(1);
    for (const rule of detection.filter((r) => r.State !== READ_ONLY_RULE_STATE))
      expect(rule.State).toBe('ENABLED');
    const readOnlyText = JSON.stringify(readOnly[0]?.EventPattern);
    expect(readOnlyText).toContain(
      '"eventName":["AssumeRole","AssumeRoleWithSAML","AssumeRoleWithWebIdentity"]',
    );
    expect(readOnlyText).toContain('{"prefix":"AccessDenied"}');
    const writeText = detection
      .filter((r) => r.State === 'ENABLED')
      .map((r) => JSON.stringify(r.EventPattern));
    expect(writeText.join()).toContain('"eventSource":["iam.amazonaws.com","organizations.amazonaws.com"]');
    expect(writeText.join()).not.toContain('AssumeRoleWithWebIdentity');
    for (const rule of detection) expect(JSON.stringify(rule.EventPattern).length).toBeLessThanOrEqual(2048);
  });

  it('with the narrow config, forwards what lineage is built from: AssumeRole* read-only, stack operations plain', () => {
    // SERVICE_ONLY_YAML turns exfiltration, keys and agents off; pipeline-iam-write and
    // pipeline-role-borrowed still read lineage.
    const forwarder = forwarderStack({ yaml: SERVICE_ONLY_YAML });
    for (const [rules, label] of [
      [rulesOf(serviceOnly.template).filter((r) => r.EventBusName !== undefined), 'central'],
      [rulesOf(forwarder.template), 'forwarder'],
    ] as const) {
      const readOnly = rules.filter((r) => r.State === READ_ONLY_RULE_STATE);
      expect(readOnly, label).toHaveLength(1);
      expect(JSON.stringify(readOnly[0]?.EventPattern), label).toContain(
        `"eventName":${JSON.stringify([...ASSUMPTION_EVENTS].sort())}`,
      );
      for (const name of ASSUMPTION_EVENTS) {
        const reached = rulesMatching(rules, apiCallEnvelope('sts.amazonaws.com', name, true), true);
        expect(
          reached.map((r) => r.State),
          `${label} ${name}`,
        ).toEqual([READ_ONLY_RULE_STATE]);
      }
      for (const name of STACK_OPERATION_EVENTS) {
        const reached = rulesMatching(rules, apiCallEnvelope(CLOUDFORMATION, name, false), false);
        expect(
          reached.map((r) => r.State),
          `${label} ${name}`,
        ).toEqual(['ENABLED']);
      }
      // Only the operations: the stacks' reads are not forwarded.
      expect(rulesMatching(rules, apiCallEnvelope(CLOUDFORMATION, 'DescribeStacks', true), true)).toEqual([]);
      // Nor an AWS service's own assumptions (Lambda, ECS, EC2 credential vending): lineage does not link them.
      const vending = apiCallEnvelope('sts.amazonaws.com', 'AssumeRole', true, 'AWSService');
      expect(rulesMatching(rules, vending, true), label).toEqual([]);
    }
    expect(nagViolations(serviceOnly.stack)).toEqual([]);
    expect(nagViolations(forwarder.stack)).toEqual([]);
  });

  it('puts a dead-letter queue on every rule target, and an on-failure destination on every async function', () => {
    for (const { template } of [central, serviceOnly, queued]) {
      const rules = rulesOf(template);
      expect(rules.length).toBeGreaterThan(1);
      for (const rule of rules) {
        for (const target of rule.Targets as { DeadLetterConfig?: { Arn: unknown } }[]) {
          expect(target.DeadLetterConfig?.Arn, rule.id).toBeDefined();
        }
      }
    }
    for (const { template } of [central, serviceOnly]) {
      template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 2);
    }
    central.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it('encrypts and TLS-guards every queue, and the topic with its own rotated key', () => {
    for (const { template } of [central, queued]) {
      for (const [, queue] of resources(template, 'AWS::SQS::Queue')) {
        expect(queue.Properties?.SqsManagedSseEnabled).toBe(true);
      }
      const policies = resources(template, 'AWS::SQS::QueuePolicy');
      expect(policies).toHaveLength(resources(template, 'AWS::SQS::Queue').length);
    }
    central.template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('AlertKey'), 'Arn'] },
    });
    central.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    central.template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    serviceOnly.template.resourceCountIs('AWS::SNS::Subscription', 2);
  });

  it('alarms on function errors and throttles, dead letters, failed rule deliveries and a backed-up buffer', () => {
    const names = (template: Template) =>
      resources(template, 'AWS::CloudWatch::Alarm').map(([, a]) => String(a.Properties?.AlarmName));
    expect(names(central.template).sort()).toEqual(
      [
        'trailguard-trailguard-detect-errors',
        'trailguard-trailguard-detect-throttles',
        'trailguard-trailguard-scheduled-errors',
        'trailguard-trailguard-scheduled-throttles',
        'trailguard-trailguard-delivery-dlq',
        'trailguard-trailguard-failed-invocations',
        'trailguard-trailguard-detect-1-failed',
        'trailguard-trailguard-flush-failed',
      ].sort(),
    );
    expect(names(queued.template)).toEqual(
      expect.arrayContaining(['trailguard-trailguard-buffer-dlq', 'trailguard-trailguard-buffer-age']),
    );
    central.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'FailedInvocations',
      Dimensions: Match.arrayWith([{ Name: 'EventBusName', Value: Match.anyValue() }]),
      AlarmActions: [{ Ref: Match.stringLikeRegexp('Alerts') }],
    });
  });

  it('grants no wildcard action anywhere, and the table only the calls the handlers make', () => {
    for (const { template } of [central, serviceOnly, queued]) expectNoWildcardActions(template);
    for (const [, policy] of resources(central.template, 'AWS::IAM::Policy')) {
      const doc = policy.Properties?.PolicyDocument as { Statement: (Statement & { Resource: unknown })[] };
      const table = doc.Statement.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
      expect(table).toEqual([
        {
          Effect: 'Allow',
          Action: STATE_TABLE_ACTIONS,
          Resource: { 'Fn::GetAtt': [expect.stringMatching(/State/), 'Arn'] },
        },
      ]);
    }
  });

  it('admits the organization to the bus, and nobody else', () => {
    central.template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: Match.objectLike({
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
      }),
    });
    serviceOnly.template.resourceCountIs('AWS::Events::EventBusPolicy', 0);
  });

  it('creates the Slack token secret only when Slack is configured, readable by the functions', () => {
    central.template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    serviceOnly.template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    serviceOnly.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [ENV.slackChannel]: '#security-alerts',
          [ENV.slackSecretArn]: { Ref: Match.anyValue() },
        }),
      },
    });
    serviceOnly.template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: Match.anyValue() } },
        ]),
      },
    });
  });

  it('buffers through SQS in queue delivery, reporting batch item failures', () => {
    queued.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 500,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    queued.template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'trailguard-buffer',
      RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() },
    });
    const detection = rulesOf(queued.template).filter((r) => r.EventBusName !== undefined);
    const targets = (detection[0]?.Targets ?? []) as { Arn: unknown }[];
    expect(targets[0]?.Arn).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/Buffer/), 'Arn'],
    });
  });

  it('refuses a deploy-time Slack channel that contradicts the config', () => {
    expect(() =>
      centralStack({ yaml: 'alerts: { slack: { channel: "#a" } }', context: { slackChannel: '#b' } }),
    ).toThrow(/alerts\.slack\.channel #a/);
  });

  it('passes cdk-nag AWS Solutions with only the acknowledged findings', () => {
    for (const { stack } of [central, serviceOnly, queued]) expect(nagViolations(stack)).toEqual([]);
  });
});

describe('the forwarder stack', () => {
  const precise = forwarderStack({ yaml: SERVICE_ONLY_YAML });
  const all = forwarderStack();

  it('forwards the same precise patterns from the default bus, read-only state only where needed', () => {
    const rules = rulesOf(precise.template);
    expect(rules.length).toBeGreaterThan(1);
    expect(rules.filter((r) => r.State === READ_ONLY_RULE_STATE)).toHaveLength(1);
    for (const rule of rules) expect(rule.EventBusName).toBeUndefined();
    expect(rulesOf(all.template).map((r) => r.State)).toEqual([READ_ONLY_RULE_STATE]);
  });

  it('targets the central bus with a role that may only put events there, and a dead-letter queue', () => {
    for (const rule of rulesOf(precise.template)) {
      const [target] = rule.Targets as { Arn: unknown; RoleArn?: unknown; DeadLetterConfig?: unknown }[];
      expect(JSON.stringify(target?.Arn)).toContain(':events:eu-west-1:111122223333:event-bus/trailguard');
      expect(target?.RoleArn).toBeDefined();
      expect(target?.DeadLetterConfig).toBeDefined();
    }
    precise.template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: Match.anyValue() }],
      },
    });
    expectNoWildcardActions(precise.template);
  });

  it('passes cdk-nag AWS Solutions', () => {
    expect(nagViolations(precise.stack)).toEqual([]);
    expect(nagViolations(all.stack)).toEqual([]);
  });
});

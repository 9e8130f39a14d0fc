import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { longLivedKey } from '../../detectors/long-lived-key.ts';
import type { ResolvedConfig } from '../../lib/config/resolved-config.ts';
import { DetectionEngine } from '../../lib/engine/detection-engine.ts';
import type { Finding } from '../../lib/engine/finding.ts';
import { normalizeRecord } from '../../lib/events/normalize.ts';
import type { NormalizedEvent } from '../../lib/events/normalized-event.ts';
import { MemoryState } from '../../lib/state/memory-state.ts';
import { evaluate, exampleConfig, testConfig } from '../helpers/config.ts';
import { corpusEvent, corpusRecords, derivedEvent, derivedRecord, variant } from '../helpers/records.ts';

const ID = longLivedKey.id;
const SECRETS_FILE = 'long-lived-key/stratus-secretsmanager-batchgetsecretvalue-iamuser-akia.json';
const SECRETS = corpusRecords(SECRETS_FILE)[0] ?? {};
const SECRETS_KEY = 'AKIALK3Q0HKBKZJ2XBYP';
const CHRISTOPHE = 'arn:aws:iam::165109126369:user/christophe';

const withParams = (params: Record<string, unknown>) => testConfig({ detectors: { [ID]: params } });

/** [file, record index] of real records signed with AKIA keys. */
const AKIA_RECORDS: [string, number][] = [
  [SECRETS_FILE, 0],
  [SECRETS_FILE, 1],
  ['long-lived-key/stratus-getfederationtoken-then-federateduser.json', 0],
  ['long-lived-key/stratus-ec2-modifysnapshotattribute-share-iamuser.json', 0],
  ['long-lived-key/stratus-lambda-updatefunctioncode-iamuser.json', 0],
  ['long-lived-key/stratus-rolesanywhere-createtrustanchor-createprofile.json', 0],
  ['long-lived-key/stratus-rolesanywhere-createtrustanchor-createprofile.json', 1],
  ['long-lived-key/panther-accesskey-auth-success-failed-and-console-negative.json', 0],
  ['long-lived-key/panther-accesskey-auth-success-failed-and-console-negative.json', 1],
  ['long-lived-key/panther-getcalleridentity-trufflehog-vs-normal.json', 0],
  ['long-lived-key/panther-getsessiontoken-by-iamuser.json', 0],
  ...readdirSync(new URL('../fixtures/corpus/iam-write/', import.meta.url))
    .filter((name) => name.startsWith('stratus-'))
    .flatMap((name) =>
      corpusRecords(`iam-write/${name}`).map((_, index): [string, number] => [`iam-write/${name}`, index]),
    ),
];

describe('long-lived-key: which calls', () => {
  it.each(AKIA_RECORDS)('fires for %s #%i (IAM user, AKIA key)', (file, index) => {
    const event = corpusEvent(file, index);
    const finding = evaluate(longLivedKey, event);
    expect(finding).toMatchObject({
      severity: 'medium',
      principal: event.actor.arn,
      details: { accessKeyId: event.credential.accessKeyId, user: event.actor.arn, userType: 'IAMUser' },
    });
    expect(finding?.details?.accessKeyId).toMatch(/^AKIA/);
    expect(finding?.summary).toContain(event.action);
  });

  it.each([
    [
      'Panther console sign-in with an ASIA key',
      'long-lived-key/panther-accesskey-auth-success-failed-and-console-negative.json',
      2,
    ],
    [
      'cloud-snitch IAM-user console session (ASIA key)',
      'benign/cloud-snitch-s3-log-file-222-mixed-service-traffic.json',
      1,
    ],
    [
      'FederatedUser session (ASIA key)',
      'long-lived-key/stratus-getfederationtoken-then-federateduser.json',
      1,
    ],
    ['placeholder EXAMPLE_KEY_ID', 'iam-write/awsdocs-createuser-addusertogroup-createrole-2014.json', 0],
    ['placeholder ACCESSKEYID', 'iam-write/elastic-grimoire-attachrolepolicy-iamuser.json', 0],
    ['placeholder ACCESSKEY', 'long-lived-key/elastic-getcalleridentity-vscode-toolkit-terraformer.json', 0],
    ['no access key', 'long-lived-key/panther-getcalleridentity-trufflehog-vs-normal.json', 1],
    ['assumed-role session', 'benign/cloud-snitch-s3-log-file-222-mixed-service-traffic.json', 0],
  ])('stays quiet for the %s', (_, file, index) => {
    expect(evaluate(longLivedKey, corpusEvent(file, index))).toBeUndefined();
  });

  it('names the user, key, user agent, source address and service', () => {
    const finding = evaluate(longLivedKey, corpusEvent(SECRETS_FILE));
    expect(finding).toMatchObject({
      principal: CHRISTOPHE,
      key: `${SECRETS_KEY}|2024-07-31`,
      // 12:29:17 → midnight UTC.
      cooldownMs: (11 * 3600 + 30 * 60 + 43) * 1000,
      details: {
        accessKeyId: SECRETS_KEY,
        user: CHRISTOPHE,
        root: false,
        looksLikeCi: false,
        service: 'secretsmanager.amazonaws.com',
        action: 'secretsmanager:BatchGetSecretValue',
        outcome: 'success',
        sourceIp: '88.223.251.255',
        userAgent: 'stratus-red-team_0a05817a-84d2-40d7-afde-8311715b1ee6',
        day: '2024-07-31',
      },
    });
    expect(finding?.summary).toBe(
      `Long-lived key ${SECRETS_KEY} of ${CHRISTOPHE} called secretsmanager:BatchGetSecretValue from 88.223.251.255 [success]`,
    );
  });

  it('is high for a root access key', () => {
    const finding = evaluate(longLivedKey, derivedEvent('root-akia-secretsmanager-batchgetsecretvalue'));
    expect(finding).toMatchObject({
      severity: 'high',
      principal: 'arn:aws:iam::165109126369:root',
      details: { root: true, userType: 'Root', accessKeyId: 'AKIAROOT0HKBKZJ2XBYP' },
    });
    expect(finding?.summary).toMatch(/^Root access key AKIAROOT0HKBKZJ2XBYP called /);
  });

  it('says so when a pipeline still uses a long-lived key (CI user agent), at the same severity', () => {
    const finding = evaluate(longLivedKey, derivedEvent('iamuser-akia-getcalleridentity-github-actions'));
    expect(finding).toMatchObject({ severity: 'medium', details: { looksLikeCi: true } });
    expect(finding?.summary).toMatch(
      /^A pipeline still uses a long-lived key: Long-lived key AKIAE18PGYHCY2CYMTFK /,
    );
    const gitlab = variant(SECRETS, (copy) => {
      copy.userAgent = 'aws-cli/2.15.30 Python/3.11.8 Linux/5.15.0 exe/x86_64 GITLAB-RUNNER/17.5.0';
    });
    expect(evaluate(longLivedKey, gitlab)?.details).toMatchObject({ looksLikeCi: true });
  });

  it('takes the CI markers from config', () => {
    const config = withParams({ ciUserAgents: ['buildkite-agent'] });
    const event = derivedEvent('iamuser-akia-getcalleridentity-github-actions');
    expect(evaluate(longLivedKey, event, config)?.details).toMatchObject({ looksLikeCi: false });
  });
});

describe('long-lived-key: allow-list', () => {
  const lambda = corpusEvent('long-lived-key/stratus-lambda-updatefunctioncode-iamuser.json');

  it('allows by principal glob', () => {
    const config = withParams({
      allow: [{ principal: 'arn:aws:iam::165109126369:user/*', reason: 'legacy sync' }],
    });
    expect(evaluate(longLivedKey, corpusEvent(SECRETS_FILE), config)).toBeUndefined();
    // Same user name in another account: not allowed.
    expect(evaluate(longLivedKey, lambda, config)).toBeDefined();
  });

  it('allows by key glob', () => {
    const config = withParams({
      allow: [{ accessKeyId: 'AKIALK3Q*', reason: 'vendor integration, rotated monthly' }],
    });
    expect(evaluate(longLivedKey, corpusEvent(SECRETS_FILE), config)).toBeUndefined();
    expect(evaluate(longLivedKey, lambda, config)).toBeDefined();
  });

  it('needs both to match when an entry names both', () => {
    const entry = { principal: CHRISTOPHE, accessKeyId: 'AKIAOTHERKEY00000000', reason: 'old key only' };
    expect(evaluate(longLivedKey, corpusEvent(SECRETS_FILE), withParams({ allow: [entry] }))).toBeDefined();
    const both = { ...entry, accessKeyId: SECRETS_KEY };
    expect(evaluate(longLivedKey, corpusEvent(SECRETS_FILE), withParams({ allow: [both] }))).toBeUndefined();
  });

  it('rejects an entry that names neither principal nor key, or has no reason', () => {
    expect(() => withParams({ allow: [{ reason: 'everything' }] })).toThrow(/principal or an accessKeyId/);
    expect(() => withParams({ allow: [{ principal: CHRISTOPHE }] })).toThrow();
  });
});

describe('long-lived-key: once per key per UTC day (through the engine)', () => {
  async function run(batches: NormalizedEvent[][], config: ResolvedConfig = testConfig()) {
    const engine = new DetectionEngine({
      detectors: [longLivedKey],
      config,
      state: new MemoryState(),
      now: Date.parse('2024-08-10T00:00:00Z'),
    });
    const findings: Finding[] = [];
    for (const batch of batches) findings.push(...(await engine.process(batch)));
    expect(engine.failures.size).toBe(0);
    return { findings, engine };
  }

  let serial = 0;
  const at = (time: string) =>
    variant(SECRETS, (copy) => {
      copy.eventTime = time;
      copy.eventID = `long-lived-test-${++serial}`;
    });

  it('raises one finding for the same key twice in a day, and a second the next UTC day', async () => {
    const [first, second] = corpusRecords(SECRETS_FILE).map((record) => variant(record, () => {}));
    const late = at('2024-07-31T23:59:59Z');
    const nextDay = at('2024-08-01T00:00:00Z');
    const { findings, engine } = await run([
      [first as NormalizedEvent, second as NormalizedEvent],
      [late],
      [nextDay],
    ]);
    expect(findings.map((f) => f.time)).toEqual(['2024-07-31T12:29:17.000Z', '2024-08-01T00:00:00.000Z']);
    expect(findings.map((f) => f.details?.day)).toEqual(['2024-07-31', '2024-08-01']);
    expect(findings[0]?.id).not.toBe(findings[1]?.id);
    expect(engine.folded.get(ID)).toBe(2);
  });

  it('keeps keys apart on the same day', async () => {
    const lambda = corpusRecords('long-lived-key/stratus-lambda-updatefunctioncode-iamuser.json')[0] ?? {};
    const other = variant(lambda, (copy) => {
      copy.eventTime = '2024-07-31T15:00:00Z';
    });
    const { findings } = await run([[corpusEvent(SECRETS_FILE), other, at('2024-07-31T18:00:00Z')]]);
    expect(findings.map((f) => f.details?.accessKeyId)).toEqual([SECRETS_KEY, other.credential.accessKeyId]);
  });

  it('honours the allow-list through the engine', async () => {
    const config = withParams({ allow: [{ accessKeyId: SECRETS_KEY, reason: 'test' }] });
    expect((await run([[corpusEvent(SECRETS_FILE)]], config)).findings).toEqual([]);
  });
});

describe('long-lived-key: contract', () => {
  it('follows the detector conventions', () => {
    expect(longLivedKey.kind).toBe('event');
    const steps = longLivedKey.runbook.split('\n');
    expect(steps.length).toBeGreaterThanOrEqual(3);
    expect(steps.length).toBeLessThanOrEqual(5);
    for (const [index, step] of steps.entries()) expect(step.startsWith(`${index + 1}. `)).toBe(true);
    expect(longLivedKey.needs).toEqual([{ source: '*', readOnly: true }]);
    expect(longLivedKey.params.parse({})).toEqual({
      allow: [],
      ciUserAgents: ['configure-aws-credentials', 'GitHubActions', 'gitlab-runner'],
    });
    expect(testConfig().detectors[ID]).toMatchObject({ enabled: true, allow: [] });
  });

  it('never throws on any corpus or derived record, with or without an inventory', () => {
    const corpus = new URL('../fixtures/corpus/', import.meta.url);
    const records: Record<string, unknown>[] = [];
    for (const category of readdirSync(corpus, { withFileTypes: true }).filter((entry) =>
      entry.isDirectory(),
    )) {
      for (const name of readdirSync(new URL(`${category.name}/`, corpus)).filter((n) =>
        n.endsWith('.json'),
      )) {
        records.push(...corpusRecords(`${category.name}/${name}`));
      }
    }
    for (const name of readdirSync(new URL('../fixtures/records/', import.meta.url))) {
      if (name.endsWith('.json')) records.push(derivedRecord(name.slice(0, -5)));
    }
    for (const config of [testConfig(), exampleConfig()]) {
      for (const record of records) {
        const result = normalizeRecord(record);
        if (result.ok) expect(() => evaluate(longLivedKey, result.event, config)).not.toThrow();
      }
    }
  });
});

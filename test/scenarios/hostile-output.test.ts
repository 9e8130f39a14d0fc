import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_PIPELINES } from '../helpers/config.ts';
import { readCsv } from '../helpers/csv-reader.ts';
import { HOSTILE_TEXT, RAW_TERMINAL_CONTROL } from '../helpers/hostile-text.ts';
import { corpusRecords, derivedRecord } from '../helpers/records.ts';
import { type CliResult, runCli } from '../helpers/run-cli.ts';

/**
 * Attacker text through every output of the real CLI. Covered elsewhere: terminalSafe and the findings
 * table as units (test/lib/output), csvField as a unit, Slack through `detect --notify`
 * (test/lib/cli/alerts.test.ts). Here: `detect` in table, json, jsonl and ocsf, and the local queries whose rows
 * carry attacker text in table, jsonl and csv, over real records whose attacker-written fields (OIDC subject and branch, session name,
 * user agent, source address, request parameters, error message, and the event name of a denied call)
 * hold hostile text, at the start of the field so that it also starts a CSV cell.
 */

type Json = Record<string, unknown>;
// biome-ignore lint/suspicious/noExplicitAny: records are patched by path, as test/helpers/records.ts does.
type Patchable = Record<string, any>;

const SNITCH = corpusRecords(
  'oidc/assume-role-with-web-identity-github-success-cloud-snitch.json',
)[0] as Json;
const LATER = derivedRecord('github-oidc-session-secretsmanager-batchgetsecretvalue-elsewhere');
const STOP = corpusRecords('guardrail/stratus-cloudtrail-stoplogging-iamuser.json')[0] as Json;
const ROLE =
  'arn:aws:iam::774305579662:role/cloud-snitch-github-actio-GithubActionsRoleF5CC769F-MoeCHSu77MYt';
const PROVIDER = 'arn:aws:iam::774305579662:oidc-provider/token.actions.githubusercontent.com';
const keyOf = (i: number) => `ASIAHOSTILE${String(i).padStart(9, '0')}`;

/** One OIDC assumption, one denied call with its key and one StopLogging per hostile string. */
function hostileRecords(): Json[] {
  return HOSTILE_TEXT.flatMap((text, i) => {
    const subject = i % 2 === 0 ? `repo:ccbrown/cloud-snitch:ref:refs/heads/${text}` : text;
    const assume: Patchable = structuredClone(SNITCH);
    assume.eventID = `hostile-assume-${i}`;
    Object.assign(assume.userIdentity, {
      userName: subject,
      principalId: `${PROVIDER}:sts.amazonaws.com:${subject}`,
    });
    Object.assign(assume.requestParameters, { roleSessionName: text });
    assume.responseElements.credentials.accessKeyId = keyOf(i);
    Object.assign(assume.responseElements, {
      subjectFromWebIdentityToken: subject,
      assumedRoleUser: { arn: `arn:aws:sts::774305579662:assumed-role/x/${text}` },
    });
    Object.assign(assume, { userAgent: text, sourceIPAddress: text });

    const later: Patchable = structuredClone(LATER);
    Object.assign(later, {
      eventID: `hostile-later-${i}`,
      eventName: text,
      userAgent: text,
      sourceIPAddress: text,
    });
    Object.assign(later, { errorCode: 'AccessDenied', errorMessage: text });
    Object.assign(later.userIdentity, {
      accessKeyId: keyOf(i),
      arn: `arn:aws:sts::774305579662:assumed-role/cloud-snitch-github-actio-GithubActionsRoleF5CC769F-MoeCHSu77MYt/${text}`,
    });

    const stop: Patchable = structuredClone(STOP);
    Object.assign(stop, { eventID: `hostile-stop-${i}`, userAgent: text, errorMessage: text });
    stop.requestParameters = { name: text };

    // The hostile session chains into a deploy role and writes IAM: the finding's chain carries the
    // subject and the session name.
    const chained = `ASIACHAINED${String(i).padStart(9, '0')}`;
    const chain: Patchable = structuredClone(LATER);
    Object.assign(chain, {
      eventID: `hostile-chain-${i}`,
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRole',
      readOnly: true,
      requestParameters: { roleArn: 'arn:aws:iam::774305579662:role/deployer', roleSessionName: 'deploy' },
      responseElements: {
        credentials: { accessKeyId: chained, expiration: 'Jan 1, 2030, 12:00:00 AM' },
        assumedRoleUser: { arn: 'arn:aws:sts::774305579662:assumed-role/deployer/deploy' },
      },
    });
    Object.assign(chain.userIdentity, { accessKeyId: keyOf(i) });
    const write: Patchable = structuredClone(chain);
    Object.assign(write, {
      eventID: `hostile-write-${i}`,
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateUser',
      readOnly: false,
      requestParameters: { userName: 'x' },
      responseElements: null,
    });
    Object.assign(write.userIdentity, {
      accessKeyId: chained,
      arn: 'arn:aws:sts::774305579662:assumed-role/deployer/deploy',
      sessionContext: {
        sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::774305579662:role/deployer', userName: 'deployer' },
      },
    });
    return [assume, later, stop, chain, write];
  });
}

let root: string;
let trail: string;
let config: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tg-hostile-'));
  trail = join(root, 'trail.json');
  config = join(root, 'trailguard.yaml');
  await writeFile(trail, JSON.stringify({ Records: hostileRecords() }));
  await writeFile(config, JSON.stringify({ pipelines: EXAMPLE_PIPELINES }));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** What a spreadsheet may run: a formula sign first, after spaces, or in its full-width form; tab, CR. */
const FORMULA_START = /^(?:[ \u00a0\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20]|[\t\r])/;

/**
 * What a run must show. Always: exit 0, no raw terminal control on stderr or stdout (CSV included: it is
 * printed, and `cat` shows it), no CSV cell a spreadsheet would evaluate. `visible`: the hostile text
 * reaches this output (escaped in the table and CSV, defused in CSV, exact in JSON), so the checks are
 * not vacuous.
 */
function expectSafe(result: CliResult, format: string, visible: boolean): void {
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).not.toMatch(RAW_TERMINAL_CONTROL);
  expect(result.stdout).not.toMatch(RAW_TERMINAL_CONTROL);
  if (format === 'csv') {
    const cells = readCsv(result.stdout).flat();
    expect(cells.filter((cell) => FORMULA_START.test(cell))).toEqual([]);
    expect(cells.filter((cell) => cell.includes('\r'))).toEqual([]);
    if (visible) {
      expect(cells.some((cell) => cell.startsWith("'="))).toBe(true);
      expect(cells.some((cell) => cell.includes('\\u{1b}'))).toBe(true);
    }
    return;
  }
  if (format === 'table') {
    expect(result.stdout).not.toContain('\r');
    if (visible) expect(result.stdout).toContain('\\u{1b}');
    return;
  }
  const lines = format === 'json' ? [result.stdout] : result.stdout.split('\n').filter(Boolean);
  const values = JSON.stringify(lines.map((line) => JSON.parse(line) as unknown));
  // Escaped for the terminal, not altered: the exact value is still there.
  if (visible) expect(values).toContain(JSON.stringify(HOSTILE_TEXT[0]).slice(1, -1));
}

describe('hostile event text through every CLI output', { timeout: 120_000 }, () => {
  it.each(['table', 'json', 'jsonl', 'ocsf'])('detect --format %s', async (format) => {
    const result = await runCli(['detect', trail, '--config', config, '--format', format]);
    expectSafe(result, format, true);
    if (format === 'jsonl') {
      const detectors = new Set(
        result.stdout
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l).detector),
      );
      expect([...detectors]).toEqual(
        expect.arrayContaining(['oidc-unexpected-subject', 'audit-tampering', 'pipeline-iam-write']),
      );
    }
  });

  const keys = HOSTILE_TEXT.flatMap((_, i) => ['--access-key-id', keyOf(i)]);
  /**
   * Each query in the formats where attacker text reaches its rows (lists are JSON arrays in a CSV cell, so
   * keys and principal have no CSV cell to defuse). `denied` and `iam-writes` rows hold only names AWS
   * writes (principal ARNs, actions) and go through the same renderers (lib/queries/render-rows.ts).
   */
  const queries: [string, string[], string[]][] = [
    ['oidc', [], ['table', 'jsonl', 'csv']],
    ['session', keys, ['table', 'jsonl', 'csv']],
    ['keys', [], ['table', 'jsonl']],
    ['principal', [ROLE], ['table', 'jsonl']],
  ];
  it.each(queries)('query %s', async (name, args, formats) => {
    const results = await Promise.all(
      formats.map((format) => runCli(['query', name, ...args, trail, '--config', config, '-f', format])),
    );
    results.forEach((result, i) => {
      const format = formats[i] as string;
      expectSafe(result, format, true);
    });
  });
});

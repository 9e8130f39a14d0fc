import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { EXAMPLE_PIPELINES } from './config.ts';
import { corpusFiles, corpusRecords, derivedRecord } from './records.ts';
import { wrongTypeVariants } from './wrong-types.ts';

type Json = Record<string, unknown>;

/** Something the run must name on stderr: `trailguard: skipped <file>[:line][ record N]: <reason>`. */
export interface ExpectedSkip {
  /** The file's path as the CLI prints it (the folder path joined with the file's name). */
  file: string;
  /** `:line record N` for an entry inside a file, empty for a whole file. */
  where: string;
  reason: RegExp;
}

/** One kind of bad input in the catalogue, and what the run must say about it. */
export interface BadKind {
  kind: string;
  skips: ExpectedSkip[];
}

export interface BadInputFolder {
  /** Valid files mixed with every kind of bad file. */
  dir: string;
  /** The valid records alone, in files of the same names (so in the same replay order). */
  cleanDir: string;
  /** The example inventory as a config file, outside both folders. */
  configPath: string;
  /** Records that must be judged: every record written that a correct reader can judge. */
  validRecords: number;
  kinds: BadKind[];
  cleanup(): Promise<void>;
}

/** Corpus records that are not judgeable by design: Insights events and abridged docs without eventTime. */
const UNJUDGEABLE = new Set([
  'mutation-burst/awsdocs-insights-apicallrateinsight-start-end.json',
  'oidc/assume-role-with-web-identity-failed-eks-abridged-repost.json',
  'oidc/assume-role-with-web-identity-github-template-datadog-securitylabs.json',
]);

const DERIVED = [
  'github-oidc-pull-request-success',
  'github-oidc-denied-foreign-repo',
  'github-oidc-service-role-attachrolepolicy-admin',
  'github-oidc-session-secretsmanager-batchgetsecretvalue-elsewhere',
  'updateassumerolepolicy-github-oidc-wildcard-sub',
  'gitlab-oidc-success',
  'agent-session-iam-createrole',
  'eventbridge-deleterule-trailguard',
];

const STOP_LOGGING = () =>
  structuredClone(corpusRecords('guardrail/stratus-cloudtrail-stoplogging-iamuser.json')[0] as Json);

/** JSON text nested `levels` deep: built as text, since JSON.stringify itself overflows on it. */
const deepJson = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

/** Deterministic bytes that are neither gzip nor JSON nor a byte-order mark. */
function garbage(length: number): Buffer {
  const bytes = Buffer.alloc(length);
  let seed = 0x2545f491;
  for (let i = 0; i < length; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    bytes[i] = seed >>> 24;
  }
  bytes[0] = 0;
  return bytes;
}

interface Entry {
  name: string;
  bytes: Buffer | string;
  /** The valid records in it, for the clean folder (none: the file is not written there). */
  valid: Json[];
  /** The clean folder's file, when `{"Records": valid}` cannot be written (JSON.stringify overflows). */
  clean?: string;
  kind?: string;
  /** Per-skip `where` and reason; the file is filled in. */
  skips?: { where?: string; reason: RegExp }[];
}

/**
 * Copies of real records, only eventID and eventTime changed (as test/fixtures/records/README.md describes),
 * after every other record in time so none is late: a denial burst and an agent over its change budget.
 */
function bursts(): Json[] {
  const denied = corpusRecords(
    'access-denied/stratus-ec2-getpassworddata-unauthorizedoperation-burst.json',
  )[0];
  const agent = derivedRecord('agent-session-iam-createrole');
  const at = (minute: number, second: number) =>
    `2027-01-01T00:0${minute}:${String(second).padStart(2, '0')}Z`;
  return [
    ...Array.from({ length: 25 }, (_, i) => ({
      ...denied,
      eventID: `burst-denied-${i}`,
      eventTime: at(0, i),
    })),
    ...Array.from({ length: 12 }, (_, i) => ({ ...agent, eventID: `burst-agent-${i}`, eventTime: at(1, i) })),
  ];
}

const records = (list: readonly Json[]) => JSON.stringify({ Records: list });
const withId = (record: Json, id: string): Json => ({ ...record, eventID: id });

function entries(): Entry[] {
  const corpus = corpusFiles()
    .filter((file) => !UNJUDGEABLE.has(file))
    .flatMap((file) => corpusRecords(file));
  const derived = DERIVED.map((name) => derivedRecord(name));
  const denials = corpusRecords('access-denied/stratus-ec2-getpassworddata-unauthorizedoperation-burst.json');
  const lines = denials.slice(0, 3).map((r, i) => withId(r, `jsonl-${i}`));
  const [m1, m2] = denials.slice(3, 5).map((r, i) => withId(r, `cwl-${i}`));
  const huge = withId(STOP_LOGGING(), 'huge-record');
  huge.userAgent = `${'\u001b[2J<!channel>=cmd|'.repeat(150_000)}`;
  (huge.requestParameters as Json).padding = 'p'.repeat(3 * 1024 * 1024);
  const deep = withId(STOP_LOGGING(), 'deep-record');
  const deepText = JSON.stringify(deep).replace(
    '"requestParameters":{',
    `"requestParameters":{"deep":${deepJson(100_000)},`,
  );
  const wrong = wrongTypeVariants();
  const valid = (json: string) => gzipSync(json);
  const truncated = gzipSync(records(corpus.slice(0, 20)));
  const envelope = {
    version: '0',
    id: 'e-1',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.iam',
  };
  const logs = { messageType: 'DATA_MESSAGE', owner: '111122223333', logGroup: 'trail', logStream: 's' };
  return [
    { name: 'AWSLogs/corpus.json.gz', bytes: valid(records(corpus)), valid: corpus },
    { name: 'AWSLogs/derived.json.gz', bytes: valid(records(derived)), valid: derived },
    { name: 'AWSLogs/bursts.json.gz', bytes: valid(records(bursts())), valid: bursts() },
    { name: 'AWSLogs/huge-record.json', bytes: records([huge]), valid: [huge] },
    {
      name: 'AWSLogs/deep-record.json',
      bytes: `{"Records":[${deepText}]}`,
      valid: [JSON.parse(deepText)],
      clean: `{"Records":[${deepText}]}`,
    },
    {
      name: 'AWSLogs/utf16.json',
      bytes: Buffer.concat([
        Buffer.from([0xff, 0xfe]),
        Buffer.from(records([withId(STOP_LOGGING(), 'utf16')]), 'utf16le'),
      ]),
      valid: [withId(STOP_LOGGING(), 'utf16')],
    },
    {
      kind: 'nulls and wrong types in every field the code reads',
      name: 'AWSLogs/wrong-types.json',
      bytes: records(wrong.map((v) => v.record)),
      valid: wrong.filter((v) => v.reason === undefined).map((v) => v.record),
      skips: wrong.flatMap((v, i) => (v.reason ? [{ where: ` record ${i}`, reason: v.reason }] : [])),
    },
    {
      kind: 'truncated gzip',
      name: 'bad/truncated.json.gz',
      bytes: truncated.subarray(0, truncated.length >> 1),
      valid: [],
      skips: [{ reason: /^truncated gzip/ }],
    },
    {
      kind: 'gzip of non-JSON',
      name: 'bad/gzip-text.json.gz',
      bytes: gzipSync('this is a log line, not JSON\n'),
      valid: [],
      skips: [{ reason: /^not JSON: / }],
    },
    {
      kind: 'zero-byte file',
      name: 'bad/empty.json',
      bytes: '',
      valid: [],
      skips: [{ reason: /^empty file$/ }],
    },
    {
      kind: 'non-JSON text',
      name: 'bad/notes.txt',
      bytes: 'Records: none today\nsee ticket 42\n',
      valid: [],
      skips: [{ reason: /^not JSON: / }],
    },
    {
      kind: 'binary garbage',
      name: 'bad/garbage.bin',
      bytes: garbage(64 * 1024),
      valid: [],
      skips: [{ reason: /^not JSON: / }],
    },
    {
      kind: 'truncated pretty-printed JSON',
      name: 'bad/cut.json',
      bytes: JSON.stringify({ Records: corpus.slice(0, 3) }, null, 2).slice(0, 900),
      valid: [],
      skips: [{ reason: /^not JSON: / }],
    },
    {
      kind: 'JSON object without Records',
      name: 'bad/no-records.json',
      bytes: '{"foo":1,"bar":[2]}',
      valid: [],
      skips: [{ where: ' record 0', reason: /^not a CloudTrail record \(keys: foo, bar\)$/ }],
    },
    {
      kind: 'Records not an array',
      name: 'bad/records-object.json',
      bytes: '{"Records":{"eventName":"x"}}',
      valid: [],
      skips: [{ where: ' record 0', reason: /^Records: not an array \(object\)$/ }],
    },
    {
      kind: 'Records null',
      name: 'bad/records-null.json',
      bytes: '{"Records":null}',
      valid: [],
      skips: [{ where: ' record 0', reason: /^Records: not an array \(null\)$/ }],
    },
    {
      kind: 'array of numbers',
      name: 'bad/numbers.json',
      bytes: '[1,2,3]',
      valid: [],
      skips: [0, 1, 2].map((i) => ({
        where: ` record ${i}`,
        reason: new RegExp(`^\\[${i}\\]: not a JSON object \\(number\\)$`),
      })),
    },
    {
      kind: 'JSON nested 100,000 levels deep',
      name: 'bad/deep.json',
      bytes: deepJson(100_000),
      valid: [],
      skips: [{ where: ' record 0', reason: /nested too deeply to be CloudTrail$/ }],
    },
    {
      kind: 'JSON Lines with one broken line',
      name: 'AWSLogs/events.jsonl',
      bytes: [
        JSON.stringify(lines[0]),
        JSON.stringify(lines[1]),
        '{"eventTime":"2025-',
        JSON.stringify(lines[2]),
      ].join('\n'),
      valid: lines,
      skips: [{ where: ':3 record 2', reason: /^line 3: not JSON: / }],
    },
    {
      kind: 'back-to-back JSON cut off after the last value (Firehose)',
      name: 'AWSLogs/firehose.json',
      bytes: `${records([withId(STOP_LOGGING(), 'fh-1')])}${records([withId(STOP_LOGGING(), 'fh-2')])}{"Records":[{"eventTi`,
      valid: [withId(STOP_LOGGING(), 'fh-1'), withId(STOP_LOGGING(), 'fh-2')],
      skips: [{ reason: /^not JSON: truncated after the last complete value$/ }],
    },
    {
      kind: 'EventBridge envelope with no detail',
      name: 'bad/eventbridge-no-detail.json',
      bytes: JSON.stringify(envelope),
      valid: [],
      skips: [{ where: ' record 0', reason: /without a detail object \(undefined\)$/ }],
    },
    {
      kind: 'EventBridge envelope with a null detail',
      name: 'bad/eventbridge-null-detail.json',
      bytes: JSON.stringify({ ...envelope, detail: null }),
      valid: [],
      skips: [{ where: ' record 0', reason: /without a detail object \(null\)$/ }],
    },
    {
      kind: 'CloudWatch Logs payload with logEvents not a list',
      name: 'bad/cwl-not-list.json',
      bytes: JSON.stringify({ ...logs, logEvents: { id: '1' } }),
      valid: [],
      skips: [{ where: ' record 0', reason: /^logEvents: not an array \(object\)$/ }],
    },
    {
      kind: 'CloudWatch Logs payload with broken messages among valid ones',
      name: 'AWSLogs/cwl-messages.json',
      bytes: JSON.stringify({
        ...logs,
        logEvents: [
          { id: '1', message: JSON.stringify(m1) },
          { id: '2', message: '{"eventTime":' },
          { id: '3', message: 42 },
          { id: '4', message: JSON.stringify(m2) },
        ],
      }),
      valid: [m1, m2].filter((r): r is Json => r !== undefined),
      skips: [
        { where: ' record 1', reason: /^logEvents\[1\]\.message: not JSON: / },
        { where: ' record 2', reason: /^logEvents\[2\]: log event without a message string$/ },
      ],
    },
    {
      kind: 'CloudWatch Logs (Lambda) payload with corrupt awslogs.data',
      name: 'bad/cwl-awslogs.json',
      bytes: JSON.stringify({ awslogs: { data: truncated.subarray(0, 40).toString('base64') } }),
      valid: [],
      skips: [{ where: ' record 0', reason: /^awslogs\.data: truncated gzip/ }],
    },
    {
      kind: 'a file name with terminal escapes and a line break',
      name: 'bad/evil\u001b[2J\nname.json',
      bytes: 'not json',
      valid: [],
      skips: [{ reason: /^not JSON: / }],
    },
  ];
}

/**
 * Writes the catalogue: a folder of valid CloudTrail files (real corpus and derived records, S3-shaped and
 * in every container ingest reads) mixed with each kind of bad input, plus the same valid records alone.
 */
export async function buildBadInputFolder(): Promise<BadInputFolder> {
  const root = await mkdtemp(join(tmpdir(), 'tg-bad-input-'));
  const dir = join(root, 'mixed');
  const cleanDir = join(root, 'clean');
  const configPath = join(root, 'trailguard.yaml');
  await writeFile(configPath, JSON.stringify({ pipelines: EXAMPLE_PIPELINES }));
  let validRecords = 0;
  const kinds: BadKind[] = [];
  for (const entry of entries()) {
    await put(join(dir, entry.name), entry.bytes);
    validRecords += entry.valid.length;
    if (entry.valid.length > 0)
      await put(join(cleanDir, entry.name), entry.clean ?? gzipSync(records(entry.valid)));
    if (entry.kind !== undefined) {
      const file = join(dir, entry.name);
      kinds.push({
        kind: entry.kind,
        skips: (entry.skips ?? []).map((s) => ({ file, where: s.where ?? '', reason: s.reason })),
      });
    }
  }
  return {
    dir,
    cleanDir,
    configPath,
    validRecords,
    kinds,
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

async function put(path: string, bytes: Buffer | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
}

import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import * as z from 'zod';
import { slackChannelSchema } from '../lib/alerts/alerts-schema.ts';
import { DEFAULT_CONFIG_FILE } from '../lib/config/load-config.ts';
import { REPO_ROOT } from './paths.ts';

/**
 * What a deployer sets, as CDK context (`cdk deploy -c trailguard:slackChannel=#security` or the
 * `context` of cdk.json). Lists take JSON arrays (cdk.json) or comma-separated text (`-c`).
 */
export const CONTEXT = {
  configFile: 'trailguard:configFile',
  slackChannel: 'trailguard:slackChannel',
  alertEmails: 'trailguard:alertEmails',
  organizationId: 'trailguard:organizationId',
  regions: 'trailguard:regions',
  centralAccount: 'trailguard:centralAccount',
  centralRegion: 'trailguard:centralRegion',
  delivery: 'trailguard:delivery',
  logRetentionDays: 'trailguard:logRetentionDays',
  digestLogGroup: 'trailguard:digestLogGroup',
} as const;

const list = z
  .union([z.array(z.string()), z.string()])
  .transform((value) =>
    (typeof value === 'string' ? value.split(',') : value)
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  );
const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'a region such as us-east-1');

const parametersSchema = z.strictObject({
  configFile: z.string().min(1).optional(),
  slackChannel: slackChannelSchema.optional(),
  alertEmails: list.pipe(z.array(z.email())).default([]),
  organizationId: z
    .string()
    .regex(/^o-[a-z0-9]{10,32}$/, 'an organization id such as o-a1b2c3d4e5')
    .optional(),
  regions: list.pipe(z.array(region)).optional(),
  centralAccount: z.coerce
    .string()
    .regex(/^\d{12}$/, 'a 12-digit account id')
    .optional(),
  centralRegion: region.optional(),
  delivery: z.enum(['direct', 'queue']).default('direct'),
  logRetentionDays: z.coerce.number().int().positive().default(365),
  digestLogGroup: z.string().min(1).max(512).optional(),
});

export type DeployParameters = Omit<z.output<typeof parametersSchema>, 'regions' | 'centralRegion'> & {
  /** Regions the forwarder is deployed to: us-east-1 (IAM, global STS) and the central region at least. */
  regions: string[];
  centralRegion: string;
};

/** Reads and checks the `trailguard:*` context; throws naming every bad parameter. */
export function readDeployParameters(
  tryGetContext: (key: string) => unknown,
  defaults: { region?: string; account?: string } = {},
): DeployParameters {
  const raw = Object.fromEntries(
    Object.entries(CONTEXT)
      .map(([field, key]) => [field, tryGetContext(key)] as const)
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = parametersSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const field = String(issue.path[0] ?? '') as keyof typeof CONTEXT;
      return `${CONTEXT[field] ?? field}: ${issue.message}`;
    });
    throw new Error(`bad deploy parameters:\n  ${problems.join('\n  ')}`);
  }
  const value = parsed.data;
  const centralRegion = value.centralRegion ?? defaults.region ?? 'us-east-1';
  const regions = [...new Set(['us-east-1', centralRegion, ...(value.regions ?? [])])];
  // Like the CLI: without a file named, ./trailguard.yaml when there is one, else the defaults.
  const named =
    value.configFile ?? (existsSync(join(REPO_ROOT, DEFAULT_CONFIG_FILE)) ? DEFAULT_CONFIG_FILE : undefined);
  const configFile = named === undefined || isAbsolute(named) ? named : resolve(REPO_ROOT, named);
  return {
    ...value,
    configFile,
    centralRegion,
    regions,
    centralAccount: value.centralAccount ?? defaults.account,
  };
}

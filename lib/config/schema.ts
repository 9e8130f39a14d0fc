import * as z from 'zod';
import { buildAlertsSchema } from '../alerts/alerts-schema.ts';
import type { Detector } from '../engine/detector.ts';
import { SEVERITIES } from '../engine/finding.ts';
import { parseCidr } from '../identity/network.ts';
import { PIPELINE_KINDS } from '../inventory/inventory.ts';
import { durationSchema } from './duration.ts';

/**
 * The one schema behind `trailguard.yaml`: the types, the validation (`config validate`) and the published
 * JSON Schema (`config schema`) all come from here. Objects are strict so a misspelt key is an error, not
 * a silently ignored setting.
 */

const severitySchema = z.enum(SEVERITIES);

const cidrSchema = z
  .string()
  .refine((text) => parseCidr(text) !== undefined, 'a CIDR block such as 140.82.112.0/20 or 2001:db8::/32')
  .meta({ description: 'A CIDR block (IPv4 or IPv6).' });

const oidcSchema = z.strictObject({
  provider: z.enum(['github', 'gitlab']).meta({ description: 'Which CI system issues the tokens.' }),
  issuer: z.string().min(1).optional().meta({
    description:
      'Issuer host and path when not the public default: GHES, GitHub Enterprise custom issuers, self-managed GitLab.',
  }),
  subjects: z.array(z.string().min(1)).default([]).meta({
    description:
      'Globs over the `sub` claim that may assume this role (`*` matches anything, including `/` and `:`).',
  }),
});

const limitsSchema = z.strictObject({
  window: durationSchema.optional(),
  maxChanges: z.number().int().positive().optional(),
  maxIamChanges: z.number().int().positive().optional(),
});

export const pipelineSchema = z.strictObject({
  name: z.string().min(1).meta({ description: 'Shown in alerts.' }),
  role: z
    .string()
    .regex(/^arn:[^:]*:iam::[^:]*:role\/.+/, 'an IAM role ARN or glob (arn:aws:iam::ACCOUNT:role/NAME)')
    .meta({
      description: 'The role ARN or a glob over it. Matched by account and name, whatever the IAM path.',
    }),
  kind: z.enum(PIPELINE_KINDS).meta({
    description:
      'service: deploys only (may not write IAM); platform: may create roles; agent: an AI agent with a change budget.',
  }),
  environment: z.string().min(1).optional().meta({ description: 'e.g. prod; see prodEnvironments.' }),
  oidc: oidcSchema.optional(),
  limits: limitsSchema.optional().meta({ description: 'Per-pipeline change budget (agent-change-rate).' }),
  networks: z
    .array(cidrSchema)
    .optional()
    .meta({ description: 'Where the pipeline runs; credentials used from elsewhere are suspicious.' }),
  assumableBy: z.array(z.string().min(1)).optional().meta({
    description:
      'Globs over principal ARNs (roles path-less, users, account roots) that may also sts:AssumeRole into this role. Without it, a pipeline with an `oidc` block expects only AssumeRoleWithWebIdentity.',
  }),
});

const suppressionSchema = z
  .strictObject({
    detector: z.string().min(1).default('*').meta({ description: 'A detector id, or * for all.' }),
    principal: z.string().min(1).optional().meta({ description: 'Glob over the finding principal.' }),
    subject: z.string().min(1).optional().meta({ description: 'Glob over the OIDC subject.' }),
    reason: z.string().min(1).meta({ description: 'Why: shown in the run summary.' }),
    expires: z
      .union([z.string().regex(/^\d{4}-\d{2}-\d{2}(T.*)?$/, 'a date (YYYY-MM-DD) or ISO time'), z.date()])
      .optional()
      .meta({ description: 'A date (suppresses through the end of that UTC day) or an ISO time.' }),
  })
  .refine((s) => s.principal !== undefined || s.subject !== undefined || s.detector !== '*', {
    message: 'a suppression needs a detector, principal or subject: it would hide every finding',
  });

const engineSchema = z.strictObject({
  lateness: durationSchema
    .prefault('15m')
    .meta({ description: 'How far behind the newest event a late event is still counted.' }),
  stackOperationWindow: durationSchema.prefault('1h').meta({
    description:
      'How long after a CloudFormation stack operation starts the writes its service role makes are attributed to whoever started it.',
  }),
});

/** Settings every detector takes, merged with its own parameters. */
const commonDetectorSettings = {
  enabled: z.boolean().default(true),
  severity: severitySchema
    .optional()
    .meta({ description: 'Replaces every severity level of this detector.' }),
  cooldown: durationSchema.optional().meta({ description: 'How long repeats of a finding fold into it.' }),
};

/** Builds the config schema for a set of detectors (their parameters become `detectors.<id>`). */
export function buildConfigSchema(detectors: readonly Detector[]) {
  const detectorShapes: Record<string, z.ZodType> = {};
  for (const detector of detectors) {
    detectorShapes[detector.id] = z
      .strictObject({ ...commonDetectorSettings, ...detector.params.shape })
      .prefault({})
      .meta({ description: detector.description });
  }
  return z.strictObject({
    pipelines: z.array(pipelineSchema).default([]).meta({ description: 'The inventory of pipeline roles.' }),
    prodEnvironments: z
      .array(z.string().min(1))
      .default(['prod', 'production'])
      .meta({ description: 'Which environments count as production.' }),
    engine: engineSchema.prefault({}),
    detectors: z.strictObject(detectorShapes).prefault({}),
    suppressions: z.array(suppressionSchema).default([]),
    alerts: buildAlertsSchema(detectors.map((d) => d.id)).prefault({}),
  });
}

export type PipelineConfig = z.output<typeof pipelineSchema>;
export type SuppressionConfig = z.output<typeof suppressionSchema>;
export type ParsedConfig = z.output<ReturnType<typeof buildConfigSchema>>;

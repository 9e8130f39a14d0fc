import * as z from 'zod';
import { durationSchema } from '../config/duration.ts';
import { SEVERITIES } from '../engine/finding.ts';

/**
 * The `alerts:` section of trailguard.yaml. Plain zod with no SDK imports: every command loads the config
 * schema, and only `--notify` runs should pay for the Slack and SNS clients.
 */

const severitySchema = z.enum(SEVERITIES);

/** A channel ID (C0123ABCD, G…, D…) or a `#name` as Slack allows them (lowercase, digits, `-`, `_`, `.`). */
export const slackChannelSchema = z
  .string()
  .regex(
    /^(#[a-z0-9][a-z0-9._-]{0,79}|[CGD][A-Z0-9]{8,20})$/,
    'a Slack channel ID (C0123ABCD) or #channel-name',
  )
  .meta({ description: 'A Slack channel ID (C0123ABCD) or #channel-name the bot has been invited to.' });

export const topicArnSchema = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/,
    'an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)',
  )
  .meta({ description: 'An SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME).' });

const minSeverityMeta = {
  description: 'Only findings at least this severe reach this destination (default: alerts.minSeverity).',
};

const slackSinkSchema = z.strictObject({
  channel: slackChannelSchema,
  minSeverity: severitySchema.optional().meta(minSeverityMeta),
});

const snsSinkSchema = z.strictObject({
  topicArn: topicArnSchema,
  minSeverity: severitySchema.optional().meta(minSeverityMeta),
});

/** Builds the section for a set of detector ids, so a misspelt detector in a route is a config error. */
export function buildAlertsSchema(detectorIds: readonly string[]) {
  const detectorSchema =
    detectorIds.length > 0 ? z.enum(detectorIds as [string, ...string[]]) : z.string().min(1);
  const whenSchema = z
    .strictObject({
      severity: z.array(severitySchema).min(1).optional().meta({ description: 'Any of these severities.' }),
      detector: z.array(detectorSchema).min(1).optional().meta({ description: 'Any of these detector ids.' }),
      pipeline: z.array(z.string().min(1)).min(1).optional().meta({
        description: 'Globs over the inventory pipeline name; findings with no pipeline never match.',
      }),
      environment: z
        .array(z.string().min(1))
        .min(1)
        .optional()
        .meta({ description: 'Globs over the pipeline environment; findings with none never match.' }),
    })
    .refine((w) => Object.values(w).some((v) => v !== undefined), {
      message:
        'a route needs severity, detector, pipeline or environment (change alerts.slack / alerts.sns to move everything)',
    });
  const routeSchema = z
    .strictObject({
      name: z.string().min(1).optional().meta({ description: 'Shown in logs.' }),
      when: whenSchema.meta({
        description: 'Every condition given must hold; within a condition, any listed value matches.',
      }),
      slack: slackSinkSchema.optional(),
      sns: snsSinkSchema.optional(),
      alsoDefaults: z.boolean().default(false).meta({
        description:
          'Also send to alerts.slack / alerts.sns, not only to this route (default false: redirect).',
      }),
    })
    .refine((r) => r.slack !== undefined || r.sns !== undefined, { message: 'a route needs slack or sns' });

  return z
    .strictObject({
      minSeverity: severitySchema.default('medium').meta({
        description: 'The least severe finding sent anywhere unless a destination sets its own minSeverity.',
      }),
      slack: slackSinkSchema
        .optional()
        .meta({ description: 'Where findings go in Slack (token: SLACK_BOT_TOKEN).' }),
      sns: snsSinkSchema.optional().meta({
        description:
          'Where findings go as JSON for machines; attributes severity, detector, account, pipeline.',
      }),
      routes: z
        .array(routeSchema)
        .default([])
        .meta({
          description:
            'Checked in order; the FIRST route whose `when` matches decides where the finding goes, replacing ' +
            'alerts.slack / alerts.sns (add `alsoDefaults: true` to send to both). A finding no route matches ' +
            'goes to alerts.slack and alerts.sns. Each destination applies its own minSeverity.',
        }),
      maxAttempts: z
        .number()
        .int()
        .min(1)
        .max(50)
        .default(5)
        .meta({
          description:
            'Delivery attempts per finding and destination (over runs) before it may be given up, loudly; ' +
            'it is given up only once retryFor has passed as well.',
        }),
      retryFor: durationSchema.prefault('24h').meta({
        description:
          'How long a delivery keeps being retried (every flush) before it may be given up: a Slack or ' +
          'SNS outage shorter than this loses no alert.',
      }),
      traceSource: z
        .string()
        .min(1)
        .optional()
        .meta({
          description:
            'The SOURCE of the `trailguard query session` command shown in alerts, e.g. logs:org-trail ' +
            '(default: the paths detect read, or SOURCE).',
        }),
      digest: z
        .strictObject({ channel: slackChannelSchema.optional() })
        .optional()
        .meta({ description: '`trailguard digest --notify` posts here (default: alerts.slack.channel).' }),
    })
    .meta({ description: 'Slack and SNS alerts for `detect --notify`, `alerts flush` and the Lambda.' });
}

export type AlertsConfig = z.output<ReturnType<typeof buildAlertsSchema>>;
export type AlertRoute = AlertsConfig['routes'][number];

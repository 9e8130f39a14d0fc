import type { AlertsConfig } from '../alerts/alerts-schema.ts';
import type { RoleRef } from '../events/normalized-event.ts';
import { compileGlob, type Glob, matchesAny } from '../glob/glob.ts';
import { canonicalRolePattern } from '../identity/arn.ts';
import type { DetectorSettings, ParsedConfig, PipelineConfig, SuppressionConfig } from './schema.ts';

/** A pipeline from the inventory, with its globs compiled once. */
export interface Pipeline {
  name: string;
  kind: PipelineConfig['kind'];
  environment?: string;
  /** True when `environment` is one of `prodEnvironments`. */
  prod: boolean;
  rolePattern: string;
  oidc?: { provider: 'github' | 'gitlab'; issuer?: string; subjects: readonly Glob[] };
  limits?: PipelineConfig['limits'];
  networks?: readonly string[];
  /** `assumableBy` compiled; undefined when the entry has none. */
  assumableBy?: readonly Glob[];
  matchesRole(role: RoleRef): boolean;
  /** True when the subject matches one of `oidc.subjects` (false when none are listed). */
  allowsSubject(subject: string): boolean;
}

export interface Suppression {
  index: number;
  detector: string;
  principal?: Glob;
  subject?: Glob;
  reason: string;
  /** Epoch ms after which the entry no longer applies; undefined = never expires. */
  expiresAt?: number;
  /** The entry as written, for messages. */
  label: string;
}

export interface Inventory {
  readonly pipelines: readonly Pipeline[];
  readonly empty: boolean;
  /** The first pipeline whose role pattern matches (inventory order decides overlaps). */
  findByRole(role: RoleRef | undefined): Pipeline | undefined;
}

export interface ResolvedConfig {
  /** Where it came from: a file path, or `defaults`. */
  origin: string;
  inventory: Inventory;
  prodEnvironments: ReadonlySet<string>;
  engine: { lateness: number; stackOperationWindow: number };
  /** Per detector id: its settings merged with its own parameters (defaults applied). */
  detectors: Readonly<Record<string, DetectorSettings & Record<string, unknown>>>;
  suppressions: readonly Suppression[];
  /** Where `--notify` and the Lambda send findings (lib/alerts). */
  alerts: AlertsConfig;
}

function compilePipeline(config: PipelineConfig, prodEnvironments: ReadonlySet<string>): Pipeline {
  const exact = compileGlob(config.role);
  const pathless = canonicalRolePattern(config.role);
  const canonical = pathless === undefined ? undefined : compileGlob(pathless);
  const subjects = (config.oidc?.subjects ?? []).map(compileGlob);
  return {
    name: config.name,
    kind: config.kind,
    environment: config.environment,
    prod: config.environment !== undefined && prodEnvironments.has(config.environment.toLowerCase()),
    rolePattern: config.role,
    oidc: config.oidc && { provider: config.oidc.provider, issuer: config.oidc.issuer, subjects },
    limits: config.limits,
    networks: config.networks,
    assumableBy: config.assumableBy?.map(compileGlob),
    matchesRole: (role) =>
      exact.matches(role.arn) ||
      exact.matches(role.canonicalArn) ||
      (canonical?.matches(role.canonicalArn) ?? false),
    allowsSubject: (subject) => matchesAny(subjects, subject),
  };
}

/** End of the given UTC day for a bare date; the instant itself for an ISO time. */
function expiryOf(expires: SuppressionConfig['expires']): number | undefined {
  if (expires === undefined) return undefined;
  if (expires instanceof Date) return expires.getTime() + 86_400_000;
  if (/^\d{4}-\d{2}-\d{2}$/.test(expires)) return Date.parse(`${expires}T00:00:00Z`) + 86_400_000;
  const parsed = Date.parse(expires);
  return Number.isNaN(parsed) ? undefined : parsed;
}

function compileSuppression(config: SuppressionConfig, index: number): Suppression {
  const parts = [`detector=${config.detector}`];
  if (config.principal) parts.push(`principal=${config.principal}`);
  if (config.subject) parts.push(`subject=${config.subject}`);
  return {
    index,
    detector: config.detector,
    principal: config.principal === undefined ? undefined : compileGlob(config.principal),
    subject: config.subject === undefined ? undefined : compileGlob(config.subject),
    reason: config.reason,
    expiresAt: expiryOf(config.expires),
    label: `suppressions[${index}] (${parts.join(', ')})`,
  };
}

/** Compiles a validated config into what the engine and detectors use. */
export function resolveConfig(parsed: ParsedConfig, origin: string): ResolvedConfig {
  const prodEnvironments = new Set(parsed.prodEnvironments.map((env) => env.toLowerCase()));
  const pipelines = parsed.pipelines.map((p) => compilePipeline(p, prodEnvironments));
  const inventory: Inventory = {
    pipelines,
    empty: pipelines.length === 0,
    findByRole(role) {
      if (!role) return undefined;
      for (const pipeline of pipelines) if (pipeline.matchesRole(role)) return pipeline;
      return undefined;
    },
  };
  return {
    origin,
    inventory,
    prodEnvironments,
    engine: parsed.engine,
    detectors: parsed.detectors as ResolvedConfig['detectors'],
    suppressions: parsed.suppressions.map(compileSuppression),
    alerts: parsed.alerts,
  };
}

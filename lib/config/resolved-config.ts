import type { AlertsConfig } from '../alerts/alerts-schema.ts';
import type { EngineConfig } from '../engine/detection-engine.ts';
import type { Suppression } from '../engine/suppressions.ts';
import { compileGlob, matchesAny } from '../glob/glob.ts';
import { canonicalRolePattern } from '../identity/arn.ts';
import type { Inventory, Pipeline } from '../inventory/inventory.ts';
import type { ParsedConfig, PipelineConfig, SuppressionConfig } from './schema.ts';

/** The config compiled: what the engine reads (EngineConfig) plus what only its callers do. */
export interface ResolvedConfig extends EngineConfig {
  /** Where it came from: a file path, or `defaults`. */
  origin: string;
  prodEnvironments: ReadonlySet<string>;
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

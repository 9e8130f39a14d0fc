import type { RoleRef } from '../events/normalized-event.ts';
import type { Glob } from '../glob/glob.ts';

/**
 * The pipeline inventory as detectors read it. It lives below both lib/config (which compiles it from
 * `pipelines[]`, see resolveConfig) and lib/engine (which hands it to detectors), so neither has to import
 * the other for it.
 */

/** What a pipeline role may do: the config schema's `kind` enum is built from this list. */
export const PIPELINE_KINDS = ['service', 'platform', 'agent'] as const;
export type PipelineKind = (typeof PIPELINE_KINDS)[number];

/** A pipeline's own change budget (agent-change-rate); durations in ms. */
export interface PipelineLimits {
  window?: number;
  maxChanges?: number;
  maxIamChanges?: number;
}

/** A pipeline from the inventory, with its globs compiled once. */
export interface Pipeline {
  name: string;
  kind: PipelineKind;
  environment?: string;
  /** True when `environment` is one of `prodEnvironments`. */
  prod: boolean;
  rolePattern: string;
  oidc?: { provider: 'github' | 'gitlab'; issuer?: string; subjects: readonly Glob[] };
  limits?: PipelineLimits;
  networks?: readonly string[];
  /** `assumableBy` compiled; undefined when the entry has none. */
  assumableBy?: readonly Glob[];
  matchesRole(role: RoleRef): boolean;
  /** True when the subject matches one of `oidc.subjects` (false when none are listed). */
  allowsSubject(subject: string): boolean;
}

export interface Inventory {
  readonly pipelines: readonly Pipeline[];
  readonly empty: boolean;
  /** The first pipeline whose role pattern matches (inventory order decides overlaps). */
  findByRole(role: RoleRef | undefined): Pipeline | undefined;
}

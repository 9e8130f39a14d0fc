import { atLeast, type Finding, type Severity } from '../engine/finding.ts';
import { compileGlob, type Glob, matchesAny } from '../glob/glob.ts';
import type { AlertRoute, AlertsConfig } from './alerts-schema.ts';

/**
 * Where each finding goes. Routes are checked in order and the first whose `when` matches decides: its
 * destinations replace `alerts.slack` / `alerts.sns` (plus those with `alsoDefaults: true`). A finding no
 * route matches goes to `alerts.slack` and `alerts.sns`. Every destination then applies its own
 * `minSeverity` (default `alerts.minSeverity`, itself default `medium`).
 */

/** A destination: `slack:<channel>` or `sns:<topic ARN>`, the outbox's key for it. */
export type SinkId = `slack:${string}` | `sns:${string}`;

export interface Destination {
  sink: SinkId;
  minSeverity: Severity;
}

interface CompiledRoute {
  route: AlertRoute;
  pipeline?: readonly Glob[];
  environment?: readonly Glob[];
  destinations: Destination[];
}

export function slackSink(channel: string): SinkId {
  return `slack:${channel}`;
}

export function snsSink(topicArn: string): SinkId {
  return `sns:${topicArn}`;
}

/** The kind of sink and its target (channel or topic ARN). */
export function parseSink(sink: string): { kind: 'slack' | 'sns'; target: string } | undefined {
  const colon = sink.indexOf(':');
  const kind = sink.slice(0, colon);
  if (colon < 0 || (kind !== 'slack' && kind !== 'sns')) return undefined;
  return { kind, target: sink.slice(colon + 1) };
}

function destinationsOf(sinks: Pick<AlertRoute, 'slack' | 'sns'>, fallback: Severity): Destination[] {
  const found: Destination[] = [];
  if (sinks.slack)
    found.push({ sink: slackSink(sinks.slack.channel), minSeverity: sinks.slack.minSeverity ?? fallback });
  if (sinks.sns)
    found.push({ sink: snsSink(sinks.sns.topicArn), minSeverity: sinks.sns.minSeverity ?? fallback });
  return found;
}

export class Router {
  readonly #defaults: Destination[];
  readonly #routes: CompiledRoute[];

  constructor(config: AlertsConfig) {
    this.#defaults = destinationsOf(config, config.minSeverity);
    this.#routes = config.routes.map((route) => ({
      route,
      pipeline: route.when.pipeline?.map(compileGlob),
      environment: route.when.environment?.map(compileGlob),
      destinations: [
        ...destinationsOf(route, config.minSeverity),
        ...(route.alsoDefaults ? this.#defaults : []),
      ],
    }));
  }

  /** Every sink any finding could go to. */
  get sinks(): SinkId[] {
    return [
      ...new Set([...this.#defaults, ...this.#routes.flatMap((r) => r.destinations)].map((d) => d.sink)),
    ];
  }

  /** The first route that matches the finding, if any. */
  routeOf(finding: Finding): AlertRoute | undefined {
    return this.#routes.find((compiled) => matches(compiled, finding))?.route;
  }

  /** The sinks this finding goes to (each once), after every destination's minimum severity. */
  sinksFor(finding: Finding): SinkId[] {
    const route = this.#routes.find((compiled) => matches(compiled, finding));
    const destinations = route ? route.destinations : this.#defaults;
    const sinks = destinations.filter((d) => atLeast(finding.severity, d.minSeverity)).map((d) => d.sink);
    return [...new Set(sinks)];
  }
}

function matches(compiled: CompiledRoute, finding: Finding): boolean {
  const { when } = compiled.route;
  if (when.severity && !when.severity.includes(finding.severity)) return false;
  if (when.detector && !when.detector.includes(finding.detector)) return false;
  if (
    compiled.pipeline &&
    (finding.pipeline === undefined || !matchesAny(compiled.pipeline, finding.pipeline))
  )
    return false;
  if (
    compiled.environment &&
    (finding.environment === undefined || !matchesAny(compiled.environment, finding.environment))
  )
    return false;
  return true;
}

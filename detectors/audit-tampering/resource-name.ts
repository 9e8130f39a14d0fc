import type { NormalizedEvent } from '../../lib/events/normalized-event.ts';

/** The log group, rule, function or table acted on: from the request, else from a denial's message. */
export function resourceName(event: NormalizedEvent): string | undefined {
  const request = event.requestParameters;
  const given = [
    request?.logGroupName,
    request?.name,
    request?.rule,
    request?.functionName,
    request?.tableName,
  ].find((value): value is string => typeof value === 'string');
  const value = given ?? /on resource: (\S+)/.exec(event.errorMessage ?? '')?.[1];
  if (value === undefined || value === '*') return undefined;
  const inArn = /:(?:function|log-group):([^:]+)/.exec(value)?.[1];
  return inArn ?? (value.startsWith('arn:') ? value.slice(value.lastIndexOf('/') + 1) : value);
}

/** Request fields naming what was stopped, for calls that are not about a listed resource. */
const TARGET_FIELDS = [
  ...['trailName', 'detectorId', 'configurationRecorderName', 'deliveryChannelName', 'analyzerName'],
  ...['resolverQueryLogConfigId', 'eventDataStore', 'servicePrincipal', 'ipSetId'],
];

/** What the call acted on: the listed resource, else the request field naming what was stopped. */
export function targetOf(event: NormalizedEvent): string | undefined {
  const request = event.requestParameters;
  const field = TARGET_FIELDS.find((name) => typeof request?.[name] === 'string');
  return resourceName(event) ?? (field && String(request?.[field]));
}

import { randomUUID } from 'node:crypto';
import { createServer, request as forward, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { random } from './synthetic-trail.ts';

/**
 * A fault-injecting HTTP proxy on loopback, in front of a real local service (DynamoDB Local, fauxqs).
 * Clients point their standard endpoint (`AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_SNS`, or the
 * client's `endpoint`) at it; every request is forwarded unchanged unless a rule picks it, and then it
 * answers the way the AWS service does when it fails:
 *
 * - `throttle` / `provisioned`: HTTP 400 with the exact error shape — AWS JSON (`x-amzn-ErrorType`
 *   header and `__type` body: `ThrottlingException`, `ProvisionedThroughputExceededException`) for
 *   DynamoDB, the Query-protocol XML `Throttling` error for SNS;
 * - `server-error`: HTTP 500 `InternalServerError` (JSON) / `InternalError` (XML);
 * - `timeout`: the request IS forwarded and applied, but the answer is held for `delayMs` (past the
 *   client's request timeout): the client gives up on a write that landed, and its retry meets it;
 * - `reset`: the connection is destroyed before anything is forwarded;
 * - `reset-after`: forwarded and applied, then the connection is destroyed instead of answering;
 * - `slow`: forwarded, answered `delayMs` late (latency, not a failure: to stretch a run out).
 *
 * The protocol is told by the request's content type. Which requests fail is drawn from a seeded PRNG in
 * arrival order, so a run injects the same number of faults give or take the order concurrent requests
 * arrive in; tests assert outcomes that must hold whichever requests were hit.
 */

export type FaultKind =
  | 'throttle'
  | 'provisioned'
  | 'server-error'
  | 'timeout'
  | 'reset'
  | 'reset-after'
  | 'slow';

export interface ProxiedRequest {
  /** `UpdateItem` (from X-Amz-Target) or `Publish` (the Query `Action`). */
  operation: string;
  body: string;
  /** 1 for the first attempt, from the SDK's `amz-sdk-request` header. */
  attempt: number;
}

export interface FaultRule {
  kind: FaultKind;
  /** Share of the matching requests to fail (default 1: every one). */
  rate?: number;
  /** Which requests the rule applies to (default: all). */
  match?: (request: ProxiedRequest) => boolean;
  /** Inject at most this many, then let requests through. */
  limit?: number;
  /** For `timeout` and `slow`: how long the answer is held (default 10 s). */
  delayMs?: number;
}

export interface FaultProxy {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** Replaces the rules: an outage starts or ends. */
  setRules(rules: readonly FaultRule[]): void;
  /** Faults injected so far, by kind. */
  injected: Map<FaultKind, number>;
  /** Requests seen, by operation, and how many of them were retries (attempt > 1). */
  requests: Map<string, number>;
  retries: number;
  /** Total of `injected`. */
  totalInjected(): number;
  close(): Promise<void>;
}

type Protocol = 'json' | 'query';

const JSON_ERRORS: Record<string, { status: number; type: string; message: string }> = {
  throttle: {
    status: 400,
    type: 'com.amazon.coral.availability#ThrottlingException',
    message: 'Rate of requests exceeds the allowed throughput.',
  },
  provisioned: {
    status: 400,
    type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message:
      'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
  },
  'server-error': {
    status: 500,
    type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
    message: 'Internal server error',
  },
};

const QUERY_ERRORS: Record<string, { status: number; type: string; code: string; message: string }> = {
  throttle: { status: 400, type: 'Sender', code: 'Throttling', message: 'Rate exceeded' },
  provisioned: { status: 400, type: 'Sender', code: 'Throttling', message: 'Rate exceeded' },
  'server-error': { status: 500, type: 'Receiver', code: 'InternalError', message: 'Internal Error' },
};

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function describe(request: IncomingMessage, body: string): { protocol: Protocol; proxied: ProxiedRequest } {
  const type = String(request.headers['content-type'] ?? '');
  const attempt = Number(/attempt=(\d+)/.exec(String(request.headers['amz-sdk-request'] ?? ''))?.[1] ?? 1);
  if (type.includes('x-www-form-urlencoded')) {
    const operation = new URLSearchParams(body).get('Action') ?? 'unknown';
    return { protocol: 'query', proxied: { operation, body, attempt } };
  }
  const target = String(request.headers['x-amz-target'] ?? '');
  return { protocol: 'json', proxied: { operation: target.split('.').pop() || 'unknown', body, attempt } };
}

/** The error the AWS service sends for `kind`, in the request's protocol. */
function answerError(res: ServerResponse, kind: FaultKind, protocol: Protocol): void {
  const requestId = randomUUID();
  if (protocol === 'json') {
    const error = JSON_ERRORS[kind] as (typeof JSON_ERRORS)[string];
    const name = error.type.split('#')[1] as string;
    res.writeHead(error.status, {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-requestid': requestId,
      'x-amzn-errortype': name,
    });
    res.end(JSON.stringify({ __type: error.type, message: error.message }));
    return;
  }
  const error = QUERY_ERRORS[kind] as (typeof QUERY_ERRORS)[string];
  res.writeHead(error.status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
  res.end(
    '<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">' +
      `<Error><Type>${error.type}</Type><Code>${error.code}</Code><Message>${error.message}</Message></Error>` +
      `<RequestId>${requestId}</RequestId></ErrorResponse>`,
  );
}

export async function startFaultProxy(options: {
  target: string;
  seed: number;
  rules?: readonly FaultRule[];
}): Promise<FaultProxy> {
  const target = new URL(options.target);
  const draw = random(options.seed);
  let rules: { rule: FaultRule; used: number }[] = [];
  const setRules = (next: readonly FaultRule[]) => {
    rules = next.map((rule) => ({ rule, used: 0 }));
  };
  setRules(options.rules ?? []);
  const injected = new Map<FaultKind, number>();
  const requests = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  let retries = 0;

  const pick = (proxied: ProxiedRequest): FaultKind | undefined => {
    for (const entry of rules) {
      const { rule } = entry;
      if (rule.limit !== undefined && entry.used >= rule.limit) continue;
      if (rule.match && !rule.match(proxied)) continue;
      // One draw per matching rule, whatever it decides, so the sequence depends only on arrival order.
      if (draw() >= (rule.rate ?? 1)) continue;
      entry.used++;
      injected.set(rule.kind, (injected.get(rule.kind) ?? 0) + 1);
      return rule.kind;
    }
    return undefined;
  };
  const delayOf = (kind: FaultKind | undefined, proxied: ProxiedRequest) =>
    kind === 'timeout' || kind === 'slow'
      ? (rules.find((r) => r.rule.kind === kind && (!r.rule.match || r.rule.match(proxied)))?.rule.delayMs ??
        10_000)
      : 0;

  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const { protocol, proxied } = describe(req, body.toString('utf8'));
    requests.set(proxied.operation, (requests.get(proxied.operation) ?? 0) + 1);
    if (proxied.attempt > 1) retries++;
    const kind = pick(proxied);
    if (kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (kind === 'throttle' || kind === 'provisioned' || kind === 'server-error') {
      answerError(res, kind, protocol);
      return;
    }
    const delayMs = delayOf(kind, proxied);
    const upstream = forward(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      async (answer) => {
        const payload = await readBody(answer);
        if (kind === 'reset-after') {
          req.socket.destroy();
          return;
        }
        const reply = () => {
          if (res.destroyed || res.writableEnded) return;
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(payload);
        };
        if (delayMs === 0) return reply();
        const timer = setTimeout(() => {
          timers.delete(timer);
          reply();
        }, delayMs);
        timers.add(timer);
      },
    );
    upstream.on('error', () => req.socket.destroy());
    upstream.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    setRules,
    injected,
    requests,
    get retries() {
      return retries;
    },
    totalInjected: () => [...injected.values()].reduce((a, b) => a + b, 0),
    close() {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

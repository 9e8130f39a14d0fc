import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the Slack Web API on loopback, for the real `WebClient`: it records every request
 * (method, form parameters, the Block Kit JSON, the authorization header) and answers from a script —
 * 429 with Retry-After, 500, a platform error, or a request left hanging — falling back to `ok: true`.
 */

export interface SlackRequest {
  /** Web API method, e.g. `chat.postMessage`. */
  method: string;
  params: URLSearchParams;
  /** `JSON.parse(params.get('blocks'))`, when present. */
  blocks: unknown;
  channel: string | null;
  text: string | null;
  authorization: string | undefined;
  /** The raw body as sent. */
  body: string;
  /** Arrival time (Date.now()). */
  at: number;
  /** The HTTP status answered, or undefined while the request hangs. */
  status?: number;
  /** Whether Slack took the message (200 and not `ok: false`). */
  ok?: boolean;
}

export type SlackReply =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  /** Never answer (until the server closes): a send in flight when a process is killed. */
  | 'hang';

export interface SlackServer {
  /** `http://127.0.0.1:PORT/api/`, for `slackApiUrl` or `SLACK_API_URL`. */
  url: string;
  requests: SlackRequest[];
  /** Replies for the next requests, in order; after them every request gets the fallback. */
  script(...replies: SlackReply[]): void;
  /** The reply once the script is used up (an outage); undefined restores `ok: true`. */
  fallback(reply: SlackReply | undefined): void;
  /** Resolves once `count` requests have arrived. */
  waitForRequests(count: number, timeoutMs?: number): Promise<SlackRequest[]>;
  close(): Promise<void>;
}

const ok = (request: SlackRequest): SlackReply => ({
  status: 200,
  body: {
    ok: true,
    channel: request.channel,
    ts: `${Math.floor(request.at / 1000)}.${String(request.at % 1000).padStart(6, '0')}`,
  },
});

/** 429 with a Retry-After in seconds. */
export const rateLimited = (seconds: number): SlackReply => ({
  status: 429,
  headers: { 'retry-after': String(seconds) },
  body: { ok: false, error: 'ratelimited' },
});

export const serverError: SlackReply = { status: 500, body: 'internal error' };

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
}

export async function startSlackServer(): Promise<SlackServer> {
  const requests: SlackRequest[] = [];
  const scripted: SlackReply[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  let fallback: SlackReply | undefined;

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const params = new URLSearchParams(body);
    const blocksText = params.get('blocks');
    const request: SlackRequest = {
      method: (req.url ?? '').replace(/^\/api\//, ''),
      params,
      blocks: blocksText === null ? undefined : JSON.parse(blocksText),
      channel: params.get('channel'),
      text: params.get('text'),
      authorization: req.headers.authorization,
      body,
      at: Date.now(),
    };
    requests.push(request);
    for (const waiter of waiters.filter((w) => requests.length >= w.count)) waiter.resolve();
    const reply = scripted.shift() ?? fallback ?? ok(request);
    if (reply === 'hang') return;
    request.status = reply.status;
    request.ok = reply.status === 200 && (reply.body as { ok?: boolean } | undefined)?.ok !== false;
    const payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? { ok: true });
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
    res.end(payload);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/api/`,
    requests,
    script: (...replies) => {
      scripted.push(...replies);
    },
    fallback: (reply) => {
      fallback = reply;
    },
    waitForRequests(count, timeoutMs = 10_000) {
      if (requests.length >= count) return Promise.resolve(requests);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`expected ${count} Slack requests, got ${requests.length}`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(requests);
          },
        });
      });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The Slack messages posted (chat.postMessage requests only). */
export function posts(server: SlackServer): SlackRequest[] {
  return server.requests.filter((r) => r.method === 'chat.postMessage');
}

/** The posts Slack accepted (answered 200 with `ok: true`). */
export function accepted(server: SlackServer): SlackRequest[] {
  return posts(server).filter((r) => r.ok === true);
}

/** Slack's answer to a post the app may not make (the call is not retried). */
export const platformError = (error: string): SlackReply => ({ status: 200, body: { ok: false, error } });

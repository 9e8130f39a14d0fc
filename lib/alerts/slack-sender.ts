import type { WebClient } from '@slack/web-api';
import type { SlackMessage } from './slack-blocks.ts';

/**
 * Posts to Slack at most about one message per second per channel (chat.postMessage's limit), and
 * honours 429 Retry-After: the channel waits that long, then the post is tried again, up to
 * MAX_RATE_LIMIT_WAITS times. A Retry-After longer than `maxWaitMs` ends the attempt and marks the channel
 * blocked, so a flush stops posting there instead of hammering a rate-limited app (which Slack may revoke).
 */

const MAX_RATE_LIMIT_WAITS = 2;

export interface SlackSenderOptions {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Gap between two posts to one channel; default 1 s. */
  minIntervalMs?: number;
  /** Longest Retry-After waited out in-process; default 30 s. */
  maxWaitMs?: number;
}

export class RateLimitedError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`Slack rate limit: retry after ${retryAfterSeconds}s`);
    this.name = 'RateLimitedError';
  }
}

function retryAfterOf(error: unknown): number | undefined {
  const { code, retryAfter } = (error ?? {}) as { code?: string; retryAfter?: number };
  return code === 'slack_webapi_rate_limited_error' && typeof retryAfter === 'number'
    ? retryAfter
    : undefined;
}

export class SlackSender {
  readonly #client: WebClient;
  readonly #options: Required<SlackSenderOptions>;
  /** Per channel: the earliest time the next post may go out. */
  readonly #nextAt = new Map<string, number>();

  constructor(client: WebClient, options: SlackSenderOptions) {
    this.#client = client;
    this.#options = { minIntervalMs: 1000, maxWaitMs: 30_000, ...options };
  }

  /** True when a 429 asked this channel to wait longer than this run is willing to. */
  blocked(channel: string): boolean {
    return (this.#nextAt.get(channel) ?? 0) - this.#options.now() > this.#options.maxWaitMs;
  }

  async #pace(channel: string): Promise<void> {
    const wait = (this.#nextAt.get(channel) ?? 0) - this.#options.now();
    if (wait > 0) await this.#options.sleep(wait);
  }

  async post(channel: string, message: SlackMessage): Promise<void> {
    for (let waits = 0; ; waits++) {
      await this.#pace(channel);
      try {
        await this.#client.chat.postMessage({
          channel,
          text: message.text,
          blocks: message.blocks,
          unfurl_links: false,
          unfurl_media: false,
        });
        this.#nextAt.set(channel, this.#options.now() + this.#options.minIntervalMs);
        return;
      } catch (error) {
        const retryAfter = retryAfterOf(error);
        const waitMs = (retryAfter ?? 0) * 1000;
        this.#nextAt.set(channel, this.#options.now() + Math.max(waitMs, this.#options.minIntervalMs));
        if (retryAfter === undefined) throw error;
        if (waits >= MAX_RATE_LIMIT_WAITS || waitMs > this.#options.maxWaitMs)
          throw new RateLimitedError(retryAfter);
      }
    }
  }
}

import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { type Inbound, judge } from '../lib/runtime/judge.ts';
import { defaultRuntime, type RuntimeProvider } from '../lib/runtime/runtime.ts';

/**
 * A batch of EventBridge events buffered in SQS (high-volume accounts). The whole batch goes through the
 * engine at once, so state costs one round trip per key per batch; failures are reported per message
 * (`batchItemFailures`, with ReportBatchItemFailures on the event source mapping), so one poison record is
 * retried and dead-lettered alone instead of re-driving the batch.
 */
export function createHandler(runtime: RuntimeProvider) {
  return async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    const built = await runtime();
    if (context) built.logger.addContext(context);
    const failures: string[] = [];
    const inbound: Inbound[] = [];
    for (const record of event.Records) {
      try {
        inbound.push({ id: record.messageId, event: JSON.parse(record.body) as unknown });
      } catch {
        failures.push(record.messageId);
        built.logger.error('event rejected: message body is not JSON', { inboundId: record.messageId });
      }
    }
    const result = await judge(built, inbound);
    return {
      batchItemFailures: [...failures, ...result.failed].map((itemIdentifier) => ({ itemIdentifier })),
    };
  };
}

export const handler = createHandler(defaultRuntime());

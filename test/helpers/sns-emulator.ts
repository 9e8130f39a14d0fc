import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type FauxqsServer, startFauxqs } from 'fauxqs';

/**
 * SNS for tests: fauxqs (an in-process SNS/SQS emulator) with one topic and an SQS queue subscribed to
 * it, so a test publishes with the real `SNSClient` and reads back exactly what a subscriber would get —
 * the SNS envelope with Message, Subject and MessageAttributes — through the real `SQSClient`.
 */

/** The standard SNS → SQS envelope (raw delivery off). */
export interface SnsEnvelope {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Subject?: string;
  Message: string;
  MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

export interface SnsEmulator {
  /** `http://127.0.0.1:PORT`: the endpoint for `AWS_ENDPOINT_URL_SNS`. */
  endpoint: string;
  topicArn: string;
  sns: SNSClient;
  server: FauxqsServer;
  /** Receives (and deletes) messages until `count` have arrived or `timeoutMs` passed. */
  receive(count: number, timeoutMs?: number): Promise<SnsEnvelope[]>;
  stop(): Promise<void>;
}

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
export const EMULATOR_REGION = 'us-east-1';

export async function startSnsEmulator(topicName = 'trailguard-alerts'): Promise<SnsEmulator> {
  const server = await startFauxqs({ port: 0, logger: false, messageSpies: true });
  const config = { endpoint: server.address, region: EMULATOR_REGION, credentials };
  const sns = new SNSClient(config);
  const sqs = new SQSClient(config);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: topicName }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${topicName}-subscriber` }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn }));

  return {
    endpoint: server.address,
    topicArn: TopicArn as string,
    sns,
    server,
    async receive(count, timeoutMs = 3000) {
      const received: SnsEnvelope[] = [];
      const deadline = Date.now() + timeoutMs;
      while (received.length < count && Date.now() < deadline) {
        const { Messages } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
        );
        if (!Messages || Messages.length === 0) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          continue;
        }
        for (const message of Messages) received.push(JSON.parse(message.Body ?? '{}') as SnsEnvelope);
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl,
            Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
      }
      return received;
    },
    async stop() {
      sns.destroy();
      sqs.destroy();
      await server.stop();
    },
  };
}

import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';

/**
 * A loopback CloudWatch Logs endpoint speaking the JSON protocol (awsJson1_1): the SDK POSTs to `/` with
 * `x-amz-target: Logs_20140328.<Operation>` and a JSON body; the handler's return value is the JSON reply,
 * or `{ error: { type, message }, status }` for an AWS error.
 */

export interface LogsRequest {
  operation: string;
  body: Record<string, unknown>;
}

export type LogsReply =
  | Record<string, unknown>
  | { error: { type: string; message: string }; status: number };

export interface LogsServer {
  url: string;
  requests: LogsRequest[];
  client(): CloudWatchLogsClient;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      text += chunk;
    });
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
}

export async function startLogsServer(
  handler: (request: LogsRequest) => LogsReply | Promise<LogsReply>,
): Promise<LogsServer> {
  const requests: LogsRequest[] = [];
  const server = createServer(async (request, response) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('Logs_20140328.') ? target.slice('Logs_20140328.'.length) : target;
    const text = await readBody(request);
    const entry: LogsRequest = { operation, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    requests.push(entry);
    const reply = await handler(entry);
    const isError = 'error' in reply && typeof reply.status === 'number';
    response.writeHead(isError ? (reply.status as number) : 200, {
      'content-type': 'application/x-amz-json-1.1',
    });
    const error = isError ? (reply.error as { type: string; message: string }) : undefined;
    response.end(JSON.stringify(error ? { __type: error.type, message: error.message } : reply));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    client: () =>
      new CloudWatchLogsClient({
        endpoint: url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
        maxAttempts: 1,
      }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

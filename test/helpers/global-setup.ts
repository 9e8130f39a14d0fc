import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from './dynamodb-local.ts';

/**
 * Starts one DynamoDB Local for the whole run and provides its endpoint. It is not awaited: runs that
 * never touch DynamoDB pay nothing, and the tests that do wait for it (`sharedDynamoDb`).
 */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  try {
    const local = await startDynamoDbLocal();
    project.provide('dynamodbEndpoint', local.endpoint);
    return () => local.stop();
  } catch (error) {
    project.provide('dynamodbEndpoint', `error:${error instanceof Error ? error.message : String(error)}`);
    return async () => {};
  }
}

import { createHash } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { PARTITION_KEY, SORT_KEY } from '../state/table-definition.ts';
import type { DeliveryKey } from './outbox.ts';

/**
 * Keys of the outbox items in the state table (see DynamoDbOutbox): deliveries under `o#<finding id>`,
 * the pending queue under `o!queue`. Keys that are too long, or a finding id of an unexpected shape, are
 * stored by their SHA-256, so any id and sink make a valid key.
 */

/** The partition of the pending queue; `!` keeps it apart from every `o#<finding id>`. */
export const QUEUE_PK = 'o!queue';
const SAFE_ID = /^[A-Za-z0-9._:-]{1,256}$/;
/** Sort keys may be 1 KB; stay well under it. */
const MAX_SORT_KEY_BYTES = 900;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export const S = (value: string): AttributeValue => ({ S: value });
export const N = (value: number): AttributeValue => ({ N: String(value) });

/** Finding ids are `tg-<hex>`; anything else is hashed (`o!<sha256>`, never `o!queue`). */
function deliveryPk(findingId: string): string {
  return SAFE_ID.test(findingId) ? `o#${findingId}` : `o!${sha256(findingId)}`;
}

function deliverySk(sink: string): string {
  return Buffer.byteLength(sink, 'utf8') <= MAX_SORT_KEY_BYTES ? sink : `!${sha256(sink)}`;
}

/** `<created, base 36>#<finding id>#<sink>`: the queue reads oldest first. */
export function queueSk(createdAt: number, key: DeliveryKey): string {
  const tail = `${key.findingId}#${key.sink}`;
  const bounded = Buffer.byteLength(tail, 'utf8') <= MAX_SORT_KEY_BYTES ? tail : sha256(tail);
  return `${Math.max(0, createdAt).toString(36).padStart(9, '0')}#${bounded}`;
}

/** The key of a delivery item. */
export function keyOf(key: DeliveryKey): Record<string, AttributeValue> {
  return { [PARTITION_KEY]: S(deliveryPk(key.findingId)), [SORT_KEY]: S(deliverySk(key.sink)) };
}

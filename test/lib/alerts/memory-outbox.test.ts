import { MemoryOutbox } from '../../../lib/alerts/memory-outbox.ts';
import { describeOutboxContract } from './outbox-contract.ts';

describeOutboxContract('MemoryOutbox', async () => new MemoryOutbox());

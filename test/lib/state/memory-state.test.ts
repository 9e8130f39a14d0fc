import { MemoryState } from '../../../lib/state/memory-state.ts';
import { describeStateContract } from './state-contract.ts';

describeStateContract('MemoryState', async () => new MemoryState());

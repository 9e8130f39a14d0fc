import { join } from 'node:path';
import { REPO_ROOT, runTsJson } from './child.ts';
import { type ListingTree, listingTree } from './listing-tree.ts';
import type { ListingMode, ListingResult } from './listing-worker.ts';

const WORKER = join(REPO_ROOT, 'bench', 'listing-worker.ts');

/** Listing measured over a short and a long tree: streamed (as a replay lists) and collected whole. */
export interface ListingReport {
  small: { tree: ListingTree; stream: ListingResult };
  large: { tree: ListingTree; stream: ListingResult; whole: ListingResult };
}

function runListing(mode: ListingMode, tree: ListingTree): Promise<ListingResult> {
  return runTsJson<ListingResult>(WORKER, [mode, tree.logs], ['--expose-gc']);
}

/** Builds (or reuses) the two trees under `root` and lists each in a fresh process. */
export async function measureListing(
  root: string,
  smallDays: number,
  largeDays: number,
): Promise<ListingReport> {
  const smallTree = await listingTree(root, smallDays);
  const largeTree = await listingTree(root, largeDays);
  return {
    small: { tree: smallTree, stream: await runListing('stream', smallTree) },
    large: {
      tree: largeTree,
      stream: await runListing('stream', largeTree),
      whole: await runListing('whole', largeTree),
    },
  };
}

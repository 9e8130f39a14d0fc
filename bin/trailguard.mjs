#!/usr/bin/env node
// Runs the TypeScript sources through tsx, so `npx trailguard` works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
// Commands that read trails scan S3 log files on a second thread (lib/ingest/scan-worker.ts). Starting it
// first lets it come up while the modules below load, instead of when the first file is read.
const [command, subcommand] = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
if (command === 'detect' || command === 'query' || (command === 'config' && subcommand === 'suggest')) {
  const { sharedScanWorker } = await import('../lib/ingest/scan-worker.ts');
  sharedScanWorker().start();
}
const { main } = await import('../lib/cli/main.ts');
process.exitCode = await main(process.argv);

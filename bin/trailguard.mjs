#!/usr/bin/env node
// Runs the TypeScript sources through tsx, so `npx trailguard` works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../lib/cli/main.ts');
process.exitCode = await main(process.argv);

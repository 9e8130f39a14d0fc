import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { median, REPO_ROOT, runNode } from './child.ts';

/** One Lambda handler as deployed: bundled, and imported cold in a fresh Node process. */
export interface BundleResult {
  handler: string;
  bytes: number;
  /** Median over the runs of `await import(bundle)`, timed inside a fresh process (ms). */
  importMs: number;
  /** The fastest of those runs: the least disturbed by other work on the machine. */
  bestImportMs: number;
  /** Median wall time of the whole `node` process: start, import, exit (ms). */
  processMs: number;
  runs: number;
  /** Set when importing failed (e.g. the module needs Lambda's environment at load). */
  error?: string;
}

export type BundlesResult = { skipped: string } | { bundles: BundleResult[] };

/**
 * The esbuild options infra/handler-function.ts gives NodejsFunction (one minified ESM file for Node 24,
 * the AWS SDK bundled in), so the sizes here are the sizes deployed.
 */
async function bundle(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    keepNames: true,
    sourcemap: false,
    mainFields: ['module', 'main'],
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: 'silent',
  });
}

/** Times `await import(bundle)` inside a fresh process: what a Lambda cold start spends loading code. */
const IMPORT_PROBE = `
const started = performance.now();
try {
  await import(process.argv[1]);
  console.log(JSON.stringify({ ms: performance.now() - started }));
} catch (error) {
  console.log(JSON.stringify({ ms: performance.now() - started, error: String(error?.message ?? error).slice(0, 300) }));
}
`;

async function timeImport(file: string, runs: number): Promise<Omit<BundleResult, 'handler' | 'bytes'>> {
  const imports: number[] = [];
  const processes: number[] = [];
  let error: string | undefined;
  // What a function has at load time in Lambda, and nothing that points at real AWS resources.
  const env = { PATH: process.env.PATH, AWS_REGION: 'us-east-1', NODE_OPTIONS: '' };
  for (let i = 0; i < runs; i++) {
    const result = await runNode(
      ['--input-type=module', '-e', IMPORT_PROBE, pathToFileURL(file).href],
      env as NodeJS.ProcessEnv,
    );
    const line = result.stdout.trim().split('\n').at(-1) ?? '';
    const parsed = line.startsWith('{') ? (JSON.parse(line) as { ms: number; error?: string }) : undefined;
    if (!parsed) {
      error = result.stderr.trim().slice(-300) || `exited ${result.code}`;
      break;
    }
    error ??= parsed.error;
    imports.push(parsed.ms);
    processes.push(result.ms);
  }
  return {
    importMs: median(imports),
    bestImportMs: Math.min(...imports),
    processMs: median(processes),
    runs: imports.length,
    error,
  };
}

/** Bundles every `handlers/*.ts` into `outDir` and times a cold import of each; skips when there are none. */
export async function measureBundles(outDir: string, runs: number): Promise<BundlesResult> {
  const dir = join(REPO_ROOT, 'handlers');
  let entries: string[];
  try {
    entries = (await readdir(dir)).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
  } catch {
    return { skipped: 'no handlers yet (handlers/ does not exist)' };
  }
  if (entries.length === 0) return { skipped: 'no handlers yet (handlers/ has no .ts files)' };
  const bundles: BundleResult[] = [];
  for (const name of entries.sort()) {
    const handler = name.replace(/\.ts$/, '');
    const outfile = join(outDir, `${handler}.mjs`);
    try {
      await bundle(join(dir, name), outfile);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      bundles.push({
        handler,
        bytes: 0,
        importMs: Number.NaN,
        bestImportMs: Number.NaN,
        processMs: Number.NaN,
        runs: 0,
        error: message,
      });
      continue;
    }
    const { size } = await stat(outfile);
    bundles.push({ handler, bytes: size, ...(await timeImport(outfile, runs)) });
  }
  return { bundles };
}

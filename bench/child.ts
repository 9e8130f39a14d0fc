import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/ is one level down). */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** What a child process printed and how it ended. */
export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit, ms. */
  ms: number;
}

/** Runs `node <args>` in a fresh process from the repository root and collects its output. */
export function runNode(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
}

/** Runs a TypeScript file of the repository in a fresh process (through tsx, as the CLI runs) and parses its JSON line. */
export async function runTsJson<T>(
  file: string,
  args: readonly string[],
  nodeFlags: readonly string[] = [],
): Promise<T> {
  const result = await runNode([...nodeFlags, '--import', 'tsx', file, ...args]);
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  if (result.code !== 0 || !line.startsWith('{')) {
    throw new Error(`${file} ${args.join(' ')} exited ${result.code}: ${result.stderr.trim().slice(-2000)}`);
  }
  return JSON.parse(line) as T;
}

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

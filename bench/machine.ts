import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, freemem, loadavg, totalmem } from 'node:os';

/** Where the figures came from: they mean little without it. */
export interface Machine {
  cpuModel: string;
  /** `nproc`: the CPUs this process may run on. */
  nproc: number;
  /** `free -h`, as printed. */
  free: string;
  totalMemoryBytes: number;
  freeMemoryBytes: number;
  node: string;
  v8: string;
  platform: string;
  /** 1-minute load average at the start and end of the run: other work on the machine skews timings. */
  loadAverage: { start: number; end?: number };
}

function command(file: string, args: string[]): string {
  try {
    return execFileSync(file, args, { encoding: 'utf8' }).trim();
  } catch {
    return 'unavailable';
  }
}

function cpuModel(): string {
  const model = cpus()[0]?.model;
  if (model && model !== 'unknown') return model;
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    return /^(?:model name|CPU part|Hardware)\s*:\s*(.+)$/m.exec(info)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function describeMachine(): Machine {
  return {
    cpuModel: cpuModel(),
    nproc: Number(command('nproc', [])) || availableParallelism(),
    free: command('free', ['-h']),
    totalMemoryBytes: totalmem(),
    freeMemoryBytes: freemem(),
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform}-${process.arch}`,
    loadAverage: { start: loadavg()[0] ?? 0 },
  };
}

import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeS3Trail } from '../test/helpers/write-s3-trail.ts';
import { benchTrail, hourChunks } from './trail.ts';

/** Bump when the generator changes, so cached trails from an older generator are rebuilt. */
const GENERATOR_VERSION = 2;

/** A bench trail on disk, in the S3 layout CloudTrail delivers. */
export interface TrailFiles {
  dir: string;
  /** The `AWSLogs` directory to hand to a reader (the manifest sits next to it). */
  logs: string;
  records: number;
  files: string[];
  /** Gzipped bytes on disk. */
  bytes: number;
}

interface Manifest extends TrailFiles {
  version: number;
  seed: number;
}

/**
 * The bench trail of `records` records as gzipped S3 log files under `root`, generated on first use and
 * reused afterwards (a million records take about a minute to generate and gzip).
 */
export async function trailFiles(root: string, records: number, seed: number): Promise<TrailFiles> {
  const dir = join(root, `trail-s${seed}-r${records}`);
  const manifestPath = join(dir, 'manifest.json');
  const cached = await readManifest(manifestPath);
  if (cached?.version === GENERATOR_VERSION && cached.seed === seed && cached.records === records)
    return cached;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  let count = 0;
  // One hour at a time: the generator streams, and writeS3Trail holds only what it is given.
  for (const chunk of hourChunks(benchTrail({ records, seed }))) {
    count += chunk.length;
    files.push(...(await writeS3Trail(chunk, dir)));
  }
  let bytes = 0;
  for (const file of files) bytes += (await stat(file)).size;
  const logs = join(dir, 'AWSLogs');
  const manifest: Manifest = { version: GENERATOR_VERSION, seed, dir, logs, records: count, files, bytes };
  await writeFile(manifestPath, JSON.stringify(manifest));
  return manifest;
}

async function readManifest(path: string): Promise<Manifest | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

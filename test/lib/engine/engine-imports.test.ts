import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

const LIB = new URL('../../../lib/', import.meta.url);

/** The lib folders each module of `folder` imports (static, type-only, re-exports and dynamic imports). */
async function folderImports(folder: string): Promise<Map<string, string[]>> {
  const dir = new URL(`${folder}/`, LIB);
  const byFile = new Map<string, string[]>();
  for (const name of await readdir(dir)) {
    if (!name.endsWith('.ts')) continue;
    const source = await readFile(new URL(name, dir), 'utf8');
    const specifiers = [...source.matchAll(/(?:\bfrom|\bimport\s*\(?)\s*'([^']+)'/g)].map(
      (m) => m[1] as string,
    );
    const folders = specifiers.flatMap((specifier) => {
      if (!specifier.startsWith('.')) return [];
      // Resolved against lib/<folder>/<name>: the first path segment under lib/ is the folder.
      const resolved = new URL(specifier, new URL(name, dir)).href;
      return resolved.startsWith(LIB.href) ? [resolved.slice(LIB.href.length).split('/')[0] as string] : [];
    });
    byFile.set(name, [...new Set(folders)]);
  }
  return byFile;
}

/** `file → folder` for every import of `folder`'s modules into one of `forbidden`. */
async function importsInto(folder: string, forbidden: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const [file, folders] of await folderImports(folder))
    for (const target of folders)
      if (forbidden.includes(target)) found.push(`lib/${folder}/${file} → lib/${target}`);
  return found;
}

/**
 * Detectors are handed the inventory and their params, not the config, and the engine takes the part of
 * the config it reads as its own `EngineConfig`: so the engine never needs lib/config, whose schema is
 * built from the detector contract (an import back would be a circle).
 */
describe('engine boundary', () => {
  it('lib/engine imports nothing from lib/config', async () => {
    expect(await importsInto('engine', ['config'])).toEqual([]);
  });

  it('the inventory and globs sit below both: they import neither lib/config nor lib/engine', async () => {
    expect(await importsInto('inventory', ['config', 'engine'])).toEqual([]);
    expect(await importsInto('glob', ['config', 'engine'])).toEqual([]);
  });

  it('sees the imports it checks (a guard against a regex that matches nothing)', async () => {
    const engine = await folderImports('engine');
    expect(engine.get('detector.ts')).toContain('inventory');
    expect(engine.get('detection-engine.ts')).toContain('lineage');
  });
});

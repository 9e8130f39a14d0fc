import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { collect, eventIds, put, record, skipsOf, tempDir } from './helpers.ts';

/**
 * Tests run as root in CI, where chmod 000 does not stop a read, so permission errors are injected:
 * opening a path containing `unreadable`, or listing one containing `locked`, fails with EACCES as
 * the kernel would for another user.
 */
function eacces(syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`EACCES: permission denied, ${syscall} '${path}'`), {
    code: 'EACCES',
    syscall,
    path,
  });
}

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const createReadStream = (path: string, ...rest: unknown[]) => {
    if (!String(path).includes('unreadable'))
      return (fs.createReadStream as (...a: unknown[]) => unknown)(path, ...rest);
    return new Readable({
      read() {
        this.destroy(eacces('open', String(path)));
      },
    });
  };
  return { ...fs, default: { ...fs, createReadStream }, createReadStream };
});

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const readdir = (path: string, ...rest: unknown[]) => {
    if (String(path).includes('locked')) return Promise.reject(eacces('scandir', String(path)));
    return (fs.readdir as (...a: unknown[]) => unknown)(path, ...rest);
  };
  return { ...fs, default: { ...fs, readdir }, readdir };
});

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

describe('readCloudTrail: permission errors', () => {
  it('skips an unreadable file with the reason and reads the rest', async () => {
    const bad = await put(dir, 'unreadable.json', record('never'));
    const good = await put(dir, 'good.json', record('good'));
    const items = await collect([bad, good]);
    expect(eventIds(items)).toEqual(['good']);
    expect(skipsOf(items)).toEqual([
      {
        kind: 'skip',
        origin: { file: bad },
        reason: `cannot read: EACCES: permission denied, open '${bad}'`,
      },
    ]);
  });

  it('skips an unlistable directory and walks its siblings', async () => {
    await put(dir, 'locked/inside.json', record('never'));
    await put(dir, 'open/inside.json', record('good'));
    const items = await collect([dir]);
    expect(eventIds(items)).toEqual(['good']);
    expect(skipsOf(items).map((skip) => skip.reason)).toEqual([
      `cannot read directory: EACCES: permission denied, scandir '${dir}/locked'`,
    ]);
  });
});

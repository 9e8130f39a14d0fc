import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readDeployParameters } from '../../infra/deploy-parameters.ts';
import { REPO_ROOT } from '../../infra/paths.ts';
import { loadDeployConfig, TrailguardStack } from '../../infra/trailguard-stack.ts';
import { BUNDLED_CONFIG_FILE } from '../../lib/runtime/environment.ts';

/** The limit the brief sets: far below Lambda's 50 MB, so cold starts stay short. */
const MAX_BUNDLE_BYTES = 1.5 * 1024 * 1024;

describe('bundling', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'trailguard-bundle-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('bundles every handler with local esbuild into one ESM file under 1.5 MB, with the config beside it', async () => {
    const configFile = join(REPO_ROOT, 'examples', 'trailguard.yaml');
    const app = new App({ outdir });
    const context: Record<string, unknown> = {
      'trailguard:configFile': configFile,
      'trailguard:delivery': 'queue',
    };
    const parameters = readDeployParameters((key) => context[key], {
      region: 'eu-west-1',
      account: '111122223333',
    });
    const stack = new TrailguardStack(app, 'Bundled', {
      env: { account: '111122223333', region: 'eu-west-1' },
      parameters,
      config: loadDeployConfig(configFile),
    });
    const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
    const handlers = Object.values(functions).map((fn) => {
      const { FunctionName, Code } = fn.Properties as { FunctionName: string; Code: { S3Key: string } };
      return { name: FunctionName, dir: join(outdir, `asset.${Code.S3Key.replace(/\.zip$/, '')}`) };
    });
    expect(handlers.map((h) => h.name).sort()).toEqual(['trailguard-detect-batch', 'trailguard-scheduled']);

    // The per-event handler is only deployed in direct delivery: bundle it there too.
    const direct = new App({ outdir: join(outdir, 'direct') });
    const directContext: Record<string, unknown> = { 'trailguard:configFile': configFile };
    const directStack = new TrailguardStack(direct, 'Direct', {
      env: { account: '111122223333', region: 'eu-west-1' },
      parameters: readDeployParameters((key) => directContext[key], { region: 'eu-west-1' }),
      config: loadDeployConfig(configFile),
    });
    const detect = Object.values(Template.fromStack(directStack).findResources('AWS::Lambda::Function')).find(
      (fn) => fn.Properties.FunctionName === 'trailguard-detect',
    );
    const code = detect?.Properties.Code as { S3Key: string };
    const key = code.S3Key.replace(/\.zip$/, '');
    handlers.push({ name: 'trailguard-detect', dir: join(outdir, 'direct', `asset.${key}`) });

    for (const { name, dir } of handlers) {
      const bundle = join(dir, 'index.mjs');
      const size = statSync(bundle).size;
      expect(size, name).toBeGreaterThan(100_000);
      expect(size, name).toBeLessThan(MAX_BUNDLE_BYTES);
      // The config as JSON, so the handler carries no YAML parser (keepNames keeps the yaml package's class names).
      expect(JSON.parse(readFileSync(join(dir, BUNDLED_CONFIG_FILE), 'utf8'))).toEqual(
        parse(readFileSync(configFile, 'utf8')),
      );
      expect(readFileSync(bundle, 'utf8')).not.toContain('YAMLParseError');
      const loaded = (await import(pathToFileURL(bundle).href)) as {
        handler?: unknown;
        createHandler?: unknown;
      };
      expect(typeof loaded.handler, name).toBe('function');
      expect(typeof loaded.createHandler, name).toBe('function');
      process.stdout.write(`${name}: ${(size / 1024).toFixed(0)} KiB\n`);
    }
  }, 180_000);
});

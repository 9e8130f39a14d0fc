import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findingMessage } from '../../../lib/alerts/slack-message.ts';
import { publishInput } from '../../../lib/alerts/sns-message.ts';
import { exampleFindings } from './example-findings.ts';

/**
 * The example payloads in docs/alerts/: the chat.postMessage arguments for one finding of each detector
 * (from the bundled example trail and config) and one SNS Publish input. test/lib/alerts/docs.test.ts
 * keeps them in sync; regenerate with `npx tsx test/lib/alerts/render-docs.ts`.
 */

export const DOCS_DIR = fileURLToPath(new URL('../../../docs/alerts/', import.meta.url));
const CHANNEL = '#sec-alerts';
const TOPIC = 'arn:aws:sns:us-east-1:111122223333:trailguard-alerts';

export async function renderDocs(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const findings = await exampleFindings();
  for (const finding of findings) {
    const message = findingMessage(finding, { traceSources: ['examples/AWSLogs'] });
    const payload = {
      channel: CHANNEL,
      text: message.text,
      blocks: message.blocks,
      unfurl_links: false,
      unfurl_media: false,
    };
    files.set(`slack-${finding.detector}.json`, `${JSON.stringify(payload, null, 2)}\n`);
  }
  const subject = findings.find((f) => f.detector === 'oidc-unexpected-subject');
  if (subject) files.set('sns-example.json', `${JSON.stringify(publishInput(TOPIC, subject), null, 2)}\n`);
  return files;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [name, text] of await renderDocs()) {
    const path = join(DOCS_DIR, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
    process.stdout.write(`wrote ${path}\n`);
  }
}

import { expect } from 'vitest';
import { type Block, LIMITS, type SlackMessage, textLength } from '../../../lib/alerts/slack-blocks.ts';
import type { SlackRequest } from '../../helpers/slack-server.ts';

/** Checks on Slack messages: no markup from event data, and Block Kit's limits. */

/** Our own CloudTrail console links: the only `<…>` a message may carry (ids and regions validated). */
const OWN_LINK =
  /<https:\/\/[a-z0-9-]+\.console\.aws\.amazon\.com\/cloudtrail\/home\?region=[a-z0-9-]+#\/events\/[A-Za-z0-9-]+\|[A-Za-z0-9-]+>/g;

/** Every text the message carries, as Slack receives it. */
export function messageTexts(message: SlackMessage): string[] {
  const texts = [message.text];
  for (const block of message.blocks) {
    if (block.type === 'header') texts.push(block.text.text);
    if (block.type === 'section')
      texts.push(block.text?.text ?? '', ...(block.fields ?? []).map((f) => f.text));
    if (block.type === 'context') texts.push(...block.elements.map((e) => e.text));
  }
  return texts;
}

/** Fails when any Slack markup other than our own links is present. */
export function expectNoInjectedMarkup(message: SlackMessage): void {
  for (const text of messageTexts(message)) {
    const rest = text.replace(OWN_LINK, '');
    expect(rest, text.slice(0, 200)).not.toMatch(/<[!@#]|<http|<mailto/i);
    expect(rest, text.slice(0, 200)).not.toMatch(/[<>]/);
    expect(rest, text.slice(0, 200)).not.toMatch(/&(?!amp;|lt;|gt;)/);
  }
}

export function expectWithinLimits(message: SlackMessage): void {
  const { blocks } = message;
  expect(blocks.length).toBeLessThanOrEqual(LIMITS.blocks);
  expect(textLength(blocks)).toBeLessThanOrEqual(LIMITS.totalText);
  for (const block of blocks as Block[]) {
    if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(LIMITS.header);
    if (block.type === 'section') {
      expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(LIMITS.sectionText);
      expect(block.fields?.length ?? 0).toBeLessThanOrEqual(LIMITS.fields);
      for (const field of block.fields ?? []) expect(field.text.length).toBeLessThanOrEqual(LIMITS.field);
    }
    if (block.type === 'context') expect(block.elements.length).toBeLessThanOrEqual(LIMITS.contextElements);
    // Every mrkdwn object is verbatim, so Slack does not link-ify bare names.
    const objects = block.type === 'section' ? [block.text, ...(block.fields ?? [])] : [];
    for (const object of objects) if (object?.type === 'mrkdwn') expect(object.verbatim).toBe(true);
  }
  expect(message.text.length).toBeLessThanOrEqual(3000);
}

/** A posted request as the message it carried. */
export function postedMessage(request: SlackRequest): SlackMessage {
  return { text: request.text ?? '', blocks: (request.blocks ?? []) as Block[] };
}

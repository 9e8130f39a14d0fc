import type { Severity } from '../engine/finding.ts';
import { codeBlock, plainText } from './mrkdwn.ts';

/**
 * The few Block Kit shapes alerts use, and Slack's limits for them. Every mrkdwn object is built with
 * `verbatim: true`, so Slack does not turn bare `#channel` names or URLs in event data into links.
 */

export interface TextObject {
  type: 'mrkdwn' | 'plain_text';
  text: string;
  verbatim?: boolean;
  emoji?: boolean;
}

export type Block =
  | { type: 'header'; text: TextObject }
  | { type: 'section'; text?: TextObject; fields?: TextObject[] }
  | { type: 'context'; elements: TextObject[] }
  | { type: 'divider' };

/** What `chat.postMessage` gets besides the channel. */
export interface SlackMessage {
  /** The notification and fallback text (escaped mrkdwn like the blocks). */
  text: string;
  blocks: Block[];
}

/** Block Kit limits (text objects count escaped characters). */
export const LIMITS = {
  header: 150,
  sectionText: 3000,
  field: 2000,
  fields: 10,
  contextElements: 10,
  blocks: 50,
  /** Slack rejects messages whose blocks add up to about 13.2k characters (`msg_blocks_too_long`). */
  totalText: 12_000,
} as const;

export const SEVERITY_MARK: Record<Severity, string> = {
  critical: '🔴',
  high: '🟠',
  medium: '🟡',
  low: '🔵',
  info: '⚪',
};

export function mrkdwn(text: string): TextObject {
  return { type: 'mrkdwn', text, verbatim: true };
}

export function header(text: string): Block {
  return { type: 'header', text: { type: 'plain_text', text: plainText(text, LIMITS.header), emoji: true } };
}

/** A section of mrkdwn that the caller has already escaped; capped defensively at the section limit. */
export function section(text: string): Block {
  return { type: 'section', text: mrkdwn(text.slice(0, LIMITS.sectionText)) };
}

export function fieldsSection(fields: readonly string[]): Block {
  return {
    type: 'section',
    fields: fields.slice(0, LIMITS.fields).map((f) => mrkdwn(f.slice(0, LIMITS.field))),
  };
}

export function context(elements: readonly string[]): Block {
  return { type: 'context', elements: elements.slice(0, LIMITS.contextElements).map(mrkdwn) };
}

/** `*Trace*` with a command built from validated parts. */
export function commandSection(label: string, command: string): Block {
  return section(`*${label}*\n${codeBlock(command, 900)}`);
}

/** Every character of text the message carries, as Slack adds it up for `msg_blocks_too_long`. */
export function textLength(blocks: readonly Block[]): number {
  let total = 0;
  for (const block of blocks) {
    if (block.type === 'header') total += block.text.text.length;
    if (block.type === 'section') {
      total += block.text?.text.length ?? 0;
      for (const field of block.fields ?? []) total += field.text.length;
    }
    if (block.type === 'context') for (const element of block.elements) total += element.text.length;
  }
  return total;
}

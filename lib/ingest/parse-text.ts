import { errorMessage } from './decode.ts';
import { splitConcatenatedJson } from './split-concatenated.ts';

/** One JSON text out of a file: its value, or why it did not parse. `line` is set for JSON Lines. */
export type ParsedValue =
  | { ok: true; value: unknown; line?: number }
  | { ok: false; reason: string; line?: number };

/**
 * Parses a file's text into the JSON values it holds.
 *
 * In order: the whole text as one JSON document; else JSON Lines (one value a line; a broken line
 * becomes a failed entry and the rest are kept); else back-to-back JSON texts (Firehose). When none
 * fits, a single failed entry carrying the whole-document parse error, so a truncated pretty-printed
 * file gives one message rather than one per line.
 */
export function parseText(text: string): ParsedValue[] {
  if (text.trim() === '') return [{ ok: false, reason: 'empty file' }];
  let wholeError: string;
  try {
    return [{ ok: true, value: JSON.parse(text) }];
  } catch (error) {
    wholeError = `not JSON: ${errorMessage(error)}`;
  }
  return parseJsonLines(text) ?? parseConcatenated(text) ?? [{ ok: false, reason: wholeError }];
}

/**
 * JSON Lines when there are several non-empty lines, at least one of them a JSON object or array, and
 * the first is not a lone `{` or `[` (the opening of a pretty-printed document, never a JSON Lines line).
 */
function parseJsonLines(text: string): ParsedValue[] | undefined {
  const lines = text.split('\n');
  const parsed: ParsedValue[] = [];
  let containers = 0;
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') continue;
    if (parsed.length === 0 && (line === '{' || line === '[')) return undefined;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === 'object' && value !== null) containers++;
      parsed.push({ ok: true, value, line: index + 1 });
    } catch (error) {
      parsed.push({
        ok: false,
        reason: `line ${index + 1}: not JSON: ${errorMessage(error)}`,
        line: index + 1,
      });
    }
  }
  return parsed.length > 1 && containers > 0 ? parsed : undefined;
}

function parseConcatenated(text: string): ParsedValue[] | undefined {
  const split = splitConcatenatedJson(text);
  if (!split || split.parts.length < 2) return undefined;
  const parsed: ParsedValue[] = split.parts.map((part) => {
    try {
      return { ok: true, value: JSON.parse(part) };
    } catch (error) {
      return { ok: false, reason: `not JSON: ${errorMessage(error)}` };
    }
  });
  if (split.truncated)
    parsed.push({ ok: false, reason: 'not JSON: truncated after the last complete value' });
  return parsed;
}

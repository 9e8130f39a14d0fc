/** The top-level JSON texts found back to back in one string, and whether the last one was cut off. */
export interface ConcatenatedJson {
  parts: string[];
  truncated: boolean;
}

/**
 * Splits `{...}{...}[...]` into its top-level JSON texts. Kinesis Firehose writes CloudWatch Logs
 * subscription payloads to S3 exactly like this (no separator), so such files are neither JSON nor
 * JSON Lines. Only objects and arrays are recognized; any other top-level character means the text
 * is not this shape (undefined). Does not validate the parts: the caller parses each.
 */
export function splitConcatenatedJson(text: string): ConcatenatedJson | undefined {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (escaped) escaped = false;
      else if (char === BACKSLASH) escaped = true;
      else if (char === QUOTE) inString = false;
      continue;
    }
    if (char === QUOTE) {
      if (depth === 0) return undefined;
      inString = true;
    } else if (char === OPEN_BRACE || char === OPEN_BRACKET) {
      if (depth === 0) start = i;
      depth++;
    } else if (char === CLOSE_BRACE || char === CLOSE_BRACKET) {
      if (depth === 0) return undefined;
      depth--;
      if (depth === 0) parts.push(text.slice(start, i + 1));
    } else if (depth === 0 && !isWhitespace(char)) {
      return undefined;
    }
  }
  return { parts, truncated: depth > 0 };
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function isWhitespace(char: number): boolean {
  return char === 0x20 || char === 0x0a || char === 0x0d || char === 0x09;
}

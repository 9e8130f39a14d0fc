import type { MessageAttributeValue, PublishCommandInput } from '@aws-sdk/client-sns';
import type { Finding } from '../engine/finding.ts';

/**
 * A finding as an SNS message: the finding JSON (the stable format of `detect --format jsonl`) as the
 * body, an ASCII subject for email subscribers, and String attributes for subscription filter policies
 * (`{"severity": ["critical"]}`, `{"detector": [...]}`, `{"account": [...]}`, `{"pipeline": [...]}`).
 */

/** SNS takes 256 KiB per message, body and attributes together; keep a margin for the attributes. */
export const MAX_MESSAGE_BYTES = 250 * 1024;
/** SNS subjects: under 100 characters, ASCII, no line breaks. */
const MAX_SUBJECT = 99;
/** Attribute values: bounded so a hostile account or pipeline string cannot crowd out the body. */
const MAX_ATTRIBUTE = 256;

/**
 * The finding as JSON of at most `maxBytes`: when evidence in `details` makes it larger (huge request
 * parameters), `details` is replaced by a note, and the event ids are cut to the first 20.
 */
export function boundedFindingJson(finding: Finding, maxBytes = MAX_MESSAGE_BYTES): string {
  const full = JSON.stringify(finding);
  if (Buffer.byteLength(full, 'utf8') <= maxBytes) return full;
  const bytes = Buffer.byteLength(full, 'utf8');
  const slim: Finding = {
    ...finding,
    eventIds: finding.eventIds.slice(0, 20),
    details: {
      truncated: `details dropped: the finding was ${bytes} bytes, over the ${maxBytes}-byte limit`,
    },
  };
  const text = JSON.stringify(slim);
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  // Only the summary and subject can still be large: they carry event data, so cut them hard.
  return JSON.stringify({
    ...slim,
    summary: finding.summary.slice(0, 2000),
    subject: finding.subject?.slice(0, 2000),
  });
}

/** Printable ASCII only: anything else becomes `?`, so the subject is valid whatever the title holds. */
function asciiSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}

export function snsSubject(finding: Finding): string {
  const tail = ` ${finding.id}`;
  const head = `[${finding.severity.toUpperCase()}] `;
  const room = Math.max(0, MAX_SUBJECT - head.length - tail.length);
  const title =
    finding.title.length > room ? `${finding.title.slice(0, Math.max(0, room - 3))}...` : finding.title;
  return asciiSafe(`${head}${title}${tail}`).slice(0, MAX_SUBJECT);
}

function attribute(value: string | undefined): MessageAttributeValue | undefined {
  // Control characters are not valid in attribute values; empty values are rejected by SNS.
  const clean = [...(value ?? '')]
    .filter((char) => {
      const code = char.codePointAt(0) ?? 0;
      return code >= 0x20 && (code < 0x7f || code > 0x9f);
    })
    .join('')
    .slice(0, MAX_ATTRIBUTE);
  return clean ? { DataType: 'String', StringValue: clean } : undefined;
}

/** Attributes present on the finding (at most 6, under SQS raw delivery's limit of 10). */
export function snsAttributes(finding: Finding): Record<string, MessageAttributeValue> {
  const candidates: Record<string, string | undefined> = {
    severity: finding.severity,
    detector: finding.detector,
    findingId: finding.id,
    account: finding.account,
    pipeline: finding.pipeline,
    environment: finding.environment,
  };
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(candidates)) {
    const made = attribute(value);
    if (made) attributes[name] = made;
  }
  return attributes;
}

/**
 * The Publish input. FIFO topics (`….fifo`) also get the finding id as deduplication id, so SNS drops a
 * re-send within its 5-minute window; standard topics deliver at least once.
 */
export function publishInput(topicArn: string, finding: Finding): PublishCommandInput {
  const input: PublishCommandInput = {
    TopicArn: topicArn,
    Message: boundedFindingJson(finding),
    Subject: snsSubject(finding),
    MessageAttributes: snsAttributes(finding),
  };
  if (topicArn.endsWith('.fifo')) {
    input.MessageGroupId = finding.detector.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 128) || 'trailguard';
    input.MessageDeduplicationId = finding.id.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 128);
  }
  return input;
}

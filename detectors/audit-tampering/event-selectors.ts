import { isRecord } from '../../lib/events/record-fields.ts';

const has = (value: unknown, item: string) => Array.isArray(value) && value.includes(item);

/** True when some selector still records write management events (Stratus and Panther show the opposite). */
export function managementWritesLogged(request: Record<string, unknown>): boolean {
  const { advancedEventSelectors: advanced, eventSelectors: basic } = request;
  if (Array.isArray(advanced) && advanced.length > 0) {
    return advanced.some((selector) => {
      const fields =
        isRecord(selector) && Array.isArray(selector.fieldSelectors) ? selector.fieldSelectors : [];
      const field = (name: string) =>
        fields.find((f: unknown) => isRecord(f) && f.field === name) as Record<string, unknown> | undefined;
      const readOnly = field('readOnly');
      return (
        has(field('eventCategory')?.equals, 'Management') &&
        !has(readOnly?.equals, 'true') &&
        !has(readOnly?.notEquals, 'false')
      );
    });
  }
  return (
    Array.isArray(basic) &&
    basic.some((s) => isRecord(s) && s.includeManagementEvents !== false && s.readWriteType !== 'ReadOnly')
  );
}

/** The largest integer a double holds exactly, plus one: packed sort keys must stay below it. */
const EXACT_LIMIT = 2 ** 53;

/**
 * The stable time order of `times` (NaN last, in input order) as input positions, or undefined when the
 * input is already in that order.
 */
export function sortOrder(times: Float64Array): ArrayLike<number> | undefined {
  const count = times.length;
  let ordered = true;
  let wholeSeconds = true;
  let latest = Number.NEGATIVE_INFINITY;
  let earliest = Number.POSITIVE_INFINITY;
  let untimedSeen = false;
  for (let i = 0; i < count; i++) {
    const time = times[i] as number;
    if (Number.isNaN(time)) {
      untimedSeen = true;
      continue;
    }
    // In order: timed records non-decreasing, and none after an untimed one.
    if (untimedSeen || time < latest) ordered = false;
    latest = time;
    if (time < earliest) earliest = time;
    if (time % 1000 !== 0) wholeSeconds = false;
  }
  if (ordered) return undefined;
  // CloudTrail times are whole seconds: each record's (second, position) then packs into one double that
  // sorts natively (a typed array's own numeric sort, no comparator call per comparison). Untimed records
  // take the second after the latest, so they follow every timed one in input order.
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < count; i++) {
    const time = times[i] as number;
    if (!Number.isNaN(time) && time > max) max = time;
  }
  const span = (max - earliest) / 1000 + 2;
  if (wholeSeconds && span * count < EXACT_LIMIT) {
    const keys = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const time = times[i] as number;
      const second = Number.isNaN(time) ? span - 1 : (time - earliest) / 1000;
      keys[i] = second * count + i;
    }
    keys.sort();
    const order = new Int32Array(count);
    for (let i = 0; i < count; i++) order[i] = (keys[i] as number) % count;
    return order;
  }
  const order = new Array<number>(count);
  for (let i = 0; i < count; i++) order[i] = i;
  order.sort((a, b) => {
    const ta = times[a] as number;
    const tb = times[b] as number;
    const untimedA = Number.isNaN(ta);
    if (untimedA !== Number.isNaN(tb)) return untimedA ? 1 : -1;
    return untimedA ? a - b : ta - tb || a - b;
  });
  return order;
}

/** Where in a source a skip happened, as reasons spell it: `line 3`, `Records[12]`, `logEvents[2].message`. */
const LOCATION = /^(?:line \d+|[^\s:[\]]*\[\d+\][^\s:]*): /;

/**
 * The class a skip reason is counted under in run summaries: the reason up to its first colon, after any
 * location in front. So `Records[12]: not JSON: Unexpected token…` and `line 3: not JSON: …` both count as
 * `not JSON`, instead of a class per record or line.
 */
export function skipReasonClass(reason: string): string {
  let rest = reason;
  for (let match = LOCATION.exec(rest); match !== null; match = LOCATION.exec(rest))
    rest = rest.slice(match[0].length);
  return rest.split(':')[0] || reason;
}

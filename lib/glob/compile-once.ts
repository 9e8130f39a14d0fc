/**
 * `compute` memoized by the identity of its argument. Config values (detector params, their lists, the
 * inventory) are not changed after loading and live as long as the config, so whatever is derived from them (compiled globs,
 * lowered markers) is built on first use and never per event. A WeakMap, so a config dropped (a test's,
 * a reloaded one) takes its compiled forms with it.
 */
export function compileOnce<K extends object, V>(compute: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key) => {
    if (cache.has(key)) return cache.get(key) as V;
    const value = compute(key);
    cache.set(key, value);
    return value;
  };
}

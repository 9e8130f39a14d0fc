/**
 * Builds a value on first use and keeps it for the life of the process (a Lambda execution environment:
 * once per cold start). A build that fails is forgotten, so the next invocation tries again rather than
 * failing forever on a throttled secret read.
 */
export function lazy<T>(build: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= build().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

/**
 * Runs `fn` over `items` with at most `limit` in flight. File-system calls are cheap one by
 * one but cost a thread-pool round trip each; a sync makes thousands (stat, link, mkdir), so
 * doing them one after the other made a 1000-file sync wait on latency, not on the disk.
 */
export async function runBounded<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        await fn(items[i], i);
      } catch (err) {
        failed = true; // the other lanes stop taking new items; the first error is thrown
        throw err;
      }
    }
  });
  await Promise.all(lanes);
}

/** `fn` over `items`, at most `limit` at once, results in the order of `items`. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  await runBounded(items, limit, async (item, i) => {
    out[i] = await fn(item);
  });
  return out;
}

/** In-flight file-system calls per sync: enough to hide latency, few enough for libuv's pool. */
export const FS_CONCURRENCY = 32;

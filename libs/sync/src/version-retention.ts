/**
 * Which versions of one spider to delete: all but the newest `keep`, except the versions an
 * open task still references (it may not have synced yet). Pure.
 */
export function versionsToPrune(versions: number[], keep: number, pinned: Set<number>): number[] {
  const newestFirst = [...versions].sort((a, b) => b - a);
  return newestFirst.slice(Math.max(1, keep)).filter((v) => !pinned.has(v));
}

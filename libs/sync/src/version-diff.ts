import type { ManifestEntry } from './manifest';

export type VersionDiff = {
  /** In `to`, not in `from`. */
  added: ManifestEntry[];
  /** In `from`, not in `to`. */
  removed: ManifestEntry[];
  /** In both, with other content or another mode. */
  changed: { path: string; from: ManifestEntry; to: ManifestEntry }[];
};

const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** Whether two entries describe the same file as a worker would write it. */
export function sameEntry(a: ManifestEntry | undefined, b: ManifestEntry | undefined): boolean {
  if (!a || !b) return a === b;
  return a.path === b.path && a.sha256 === b.sha256 && a.size === b.size && (a.mode & 0o777) === (b.mode & 0o777);
}

/** Pure: what changes from tree `from` to tree `to`, each list sorted by path. */
export function diffVersions(from: ManifestEntry[], to: ManifestEntry[]): VersionDiff {
  const before = new Map(from.map((e) => [e.path, e]));
  const after = new Map(to.map((e) => [e.path, e]));
  const added = to.filter((e) => !before.has(e.path)).sort(byPath);
  const removed = from.filter((e) => !after.has(e.path)).sort(byPath);
  const changed = to
    .filter((e) => before.has(e.path) && !sameEntry(before.get(e.path), e))
    .sort(byPath)
    .map((e) => ({ path: e.path, from: before.get(e.path) as ManifestEntry, to: e }));
  return { added, removed, changed };
}

/** Pure: two trees with the same files, contents and modes (an upload that changes nothing). */
export function sameTree(a: ManifestEntry[], b: ManifestEntry[]): boolean {
  if (a.length !== b.length) return false;
  const d = diffVersions(a, b);
  return d.added.length === 0 && d.removed.length === 0 && d.changed.length === 0;
}

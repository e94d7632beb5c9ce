/** One file of a spider version. */
export type ManifestEntry = { path: string; size: number; mode: number; sha256: string };

/** What a worker's local copy says about a file. */
export type LocalEntry = { size: number; sha256: string; mode: number; mtimeMs?: number };

export type ManifestDiff = {
  /** Content to fetch (by sha256) and write. */
  download: ManifestEntry[];
  /** Present with the right content, but the mode differs. */
  chmod: ManifestEntry[];
  /** In the local copy, not in the manifest. */
  remove: string[];
};

export const MANIFEST_CHUNK_ENTRIES = 100;

/** Pure: what a worker must do to turn `local` into `manifest`. */
export function diffManifest(manifest: ManifestEntry[], local: Map<string, LocalEntry>): ManifestDiff {
  const download: ManifestEntry[] = [];
  const chmod: ManifestEntry[] = [];
  const wanted = new Set<string>();
  for (const e of manifest) {
    wanted.add(e.path);
    const have = local.get(e.path);
    if (!have || have.sha256 !== e.sha256 || have.size !== e.size) download.push(e);
    else if ((have.mode & 0o777) !== (e.mode & 0o777)) chmod.push(e);
  }
  const remove = [...local.keys()].filter((p) => !wanted.has(p));
  return { download, chmod, remove };
}

/** Splits a manifest into stream messages of at most `size` entries. */
export function chunkManifest(entries: ManifestEntry[], size = MANIFEST_CHUNK_ENTRIES): ManifestEntry[][] {
  const out: ManifestEntry[][] = [];
  for (let i = 0; i < entries.length; i += size) out.push(entries.slice(i, i + size));
  if (out.length === 0) out.push([]);
  return out;
}

/** Normalises a file mode to what we store: only the permission bits. */
export function permissionBits(mode: number | undefined, fallback = 0o644): number {
  if (mode === undefined || !Number.isFinite(mode)) return fallback;
  return mode & 0o777;
}

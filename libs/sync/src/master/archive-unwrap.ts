import type { StagedFile } from './upload-staging';

/**
 * Zipping a folder puts every entry under that folder (`shop/scrapy.cfg`, `shop/shop/…`).
 * A spider's root must be the folder's inside, or `scrapy crawl` finds no project. When
 * every file sits under one top-level folder, that folder is dropped from the paths.
 * Returns the folder removed (`shop/`), or null when the tree was left as it was.
 */
export function unwrapSingleFolder<T extends Pick<StagedFile, 'path'>>(files: T[]): { files: T[]; unwrapped: string | null } {
  if (files.length === 0) return { files, unwrapped: null };
  const first = files[0].path.split('/')[0];
  const allInside = files.every((f) => f.path.startsWith(`${first}/`) && f.path.length > first.length + 1);
  if (!allInside) return { files, unwrapped: null };
  return { files: files.map((f) => ({ ...f, path: f.path.slice(first.length + 1) })), unwrapped: `${first}/` };
}

/** A multipart upload of exactly one part named like an archive is that archive. */
export function archiveKindOf(fileName: string): 'zip' | 'tar.gz' | null {
  const n = fileName.toLowerCase();
  if (n.endsWith('.zip')) return 'zip';
  if (n.endsWith('.tar.gz') || n.endsWith('.tgz')) return 'tar.gz';
  return null;
}

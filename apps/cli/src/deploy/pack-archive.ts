import type { Readable } from 'node:stream';
import { create } from 'tar';

/**
 * A gzip'd tar stream of `files` (relative to `root`), produced while it is read: nothing is
 * written to disk or held whole. `follow` stores a symbolic link's target (the API refuses links).
 */
export function packArchive(root: string, files: string[]): Readable {
  return create({ gzip: true, cwd: root, portable: true, follow: true, noDirRecurse: true }, files) as unknown as Readable;
}

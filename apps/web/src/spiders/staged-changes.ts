import type { FileChange } from '../api/files-types';

/** What the tree shows while changes wait to be saved: the files and the folders made. */
export type StagedView = { paths: string[]; dirs: string[] };

const under = (p: string, dir: string) => p.startsWith(`${dir}/`);
const moved = (p: string, from: string, to: string) => (p === from ? to : under(p, from) ? to + p.slice(from.length) : p);

/**
 * Pure: the tree after `changes`, applied in order to `paths` the way the master applies them
 * (a move or delete of a folder carries everything under it). The master checks again.
 */
export function applyStaged(paths: readonly string[], changes: readonly FileChange[]): StagedView {
  let files = [...paths];
  let dirs: string[] = [];
  for (const c of changes) {
    if (c.op === 'put') {
      if (!files.includes(c.path)) files.push(c.path);
    } else if (c.op === 'mkdir') {
      if (!dirs.includes(c.path)) dirs.push(c.path);
    } else if (c.op === 'delete') {
      files = files.filter((p) => p !== c.path && !under(p, c.path));
      dirs = dirs.filter((d) => d !== c.path && !under(d, c.path));
    } else {
      files = files.map((p) => moved(p, c.from, c.to));
      dirs = dirs.map((d) => moved(d, c.from, c.to));
    }
  }
  return { paths: files, dirs };
}

/** Why `path` cannot be the target of a new file, folder or move in `view`, or null. */
export function targetProblem(view: StagedView, path: string): string | null {
  if (!path) return 'a name is needed';
  if (path.startsWith('/')) return 'a path inside the spider (no leading /)';
  if (path.split('/').some((s) => s === '' || s === '.' || s === '..')) return "no empty, '.' or '..' parts";
  if (view.paths.includes(path) || view.dirs.includes(path) || view.paths.some((p) => under(p, path))) return `${path} already exists`;
  return null;
}

/** One line per change, as the pending list shows it. */
export function describeChange(c: FileChange): string {
  switch (c.op) {
    case 'put':
      return `write ${c.path}`;
    case 'delete':
      return `delete ${c.path}`;
    case 'mkdir':
      return `new folder ${c.path}`;
    case 'move':
      return `move ${c.from} → ${c.to}`;
  }
}

/** The folder a new item goes into: the selected folder, or the selected file's folder. */
export function folderOf(path: string | null, isDir: boolean): string {
  if (!path) return '';
  if (isDir) return path;
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export const joinPath = (folder: string, name: string) => (folder ? `${folder}/${name}` : name);

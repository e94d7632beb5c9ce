import { BadInputError } from '@crawlnest/node';
import type { ManifestEntry } from './manifest';
import { assertSafePath } from './path-check';
import { sameEntry } from './version-diff';

/**
 * One staged change of a batch. `put` takes its content from the upload part named by the
 * same path; `delete` and `move` act on a file or on a whole folder; `mkdir` makes a folder
 * that stays even when empty (it holds a `.keep` file: versions list files, not folders).
 */
export type FileChange =
  | { op: 'put'; path: string }
  | { op: 'delete'; path: string }
  | { op: 'move'; from: string; to: string }
  | { op: 'mkdir'; path: string };

/** What marks a folder that holds no other file. */
export const KEEP_FILE = '.keep';

export type ChangeResult = {
  /** The tree after every change, applied in order to the base tree. */
  files: ManifestEntry[];
  /** Paths whose entry differs between the base tree and `files`. */
  changed: Set<string>;
  /** Folders a change moved or deleted: a file added under them since the base is a conflict. */
  folders: Set<string>;
};

const under = (path: string, dir: string) => path.startsWith(`${dir}/`);

function describe(c: FileChange): string {
  return c.op === 'move' ? `move ${JSON.stringify(c.from)} -> ${JSON.stringify(c.to)}` : `${c.op} ${JSON.stringify(c.path)}`;
}

/**
 * Pure: applies `changes` in order to `base`. Every refusal (unsafe path, missing source,
 * occupied target, a folder moved into itself) throws a 400-mapped error naming the change;
 * nothing is partly applied, the caller stores nothing.
 */
export function applyFileChanges(base: ManifestEntry[], changes: FileChange[], puts: Map<string, ManifestEntry>, keep: ManifestEntry): ChangeResult {
  const tree = new Map(base.map((e) => [e.path, e]));
  const folders = new Set<string>();
  const made = new Set<string>();
  const isDir = (p: string) => [...tree.keys()].some((k) => under(k, p)) || made.has(p);
  const exists = (p: string) => tree.has(p) || isDir(p);
  const fail = (c: FileChange, why: string): never => {
    throw new BadInputError(`${describe(c)}: ${why}; nothing was changed`);
  };
  changes.forEach((c) => {
    if (c.op === 'move') {
      assertSafePath(c.from, 'move from');
      assertSafePath(c.to, 'move to');
    } else assertSafePath(c.path);
    switch (c.op) {
      case 'put': {
        const entry = puts.get(c.path);
        if (!entry) fail(c, 'no upload part carries its content');
        if (isDir(c.path)) fail(c, 'a folder has that path');
        tree.set(c.path, { ...(entry as ManifestEntry), path: c.path });
        break;
      }
      case 'delete': {
        if (tree.delete(c.path)) break;
        if (!isDir(c.path)) fail(c, 'no such file or folder');
        for (const k of [...tree.keys()]) if (under(k, c.path)) tree.delete(k);
        for (const d of [...made]) if (d === c.path || under(d, c.path)) made.delete(d);
        folders.add(c.path);
        break;
      }
      case 'mkdir': {
        if (tree.has(c.path)) fail(c, 'a file has that path');
        made.add(c.path);
        break;
      }
      case 'move': {
        if (c.from === c.to) fail(c, 'source and target are the same');
        if (exists(c.to)) fail(c, 'the target already exists');
        const file = tree.get(c.from);
        if (file) {
          tree.delete(c.from);
          tree.set(c.to, { ...file, path: c.to });
          break;
        }
        if (!isDir(c.from)) fail(c, 'no such file or folder');
        if (under(c.to, c.from)) fail(c, 'a folder cannot move into itself');
        for (const [k, e] of [...tree.entries()]) {
          if (!under(k, c.from)) continue;
          const to = c.to + k.slice(c.from.length);
          tree.delete(k);
          tree.set(to, { ...e, path: to });
        }
        for (const d of [...made]) {
          if (d !== c.from && !under(d, c.from)) continue;
          made.delete(d);
          made.add(c.to + d.slice(c.from.length));
        }
        folders.add(c.from);
        break;
      }
    }
  });
  // A folder made in this batch that nothing else fills keeps a marker, so it exists.
  for (const d of made) {
    if (![...tree.keys()].some((k) => under(k, d))) tree.set(`${d}/${KEEP_FILE}`, { ...keep, path: `${d}/${KEEP_FILE}` });
  }
  const files = [...tree.values()];
  const before = new Map(base.map((e) => [e.path, e]));
  const changed = new Set<string>();
  for (const p of new Set([...before.keys(), ...tree.keys()])) if (!sameEntry(before.get(p), tree.get(p))) changed.add(p);
  return { files, changed, folders };
}

/**
 * Pure: the batch's result laid over `latest` (the current tree, which may be newer than the
 * base). Returns null when a path the batch touches changed since the base, or a file appeared
 * under a folder it moved or deleted: the caller answers 409 and the writer reloads.
 */
export function rebaseFileChanges(base: ManifestEntry[], latest: ManifestEntry[], result: ChangeResult): ManifestEntry[] | null {
  const before = new Map(base.map((e) => [e.path, e]));
  const now = new Map(latest.map((e) => [e.path, e]));
  for (const p of result.changed) if (!sameEntry(before.get(p), now.get(p))) return null;
  for (const d of result.folders) {
    for (const p of now.keys()) if (under(p, d) && !sameEntry(before.get(p), now.get(p))) return null;
  }
  const after = new Map(result.files.map((e) => [e.path, e]));
  const merged = new Map(now);
  for (const p of result.changed) {
    const e = after.get(p);
    if (e) merged.set(p, e);
    else merged.delete(p);
  }
  return [...merged.values()];
}

const isString = (v: unknown): v is string => typeof v === 'string';

/** Pure: the `changes` field of a batch (JSON text) as typed changes; 400 naming the first bad one. */
export function parseFileChanges(raw: unknown): FileChange[] {
  if (!isString(raw)) throw new BadInputError('changes: expected a JSON array of changes');
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    throw new BadInputError('changes: malformed JSON');
  }
  if (!Array.isArray(list)) throw new BadInputError('changes: expected a JSON array of changes');
  if (list.length > 10_000) throw new BadInputError('changes: more than 10000 changes');
  return list.map((c: unknown, i): FileChange => {
    const o = (typeof c === 'object' && c !== null ? c : {}) as Record<string, unknown>;
    if ((o.op === 'put' || o.op === 'delete' || o.op === 'mkdir') && isString(o.path)) return { op: o.op, path: o.path };
    if (o.op === 'move' && isString(o.from) && isString(o.to)) return { op: 'move', from: o.from, to: o.to };
    throw new BadInputError(`changes[${i}]: expected {op: put|delete|mkdir, path} or {op: move, from, to}`);
  });
}

/** A flat list of paths (the manifest) as a tree for the file browser. Pure. */
export type TreeNode = { name: string; path: string; dir: boolean; children: TreeNode[] };

export function buildTree(paths: readonly string[], dirs: readonly string[] = []): TreeNode[] {
  const root: TreeNode = { name: '', path: '', dir: true, children: [] };
  // A folder with nothing in it yet (made but not saved) is a path whose last part is a folder too.
  const all = [...paths.map((p) => ({ p, leafDir: false })), ...dirs.map((p) => ({ p, leafDir: true }))];
  for (const { p, leafDir } of all) {
    const parts = p.split('/').filter(Boolean);
    let node = root;
    parts.forEach((name, i) => {
      const path = parts.slice(0, i + 1).join('/');
      const dir = leafDir || i < parts.length - 1;
      let child = node.children.find((c) => c.name === name && c.dir === dir);
      if (!child) {
        child = { name, path, dir, children: [] };
        node.children.push(child);
      }
      node = child;
    });
  }
  sortTree(root);
  return root.children;
}

function sortTree(n: TreeNode): void {
  n.children.sort((a, b) => (a.dir === b.dir ? a.name.localeCompare(b.name) : a.dir ? -1 : 1));
  n.children.forEach(sortTree);
}

/** Relative paths of a picked folder drop its top folder (`proj/a/b.py` is `a/b.py`). */
export function stripTopFolder(relPaths: readonly string[]): string[] {
  const tops = new Set(relPaths.map((p) => p.split('/')[0]));
  const nested = relPaths.every((p) => p.includes('/'));
  if (tops.size === 1 && nested) return relPaths.map((p) => p.slice(p.indexOf('/') + 1));
  return [...relPaths];
}

/** The content type the master expects for an archive upload, or null for plain files. */
export function archiveType(name: string): string | null {
  const n = name.toLowerCase();
  if (n.endsWith('.zip')) return 'application/zip';
  if (n.endsWith('.tar.gz') || n.endsWith('.tgz')) return 'application/gzip';
  return null;
}

/** Which CodeMirror language a file name asks for. */
export function languageOf(path: string): 'python' | 'javascript' | 'json' | 'text' {
  if (/\.py$/i.test(path)) return 'python';
  if (/\.(m|c)?[jt]sx?$/i.test(path)) return 'javascript';
  if (/\.json$/i.test(path)) return 'json';
  return 'text';
}

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import ignore, { Ignore } from 'ignore';

/** Files that hold ignore rules, read in every folder (gitignore semantics, nested files too). */
export const IGNORE_FILES = ['.gitignore', '.crawlnestignore'];
/** Never uploaded: version control data. */
const ALWAYS_IGNORED = ['.git/'];

export type CollectedFile = { path: string; size: number };

type Scope = { base: string; rules: Ignore };

function readRules(dir: string): Ignore | null {
  let rules: Ignore | null = null;
  for (const f of IGNORE_FILES) {
    let text: string;
    try {
      text = readFileSync(join(dir, f), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    rules = (rules ?? ignore()).add(text);
  }
  return rules;
}

function ignoredBy(scopes: Scope[], rel: string): boolean {
  return scopes.some((s) => s.rules.ignores(s.base ? posix.relative(s.base, rel) : rel));
}

/**
 * The files of `root` to upload, as POSIX paths relative to it, sorted: `.git/` and whatever
 * a `.gitignore` or `.crawlnestignore` in `root` or any sub-folder excludes (rules of a
 * nested file apply below its folder, as git does). Symbolic links count as their target.
 */
export function collectFiles(root: string): CollectedFile[] {
  const out: CollectedFile[] = [];
  const walk = (rel: string, scopes: Scope[]): void => {
    const abs = rel ? join(root, rel) : root;
    const own = readRules(abs);
    const here = own ? [...scopes, { base: rel, rules: own }] : scopes;
    for (const entry of readdirSync(abs, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      const st = entry.isSymbolicLink() ? statSync(join(abs, entry.name)) : null;
      const isDir = entry.isDirectory() || Boolean(st?.isDirectory());
      if (ignoredBy(here, isDir ? `${childRel}/` : childRel)) continue;
      if (isDir) walk(childRel, here);
      else if (entry.isFile() || st?.isFile()) out.push({ path: childRel, size: (st ?? statSync(join(abs, entry.name))).size });
    }
  };
  walk('', [{ base: '', rules: ignore().add(ALWAYS_IGNORED) }]);
  return out;
}

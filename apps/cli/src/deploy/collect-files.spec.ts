import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectFiles } from './collect-files';

describe('collectFiles', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'cn-collect-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const put = (rel: string, text = 'x'): void => {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  };

  it('honours .gitignore and .crawlnestignore at the root and in sub-folders, and skips .git', () => {
    put('.gitignore', '*.log\nbuild/\n');
    put('.crawlnestignore', 'secrets.txt\n');
    put('main.py');
    put('app.log');
    put('secrets.txt');
    put('build/out.bin');
    put('.git/HEAD');
    put('pkg/mod.py');
    put('pkg/debug.log');
    put('pkg/.gitignore', 'local/\n!keep.log\n');
    put('pkg/local/x.py');
    put('pkg/deep/local/y.py');
    put('other/local/z.py');
    const paths = collectFiles(root).map((f) => f.path);
    expect(paths).toEqual(['.crawlnestignore', '.gitignore', 'main.py', 'other/local/z.py', 'pkg/.gitignore', 'pkg/mod.py']);
  });

  it('reports each file with its size', () => {
    put('a/b/c.txt', 'hello');
    expect(collectFiles(root)).toEqual([{ path: 'a/b/c.txt', size: 5 }]);
  });
});

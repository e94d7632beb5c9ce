import { archiveType, buildTree, languageOf, stripTopFolder } from './file-tree';

describe('spider file tree', () => {
  it('nests paths, folders first, names sorted', () => {
    const tree = buildTree(['main.py', 'pkg/b.py', 'pkg/sub/c.py', 'pkg/a.py', 'README']);
    expect(tree.map((n) => n.name)).toEqual(['pkg', 'main.py', 'README']);
    expect(tree[0].children.map((n) => `${n.path}${n.dir ? '/' : ''}`)).toEqual(['pkg/sub/', 'pkg/a.py', 'pkg/b.py']);
    expect(tree[0].children[0].children[0].path).toBe('pkg/sub/c.py');
  });

  it('drops the picked folder name from relative paths only when all share it', () => {
    expect(stripTopFolder(['proj/a.py', 'proj/x/b.py'])).toEqual(['a.py', 'x/b.py']);
    expect(stripTopFolder(['a/x.py', 'b/y.py'])).toEqual(['a/x.py', 'b/y.py']);
    expect(stripTopFolder(['single.py'])).toEqual(['single.py']);
  });

  it('recognises archives and languages', () => {
    expect(archiveType('s.ZIP')).toBe('application/zip');
    expect(archiveType('s.tar.gz')).toBe('application/gzip');
    expect(archiveType('s.tgz')).toBe('application/gzip');
    expect(archiveType('main.py')).toBeNull();
    expect(languageOf('a/b.py')).toBe('python');
    expect(languageOf('x.mjs')).toBe('javascript');
    expect(languageOf('package.json')).toBe('json');
    expect(languageOf('Makefile')).toBe('text');
  });
});

import { applyStaged, folderOf, joinPath, targetProblem } from './staged-changes';

describe('staged file changes', () => {
  const paths = ['main.py', 'util.py', 'old.py', 'pkg/a.py'];

  it('shows a folder made, a file moved into it and one deleted', () => {
    const v = applyStaged(paths, [{ op: 'mkdir', path: 'lib' }, { op: 'move', from: 'util.py', to: 'lib/util.py' }, { op: 'delete', path: 'old.py' }]);
    expect(v.paths.sort()).toEqual(['lib/util.py', 'main.py', 'pkg/a.py']);
    expect(v.dirs).toEqual(['lib']);
  });

  it('moves and deletes whole folders, made ones included', () => {
    const v = applyStaged(paths, [{ op: 'mkdir', path: 'pkg/sub' }, { op: 'move', from: 'pkg', to: 'src' }, { op: 'put', path: 'x/y.py' }]);
    expect(v.paths.sort()).toEqual(['main.py', 'old.py', 'src/a.py', 'util.py', 'x/y.py']);
    expect(v.dirs).toEqual(['src/sub']);
    expect(applyStaged(paths, [{ op: 'delete', path: 'pkg' }]).paths).not.toContain('pkg/a.py');
  });

  it.each([
    ['', 'a name is needed'],
    ['/etc/x', 'no leading /'],
    ['a/../b', "'..'"],
    ['main.py', 'already exists'],
    ['pkg', 'already exists'],
  ])('refuses %j as a target', (p, why) => {
    expect(targetProblem({ paths, dirs: [] }, p)).toContain(why);
  });

  it('puts new items into the selected folder or the selected file’s folder', () => {
    expect(joinPath(folderOf('pkg/a.py', false), 'b.py')).toBe('pkg/b.py');
    expect(joinPath(folderOf('pkg', true), 'b.py')).toBe('pkg/b.py');
    expect(joinPath(folderOf(null, false), 'b.py')).toBe('b.py');
  });
});

import { BadInputError } from '@crawlnest/node';
import { applyFileChanges, FileChange, parseFileChanges, rebaseFileChanges } from './file-changes';
import type { ManifestEntry } from './manifest';

const e = (path: string, sha = path): ManifestEntry => ({ path, size: 1, mode: 0o644, sha256: sha });
const keep = e('', 'empty');
const paths = (files: ManifestEntry[]) => files.map((f) => f.path).sort();
const base = [e('main.py'), e('util.py'), e('old.py'), e('pkg/a.py'), e('pkg/b.py')];

describe('applyFileChanges', () => {
  it.each<[string, FileChange[], string[]]>([
    ['a folder made, a file moved into it and one deleted', [{ op: 'mkdir', path: 'lib' }, { op: 'move', from: 'util.py', to: 'lib/util.py' }, { op: 'delete', path: 'old.py' }], ['lib/util.py', 'main.py', 'pkg/a.py', 'pkg/b.py']],
    ['an empty new folder keeps a marker', [{ op: 'mkdir', path: 'empty/sub' }], ['empty/sub/.keep', 'main.py', 'old.py', 'pkg/a.py', 'pkg/b.py', 'util.py']],
    ['a folder renamed moves every file under it', [{ op: 'move', from: 'pkg', to: 'lib/pkg' }], ['lib/pkg/a.py', 'lib/pkg/b.py', 'main.py', 'old.py', 'util.py']],
    ['a folder deleted removes every file under it', [{ op: 'delete', path: 'pkg' }], ['main.py', 'old.py', 'util.py']],
    ['a put adds a file into a folder', [{ op: 'put', path: 'pkg/c.py' }], ['main.py', 'old.py', 'pkg/a.py', 'pkg/b.py', 'pkg/c.py', 'util.py']],
  ])('%s', (_name, changes, want) => {
    const r = applyFileChanges(base, changes, new Map([['pkg/c.py', e('pkg/c.py')]]), keep);
    expect(paths(r.files)).toEqual(want);
  });

  it.each<[string, FileChange[], RegExp]>([
    ['a parent segment', [{ op: 'delete', path: '../x' }], /'\.\.' segment/],
    ['an absolute target', [{ op: 'move', from: 'main.py', to: '/etc/x' }], /absolute/],
    ['moving onto an existing file', [{ op: 'move', from: 'main.py', to: 'util.py' }], /target already exists/],
    ['moving onto an existing folder', [{ op: 'move', from: 'main.py', to: 'pkg' }], /target already exists/],
    ['a folder into itself', [{ op: 'move', from: 'pkg', to: 'pkg/inner' }], /into itself/],
    ['a missing source', [{ op: 'delete', path: 'nope.py' }], /no such file or folder/],
    ['a put without content', [{ op: 'put', path: 'x.py' }], /no upload part/],
  ])('refuses %s', (_name, changes, why) => {
    expect(() => applyFileChanges(base, changes, new Map(), keep)).toThrow(BadInputError);
    expect(() => applyFileChanges(base, changes, new Map(), keep)).toThrow(why);
  });
});

describe('rebaseFileChanges', () => {
  const r = applyFileChanges(base, [{ op: 'move', from: 'pkg', to: 'lib' }, { op: 'delete', path: 'old.py' }], new Map(), keep);

  it('keeps a change made meanwhile to a file the batch does not touch', () => {
    const latest = base.map((f) => (f.path === 'main.py' ? e('main.py', 'new') : f));
    const merged = rebaseFileChanges(base, latest, r);
    expect(merged?.find((f) => f.path === 'main.py')?.sha256).toBe('new');
    expect(paths(merged ?? [])).toEqual(['lib/a.py', 'lib/b.py', 'main.py', 'util.py']);
  });

  it.each<[string, ManifestEntry[]]>([
    ['a touched file changed', base.map((f) => (f.path === 'old.py' ? e('old.py', 'new') : f))],
    ['a file appeared in a moved folder', [...base, e('pkg/new.py')]],
    ['a file appeared at a target', [...base, e('lib/a.py', 'other')]],
  ])('is stale when %s', (_name, latest) => {
    expect(rebaseFileChanges(base, latest, r)).toBeNull();
  });
});

describe('parseFileChanges', () => {
  it('reads the four kinds', () => {
    expect(parseFileChanges('[{"op":"put","path":"a"},{"op":"delete","path":"b"},{"op":"mkdir","path":"c"},{"op":"move","from":"d","to":"e"}]')).toHaveLength(4);
  });
  it.each(['', 'nope', '{}', '[{"op":"chmod","path":"a"}]', '[{"op":"move","from":"a"}]'])('refuses %j', (raw) => {
    expect(() => parseFileChanges(raw)).toThrow(BadInputError);
  });
});

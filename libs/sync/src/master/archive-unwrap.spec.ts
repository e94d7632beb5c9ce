import { archiveKindOf, unwrapSingleFolder } from './archive-unwrap';

const paths = (...p: string[]) => p.map((path) => ({ path }));

describe('unwrapSingleFolder', () => {
  it.each([
    ['a zipped folder is unwrapped', paths('shop/scrapy.cfg', 'shop/shop/settings.py'), ['scrapy.cfg', 'shop/settings.py'], 'shop/'],
    ['two top-level entries stay', paths('shop/a.py', 'b.py'), ['shop/a.py', 'b.py'], null],
    ['two top-level folders stay', paths('a/x.py', 'b/y.py'), ['a/x.py', 'b/y.py'], null],
    ['a single file at the root stays', paths('main.py'), ['main.py'], null],
    ['a folder holding one file is unwrapped', paths('shop/main.py'), ['main.py'], 'shop/'],
    ['a prefix that is not a folder stays', paths('shop/a.py', 'shopping/b.py'), ['shop/a.py', 'shopping/b.py'], null],
    ['nothing uploaded stays nothing', paths(), [], null],
  ])('%s', (_name, files, expected, unwrapped) => {
    const r = unwrapSingleFolder(files);
    expect(r.files.map((f) => f.path)).toEqual(expected);
    expect(r.unwrapped).toBe(unwrapped);
  });
});

describe('archiveKindOf', () => {
  it.each([
    ['shop.zip', 'zip'],
    ['Shop.ZIP', 'zip'],
    ['shop.tar.gz', 'tar.gz'],
    ['shop.tgz', 'tar.gz'],
    ['shop.py', null],
    ['shop.gz', null],
  ])('%s → %s', (name, kind) => expect(archiveKindOf(name)).toBe(kind));
});

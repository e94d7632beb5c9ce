import { normalizeEntryName, pathProblem } from './path-check';

describe('pathProblem: which spider paths are refused and why', () => {
  it.each([
    ['crawlab_project/spiders/quotes.py'], // seed 001's path
    ['run.sh'],
    ['a/b/c/d/e/f.txt'],
    ['.hidden/.env'],
    ['dir with spaces/file name.txt'],
    ['ünïcödé/文件.py'],
    ['a..b/c'],
  ])('accepts %j', (p) => {
    expect(pathProblem(p)).toBeNull();
  });

  it.each([
    ['', 'empty path'],
    ['/etc/passwd', 'is absolute'],
    ['../escape', "holds a '..' segment"],
    ['a/../../escape', "holds a '..' segment"],
    ['a/..', "holds a '..' segment"],
    ['./a', "holds a '.' segment"],
    ['a//b', 'holds an empty segment'],
    ['a/', 'holds an empty segment'],
    ['a\0b', 'contains a NUL byte'],
    ['a\\..\\b', 'contains a backslash'],
    ['C:/windows', 'is absolute (drive letter)'],
    ['x'.repeat(1025), 'longer than 1024 characters'],
  ])('refuses %j: %s', (p, why) => {
    expect(pathProblem(p)).toBe(why);
  });

  it('strips one leading ./ from archive entry names and nothing else', () => {
    expect(normalizeEntryName('./a/b')).toBe('a/b');
    expect(normalizeEntryName('././a')).toBe('./a');
    expect(normalizeEntryName('a/./b')).toBe('a/./b');
  });
});

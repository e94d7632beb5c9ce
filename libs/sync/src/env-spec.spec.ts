import { envKey, isEnvKey, toolsForTree } from './env-spec';

const req = (s: string) => ({ kind: 'python' as const, files: [{ name: 'requirements.txt', content: Buffer.from(s) }] });

describe('envKey', () => {
  it.each([
    ['same files and interpreter share a key', req('six==1.16.0\n'), '3.11.7', req('six==1.16.0\n'), '3.11.7', true],
    ['a changed requirement gets a new key', req('six==1.16.0\n'), '3.11.7', req('six==1.17.0\n'), '3.11.7', false],
    ['another interpreter version gets a new key', req('six==1.16.0\n'), '3.11.7', req('six==1.16.0\n'), '3.12.1', false],
  ])('%s', (_name, a, va, b, vb, same) => {
    expect(envKey(a, va) === envKey(b, vb)).toBe(same);
  });

  it('does not depend on the order the files were found in', () => {
    const f1 = { name: 'package.json', content: Buffer.from('{}') };
    const f2 = { name: 'package-lock.json', content: Buffer.from('{"lockfileVersion":3}') };
    expect(envKey({ kind: 'node', files: [f1, f2] }, 'v20')).toBe(envKey({ kind: 'node', files: [f2, f1] }, 'v20'));
  });

  it('names keys so that temp dirs never look like one', () => {
    const k = envKey(req('x'), '3');
    expect(isEnvKey(k)).toBe(true);
    expect(isEnvKey(`.tmp-${k}-abc`)).toBe(false);
  });
});

describe('toolsForTree', () => {
  it.each([
    [['requirements.txt', 'main.py'], ['python3']],
    [['package.json', 'package-lock.json'], ['npm']],
    [['requirements.txt', 'package.json'], ['python3', 'npm']],
    [['sub/requirements.txt'], []],
    [[], []],
  ])('%j → %j', (paths, tools) => expect(toolsForTree(paths)).toEqual(tools));
});

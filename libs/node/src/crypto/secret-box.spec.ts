import { boxedFromParts, SecretBox } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox('a-key-of-enough-length');

  it('opens what it sealed, and the sealed form does not contain the secret', () => {
    const sealed = box.seal('hunter2-password');
    expect(sealed).not.toContain('hunter2');
    expect(box.open(sealed)).toBe('hunter2-password');
    expect(box.seal('x')).not.toBe(box.seal('x')); // a fresh IV each time
  });

  it('refuses a box sealed with another key or changed', () => {
    const sealed = box.seal('s');
    expect(() => new SecretBox('another-key-of-enough-length').open(sealed)).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('t').toString('base64');
    expect(() => box.open(parts.join('.'))).toThrow();
  });

  it('opens what git sources stored before the merge: the same key and cipher, held as an object', () => {
    const [, iv, tag, data] = box.seal('old-token').split('.');
    expect(box.open(boxedFromParts({ v: 1, iv, tag, data }))).toBe('old-token');
  });
});

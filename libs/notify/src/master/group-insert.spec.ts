import { GroupInsert } from './group-insert';

describe('GroupInsert', () => {
  it('writes the first document at once and those arriving meanwhile together, each told its own outcome', async () => {
    const writes: string[][] = [];
    let release: () => void = () => undefined;
    const g = new GroupInsert<string>(async (docs) => {
      writes.push(docs);
      if (writes.length === 1) await new Promise<void>((r) => (release = r));
      return docs.map((d) => d !== 'dup');
    });
    const first = g.insert('a');
    const later = [g.insert('b'), g.insert('dup'), g.insert('c')];
    expect(writes).toEqual([['a']]);
    release();
    expect(await first).toBe(true);
    expect(await Promise.all(later)).toEqual([true, false, true]);
    expect(writes).toEqual([['a'], ['b', 'dup', 'c']]);
    // Quiet again: the next goes at once, alone.
    expect(await g.insert('d')).toBe(true);
    expect(writes[2]).toEqual(['d']);
  });

  it('fails every caller of a failed group and keeps going', async () => {
    let n = 0;
    const g = new GroupInsert<string>(async (docs) => {
      if (n++ === 0) throw new Error('database down');
      return docs.map(() => true);
    });
    await expect(g.insert('a')).rejects.toThrow('database down');
    expect(await g.insert('b')).toBe(true);
  });
});

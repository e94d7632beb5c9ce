import { escapeKey, storableItem } from './key-escape';

describe('key escaping', () => {
  it.each([
    ['plain', 'plain'],
    ['$where', '%24where'],
    ['a.b', 'a%2Eb'],
    ['100%', '100%25'],
    ['x\0y', 'x%00y'],
    ['a$b', 'a$b'],
  ])('%s → %s, and decodes back', (key, escaped) => {
    expect(escapeKey(key)).toBe(escaped);
    expect(decodeURIComponent(escaped)).toBe(key);
  });

  it('escapes nested keys, inside arrays too, and moves the item _id aside', () => {
    expect(storableItem({ _id: 7, $x: { 'a.b': [{ $y: 1 }] } })).toEqual({ '%5Fid': 7, '%24x': { 'a%2Eb': [{ '%24y': 1 }] } });
  });
});

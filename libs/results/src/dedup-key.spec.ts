import { dedupHash, dedupValues, storedDedupHash } from './dedup-key';
import { storableItem } from './key-escape';
import { DedupBackfillService } from './master/dedup-backfill.service';
import { parseSlotId, slotId } from './master/result-claims.repository';

describe('dedup keys', () => {
  it.each([
    [{ url: 'a', n: 1 }, ['url']],
    [{ url: 'a', n: 1 }, ['url', 'n']],
    [{ 'a.b': 'x', $p: 2 }, ['a.b', '$p']],
    [{ _id: 'mine', url: 'a' }, ['_id']],
    [{ url: 'a' }, ['missing']],
  ])('a stored item (%j) hashes like the item it came from, keys %j', (item, keys) => {
    const dedup = { keys, mode: 'ignore' as const };
    expect(storedDedupHash(storableItem(item), dedup)).toBe(dedupHash(item, dedup));
  });

  it('a missing key counts as null', () => {
    expect(dedupValues({ a: 1 }, { keys: ['a', 'b'], mode: 'ignore' })).toEqual([1, null]);
  });
});

describe('key chain slots', () => {
  it.each([
    ['results_x:ab12', 0, 'results_x:ab12'],
    ['results_x:ab12', 1, 'results_x:ab12#1'],
    ['results_x-y:ab12', 37, 'results_x-y:ab12#37'],
  ])('%s slot %d is %s, and parses back', (base, gen, id) => {
    expect(slotId(base, gen)).toBe(id);
    expect(parseSlotId(id)).toEqual({ base, gen });
  });
});

describe('when a dedup change needs a backfill', () => {
  const on = (keys: string[], mode: 'ignore' | 'overwrite' = 'ignore') => ({ keys, mode });
  it.each([
    [null, on(['url']), true],
    [null, null, false],
    [null, undefined, false],
    [on(['url']), undefined, false],
    [on(['url']), null, false],
    [on(['url']), on(['url'], 'overwrite'), false],
    [on(['url']), on(['url', 'page']), true],
    [on(['url', 'page']), on(['page', 'url']), true],
    [on(['url']), on(['sku']), true],
  ])('%j → %j: %s', (before, after, needed) => {
    expect(DedupBackfillService.needed(before, after)).toBe(needed);
  });
});

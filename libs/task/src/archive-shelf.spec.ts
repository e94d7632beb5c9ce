import { coveredBound, idSuccessor, SEAL_KEYS, sealMayMatch, summarize } from './archive-shelf';

const id = (n: number) => n.toString(16).padStart(24, '0');
const t = (n: number, status = 'finished', spiderId = 's1', nodeId: string | null = 'n1') => ({ _id: id(n), status, spiderId, nodeId });

describe('archive shelves', () => {
  it('a seal holds the id range, the statuses counted, and the spiders and nodes seen', () => {
    expect(summarize([t(5), t(3, 'error', 's2'), t(9, 'finished', 's1', 'n2')])).toEqual({
      count: 3,
      lo: id(3),
      hi: id(9),
      st: { finished: 2, error: 1 },
      sp: ['s1', 's2'],
      nd: ['n1', 'n2'],
    });
    expect(summarize([])).toBeNull();
  });

  it('more distinct spiders than a seal lists are recorded as "any"', () => {
    const seal = summarize(Array.from({ length: SEAL_KEYS + 1 }, (_, i) => t(i, 'finished', `s${i}`)))!;
    expect(seal.sp).toBeNull();
    expect(seal.nd).toEqual(['n1']);
    expect(sealMayMatch(seal, { spiderId: 'never-seen' })).toBe(true);
  });

  it.each([
    [{}, undefined, true],
    [{ status: 'finished' }, undefined, true],
    [{ status: 'cancelled' }, undefined, false],
    [{ spiderId: 's2' }, undefined, true],
    [{ spiderId: 's3' }, undefined, false],
    [{ nodeId: 'n9' }, undefined, false],
    [{ status: 'error', nodeId: 'n1' }, undefined, true],
    [{}, id(3), false], // every id in the shelf is >= the cursor
    [{}, id(4), true],
  ])('a seal of ids 3..9 may match %j below %s: %s', (filter, before, want) => {
    const seal = summarize([t(5), t(3, 'error', 's2'), t(9)])!;
    expect(sealMayMatch(seal, filter, before)).toBe(want);
  });

  it('the successor of an id is the smallest id above it', () => {
    expect(idSuccessor(id(9))).toBe(id(10));
    expect(idSuccessor('00000000000000000000000f')).toBe('000000000000000000000010');
    expect(idSuccessor('6574aabbffffffffffffffff')).toBe('6574aabc0000000000000000');
  });

  it('rows above the highest unread shelf are final once there are enough of them', () => {
    const read = [id(20), id(18), id(15), id(11)];
    expect(coveredBound(read, id(14), 2)).toBe(id(15)); // 20, 18, 15 lie above 14
    expect(coveredBound(read, id(14), 3)).toBe(id(15));
    expect(coveredBound(read, id(14), 4)).toBeNull(); // 11 may be outranked by the unread shelf's 14
    expect(coveredBound(read, id(19), 2)).toBeNull();
  });
});

import { compactionGroups, newestInSeals, packSeal, shelfIsStale, shelfWriteEnd, SHELF_WRITE_GRACE_MS, unpackSeal } from './archive-shelf';

const id = (n: number) => n.toString(16).padStart(24, '0');
const t = (n: number, status = 'finished', spiderId = 's1', nodeId: string | null = 'n1') => ({ _id: id(n), status, spiderId, nodeId });

describe('archive shelves', () => {
  it('a seal indexes every task of the shelf, newest first, and unpacks to the same', () => {
    const seal = packSeal([t(5), t(3, 'error', 's2', null), t(9, 'finished', 's1', 'n2')])!;
    expect(seal).toMatchObject({ count: 3, lo: id(3), hi: id(9) });
    expect(typeof seal.x).toBe('string');
    expect(unpackSeal(seal)).toEqual({ ids: [id(9), id(5), id(3)], status: ['finished', 'finished', 'error'], spider: ['s1', 's1', 's2'], node: ['n2', 'n1', ''] });
    expect(packSeal([])).toBeNull();
  });

  it('a task tried twice is indexed once', () => {
    expect(packSeal([t(5), t(5)])!.count).toBe(1);
  });

  const shelves = [
    { n: 0, index: unpackSeal(packSeal([t(1), t(2, 'error'), t(4, 'finished', 's2'), t(7, 'cancelled', 's1', 'n2')])!) },
    { n: 1, index: unpackSeal(packSeal([t(3), t(5, 'error', 's2'), t(6), t(8, 'finished', 's1', 'n2')])!) },
  ];
  const pick = (f: Parameters<typeof newestInSeals>[1], before: string | undefined, limit: number) => newestInSeals(shelves, f, before, limit).map((l) => `${parseInt(l.id, 16)}@${l.shelf}`);

  it.each([
    [{}, undefined, 3, ['8@1', '7@0', '6@1']],
    [{}, id(6), 3, ['5@1', '4@0', '3@1']],
    [{ status: 'error' }, undefined, 5, ['5@1', '2@0']],
    [{ spiderId: 's2' }, undefined, 5, ['5@1', '4@0']],
    [{ nodeId: 'n2' }, undefined, 1, ['8@1']],
    [{ status: 'finished', spiderId: 's1' }, id(8), 10, ['6@1', '3@1', '1@0']],
    [{ status: 'abnormal' }, undefined, 10, []],
    // A member's list: only their projects' spiders, from the seals before any task is read.
    [{ spiderIds: new Set(['s2']) }, undefined, 5, ['5@1', '4@0']],
    [{ spiderIds: new Set(['s2']), status: 'error' }, undefined, 5, ['5@1']],
    [{ spiderIds: new Set<string>() }, undefined, 5, []],
  ])('the newest of %j below %s, %i at most, across shelves: %j', (f, before, limit, want) => {
    expect(pick(f, before, limit)).toEqual(want);
  });

  it('a task listed by two shelves (stored twice by a racing replay) is picked once', () => {
    const twice = [...shelves, { n: 2, index: unpackSeal(packSeal([t(8)])!) }];
    expect(newestInSeals(twice, {}, undefined, 2).map((l) => l.id)).toEqual([id(8), id(7)]);
  });

  it.each([
    ['a quiet hour from two replicas becomes one shelf', [{ n: 0, count: 40 }, { n: 1, count: 30 }], [[0, 1]]],
    ['full shelves stay; the small ones merge', [{ n: 0, count: 100 }, { n: 1, count: 100 }, { n: 2, count: 20 }, { n: 3, count: 7 }, { n: 4, count: 1 }], [[2, 3, 4]]],
    ['groups stay within a shelf', [{ n: 0, count: 60 }, { n: 1, count: 60 }, { n: 2, count: 30 }, { n: 3, count: 50 }], [[1, 2], ]],
    ['one small shelf: nothing to merge', [{ n: 3, count: 5 }, { n: 0, count: 100 }], []],
  ])('compaction groups: %s', (_what, shelves, want) => {
    expect(compactionGroups(shelves)).toEqual(want);
  });

  it('a shelf is written until its hour ended (not by age) and is abandoned 10 minutes after that', () => {
    const end = 10 * 3_600_000;
    expect(shelfWriteEnd(end, end - 3_000_000)).toBe(end + SHELF_WRITE_GRACE_MS);
    // Opened after its hour (a task that ran past it): its own window.
    expect(shelfWriteEnd(end, end + 7_200_000)).toBe(end + 7_200_000 + SHELF_WRITE_GRACE_MS);
    expect(shelfIsStale(end, end - 3_000_000, end + 500_000)).toBe(false);
    expect(shelfIsStale(end, end - 3_000_000, end + 700_000)).toBe(true);
  });

  it('picks the same as a full sort over many overlapping shelves, any filter, cursor and limit', () => {
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    const many = Array.from({ length: 40 }, (_, n) => ({ n, index: unpackSeal(packSeal(Array.from({ length: 1 + rnd(100) }, () => t(rnd(3000), rnd(4) ? 'finished' : 'error', `s${rnd(5)}`)))!) }));
    const brute = (f: { status?: string; spiderId?: string }, before: string | undefined, limit: number) => {
      const m = new Map<string, number>();
      for (const { n, index } of many) index.ids.forEach((id, j) => {
        if ((before === undefined || id < before) && (!f.status || index.status[j] === f.status) && (!f.spiderId || index.spider[j] === f.spiderId) && !m.has(id)) m.set(id, n);
      });
      return [...m.keys()].sort().reverse().slice(0, limit);
    };
    for (const f of [{}, { status: 'error' }, { spiderId: 's3' }])
      for (const before of [undefined, id(2500), id(100)])
        for (const limit of [1, 21, 500]) expect(newestInSeals(many, f, before, limit).map((l) => l.id)).toEqual(brute(f, before, limit));
  });
});

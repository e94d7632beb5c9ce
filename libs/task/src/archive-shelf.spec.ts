import { Types } from 'mongoose';
import { bucketOfShelfCollection, placeCollection, placeOfId, shelfBounds, TaskIdGenerator } from './archive-shelf';

const T0 = Date.parse('2026-12-06T13:59:58Z');

describe('task ids and archive shelves', () => {
  it('ids are valid ObjectIds, strictly increasing, in the hour of their second', () => {
    const g = new TaskIdGenerator(4);
    const ids = Array.from({ length: 50 }, (_, i) => g.next(T0 + i * 100).id);
    for (const id of ids) expect(Types.ObjectId.isValid(id) && new Types.ObjectId(id).toHexString() === id).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(50);
    expect(placeOfId(ids[0]).bucket).toBe('2026120613');
    expect(placeOfId(ids[49]).bucket).toBe('2026120614');
  });

  it('the first `size` ids of an hour go to the hour collection, then one shelf per `size`, each opened by its first id', () => {
    const g = new TaskIdGenerator(4);
    const made = Array.from({ length: 13 }, () => g.next(T0 - 60_000));
    expect(made.slice(0, 4).map((m) => placeOfId(m.id).shelf)).toEqual([null, null, null, null]);
    const shelves = made.map((m) => placeOfId(m.id).shelf);
    expect(new Set(shelves.slice(4, 8)).size).toBe(1);
    expect(shelves[8]).not.toBe(shelves[4]);
    expect(made.filter((m) => m.opens).map((m) => m.opens!.first)).toEqual([made[4].id, made[8].id, made[12].id]);
    expect(made[4].opens!.shelf).toBe(shelves[4]);
    expect(placeCollection(placeOfId(made[5].id))).toBe(`task_archive_2026120613_${shelves[5]}`);
    expect(bucketOfShelfCollection(placeCollection(placeOfId(made[5].id)))).toBe('2026120613');
  });

  it('the counter restarts in a new hour, and a clock stepped back keeps ids increasing', () => {
    const g = new TaskIdGenerator(4);
    for (let i = 0; i < 6; i++) g.next(T0 - 60_000);
    const next = g.next(T0 + 5_000).id;
    expect(placeOfId(next)).toEqual({ bucket: '2026120614', shelf: null });
    const back = g.next(T0 - 3_600_000).id;
    expect(back > next).toBe(true);
  });

  it('a plain ObjectId lives in its hour collection', () => {
    const id = new Types.ObjectId(Types.ObjectId.generate(Math.floor(T0 / 1000))).toHexString();
    expect(placeOfId(id)).toEqual({ bucket: '2026120613', shelf: null });
  });

  it('shelf bounds: a shelf ends where its process opened the next one; unknown ends are the hour', () => {
    const b = shelfBounds([
      { shelf: 'aaaaaa_1', stamp: 'aaaaaa', n: 1, first: 'x1' },
      { shelf: 'aaaaaa_2', stamp: 'aaaaaa', n: 2, first: 'x2' },
      { shelf: 'bbbbbb_1', stamp: 'bbbbbb', n: 1, first: null },
    ]);
    expect(b.get('aaaaaa_1')).toEqual({ lower: 'x1', upper: 'x2' });
    expect(b.get('aaaaaa_2')).toEqual({ lower: 'x2', upper: null });
    expect(b.get('bbbbbb_1')).toEqual({ lower: null, upper: null });
  });
});

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

  it('every id goes to a shelf of `size` tasks, from shelf 0, each opened by its first id: the hour collection holds only marks', () => {
    const g = new TaskIdGenerator(4);
    const made = Array.from({ length: 13 }, () => g.next(T0 - 60_000));
    const shelves = made.map((m) => placeOfId(m.id).shelf);
    expect(shelves.every((s) => s !== null)).toBe(true);
    expect(new Set(shelves.slice(0, 4)).size).toBe(1);
    expect(shelves[4]).not.toBe(shelves[0]);
    expect(shelves[0]).toMatch(/_0$/);
    expect(made.filter((m) => m.opens).map((m) => m.opens!.first)).toEqual([made[0].id, made[4].id, made[8].id, made[12].id]);
    expect(made[4].opens!.shelf).toBe(shelves[4]);
    expect(placeCollection(placeOfId(made[5].id))).toBe(`task_archive_2026120613_${shelves[5]}`);
    expect(bucketOfShelfCollection(placeCollection(placeOfId(made[1].id)))).toBe('2026120613');
  });

  it('ids of the earlier shape (a) keep their place: the first `size` in the hour collection, then shelves from 1', () => {
    const sec = Math.floor(T0 / 1000).toString(16);
    expect(placeOfId(`${sec}c5a2abcdef000003`)).toEqual({ bucket: '2026120613', shelf: null });
    expect(placeOfId(`${sec}c5a2abcdef000005`)).toEqual({ bucket: '2026120613', shelf: 'abcdef_1' });
    expect(placeOfId(`${sec}c5b2abcdef000003`)).toEqual({ bucket: '2026120613', shelf: 'abcdef_0' });
  });

  it('the counter restarts in a new hour, and a clock stepped back keeps ids increasing', () => {
    const g = new TaskIdGenerator(4);
    for (let i = 0; i < 6; i++) g.next(T0 - 60_000);
    const next = g.next(T0 + 5_000).id;
    expect(placeOfId(next).bucket).toBe('2026120614');
    expect(placeOfId(next).shelf).toMatch(/_0$/);
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

import type { DeliveryRecord } from '../notify.types';
import { entryQuery, hourEndMs, hourOf, LISTINGS, ShelfWriter, shelvesOfHour } from './delivery-listing';

function rec(id: string, channelId = 'c1', spiderId: string | null = 's1'): DeliveryRecord {
  return { _id: id, channelId, ruleIds: ['r1'], spiderId, projectId: 'p1' } as DeliveryRecord;
}

const T0 = new Date(Date.UTC(2026, 11, 7, 8, 59, 0));
const T1 = new Date(Date.UTC(2026, 11, 7, 9, 0, 1));

describe('ShelfWriter', () => {
  it('fills a shelf up to its size, marks each new shelf and summarizes the one it leaves', () => {
    const w = new ShelfWriter(LISTINGS.all, 'abcdef', 4);
    const first = w.place([rec('a'), rec('b'), rec('c')], T0);
    expect(first.hours).toEqual(['2026120708']);
    expect(first.marks.map((m) => m.mark._id)).toEqual(['shelf:abcdef_0']);
    expect(first.shelves).toEqual([{ name: 'notify_history_2026120708_abcdef_0', mark: '2026120708/shelf:abcdef_0', entries: expect.any(Array) }]);
    expect(first.summaries).toEqual([]);

    const second = w.place([rec('d', 'c2'), rec('e', 'c3', null)], new Date(T0.getTime() + 1000));
    expect(second.shelves.map((s) => [s.name, s.entries.map((e) => e._id)])).toEqual([
      ['notify_history_2026120708_abcdef_0', ['d']],
      ['notify_history_2026120708_abcdef_1', ['e']],
    ]);
    expect(second.marks.map((m) => m.mark)).toEqual([{ _id: 'shelf:abcdef_1', stamp: 'abcdef', n: 1, first: new Date(T0.getTime() + 1000) }]);
    expect(second.summaries).toHaveLength(1);
    expect(second.summaries[0].summary).toMatchObject({ _id: 'sum:abcdef_0', channelIds: ['c1', 'c2'], spiderIds: ['s1'], last: new Date(T0.getTime() + 1000) });
  });

  it('starts shelf 0 of a new hour, and summarizes the last shelf of the old one', () => {
    const w = new ShelfWriter(LISTINGS.all, 'abcdef', 4);
    w.place([rec('a')], T0);
    const next = w.place([rec('b')], T1);
    expect(next.hours).toEqual(['2026120709']);
    expect(next.shelves[0].name).toBe('notify_history_2026120709_abcdef_0');
    expect(next.summaries[0]).toMatchObject({ hour: '2026120708', summary: { _id: 'sum:abcdef_0' } });
  });
});

describe('shelvesOfHour', () => {
  const hour = hourOf(T0.getTime());
  const mark = (stamp: string, n: number, first: number) => ({ _id: `shelf:${stamp}_${n}`, stamp, n, first: new Date(first) });
  const t = T0.getTime() - 50_000;

  it('bounds a shelf by its summary, else by the next shelf of its process, else by the end of the hour', () => {
    const docs = [
      mark('aaaaaa', 0, t),
      { _id: 'sum:aaaaaa_0', stamp: 'aaaaaa', n: 0, last: new Date(t + 5), channelIds: ['c1'], ruleIds: ['r1'], spiderIds: ['s1'], projectIds: ['p1'] },
      mark('aaaaaa', 1, t + 10),
      mark('aaaaaa', 2, t + 20),
      mark('bbbbbb', 0, t + 1),
    ];
    expect(shelvesOfHour(LISTINGS.all, hour, docs, {}).map((s) => [s.name.slice(-8), s.upper])).toEqual([
      ['aaaaaa_2', hourEndMs(hour)],
      ['bbbbbb_0', hourEndMs(hour)],
      ['aaaaaa_1', t + 20],
      ['aaaaaa_0', t + 5],
    ]);
  });

  it('leaves out a summarized shelf the filter cannot match, never an open one', () => {
    const docs = [
      mark('aaaaaa', 0, t),
      { _id: 'sum:aaaaaa_0', stamp: 'aaaaaa', n: 0, last: new Date(t + 5), channelIds: ['c1'], ruleIds: ['r1'], spiderIds: [null], projectIds: [null] },
      mark('aaaaaa', 1, t + 10),
    ];
    expect(shelvesOfHour(LISTINGS.all, hour, docs, { channelId: 'c2' }).map((s) => s.name.slice(-8))).toEqual(['aaaaaa_1']);
    expect(shelvesOfHour(LISTINGS.all, hour, docs, { channelId: 'c1' })).toHaveLength(2);
    expect(shelvesOfHour(LISTINGS.all, hour, docs, { projectIds: new Set(['p1']) }).map((s) => s.name.slice(-8))).toEqual(['aaaaaa_1']);
  });
});

describe('entryQuery', () => {
  it('filters on the fields entries keep', () => {
    expect(entryQuery({ ruleId: 'r', channelId: 'c', spiderId: 's', projectIds: new Set(['p']) }, T0)).toEqual({ ruleIds: 'r', channelId: 'c', spiderId: 's', projectId: { $in: ['p'] }, at: { $gt: T0 } });
  });
});

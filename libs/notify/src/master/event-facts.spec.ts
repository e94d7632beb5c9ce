import { EventFactsService } from './event-facts.service';

/** The spider part of an event: the facts of one fan-out pass are built concurrently and must share one read. */
describe('EventFactsService.spider', () => {
  function facts(findById: (id: string) => Promise<unknown>) {
    const spiders = { findById };
    return new EventFactsService({} as never, spiders as never, {} as never, {} as never, { publicUrl: 'http://x' } as never);
  }

  it('concurrent facts of one spider read it once', async () => {
    let reads = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const f = facts(async () => {
      reads++;
      await gate;
      return { name: 'shop', projectId: 'p1' };
    });
    const all = Promise.all(Array.from({ length: 8 }, () => f.spider('s1')));
    release();
    expect(await all).toEqual(Array.from({ length: 8 }, () => ({ name: 'shop', projectId: 'p1' })));
    expect(reads).toBe(1);
  });

  it('a failed read names nothing and does not throw; a spider without a project is in the default one', async () => {
    const f = facts(async (id) => {
      if (id === 'bad') throw new Error('database down');
      return { name: 'old' };
    });
    expect(await f.spider('bad')).toEqual({ name: null, projectId: null });
    expect((await f.spider('s2')).projectId).toBeTruthy();
  });
});

import { ALL_SPIDERS } from '@crawlnest/task';
import { ResultDailyDoc, ResultDailyRepository } from './result-daily.repository';
import { ResultDailyService } from './result-daily.service';

/** The repository as a map of `_id` → document: what FerretDB would hold. */
function fakeRepo(store: Map<string, ResultDailyDoc>, replicas: Set<string>) {
  return {
    find: async (id: string) => (store.has(id) ? { ...store.get(id)! } : null),
    write: async (doc: ResultDailyDoc) => void store.set(doc._id, { ...doc }),
    enlist: async (r: string) => void replicas.add(r),
    replicas: async () => [...replicas],
  } as unknown as ResultDailyRepository;
}

const settle = () => new Promise((r) => setTimeout(r, 10));
const NOW = Date.parse('2026-12-06T10:00:00Z');

describe('ResultDailyService', () => {
  it('sums the items stored today per spider and for all, over every replica that counted', async () => {
    const store = new Map<string, ResultDailyDoc>();
    const replicas = new Set<string>();
    const a = new ResultDailyService(fakeRepo(store, replicas), { clusterSecret: '', maxItemBytes: 1, replicaId: 'a' });
    const b = new ResultDailyService(fakeRepo(store, replicas), { clusterSecret: '', maxItemBytes: 1, replicaId: 'b' });
    a.countStored('s1', 5, NOW);
    a.countStored('s1', 2, NOW);
    b.countStored('s2', 4, NOW);
    b.countStored('s2', 0, NOW);
    await settle();
    expect(await a.today(undefined, NOW)).toBe(11);
    expect(await b.today(['s1'], NOW)).toBe(7);
    expect(await b.today(['s1', 's2'], NOW)).toBe(11);
    expect(await a.today(undefined, NOW + 86_400_000)).toBe(0);
    expect(store.get(`${ALL_SPIDERS}:2026-12-06:a`)?.items).toBe(7);
  });

  it('a restarted replica continues its document instead of starting from zero', async () => {
    const store = new Map<string, ResultDailyDoc>();
    const replicas = new Set<string>();
    new ResultDailyService(fakeRepo(store, replicas), { clusterSecret: '', maxItemBytes: 1, replicaId: 'a' }).countStored('s1', 3, NOW);
    await settle();
    const again = new ResultDailyService(fakeRepo(store, replicas), { clusterSecret: '', maxItemBytes: 1, replicaId: 'a' });
    again.countStored('s1', 1, NOW);
    await settle();
    expect(await again.today(undefined, NOW)).toBe(4);
  });
});

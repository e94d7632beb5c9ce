import { Types } from 'mongoose';
import { SpiderRepository } from './spider.repository';

/** A spider collection and a heads collection that count their reads. */
function fakes() {
  const id = new Types.ObjectId();
  const state = { version: 1, reads: 0 };
  const doc = { _id: id, name: 's', cmd: 'true', updatedAt: new Date() };
  const model = {
    findById: () => ({ lean: async () => (state.reads++, doc) }),
    updateOne: async () => ({ matchedCount: 1 }),
    deleteOne: async () => ({}),
  };
  const heads = {
    findById: () => ({ lean: async () => ({ _id: String(id), version: state.version, fileCount: 1, totalBytes: 1, updatedAt: new Date() }) }),
    updateOne: async (_f: unknown, u: { $set: { version: number } }) => ((state.version = u.$set.version), { matchedCount: 1 }),
    deleteOne: async () => ({}),
  };
  const repo = new SpiderRepository(model as never, heads as never);
  return { repo, id: String(id), state };
}

describe('SpiderRepository.findRecent', () => {
  afterEach(() => jest.useRealTimers());

  it('serves calls within the age from one read', async () => {
    const { repo, id, state } = fakes();
    await Promise.all([repo.findRecent(id, 1000), repo.findRecent(id, 1000)]);
    await repo.findRecent(id, 1000);
    expect(state.reads).toBe(1);
  });

  it('reads again once the read is older than the age', async () => {
    jest.useFakeTimers({ now: 0, doNotFake: ['nextTick', 'setImmediate'] });
    const { repo, id, state } = fakes();
    await repo.findRecent(id, 1000);
    jest.setSystemTime(1001);
    await repo.findRecent(id, 1000);
    expect(state.reads).toBe(2);
  });

  it('sees a new version uploaded through this replica at once', async () => {
    const { repo, id } = fakes();
    expect((await repo.findRecent(id, 60_000))?.version).toBe(1);
    await repo.advanceVersion(id, 2, 1, 1);
    expect((await repo.findRecent(id, 60_000))?.version).toBe(2);
  });

  it('reads again after an edit or a delete through this replica', async () => {
    const { repo, id, state } = fakes();
    await repo.findRecent(id, 60_000);
    await repo.update(id, { cmd: 'false' });
    const before = state.reads;
    await repo.findRecent(id, 60_000);
    expect(state.reads).toBe(before + 1);
    await repo.delete(id);
    await repo.findRecent(id, 60_000);
    expect(state.reads).toBe(before + 2);
  });
});

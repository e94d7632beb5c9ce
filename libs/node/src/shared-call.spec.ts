import { BatchedWrites, SharedCalls } from './shared-call';

const tick = () => new Promise((r) => setImmediate(r));

describe('SharedCalls', () => {
  it('shares one call among callers that overlap, and calls again afterwards', async () => {
    const shared = new SharedCalls<number>();
    let calls = 0;
    const call = async () => {
      calls++;
      await tick();
      return calls;
    };
    const [a, b] = await Promise.all([shared.run('k', call), shared.run('k', call)]);
    expect([a, b, calls]).toEqual([1, 1, 1]);
    expect(await shared.run('k', call)).toBe(2);
  });

  it('keeps keys apart and lets a failure reach every sharer, then forgets it', async () => {
    const shared = new SharedCalls<string>();
    const fail = shared.run('x', async () => Promise.reject(new Error('down')));
    const same = shared.run('x', async () => 'never');
    const other = shared.run('y', async () => 'y');
    await expect(fail).rejects.toThrow('down');
    await expect(same).rejects.toThrow('down');
    expect(await other).toBe('y');
    expect(await shared.run('x', async () => 'ok')).toBe('ok');
  });
});

describe('BatchedWrites', () => {
  it('sends a lone push at once and batches pushes made while a write is in flight', async () => {
    const writes: number[][] = [];
    const w = new BatchedWrites<number, number>(async (items) => {
      writes.push(items);
      await tick();
      return items.map((i) => i * 10);
    });
    const first = w.push([1]);
    const rest = [w.push([2, 3]), w.push([4])];
    expect(await first).toEqual([10]);
    expect(await Promise.all(rest)).toEqual([[20, 30], [40]]);
    expect(writes).toEqual([[1], [2, 3, 4]]);
  });

  it('caps a batch by item count but never splits one push', async () => {
    const writes: number[][] = [];
    const w = new BatchedWrites<number, number>(async (items) => {
      writes.push(items);
      await tick();
      return items;
    }, 3);
    await Promise.all([w.push([0]), w.push([1, 2]), w.push([3, 4]), w.push([5, 6, 7, 8])]);
    expect(writes).toEqual([[0], [1, 2], [3, 4], [5, 6, 7, 8]]);
  });

  it('fails every caller of a failed write and goes on with the next', async () => {
    let n = 0;
    const w = new BatchedWrites<number, number>(async (items) => {
      await tick();
      if (n++ === 1) throw new Error('write failed');
      return items;
    });
    const a = w.push([1]);
    const b = w.push([2]);
    const c = w.push([3]);
    expect(await a).toEqual([1]);
    await expect(b).rejects.toThrow('write failed');
    await expect(c).rejects.toThrow('write failed');
    expect(await w.push([4])).toEqual([4]);
  });
});

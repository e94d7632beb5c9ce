import { addSample, HISTORY_SLOTS, mergeSamples, NodeSample, slotOf, withinWindow } from './node-history';

const SLOT = 30_000;
const at = (slot: number, extra = 0): NodeSample => ({ slot, at: slot * SLOT + extra, cpuPercent: slot, memoryBytes: slot * 10, runningTasks: slot % 3 });

describe('node history', () => {
  it('takes the first heartbeat of a slot and ignores the later ones of the same slot', () => {
    const one = addSample([], at(10, 1), SLOT);
    expect(one).toEqual([at(10, 1)]);
    expect(addSample(one!, at(10, 29_000), SLOT)).toBeNull();
    expect(addSample(one!, at(11), SLOT)).toEqual([at(10, 1), at(11)]);
  });

  it('keeps at most HISTORY_SLOTS samples: a day of heartbeats stays an hour', () => {
    let list: NodeSample[] = [];
    for (let slot = 0; slot < 2880; slot++) list = addSample(list, at(slot, 5), SLOT) ?? list;
    expect(list).toHaveLength(HISTORY_SLOTS);
    expect(list[0].slot).toBe(2880 - HISTORY_SLOTS);
    expect(list.at(-1)!.slot).toBe(2879);
  });

  it('reads only the slots inside the last window, oldest first', () => {
    const list = [at(5), at(200), at(150)];
    expect(withinWindow(list, 200 * SLOT + 10, SLOT).map((s) => s.slot)).toEqual([150, 200]);
    expect(withinWindow(list, 400 * SLOT, SLOT)).toEqual([]);
  });

  it('merges two copies with one sample per slot', () => {
    const merged = mergeSamples([at(3, 1), at(4)], [at(3, 2), at(2)], 4 * SLOT, SLOT);
    expect(merged).toEqual([at(2), at(3, 1), at(4)]);
  });

  it('numbers slots by their start', () => {
    expect(slotOf(59_999, SLOT)).toBe(1);
    expect(slotOf(60_000, SLOT)).toBe(2);
  });
});

import { bestFirst, chooseNode, Slot } from './dispatch-plan';

const slot = (nodeId: string, free: number, labels: Record<string, string> = {}): Slot => ({
  nodeId,
  free,
  labels: Object.entries(labels).map(([key, value]) => ({ key, value })),
});

describe('chooseNode', () => {
  it.each<[string, { mode: string; nodeIds: string[]; labels: { key: string; value: string }[] }, Slot[], string | null]>([
    ['random: the node with most free slots', { mode: 'random', nodeIds: [], labels: [] }, [slot('a', 1), slot('b', 3)], 'b'],
    ['random: skips full nodes', { mode: 'random', nodeIds: [], labels: [] }, [slot('a', 0), slot('b', 1)], 'b'],
    ['random: only nodes with the labels', { mode: 'random', nodeIds: [], labels: [{ key: 'gpu', value: 'yes' }] }, [slot('a', 4), slot('b', 1, { gpu: 'yes' })], 'b'],
    ['random: nobody matches', { mode: 'random', nodeIds: [], labels: [{ key: 'gpu', value: 'yes' }] }, [slot('a', 4)], null],
    ['selected: only its node, even with less room', { mode: 'selected-nodes', nodeIds: ['a'], labels: [] }, [slot('a', 1), slot('b', 4)], 'a'],
    ['selected: its node is full', { mode: 'selected-nodes', nodeIds: ['a'], labels: [] }, [slot('a', 0), slot('b', 4)], null],
    ['all-nodes copies are targeted too', { mode: 'all-nodes', nodeIds: ['b'], labels: [] }, [slot('a', 4), slot('b', 1)], 'b'],
  ])('%s', (_name, task, slots, want) => {
    expect(chooseNode(task, slots)?.nodeId ?? null).toBe(want);
  });
});

describe('chooseNode with needed tools', () => {
  const withTools = (nodeId: string, free: number, runtimes: string[]): Slot => ({ nodeId, free, labels: [], runtimes });
  const random = { mode: 'random', nodeIds: [], labels: [] };
  it.each<[string, Slot[], string[], string | null]>([
    ['prefers a node with python3 over one with more room', [withTools('a', 4, ['node']), withTools('b', 1, ['python3', 'node'])], ['python3'], 'b'],
    ['among nodes with the tools, the most room', [withTools('a', 2, ['python3']), withTools('b', 3, ['python3'])], ['python3'], 'b'],
    ['no node has the tool: still runs somewhere (and fails naming it)', [withTools('a', 1, []), withTools('b', 2, [])], ['npm'], 'b'],
    ['nothing needed: most room', [withTools('a', 1, ['python3']), withTools('b', 2, [])], [], 'b'],
    ['both tools needed', [withTools('a', 4, ['python3']), withTools('b', 1, ['python3', 'npm'])], ['python3', 'npm'], 'b'],
  ])('%s', (_name, slots, needs, want) => {
    expect(chooseNode(random, slots, needs)?.nodeId ?? null).toBe(want);
  });
});

describe('bestFirst', () => {
  it('orders by priority, then creation time, then id', () => {
    const t = (id: string, priority: number, at: number) => ({ _id: id, priority, createdAt: new Date(at) });
    const order = bestFirst([t('c', 5, 2), t('a', 5, 1), t('x', 9, 3), t('b', 5, 1), t('low', 1, 0)]).map((x) => x._id);
    expect(order).toEqual(['x', 'a', 'b', 'c', 'low']);
  });
});

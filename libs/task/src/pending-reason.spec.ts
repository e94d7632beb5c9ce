import { pendingReason, NodeState } from './pending-reason';

const node = (id: string, over: Partial<NodeState> = {}): NodeState => ({
  id,
  name: id,
  status: 'online',
  taskReady: true,
  enabled: true,
  labels: [],
  ...over,
});

describe('pendingReason', () => {
  it.each<[string, { mode: string; nodeIds: string[]; labels: { key: string; value: string }[] }, NodeState[], string]>([
    ['no nodes at all', { mode: 'random', nodeIds: [], labels: [] }, [], 'no node is registered'],
    ['labels nobody has', { mode: 'random', nodeIds: [], labels: [{ key: 'gpu', value: 'yes' }] }, [node('a')], 'no node has the labels gpu=yes'],
    ['a selected node that was deleted', { mode: 'selected-nodes', nodeIds: ['x'], labels: [] }, [node('a')], 'selected nodes do not exist: x'],
    ['the selected node is offline', { mode: 'selected-nodes', nodeIds: ['a'], labels: [] }, [node('a', { status: 'offline' })], 'no matching node can take tasks: a (offline)'],
    ['the only match is disabled', { mode: 'random', nodeIds: [], labels: [] }, [node('a', { enabled: false })], 'no matching node can take tasks: a (disabled)'],
    ['online but its stream is not ready (seed 000)', { mode: 'selected-nodes', nodeIds: ['a'], labels: [] }, [node('a', { taskReady: false })], 'no matching node can take tasks: a (not ready)'],
    ['a usable node exists', { mode: 'random', nodeIds: [], labels: [] }, [node('a', { status: 'offline' }), node('b')], 'waiting for a free runner slot on a matching node'],
  ])('%s', (_name, task, nodes, reason) => {
    expect(pendingReason(task, nodes)).toBe(reason);
  });
});

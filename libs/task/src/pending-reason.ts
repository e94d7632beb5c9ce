import { Label, labelsMatch } from '@crawlnest/node';

export type NodeState = { id: string; name: string; status: string; taskReady: boolean; enabled: boolean; labels: Label[] };
export type PendingTask = { mode: string; nodeIds: string[]; labels: Label[] };

/**
 * Why a pending task has not started, in words a user can act on (seed 000: nothing
 * stays pending without a visible reason).
 */
export function pendingReason(task: PendingTask, nodes: NodeState[]): string {
  const targeted = task.mode !== 'random';
  const candidates = targeted ? nodes.filter((n) => task.nodeIds.includes(n.id)) : nodes.filter((n) => labelsMatch(task.labels, n.labels));
  if (candidates.length === 0) {
    if (targeted) return `selected nodes do not exist: ${task.nodeIds.join(', ')}`;
    if (task.labels.length === 0) return 'no node is registered';
    return `no node has the labels ${task.labels.map((l) => `${l.key}=${l.value}`).join(', ')}`;
  }
  const usable = candidates.filter((n) => n.status === 'online' && n.taskReady && n.enabled);
  if (usable.length > 0) return 'waiting for a free runner slot on a matching node';
  const why = candidates.map((n) => {
    if (n.status !== 'online') return `${n.name} (offline)`;
    if (!n.enabled) return `${n.name} (disabled)`;
    return `${n.name} (not ready)`;
  });
  return `no matching node can take tasks: ${why.join(', ')}`;
}

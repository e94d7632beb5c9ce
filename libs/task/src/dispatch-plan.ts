import { Label, labelsMatch } from '@crawlnest/node';

/** A node's free runner slots during one dispatch pass. */
export type Slot = { nodeId: string; labels: Label[]; free: number; runtimes?: string[] };
export type Dispatchable = { mode: string; nodeIds: string[]; labels: Label[] };

/**
 * Pure: which node with a free slot takes this task, or null. Targeted tasks go only to
 * their nodes; random tasks to the matching node with the most free slots, which spreads
 * load instead of filling the first node.
 */
export function chooseNode(t: Dispatchable, slots: Slot[], needs: string[] = []): Slot | null {
  // A node that has the tools the spider's environments need (python3, npm) goes first; one
  // without them is still chosen when it is the only one, and fails the task naming the tool.
  const fits = (s: Slot) => needs.every((n) => s.runtimes?.includes(n) ?? false);
  let best: Slot | null = null;
  for (const s of slots) {
    if (s.free <= 0) continue;
    const eligible = t.mode === 'random' ? labelsMatch(t.labels, s.labels) : t.nodeIds.includes(s.nodeId);
    if (!eligible) continue;
    if (!best || (fits(s) && !fits(best)) || (fits(s) === fits(best) && s.free > best.free)) best = s;
  }
  return best;
}

export type Ordered = { priority: number; createdAt: Date; _id: { toString(): string } };

/** Pure: priority high→low, then first in first out (creation time, then id). */
export function bestFirst<T extends Ordered>(tasks: T[]): T[] {
  return [...tasks].sort(
    (a, b) =>
      b.priority - a.priority ||
      new Date(a.createdAt).getTime() - new Date(b.createdAt).getTime() ||
      (String(a._id) < String(b._id) ? -1 : String(a._id) > String(b._id) ? 1 : 0),
  );
}

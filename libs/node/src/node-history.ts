/**
 * A node's recent resource history: one sample per time slot (default 30 s), the last
 * `HISTORY_SLOTS` slots (an hour at the default), kept in one small document per node. Pure
 * logic: the recorder and the repository wire it to heartbeats and the database.
 */

/** Slots kept per node: the bound on a node's history document. */
export const HISTORY_SLOTS = 120;

/** The default slot length: 120 × 30 s = the last hour. */
export const DEFAULT_HISTORY_SLOT_MS = 30_000;

export type NodeSample = {
  /** Slot number: `floor(at / slotMs)`; unique within a node's history. */
  slot: number;
  /** When the heartbeat that made the sample arrived (ms since epoch). */
  at: number;
  cpuPercent: number;
  memoryBytes: number;
  runningTasks: number;
};

export function slotOf(ms: number, slotMs: number): number {
  return Math.floor(ms / slotMs);
}

/** The samples still inside the window that ends with the slot of `nowMs`, oldest first. */
export function withinWindow(samples: readonly NodeSample[], nowMs: number, slotMs: number, slots = HISTORY_SLOTS): NodeSample[] {
  const first = slotOf(nowMs, slotMs) - slots + 1;
  return samples.filter((s) => s.slot >= first).sort((a, b) => a.slot - b.slot);
}

/**
 * Adds a sample unless its slot already has one (at most one per slot: the first heartbeat of
 * a slot makes its sample), dropping the samples that left the window. Returns the new list,
 * or null when nothing changed.
 */
export function addSample(samples: readonly NodeSample[], sample: NodeSample, slotMs: number, slots = HISTORY_SLOTS): NodeSample[] | null {
  if (samples.some((s) => s.slot === sample.slot)) return null;
  return withinWindow([...samples, sample], sample.at, slotMs, slots);
}

/** Two copies of one node's history (memory and database), one sample per slot, the first copy's sample winning. */
export function mergeSamples(a: readonly NodeSample[], b: readonly NodeSample[], nowMs: number, slotMs: number, slots = HISTORY_SLOTS): NodeSample[] {
  const bySlot = new Map<number, NodeSample>();
  for (const s of [...b, ...a]) bySlot.set(s.slot, s);
  return withinWindow([...bySlot.values()], nowMs, slotMs, slots);
}

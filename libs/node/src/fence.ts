/**
 * The fence: a worker that hears from no master for `fenceMs` stops its running tasks, so the
 * master may run them elsewhere without two copies running at once. The master re-runs a lost
 * node's task only once the node has been offline for `orphanGraceMs`, so the fenced copy must
 * be dead by then. Timeline, from the last ping the worker received (the master sent it while
 * the session was open, so the node's offline mark is no earlier than that):
 *
 *   worker: last ping  ──fenceMs──▶ fence noticed (≤ FENCE_CHECK_MS late)
 *                      ──FENCE_KILL_GRACE_MS──▶ SIGKILL to the process group: nothing runs
 *   master: last ping  ──(≤ nodeTimeoutMs)──▶ offline ──orphanGraceMs──▶ re-run elsewhere
 *
 * The master's offline mark may come at once (the stream closed) or up to nodeTimeoutMs later
 * (heartbeats stopped); we require orphanGraceMs > fenceMs + nodeTimeoutMs + FENCE_MARGIN_MS,
 * which is safe in both cases, the node timeout being extra slack for the second.
 */

/** A fenced task gets SIGTERM, then SIGKILL after at most this long, whatever its own grace. */
export const FENCE_KILL_GRACE_MS = 1000;
/** How often a worker compares its silence with the fence. */
export const FENCE_CHECK_MS = 250;
/** Kill grace + check interval + network latency and clock-tick slack. */
export const FENCE_MARGIN_MS = FENCE_KILL_GRACE_MS + FENCE_CHECK_MS + 750;

/** Kept between the derived default fence and its limit, so the default is strictly inside it. */
const DEFAULT_FENCE_SLACK_MS = 500;

/**
 * The default fence: the longest the orphan grace allows (5000 ms with the default grace and
 * node timeout). Longer is better while it is safe: a master restart or outage shorter than
 * the fence leaves running tasks alone.
 */
export function defaultFenceMs(s: Omit<FenceSettings, 'fenceMs' | 'heartbeatMs'>): number {
  return Math.max(0, s.orphanGraceMs - s.nodeTimeoutMs - FENCE_MARGIN_MS - DEFAULT_FENCE_SLACK_MS);
}

export type FenceSettings = { fenceMs: number; nodeTimeoutMs: number; orphanGraceMs: number; heartbeatMs: number };

/** Problems with the settings, each naming its variables; empty when consistent. fenceMs 0 = fence off. */
export function fenceProblems(s: FenceSettings): string[] {
  if (s.fenceMs === 0) return [];
  const problems: string[] = [];
  // Pings answer heartbeats: a fence shorter than two beats would stop tasks on a healthy link.
  if (s.fenceMs < 2 * s.heartbeatMs) {
    problems.push(`CRAWLNEST_FENCE_MS (${s.fenceMs}) must be at least 2 × CRAWLNEST_HEARTBEAT_MS (${s.heartbeatMs}): workers hear from the master once per heartbeat`);
  }
  const needed = s.fenceMs + s.nodeTimeoutMs + FENCE_MARGIN_MS;
  if (s.orphanGraceMs > needed) return problems;
  return [
    ...problems,
    `CRAWLNEST_ORPHAN_GRACE_MS (${s.orphanGraceMs}) must be greater than CRAWLNEST_FENCE_MS (${s.fenceMs}) + ` +
      `CRAWLNEST_NODE_TIMEOUT_MS (${s.nodeTimeoutMs}) + ${FENCE_MARGIN_MS} ms margin = ${needed}: otherwise a task ` +
      `of a cut-off worker can be re-run elsewhere while its first copy still runs. Raise the orphan grace, ` +
      `lower the fence, or set CRAWLNEST_FENCE_MS=0 to turn the fence off (double runs are then possible).`,
  ];
}

/**
 * How long a replica waits after a node went offline before re-running its tasks: its own
 * grace, or longer when the replica the node was connected to told it a longer fence (the
 * grace is per replica, and a cluster may run replicas configured differently: a shorter
 * grace elsewhere must not re-run a task the worker has not stopped yet).
 */
export function orphanGraceFor(ownGraceMs: number, nodeFenceMs: number | null | undefined, nodeTimeoutMs: number): number {
  if (!nodeFenceMs || nodeFenceMs <= 0) return ownGraceMs;
  return Math.max(ownGraceMs, nodeFenceMs + nodeTimeoutMs + FENCE_MARGIN_MS + 1);
}

/** Whether a worker that last heard from a master at `lastHeardAt` must stop its tasks now. */
export function isFenced(now: number, lastHeardAt: number, fenceMs: number): boolean {
  return fenceMs > 0 && now - lastHeardAt > fenceMs;
}

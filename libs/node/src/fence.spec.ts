import { defaultFenceMs, FENCE_MARGIN_MS, fenceProblems, isFenced, orphanGraceFor } from './fence';

describe('fence arithmetic', () => {
  it.each([
    [{ fenceMs: 5000, nodeTimeoutMs: 2500, orphanGraceMs: 10_000, heartbeatMs: 1000 }, 0],
    [{ fenceMs: 5000, nodeTimeoutMs: 2500, orphanGraceMs: 5000 + 2500 + FENCE_MARGIN_MS, heartbeatMs: 1000 }, 1],
    [{ fenceMs: 5000, nodeTimeoutMs: 2500, orphanGraceMs: 1500, heartbeatMs: 1000 }, 1],
    [{ fenceMs: 0, nodeTimeoutMs: 2500, orphanGraceMs: 1500, heartbeatMs: 1000 }, 0],
    [{ fenceMs: 60_000, nodeTimeoutMs: 2500, orphanGraceMs: 10_000, heartbeatMs: 1000 }, 1],
    [{ fenceMs: 3000, nodeTimeoutMs: 2500, orphanGraceMs: 10_000, heartbeatMs: 2000 }, 1],
  ])('%j gives %i problem(s)', (s, n) => {
    expect(fenceProblems(s)).toHaveLength(n);
  });

  it.each([
    [10_000, 2500, 5000],
    [20_000, 2500, 15_000],
    [1500, 2000, 0],
  ])('orphan grace %i, node timeout %i: default fence %i, and it is consistent', (orphanGraceMs, nodeTimeoutMs, want) => {
    const fenceMs = defaultFenceMs({ orphanGraceMs, nodeTimeoutMs });
    expect(fenceMs).toBe(want);
    if (fenceMs > 0) expect(fenceProblems({ fenceMs, orphanGraceMs, nodeTimeoutMs, heartbeatMs: 1000 })).toEqual([]);
  });

  it('names every variable in its message', () => {
    const [msg] = fenceProblems({ fenceMs: 9000, nodeTimeoutMs: 2500, orphanGraceMs: 10_000, heartbeatMs: 1000 });
    for (const v of ['CRAWLNEST_ORPHAN_GRACE_MS', 'CRAWLNEST_FENCE_MS', 'CRAWLNEST_NODE_TIMEOUT_MS']) expect(msg).toContain(v);
  });

  it.each([
    [10_000, 4000, 5000, true],
    [10_000, 5000, 5000, false],
    [10_000, 0, 0, false],
  ])('now %i, last heard %i, fence %i: fenced %s', (now, heard, fence, want) => {
    expect(isFenced(now, heard, fence)).toBe(want);
  });
});

describe('orphanGraceFor', () => {
  it('keeps the replica its own grace when the node was told no longer fence', () => {
    expect(orphanGraceFor(10_000, 5000, 2500)).toBe(10_000);
    expect(orphanGraceFor(10_000, 0, 2500)).toBe(10_000);
    expect(orphanGraceFor(10_000, null, 2500)).toBe(10_000);
    expect(orphanGraceFor(10_000, undefined, 2500)).toBe(10_000);
  });
  it('waits past a longer fence told by another replica, with the same margin the start-up check asks for', () => {
    const grace = orphanGraceFor(10_000, 25_000, 2500);
    expect(grace).toBe(25_000 + 2500 + FENCE_MARGIN_MS + 1);
    expect(fenceProblems({ fenceMs: 25_000, nodeTimeoutMs: 2500, orphanGraceMs: grace, heartbeatMs: 1000 })).toEqual([]);
  });
});

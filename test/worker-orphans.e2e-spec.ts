import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Master, TestCluster } from './support/cluster';
import { taskEnded } from './support/spider-tree';
import { waitFor } from './support/wait';

type TaskBody = { status: string; nodeId: string | null; attempt: number; attempts: { attempt: number; nodeId: string | null; status: string; error: string | null }[] };

/** State and process group of a pid from /proc/<pid>/stat; null when it is gone. */
function procStat(pid: number | string): { state: string; pgrp: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: f[0], pgrp: Number(f[2]) };
  } catch {
    return null;
  }
}

/**
 * Whether the process still runs. A zombie does not (it is dead, waiting for its parent to
 * read its status: here PID 1 reaps orphans only now and then).
 */
function isAlive(pid: number): boolean {
  const st = procStat(pid);
  return st !== null && st.state !== 'Z';
}

/** Whether any process of the process group `pgid` still runs (zombies aside). */
function groupAlive(pgid: number): boolean {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .some((d) => {
      const st = procStat(d);
      return st !== null && st.pgrp === pgid && st.state !== 'Z';
    });
}

/**
 * Records its tree (the shell, a background child, its process group) in $PIDS, then appends
 * "<attempt> <n>" to $OUT every 100 ms: 600 lines on attempt 1 (a minute: it must be cut by
 * its worker's death), 20 on a later attempt.
 */
const WRITER = [
  'sleep 300 & bg=$!',
  'echo "$$ $bg $(cut -d" " -f5 /proc/$$/stat)" >> "$PIDS"',
  'n=20; [ "$CRAWLNEST_TASK_ATTEMPT" = 1 ] && n=600',
  'i=0; while [ $i -lt $n ]; do i=$((i+1)); echo "$CRAWLNEST_TASK_ATTEMPT $i" >> "$OUT"; sleep 0.1; done',
  'kill $bg',
].join('\n');

describe('a SIGKILLed worker leaves no task running (issue 20, point 8)', () => {
  const cluster = new TestCluster('worker-orphans');
  let m: Master;

  beforeAll(async () => {
    m = await cluster.startMaster({ CRAWLNEST_ORPHAN_GRACE_MS: '3000', CRAWLNEST_FENCE_MS: '0' });
  }, 60_000);
  afterAll(() => cluster.stop());

  it('its task process tree is gone within 2 s, and the re-run on another worker never overlaps the old attempt', async () => {
    const out = join(cluster.dir, 'writer.out');
    const pids = join(cluster.dir, 'writer.pids');
    const a = await cluster.startWorker({ masters: [m], name: 'doomed', env: { CRAWLNEST_LABELS: 'pool=orphans', CRAWLNEST_KILL_GRACE_MS: '5000' } });
    const aId = await cluster.waitNodeReady(m.api, 'doomed', 60_000);
    const spiderId = (await m.api.post('/api/spiders', { name: 'writer', cmd: WRITER })).body.id as string;
    const id = (await m.api.post('/api/tasks', { spiderId, maxRetries: 1, labels: { pool: 'orphans' }, env: { OUT: out, PIDS: pids } })).body.tasks[0].id as string;
    await waitFor('attempt 1 writes lines', () => existsSync(out) && readFileSync(out, 'utf8').split('\n').length > 5, 30_000, 50);
    const [shell, bg, pgid] = readFileSync(pids, 'utf8').trim().split(' ').map(Number);
    expect(isAlive(shell) && isAlive(bg) && groupAlive(pgid)).toBe(true);

    a.proc.kill('SIGKILL');
    await a.proc.exited;
    const t0 = Date.now();
    const gone = await waitFor('the old task tree is gone', () => !isAlive(shell) && !isAlive(bg) && !groupAlive(pgid), 5000, 20)
      .then(() => Date.now() - t0)
      .catch(() => -1);
    const left = [shell, bg].filter(isAlive);
    console.log(`task tree after the worker's SIGKILL: ${gone >= 0 ? `gone in ${gone} ms` : `still running after 5 s (pids ${left.join(', ')}, group ${pgid} ${groupAlive(pgid) ? 'alive' : 'gone'})`}`);
    expect({ goneWithin2s: gone >= 0 && gone <= 2000, left }).toEqual({ goneWithin2s: true, left: [] });

    // Another worker; the master re-runs the task there once the orphan grace has passed.
    await cluster.startWorker({ masters: [m], name: 'heir', env: { CRAWLNEST_LABELS: 'pool=orphans' } });
    const bId = await cluster.waitNodeReady(m.api, 'heir', 60_000);
    const t = await taskEnded(m.api, id, 60_000);
    expect(t.status).toBe('finished');
    const full = (await m.api.get<TaskBody>(`/api/tasks/${id}`)).body;
    expect(full.nodeId).toBe(bId);
    expect(full.attempt).toBe(2);
    expect(full.attempts[0]).toMatchObject({ attempt: 1, nodeId: aId, status: 'abnormal' });

    // Attempt 1's lines, then attempt 2's, each counting up without a gap: no interleaving.
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    const firstOf2 = lines.findIndex((l) => l.startsWith('2 '));
    expect(firstOf2).toBeGreaterThan(0);
    const one = lines.slice(0, firstOf2);
    const two = lines.slice(firstOf2);
    expect(one).toEqual(one.map((_, i) => `1 ${i + 1}`));
    expect(two).toEqual(Array.from({ length: 20 }, (_, i) => `2 ${i + 1}`));
  }, 120_000);
});

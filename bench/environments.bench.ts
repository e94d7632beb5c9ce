import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Benchmark, Figure, percentile } from './bench-kit';
import { Master, TestCluster } from '../test/support/cluster';
import { waitFor } from '../test/support/wait';

const run = promisify(execFile);
const WARM_ROUNDS = 10;
/** No pip cache on either side: both the baseline and the worker download and build cold. */
const COLD = { PIP_NO_CACHE_DIR: '1' };

type TaskView = { id: string; status: string; error: string | null; createdAt: string; finishedAt: string | null; environment: { buildMs: number; cached: boolean } | null };

async function ended(m: Master, id: string): Promise<TaskView> {
  return waitFor(`task ${id} ends`, async () => {
    const t = (await m.api.get<TaskView>(`/api/tasks/${id}`)).body;
    if (['error', 'cancelled', 'abnormal'].includes(t.status)) throw new Error(`task ${id} ${t.status}: ${t.error}`);
    return t.status === 'finished' ? t : undefined;
  }, 600_000, 50);
}

const wall = (t: TaskView) => new Date(t.finishedAt as string).getTime() - new Date(t.createdAt).getTime();

/**
 * Spider environments (issue 11): a cold Scrapy build against the same venv + pip done by
 * the bench itself; a warm run's overhead against a spider without dependencies; four
 * concurrent cold tasks against one (a single build).
 */
const bench: Benchmark = {
  name: 'spider environments (requirements.txt with Scrapy; real pip against PyPI, no pip cache)',
  async run(): Promise<Figure[]> {
    const cluster = new TestCluster('bench-environments');
    const scratch = mkdtempSync(join(tmpdir(), 'crawlnest-bench-venv-'));
    try {
      // Baseline: what a user would type.
      const req = join(scratch, 'requirements.txt');
      writeFileSync(req, 'scrapy\n');
      const b0 = Date.now();
      await run('python3', ['-m', 'venv', join(scratch, 'venv')]);
      await run(join(scratch, 'venv/bin/python'), ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', '-r', req], { env: { ...process.env, ...COLD }, maxBuffer: 64 * 1024 * 1024 });
      const baselineMs = Date.now() - b0;

      const m = await cluster.startMaster();
      await cluster.startWorker({ masters: [m], name: 'w', env: { ...COLD, CRAWLNEST_MAX_RUNNERS: '4' } });
      const nodeId = await cluster.waitNodeReady(m.api, 'w', 60_000);
      const spider = async (name: string, files: Record<string, string>, cmd: string) => {
        const id = (await m.api.post('/api/spiders', { name, cmd })).body.id as string;
        await m.api.putFiles(`/api/spiders/${id}/files`, files);
        return id;
      };
      const task = async (spiderId: string) => (await m.api.post('/api/tasks', { spiderId, mode: 'selected-nodes', nodeIds: [nodeId] })).body.tasks[0].id as string;

      // Cold: one task, the environment stage builds Scrapy's venv.
      const scrapy = await spider('scrapy', { 'requirements.txt': 'scrapy\n' }, 'scrapy version');
      const cold = await ended(m, await task(scrapy));
      const coldBuildMs = cold.environment?.buildMs ?? NaN;

      // Warm: the same spider again (environment cached) against a spider without dependencies.
      // The same command on both sides: which python3 is first on PATH (a venv's, a pyenv
      // shim) would otherwise weigh more than the environment stage being measured.
      const plain = await spider('plain', { 'main.py': 'print(1)\n' }, 'echo 1');
      const warmCmd = await spider('warm', { 'requirements.txt': 'scrapy\n' }, 'echo 1');
      const warm: number[] = [];
      const bare: number[] = [];
      const stage: number[] = [];
      for (let i = 0; i < WARM_ROUNDS; i++) {
        const w = await ended(m, await task(warmCmd));
        warm.push(wall(w));
        stage.push(w.environment?.buildMs ?? NaN);
        bare.push(wall(await ended(m, await task(plain))));
      }

      // Four at once on a new key (a comment changes the file's hash) against one.
      const single = await spider('single', { 'requirements.txt': 'scrapy\n# single\n' }, 'scrapy version');
      const one = wall(await ended(m, await task(single)));
      const four = await spider('four', { 'requirements.txt': 'scrapy\n# four\n' }, 'scrapy version');
      const t0 = Date.now();
      const ids = await Promise.all([0, 1, 2, 3].map(() => task(four)));
      await Promise.all(ids.map((id) => ended(m, id)));
      const fourMs = Date.now() - t0;

      return [
        { name: 'cold build (environment stage) of requirements.txt with Scrapy', value: coldBuildMs, unit: 'ms', goal: '<= 1.1x baseline', baseline: { name: 'python3 -m venv + pip install -r by the bench', value: baselineMs } },
        { name: `warm run, task created→finished p50 (${WARM_ROUNDS} runs)`, value: percentile(warm, 50), unit: 'ms', goal: 'baseline + 50 ms', baseline: { name: 'spider without dependencies p50', value: percentile(bare, 50) } },
        { name: 'warm run, environment stage (lookup) p50', value: percentile(stage, 50), unit: 'ms', goal: '<= 50 ms' },
        { name: 'four concurrent cold tasks, all finished', value: fourMs, unit: 'ms', goal: '~1x baseline (one build)', baseline: { name: 'one cold task', value: one } },
      ];
    } finally {
      rmSync(scratch, { recursive: true, force: true });
      await cluster.stop();
    }
  },
};

export default bench;

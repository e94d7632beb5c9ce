import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { dirname, join } from 'node:path';
import { Benchmark, Figure } from './bench-kit';
import { RsyncDaemon, rsyncAvailable } from './rsync-daemon';
import { Master, TestCluster } from '../test/support/cluster';
import { Task, taskEnded, tarGzTree, Tree } from '../test/support/spider-tree';

const FILES = 1000;
const WORKERS = 4;
/** File sizes cycle through these (bytes); the mean is ~51 KB, so ~50 MB in all. */
const SIZES = [1_000, 4_000, 16_000, 40_000, 64_000, 100_000, 132_000];

type Round = { wallMs: number; maxSyncMs: number; bytes: number; files: number };

/** CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in USER_HZ (100)
}

/** 1000 files, ~50 MB, synced to 4 workers cold, warm and with one file changed; rsync alongside. */
const bench: Benchmark = {
  name: `spider file sync (${FILES} files, ~50 MB, ${WORKERS} workers) vs rsync -a from a daemon on loopback`,
  async run(): Promise<Figure[]> {
    const cluster = new TestCluster('bench-sync');
    let rsyncd: RsyncDaemon | undefined;
    try {
      const tree: Tree = {};
      for (let i = 0; i < FILES; i++) tree[`pkg${i % 20}/mod${Math.floor(i / 20)}/f${i}.dat`] = { content: randomBytes(SIZES[i % SIZES.length]) };
      const totalBytes = Object.values(tree).reduce((n, f) => n + f.content.length, 0);
      const source = join(cluster.dir, 'source');
      writeTree(source, tree);

      const m = await cluster.startMaster();
      const nodeIds: string[] = [];
      for (let i = 1; i <= WORKERS; i++) {
        await cluster.startWorker({ masters: [m], name: `b${i}` });
        nodeIds.push(await cluster.waitNodeReady(m.api, `b${i}`, 180_000)); // a loaded machine starts workers slowly
      }
      const spiderId = (await m.api.post('/api/spiders', { name: 'bench-sync', cmd: 'true' })).body.id as string;
      const up = await putNoTimeout(m, `/api/spiders/${spiderId}/files`, await tarGzTree(tree), 'application/gzip');
      if (up.status !== 200) throw new Error(`upload failed: ${up.status} ${up.text}`);

      const builds = () => (m.proc.output().match(/manifest built/g) ?? []).length;
      const cpuBefore = { master: cpuMs(m.proc.pid), workers: cluster.workers.reduce((n, w) => n + cpuMs(w.proc.pid), 0) };
      const cold = await round(m, spiderId, nodeIds);
      const coldCpu = {
        master: cpuMs(m.proc.pid) - cpuBefore.master,
        workers: cluster.workers.reduce((n, w) => n + cpuMs(w.proc.pid), 0) - cpuBefore.workers,
      };
      const warm = await round(m, spiderId, nodeIds);
      const buildsV1 = builds();
      const changedPath = Object.keys(tree)[500];
      const changed = randomBytes(tree[changedPath].content.length);
      await putNoTimeout(m, `/api/spiders/${spiderId}/files/${changedPath}`, changed, 'application/octet-stream');
      const one = await round(m, spiderId, nodeIds);
      const buildsV2 = builds() - buildsV1;

      let rs: { cold: Round; warm: Round; one: Round } | undefined;
      if (rsyncAvailable()) {
        rsyncd = await RsyncDaemon.start(source, cluster.dir);
        const dests = nodeIds.map((_, i) => join(cluster.dir, `rsync-dest${i}`));
        const rsyncCold = await rsyncRound(rsyncd, dests);
        const rsyncWarm = await rsyncRound(rsyncd, dests);
        writeFileSync(join(source, changedPath), changed);
        const rsyncOne = await rsyncRound(rsyncd, dests);
        rs = { cold: rsyncCold, warm: rsyncWarm, one: rsyncOne };
      } else {
        process.stdout.write('  rsync not found on PATH: the rsync baseline is skipped (apt-get install -y rsync)\n');
      }

      const base = (r: Round | undefined, pick: (x: Round) => number) => (r ? { name: 'rsync -a', value: pick(r) } : undefined);
      const figures: Figure[] = [
        { name: 'tree', value: Math.round(totalBytes / 1024 / 1024), unit: `MB in ${FILES} files` },
        { name: 'cold: create→all 4 finished', value: cold.wallMs, unit: 'ms', baseline: base(rs?.cold, (x) => x.wallMs) },
        { name: 'cold: slowest worker sync', value: cold.maxSyncMs, unit: 'ms' },
        { name: 'cold: master CPU', value: coldCpu.master, unit: 'ms' },
        { name: 'cold: workers CPU (4 together)', value: coldCpu.workers, unit: 'ms' },
        { name: 'cold: bytes moved (4 workers)', value: cold.bytes, unit: 'B', baseline: base(rs?.cold, (x) => x.bytes) },
        { name: 'warm: create→all 4 finished', value: warm.wallMs, unit: 'ms', baseline: base(rs?.warm, (x) => x.wallMs) },
        { name: 'warm: slowest worker sync', value: warm.maxSyncMs, unit: 'ms' },
        { name: 'warm: bytes moved (4 workers)', value: warm.bytes, unit: 'B', baseline: base(rs?.warm, (x) => x.bytes) },
        { name: 'one file changed: create→all 4 finished', value: one.wallMs, unit: 'ms', baseline: base(rs?.one, (x) => x.wallMs) },
        { name: 'one file changed: slowest worker sync', value: one.maxSyncMs, unit: 'ms' },
        { name: 'one file changed: bytes moved (4 workers)', value: one.bytes, unit: 'B', baseline: base(rs?.one, (x) => x.bytes) },
        { name: 'one file changed: files fetched (4 workers)', value: one.files, unit: 'files', goal: '4' },
        { name: 'manifest builds for version 1 (8 tasks)', value: buildsV1, unit: 'builds', goal: '1' },
        { name: 'manifest builds for version 2 (4 tasks)', value: buildsV2, unit: 'builds', goal: '1' },
      ];
      return figures;
    } finally {
      await rsyncd?.stop();
      await cluster.stop();
    }
  },
};

/**
 * A PUT without fetch's 300 s headers timeout: storing 1000 files into the embedded database
 * takes minutes on a loaded machine, and that upload is not what this bench measures.
 */
function putNoTimeout(m: Master, path: string, body: Buffer, contentType: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `http://127.0.0.1:${m.httpPort}${path}`,
      { method: 'PUT', headers: { 'content-type': contentType, 'content-length': body.length, authorization: `Bearer ${apiToken(m)}` } },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function apiToken(m: Master): string {
  return (m.api as unknown as { token: string }).token;
}

function writeTree(root: string, tree: Tree): void {
  for (const [p, f] of Object.entries(tree)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), f.content);
  }
}

/** One task per worker at once; wall time until all finished, and what their syncs did. */
async function round(m: Master, spiderId: string, nodeIds: string[]): Promise<Round> {
  const t0 = Date.now();
  const created = await Promise.all(nodeIds.map((n) => m.api.post('/api/tasks', { spiderId, mode: 'selected-nodes', nodeIds: [n] })));
  const tasks: Task[] = await Promise.all(created.map((c) => taskEnded(m.api, c.body.tasks[0].id, 600_000)));
  const wallMs = Date.now() - t0;
  for (const t of tasks) if (t.status !== 'finished') throw new Error(`task ${t.id} ${t.status}: ${t.error}`);
  return {
    wallMs,
    maxSyncMs: Math.max(...tasks.map((t) => t.sync?.durationMs ?? 0)),
    bytes: tasks.reduce((n, t) => n + (t.sync?.bytesTransferred ?? 0), 0),
    files: tasks.reduce((n, t) => n + (t.sync?.filesTransferred ?? 0), 0),
  };
}

async function rsyncRound(d: RsyncDaemon, dests: string[]): Promise<Round> {
  const t0 = Date.now();
  const bytes = await Promise.all(dests.map((dest) => d.pull(dest)));
  return { wallMs: Date.now() - t0, maxSyncMs: NaN, bytes: bytes.reduce((a, b) => a + b, 0), files: NaN };
}

export default bench;

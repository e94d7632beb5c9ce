import mongoose from 'mongoose';
import { Benchmark, Figure } from './bench-kit';
import { TestCluster } from '../test/support/cluster';
import { memoryOf, resetPeak } from '../test/support/proc-memory';
import { waitFor } from '../test/support/wait';

const N = Number(process.env.BENCH_RESULTS_ITEMS ?? 100_000);
const MiB = 1024 * 1024;

/** One item of about 300 bytes as JSON; the same function (its source) runs in the spider. */
const item = (n: number): Record<string, unknown> => ({ n, title: 'Product number ' + n, url: 'http://127.0.0.1:8000/item/' + n, price: n / 4, desc: 'd'.repeat(180), tags: ['a', 'b'] });

/** `npm run bench results`: items/s through the crawlab-sdk line format vs insertMany straight into the database. */
const bench: Benchmark = {
  name: `results: ${N} items of ~${JSON.stringify(item(N)).length} bytes, one crawlab-sdk line each, 1 master + 1 worker`,
  async run(): Promise<Figure[]> {
    const cluster = new TestCluster('bench-results');
    try {
      const m = await cluster.startMaster();
      const w = await cluster.startWorker({ masters: [m], name: 'rb' });
      await cluster.waitNodeReady(m.api, 'rb');

      // Baseline: the same items, insertMany batches of 1000, same database server.
      const conn = await mongoose.createConnection(cluster.mongoUri, { dbName: cluster.dbName, retryWrites: false }).asPromise();
      const col = conn.collection('baseline_insertmany');
      const b0 = Date.now();
      for (let i = 1; i <= N; i += 1000) {
        await col.insertMany(Array.from({ length: Math.min(1000, N - i + 1) }, (_, k) => item(i + k)));
      }
      const baselineMs = Date.now() - b0;
      await col.drop();
      await conn.close();

      const script = `const item = ${item.toString()};\nfor (let n = 1; n <= ${N}; n++) process.stdout.write(JSON.stringify({ type: 'data', payload: [item(n)], ipc: true }) + '\\n');\n`;
      const sid = (await m.api.post('/api/spiders', { name: 'bench results', cmd: `${process.execPath} emit.js` })).body.id;
      await m.api.putFiles(`/api/spiders/${sid}/files`, { 'emit.js': script });
      resetPeak(m.proc.pid);
      resetPeak(w.proc.pid);
      const t0 = Date.now();
      const tid = (await m.api.post('/api/tasks', { spiderId: sid })).body.tasks[0].id;
      await waitFor('all items stored', async () => (await m.api.get(`/api/tasks/${tid}`)).body.resultCount === N, 1_800_000, 200);
      const storeMs = Date.now() - t0;
      const masterPeak = memoryOf(m.proc.pid).peak;
      const workerPeak = memoryOf(w.proc.pid).peak;

      // Newest-first pages at N items (the task's, and the spider's).
      const p0 = Date.now();
      const page = await m.api.get(`/api/tasks/${tid}/results?page=1&size=20`);
      const pageMs = Date.now() - p0;
      if (page.body.items.length !== 20) throw new Error(`page: ${page.text.slice(0, 200)}`);

      resetPeak(m.proc.pid);
      const e0 = Date.now();
      const res = await fetch(`${m.api.baseUrl}/api/spiders/${sid}/results/export?format=csv`, { headers: { authorization: `Bearer ${cluster.apiToken}` } });
      let bytes = 0;
      let newlines = 0;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        bytes += chunk.length;
        for (const b of chunk) if (b === 0x0a) newlines++;
      }
      const exportMs = Date.now() - e0;
      const exportPeak = memoryOf(m.proc.pid).peak;
      if (newlines < N + 1) throw new Error(`export: ${newlines} lines for ${N} items`);

      return [
        { name: 'stored (task start → all stored)', value: (N / storeMs) * 1000, unit: 'items/s', goal: '>= 0.5 × baseline', baseline: { name: 'insertMany ×1000, same items', value: (N / baselineMs) * 1000 } },
        { name: 'time to store all', value: storeMs, unit: 'ms', baseline: { name: 'insertMany', value: baselineMs } },
        { name: 'master peak RSS while storing', value: masterPeak / MiB, unit: 'MiB' },
        { name: 'worker peak RSS while storing', value: workerPeak / MiB, unit: 'MiB' },
        { name: `newest page of 20 at ${N} items`, value: pageMs, unit: 'ms' },
        { name: `CSV export of ${N} items (${(bytes / MiB).toFixed(1)} MiB)`, value: exportMs, unit: 'ms' },
        { name: 'master peak RSS during the export', value: exportPeak / MiB, unit: 'MiB' },
      ];
    } finally {
      await cluster.stop();
    }
  },
};

export default bench;

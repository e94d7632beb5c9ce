import { Master, TestCluster } from './support/cluster';
import { Task, taskEnded, taskOutput, tarGzTree, Tree, verifyScript } from './support/spider-tree';

/** seed 001, REL-004: a small nested tree (4 files) synced to one worker. */
const REL_004: Tree = {
  'main.py': { content: 'print("crawl")\n' },
  'utils/helpers.py': { content: 'def helper():\n    return 1\n' },
  'config/settings/prod.json': { content: '{"env": "prod"}\n' },
};

/** seed 001, REL-005: the Scrapy-shaped tree whose nested path broke Crawlab (11 files). */
const REL_005: Tree = {
  'scrapy.cfg': { content: '[settings]\ndefault = crawlab_project.settings\n' },
  'requirements.txt': { content: 'scrapy\n' },
  'crawlab_project/__init__.py': { content: '' },
  'crawlab_project/items.py': { content: 'import scrapy\nclass QuoteItem(scrapy.Item):\n    pass\n' },
  'crawlab_project/middlewares.py': { content: '# middlewares\n' },
  'crawlab_project/pipelines.py': { content: '# pipelines\n' },
  'crawlab_project/settings.py': { content: 'BOT_NAME = "crawlab_project"\n'.repeat(20) },
  'crawlab_project/spiders/__init__.py': { content: '' },
  'crawlab_project/spiders/quotes.py': { content: 'import scrapy\n# quotes\n'.repeat(200) },
  'crawlab_project/spiders/authors.py': { content: 'import scrapy\n# authors\n'.repeat(100) },
};

/** Adds the executable check script to a tree; it is the tree's 4th / 11th file. */
function withCheck(tree: Tree): Tree {
  const full: Tree = { ...tree, 'bin/check.sh': { content: '', mode: 0o755 } };
  full['bin/check.sh'] = { content: verifyScript(full, 'bin/check.sh'), mode: 0o755 };
  return full;
}

describe('seed 001 REL-004 / REL-005: nested trees reach workers intact', () => {
  const cluster = new TestCluster('sync-rel');
  let master: Master;
  let node1: string;
  let node2: string;

  beforeAll(async () => {
    master = await cluster.startMaster();
    await cluster.startWorker({ masters: [master], name: 'w1' });
    await cluster.startWorker({ masters: [master], name: 'w2' });
    node1 = await cluster.waitNodeReady(master.api, 'w1');
    node2 = await cluster.waitNodeReady(master.api, 'w2');
  });

  afterAll(() => cluster.stop());

  async function spiderWith(name: string, tree: Tree): Promise<string> {
    const id = (await master.api.post('/api/spiders', { name, cmd: './bin/check.sh' })).body.id as string;
    const up = await master.api.put(`/api/spiders/${id}/files`, await tarGzTree(tree), 'application/gzip');
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ version: 1, fileCount: Object.keys(tree).length });
    return id;
  }

  it('REL-004: 4 files in nested directories, executable script, checked by sha256 inside the task', async () => {
    const tree = withCheck(REL_004);
    expect(Object.keys(tree)).toHaveLength(4);
    const spiderId = await spiderWith('rel-004', tree);
    const r = await master.api.post('/api/tasks', { spiderId, mode: 'selected-nodes', nodeIds: [node1] });
    const t = await taskEnded(master.api, r.body.tasks[0].id);
    expect(t).toMatchObject({ status: 'finished', exitCode: 0, error: null });
    expect(t.sync).toMatchObject({ filesTotal: 4, filesTransferred: 4 });
    expect(await taskOutput(master.api, t.id)).toContain('SYNC-OK');
  });

  it('REL-005: 11-file Scrapy tree, 4 concurrent tasks on 2 workers, each worker syncs once', async () => {
    const tree = withCheck(REL_005);
    expect(Object.keys(tree)).toHaveLength(11);
    expect(tree['crawlab_project/spiders/quotes.py']).toBeDefined();
    const spiderId = await spiderWith('rel-005', tree);
    const created = await Promise.all(
      [node1, node1, node2, node2].map((n) => master.api.post('/api/tasks', { spiderId, mode: 'selected-nodes', nodeIds: [n] })),
    );
    const tasks: Task[] = await Promise.all(created.map((c) => taskEnded(master.api, c.body.tasks[0].id)));
    for (const t of tasks) {
      expect(t).toMatchObject({ status: 'finished', exitCode: 0, error: null });
      expect(await taskOutput(master.api, t.id)).toContain('SYNC-OK');
    }
    // One sync per spider per worker: the second task on a node reuses the first one's.
    for (const n of [node1, node2]) {
      const onNode = tasks.filter((t) => t.nodeId === n);
      expect(onNode).toHaveLength(2);
      expect(onNode.reduce((sum, t) => sum + (t.sync?.filesTransferred ?? 0), 0)).toBe(11);
    }
  });
});

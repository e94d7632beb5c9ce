import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { screenshot, signedInPage, type TestBrowser } from './support/browser';
import { Master, TestCluster } from './support/cluster';
import { git, gitDaemon, commitAndPush } from './support/git-servers';

/**
 * Issue 25 in real Chromium: the spider page shows its git source (never a secret), the Pull
 * button tells what a pull did, the Versions tab and the task page show the commit.
 */
describe('web dashboard: a spider from git', () => {
  const cluster = new TestCluster('web-git');
  let m: Master;
  let base: string;
  let browser: TestBrowser;
  let page: Page;
  let daemon: { port: number; stop: () => Promise<void> };
  let work: string;
  let spiderId: string;

  const commit = (files: Record<string, string>, message: string): string => commitAndPush(work, files, message);

  beforeAll(async () => {
    const bare = join(cluster.dir, 'repos');
    mkdirSync(bare, { recursive: true });
    git(bare, 'init', '-q', '--bare', '--initial-branch=main', 'shop.git');
    work = join(cluster.dir, 'work');
    git(cluster.dir, 'clone', '-q', join(bare, 'shop.git'), 'work');
    git(work, 'checkout', '-q', '-b', 'main');
    commit({ 'crawler/main.py': 'print("v1")\n' }, 'first crawler');
    daemon = await gitDaemon(bare);
    m = await cluster.startMaster();
    base = `http://127.0.0.1:${m.httpPort}`;
    spiderId = (await m.api.post('/api/spiders', { name: 'from-git', cmd: 'python3 main.py' })).body.id;
    const set = await m.api.put(`/api/spiders/${spiderId}/git`, JSON.stringify({ url: `git://127.0.0.1:${daemon.port}/shop.git`, ref: 'main', path: 'crawler' }), 'application/json');
    expect(set.status).toBe(200);
    ({ browser, page } = await signedInPage(base, cluster.apiToken));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await cluster.stop();
    await daemon?.stop();
  });

  it('the spider page shows the source; Pull makes version 1 and says so; a second Pull says nothing changed', async () => {
    await page.goto(`${base}/spiders/${spiderId}`);
    const card = page.getByLabel('Git source');
    await card.getByText(`git://127.0.0.1:${daemon.port}/shop.git`).waitFor();
    await card.getByText('main · crawler/').waitFor();
    await card.getByText('never').waitFor();
    await screenshot(page, 'git', 'source-before-pull');
    const head = git(work, 'rev-parse', 'HEAD');
    await card.getByRole('button', { name: 'Pull' }).click();
    await card.getByRole('status').filter({ hasText: `Pulled ${head.slice(0, 12)}: new version 1` }).waitFor();
    await card.getByText(new RegExp(`· ${head.slice(0, 12)}`)).waitFor();
    await card.getByRole('button', { name: 'Pull' }).click();
    await card.getByRole('status').filter({ hasText: `No change at ${head.slice(0, 12)}: still version 1` }).waitFor();
    await screenshot(page, 'git', 'pulled');
  });

  it('the Versions tab shows the commit of each pulled version', async () => {
    const head = commit({ 'crawler/main.py': 'print("v2")\n' }, 'crawler: v2 fixes prices');
    await page.getByLabel('Git source').getByRole('button', { name: 'Pull' }).click();
    await page.getByRole('status').filter({ hasText: 'new version 2' }).waitFor();
    await page.getByRole('tab', { name: 'Versions' }).click();
    const v2 = page.getByLabel('Commit of version 2');
    await v2.getByText('crawler: v2 fixes prices').waitFor();
    expect(await v2.innerText()).toContain(head.slice(0, 12));
    expect(await page.getByLabel('Commit of version 1').innerText()).toContain('first crawler');
    await screenshot(page, 'git', 'versions-with-commits');
  });

  it('the task page shows the commit of the version the task ran', async () => {
    const task = (await m.api.post('/api/tasks', { spiderId })).body.tasks[0];
    await page.goto(`${base}/tasks/${task.id}`);
    await page.getByLabel('Task commit').getByText('crawler: v2 fixes prices').waitFor();
    await screenshot(page, 'git', 'task-commit');
    await m.api.post(`/api/tasks/${task.id}/cancel`);
  });

  it('a failed pull shows the error, naming the URL only', async () => {
    git(work, 'push', '-q', 'origin', 'HEAD:refs/heads/gone');
    await m.api.put(`/api/spiders/${spiderId}/git`, JSON.stringify({ url: `git://127.0.0.1:${daemon.port}/shop.git`, ref: 'gone', path: 'crawler' }), 'application/json');
    git(work, 'push', '-q', 'origin', ':refs/heads/gone');
    await page.goto(`${base}/spiders/${spiderId}`);
    const card = page.getByLabel('Git source');
    await card.getByRole('button', { name: 'Pull' }).click();
    await card.getByRole('alert').filter({ hasText: "ref 'gone' not found" }).waitFor();
    await screenshot(page, 'git', 'pull-failed');
  });
});

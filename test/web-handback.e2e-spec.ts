import type { Page } from 'playwright-core';
import { screenshot, signIn, TestBrowser } from './support/browser';
import { Master, TestCluster, Worker } from './support/cluster';

/**
 * Issue 20's dashboard journey for point 7: a task running on a worker that gets SIGTERM is
 * seen, on its task page, finishing on another worker, with the hand-back in its attempts.
 */
describe('web journey: a worker restart hands the running task to another worker', () => {
  const cluster = new TestCluster('web-handback');
  let m: Master;
  let base: string;
  let browser: TestBrowser;
  let page: Page;
  let leaving: Worker;
  let leavingId: string;

  beforeAll(async () => {
    m = await cluster.startMaster();
    base = `http://127.0.0.1:${m.httpPort}`;
    leaving = await cluster.startWorker({ masters: [m], name: 'web-leaving', env: { CRAWLNEST_DRAIN_MS: '1000', CRAWLNEST_KILL_GRACE_MS: '1000' } });
    leavingId = await cluster.waitNodeReady(m.api, 'web-leaving', 60_000);
    browser = await TestBrowser.launch();
    page = await browser.newPage();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await cluster.stop();
  });

  it('run a long task, restart its worker: the task page shows it handed back, then finished on the other worker', async () => {
    // Attempt 1 outlasts any drain; the attempt after the hand-back counts to 3 and ends.
    const cmd = 'echo "attempt $CRAWLNEST_TASK_ATTEMPT started"; if [ "$CRAWLNEST_TASK_ATTEMPT" = 1 ]; then sleep 300; fi; for i in 1 2 3; do echo "step $i"; sleep 0.2; done; echo "attempt $CRAWLNEST_TASK_ATTEMPT done"';
    const spiderId = (await m.api.post('/api/spiders', { name: 'web-long', cmd })).body.id as string;
    await signIn(page, base, cluster.apiToken);
    await page.goto(`${base}/spiders/${spiderId}`);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/\/tasks\/[0-9a-f]{24}$/);
    const taskId = /\/tasks\/([0-9a-f]{24})$/.exec(page.url())?.[1] as string;
    const log = page.getByRole('log', { name: 'Task log' });
    await log.getByText('attempt 1 started').waitFor({ timeout: 60_000 });
    await page.getByLabel('Task status').getByText('running').waitFor();
    expect((await m.api.get(`/api/tasks/${taskId}`)).body.nodeId).toBe(leavingId);
    await screenshot(page, 'handback', 'running-on-first-worker');

    await cluster.startWorker({ masters: [m], name: 'web-staying' });
    const stayingId = await cluster.waitNodeReady(m.api, 'web-staying', 60_000);
    leaving.proc.kill('SIGTERM');

    // The same page, not reloaded: the next attempt's log, then finished.
    await log.getByText('attempt 2 done').waitFor({ timeout: 60_000 });
    await page.getByLabel('Task status').getByText('finished').waitFor({ timeout: 30_000 });
    expect(await page.getByLabel('Task status').getByText('cancelled').count()).toBe(0);
    // The node shown is the one that finished it (named, or by id).
    await page.getByText(new RegExp(`${stayingId}|web-staying`)).first().waitFor();
    await screenshot(page, 'handback', 'finished-on-second-worker');

    await page.getByRole('tab', { name: 'Attempts' }).click();
    const attempts = page.getByLabel('Attempts');
    await attempts.getByText('Attempt 1: handed back').waitFor();
    await attempts.getByText(/worker shutting down/).waitFor();
    await attempts.getByText('Attempt 2: finished').waitFor();
    await screenshot(page, 'handback', 'attempts');

    const t = (await m.api.get(`/api/tasks/${taskId}`)).body;
    expect(t).toMatchObject({ status: 'finished', nodeId: stayingId, attempt: 2 });
    expect(t.attempts[0]).toMatchObject({ attempt: 1, nodeId: leavingId, handedBack: true });
  }, 240_000);
});

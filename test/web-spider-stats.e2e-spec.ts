import type { Page } from 'playwright-core';
import { screenshot, signedInPage, type TestBrowser } from './support/browser';
import { Master, TestCluster } from './support/cluster';
import { waitFor } from './support/wait';

/** Issue 23 (Stats tab): a spider's runs per day and the overview's "today", in real Chromium. */
describe('web dashboard: spider stats', () => {
  const cluster = new TestCluster('web-spider-stats');
  let m: Master;
  let base: string;
  let browser: TestBrowser;
  let page: Page;
  let spiderId: string;

  beforeAll(async () => {
    m = await cluster.startMaster();
    base = `http://127.0.0.1:${m.httpPort}`;
    await cluster.startWorker({ masters: [m], name: 'stats-web' });
    await cluster.waitNodeReady(m.api, 'stats-web', 60_000);
    spiderId = (await m.api.post('/api/spiders', { name: 'daily', cmd: 'sh run.sh' })).body.id;
    const item = JSON.stringify({ type: 'data', payload: [{ n: 1 }, { n: 2 }], ipc: true });
    await m.api.putFiles(`/api/spiders/${spiderId}/files`, { 'run.sh': `echo '${item}'\nif [ "$1" = fail ]; then exit 3; fi\n` });
    const ids: string[] = [];
    for (const param of ['ok', 'ok', 'fail']) ids.push((await m.api.post('/api/tasks', { spiderId, param })).body.tasks[0].id);
    await waitFor('three tasks ended', async () => {
      const st = await Promise.all(ids.map(async (id) => (await m.api.get(`/api/tasks/${id}`)).body.status as string));
      return st.every((s) => s === 'finished' || s === 'error');
    }, 60_000, 250);
    ({ browser, page } = await signedInPage(base, cluster.apiToken));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await cluster.stop();
  });

  it('the Stats tab shows today’s runs by status, their average duration and items per run; the overview counts them today', async () => {
    await page.goto(`${base}/spiders/${spiderId}`);
    await page.getByRole('tab', { name: 'Stats' }).click();
    await page.getByLabel('Runs, last 7 days').getByText('3', { exact: true }).waitFor();
    await page.getByLabel('Failed, last 7 days').getByText('1', { exact: true }).waitFor();
    await page.getByLabel('Items per run, last 20 runs').getByText('2', { exact: true }).waitFor();
    expect(await page.getByLabel('Average duration, last 7 days').innerText()).toMatch(/\d+(\.\d)? s/);
    const today = new Date().toISOString().slice(0, 10);
    expect(await page.locator(`[data-day="${today}"]`).getAttribute('data-runs')).toBe('3');
    await screenshot(page, 'stats', 'seven-days');
    await page.getByText('30 days').click();
    await page.getByLabel('Runs, last 30 days').getByText('3', { exact: true }).waitFor();
    await screenshot(page, 'stats', 'thirty-days');
    await page.goto(`${base}/`);
    await page.getByLabel('Tasks ended today').getByText('3', { exact: true }).waitFor();
    // Two items per run, counted as each batch is stored (maintained daily counts, no scan).
    expect((await m.api.get('/api/stats')).body.itemsToday).toBe(6);
    await page.getByLabel('Items today').getByText('6', { exact: true }).waitFor();
    await screenshot(page, 'stats', 'overview-today');
  });
});

import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { screenshot, signIn, TestBrowser } from './support/browser';
import { Master, TestCluster } from './support/cluster';
import { waitFor } from './support/wait';

/**
 * Journey 5 of issue 12: a spider's items (crawlab-sdk lines on stdout) shown on the Results
 * page with columns from the stored fields, filtered by task, and exported as CSV, in real
 * Chromium against a real master, worker and database. Needs the results API (API.md "Results").
 */
describe('web dashboard journey 5: results and CSV export', () => {
  const cluster = new TestCluster('web-results');
  let m: Master;
  let base: string;
  let browser: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    m = await cluster.startMaster();
    base = `http://127.0.0.1:${m.httpPort}`;
    await cluster.startWorker({ masters: [m], name: 'results-worker' });
    await cluster.waitNodeReady(m.api, 'results-worker');
    browser = await TestBrowser.launch();
    page = await browser.newPage();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await cluster.stop();
  });

  it('journey 5: see a task\'s results in a table with the stored fields, filter by task, and export CSV', async () => {
    const item = (title: string, price: number) => JSON.stringify({ type: 'data', payload: [{ title, price, tags: ['x', 'y'] }], ipc: true });
    const spider = (await m.api.post('/api/spiders', { name: 'web-results', cmd: 'sh items.sh' })).body.id as string;
    const script = `echo '${item('alpha, "quoted"', 1)}'\necho 'a plain log line'\necho '${item('beta', 2)}'\n`;
    expect((await m.api.putFiles(`/api/spiders/${spider}/files`, { 'items.sh': script })).status).toBe(200);
    const run = async () => {
      const id = (await m.api.post('/api/tasks', { spiderId: spider })).body.tasks[0].id as string;
      await waitFor(`task ${id} finished`, async () => (await m.api.get(`/api/tasks/${id}`)).body.status === 'finished', 60_000);
      return id;
    };
    const first = await run();
    const second = await run();

    await signIn(page, base, cluster.apiToken);
    // The task page counts and lists its own results.
    await page.goto(`${base}/tasks/${first}`);
    await page.getByRole('tab', { name: 'Results' }).click();
    await page.getByRole('table', { name: 'Results' }).getByText('beta').waitFor();
    await screenshot(page, 'j5', 'task-results');

    await page.getByRole('link', { name: 'Results', exact: true }).click();
    await page.getByRole('combobox', { name: 'Spider' }).click();
    await page.getByRole('option', { name: /^web-results/ }).click();
    const table = page.getByRole('table', { name: 'Results' });
    await page.getByRole('status', { name: 'Result count' }).filter({ hasText: '4 results' }).waitFor();
    const headers = await table.getByRole('columnheader').allTextContents();
    // The item's own fields, in first-seen order (stored extras such as _tid may sit around them).
    expect(headers.filter((h) => ['title', 'price', 'tags'].includes(h))).toEqual(['title', 'price', 'tags']);
    await table.getByRole('cell', { name: 'alpha, "quoted"' }).first().waitFor();
    await table.getByRole('cell', { name: '["x","y"]' }).first().waitFor();
    await screenshot(page, 'j5', 'results');

    await page.getByLabel('Task filter').fill(second);
    await page.getByRole('status', { name: 'Result count' }).filter({ hasText: '2 results' }).waitFor();
    await screenshot(page, 'j5', 'results-filtered');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const csv = readFileSync((await download.path()) as string, 'utf8').replace(/^\uFEFF/, '');
    const lines = csv.trim().split(/\r?\n/);
    const header = lines[0].split(',').map((h) => h.replace(/^"|"$/g, ''));
    expect(header.filter((h) => h === 'title' || h === 'price')).toEqual(['title', 'price']);
    // Only the filtered task's two items, with CSV quoting of commas and quotes.
    expect(lines).toHaveLength(3);
    expect(csv).toContain('"alpha, ""quoted"""');
    expect(csv).toContain('beta');
  });
});

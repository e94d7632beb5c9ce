import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { screenshot, signIn, TestBrowser } from './support/browser';
import { Master, TestCluster } from './support/cluster';
import { waitFor } from './support/wait';

/**
 * Issue 23, results you can read: a large spider's results one line per row with system fields
 * hidden behind a column picker (remembered per spider), a row drawer with nested JSON, a field
 * filter, a task filter by short id, and an Excel CSV named <spider>-<task|all>-<date>.csv.
 * Seeded through a real task (items on stdout, as test/web-results.e2e-spec.ts does).
 */
const N = Number(process.env.CRAWLNEST_E2E_RESULTS_N ?? 5_000);

describe('web dashboard: a large results table', () => {
  const cluster = new TestCluster('web-results-table');
  let m: Master;
  let base: string;
  let browser: TestBrowser;
  let page: Page;
  let spider: string;
  let big: string;
  let small: string;

  beforeAll(async () => {
    m = await cluster.startMaster();
    base = `http://127.0.0.1:${m.httpPort}`;
    await cluster.startWorker({ masters: [m], name: 'table-worker' });
    await cluster.waitNodeReady(m.api, 'table-worker');
    // 500 items a line: the wire format takes a payload array.
    const emit = [
      'const n = Number(process.argv[2]);',
      "const words = 'a long description that would wrap word by word in a narrow column of a table'.split(' ');",
      'for (let i = 1; i <= n; i += 500) {',
      '  const payload = [];',
      "  for (let k = i; k < Math.min(n + 1, i + 500); k++) payload.push({ title: 'item ' + k, category: 'c' + (k % 7), price: k / 100, description: words.concat(words).join(' ') + ' #' + k, meta: { rank: k, tags: ['x', 'y'], seller: { name: 'shop ' + (k % 3) } } });",
      "  process.stdout.write(JSON.stringify({ type: 'data', payload, ipc: true }) + '\\n');",
      '}',
    ].join('\n');
    spider = (await m.api.post('/api/spiders', { name: 'big-table', cmd: `${process.execPath} emit.js` })).body.id as string;
    expect((await m.api.putFiles(`/api/spiders/${spider}/files`, { 'emit.js': emit })).status).toBe(200);
    const run = async (n: number) => {
      const id = (await m.api.post('/api/tasks', { spiderId: spider, param: String(n) })).body.tasks[0].id as string;
      await waitFor(`task ${id}: ${n} items stored`, async () => (await m.api.get(`/api/tasks/${id}`)).body.resultCount === n, 600_000, 250);
      return id;
    };
    const t0 = Date.now();
    big = await run(N);
    console.log(`seeded ${N} items in ${Date.now() - t0} ms`);
    small = await run(3);
    browser = await TestBrowser.launch();
    page = await browser.newPage();
    await page.setViewportSize({ width: 1440, height: 900 });
    await signIn(page, base, cluster.apiToken);
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    await cluster.stop();
  });

  const table = () => page.getByRole('table', { name: 'Results' });
  const headers = () => table().getByRole('columnheader').allTextContents();

  it(`shows ${N} items one line per row, 20+ rows in a 1440×900 window, system columns hidden`, async () => {
    const t0 = Date.now();
    await page.goto(`${base}/results?spiderId=${spider}`);
    await page.getByRole('status', { name: 'Result count' }).filter({ hasText: `${N + 3} results` }).waitFor({ timeout: 120_000 });
    await table().getByRole('cell', { name: 'item 3', exact: true }).waitFor();
    console.log(`results page of ${N + 3} items interactive in ${Date.now() - t0} ms`);
    await screenshot(page, 'results-table', 'large');
    const h = await headers();
    expect(h).toEqual(expect.arrayContaining(['title', 'category', 'price', 'description', 'meta']));
    for (const f of ['_id', '_tid', '_sid', '_ts']) expect(h).not.toContain(f);

    const rows = await table().locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getBoundingClientRect()).map((r) => ({ top: r.top, bottom: r.bottom, height: r.height })));
    expect(rows).toHaveLength(50);
    // One line per row: every row as tall as a single line of text (no wrapping).
    for (const r of rows) expect(r.height).toBeLessThanOrEqual(30);
    expect(rows.filter((r) => r.top >= 0 && r.bottom <= 900).length).toBeGreaterThanOrEqual(20);
    // The full value is there on hover.
    const cell = table().getByRole('cell', { name: /#3$/ }).first();
    expect(await cell.getAttribute('title')).toMatch(/^a long description .* #3$/);
    expect(await cell.evaluate((td) => td.scrollWidth > td.clientWidth)).toBe(true);
  }, 300_000);

  it('opens a row in a drawer with nested JSON pretty-printed', async () => {
    await table().getByRole('cell', { name: 'item 3', exact: true }).click();
    const drawer = page.getByRole('dialog', { name: 'Result item' });
    await drawer.waitFor();
    const nested = await drawer.locator('pre').first().textContent();
    expect(nested).toContain('\n');
    expect(JSON.parse(nested as string)).toEqual({ rank: 3, tags: ['x', 'y'], seller: { name: 'shop 0' } });
    await screenshot(page, 'results-table', 'row-drawer');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });
  }, 300_000);

  it('shows a system column chosen in the picker, and remembers it for this spider after a reload', async () => {
    await page.getByRole('button', { name: /^Columns/ }).click();
    await page.getByRole('checkbox', { name: '_ts' }).check();
    await page.keyboard.press('Escape');
    await waitFor('_ts column shown', async () => (await headers()).includes('_ts'));
    await page.reload();
    await table().getByRole('cell', { name: 'item 3', exact: true }).waitFor({ timeout: 120_000 });
    const h = await headers();
    expect(h).toContain('_ts');
    expect(h).not.toContain('_id');
  }, 300_000);

  it('filters by a field value and by a task short id', async () => {
    await page.getByRole('combobox', { name: 'Field' }).click();
    await page.getByRole('option', { name: 'category', exact: true }).click();
    await page.getByLabel('Value').fill('c3');
    await page.getByRole('status', { name: 'Result count' }).filter({ hasText: 'field filter' }).waitFor({ timeout: 120_000 });
    await waitFor('only c3 rows', async () => {
      const cats = await table().locator('tbody tr td:nth-child(2)').allTextContents();
      return cats.length > 0 && cats.every((c) => c === 'c3');
    }, 120_000, 250);
    await screenshot(page, 'results-table', 'field-filter');
    await page.getByRole('combobox', { name: 'Field' }).click();
    await page.getByLabel('Value').fill('');

    const short = small.slice(-8);
    await page.getByLabel('Task filter').fill(short);
    await page.getByRole('status', { name: 'Result count' }).filter({ hasText: /^3 results$/ }).waitFor({ timeout: 120_000 });
    await screenshot(page, 'results-table', 'task-short-id');
    // A short id no recent task has is named as such, not sent as a malformed id.
    await page.getByLabel('Task filter').fill('ffffffff');
    await page.getByText('no recent task of this spider matches "ffffffff"').waitFor();
    await page.getByLabel('Task filter').fill('');
    await page.getByRole('status', { name: 'Result count' }).filter({ hasText: `${N + 3} results` }).waitFor({ timeout: 120_000 });
    // Or picked from the spider's recent tasks.
    await page.getByRole('combobox', { name: 'Recent task' }).click();
    await page.getByRole('option', { name: new RegExp(`^${short} · finished`) }).click();
    await page.getByRole('status', { name: 'Result count' }).filter({ hasText: /^3 results$/ }).waitFor({ timeout: 120_000 });
    expect(await page.getByLabel('Task filter').inputValue()).toBe(short);
  }, 300_000);

  it('exports an Excel CSV (BOM) named <spider>-<task short id>-<date>.csv', async () => {
    await page.getByRole('checkbox', { name: 'Excel (BOM)' }).check();
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const day = new Date().toISOString().slice(0, 10);
    expect(download.suggestedFilename()).toBe(`big-table-${small.slice(-8)}-${day}.csv`);
    const bytes = readFileSync((await download.path()) as string);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8').trim().split(/\r?\n/)).toHaveLength(4);
    expect(big).toMatch(/^[0-9a-f]{24}$/);
  }, 300_000);
});

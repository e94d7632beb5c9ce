import type { Page } from 'playwright-core';
import { screenshot, signIn, TestBrowser } from './support/browser';
import { Master, TestCluster } from './support/cluster';
import { waitFor } from './support/wait';

/**
 * Issue 23, small things: the schedule form's placement fields (and no submit while the cron is
 * invalid), deletes confirmed in the app's own dialog, and a banner (with retry) instead of a raw
 * "Failed to fetch" while the master is gone, with the last known badges greyed.
 */
describe('web dashboard depth: schedule form, confirmations, master unreachable', () => {
  const cluster = new TestCluster('web-dashboard-depth');
  let m: Master;
  let base: string;
  let browser: TestBrowser;
  let page: Page;
  let nodeId: string;

  beforeAll(async () => {
    m = await cluster.startMaster();
    base = `http://127.0.0.1:${m.httpPort}`;
    await cluster.startWorker({ masters: [m], name: 'depth-worker' });
    nodeId = await cluster.waitNodeReady(m.api, 'depth-worker');
    await m.api.post('/api/spiders', { name: 'depth-spider', cmd: 'echo hi' });
    browser = await TestBrowser.launch();
    page = await browser.newPage();
    // A browser confirm() would fail the test: every question is the app's own dialog.
    page.on('dialog', (d) => {
      throw new Error(`unexpected browser dialog: ${d.message()}`);
    });
    await signIn(page, base, cluster.apiToken);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await cluster.stop();
  });

  it('creates a schedule with mode, nodes, labels and priority; Create stays disabled while the cron is invalid', async () => {
    await page.getByRole('link', { name: 'Schedules' }).click();
    await page.getByRole('button', { name: 'New schedule' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Spider').click();
    await page.getByRole('option', { name: 'depth-spider' }).click();
    const create = dialog.getByRole('button', { name: 'Create schedule' });
    await dialog.getByLabel('Cron expression').fill('61 * * * *');
    await dialog.getByRole('status', { name: 'Cron preview' }).filter({ hasText: 'minutes part' }).waitFor();
    expect(await create.isDisabled()).toBe(true);
    await dialog.getByLabel('Cron expression').fill('0 3 * * *');
    await dialog.getByLabel('Mode', { exact: true }).first().click();
    await page.getByRole('option', { name: 'selected-nodes' }).click();
    // Selected nodes without a node: nothing to run on, so not sent.
    expect(await create.isDisabled()).toBe(true);
    await dialog.getByLabel('Nodes', { exact: true }).first().click({ force: true });
    await page.getByRole('option', { name: /^depth-worker/ }).click();
    await dialog.getByLabel('Labels').fill('zone=eu');
    await dialog.getByLabel('Priority').fill('8');
    await screenshot(page, 'depth', 'schedule-form');
    expect(await create.isDisabled()).toBe(false);
    await create.click();
    await dialog.waitFor({ state: 'hidden' });
    const list = (await m.api.get('/api/schedules')).body as { mode: string; nodeIds: string[]; labels: Record<string, string>; priority: number; cron: string }[];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ cron: '0 3 * * *', mode: 'selected-nodes', nodeIds: [nodeId], priority: 8 });
    expect(JSON.stringify(list[0].labels)).toContain('eu');
  });

  it('deletes the schedule only after the app\'s own dialog is confirmed ("Keep" keeps it)', async () => {
    await page.getByRole('button', { name: /^Delete schedule/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Please confirm' });
    await dialog.waitFor();
    await screenshot(page, 'depth', 'confirm-delete');
    await dialog.getByRole('button', { name: 'Keep' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await m.api.get('/api/schedules')).body).toHaveLength(1);
    await page.getByRole('button', { name: /^Delete schedule/ }).click();
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await waitFor('schedule deleted', async () => (await m.api.get('/api/schedules')).body.length === 0);
  });

  it('runs a spider from its row in the list; the row then shows its last run; the log has line numbers, wrap and download', async () => {
    await page.getByRole('link', { name: 'Spiders' }).click();
    await page.getByRole('button', { name: 'Run depth-spider' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/\/tasks\/[0-9a-f]{24}$/);
    const taskId = /\/tasks\/([0-9a-f]{24})$/.exec(page.url())?.[1] as string;
    const log = page.getByRole('log', { name: 'Task log' });
    await log.getByText('hi', { exact: true }).waitFor({ timeout: 60_000 });
    expect(await log.locator('[data-seq]').first().innerText()).toMatch(/^1\s+hi$/);
    await page.getByRole('switch', { name: 'Wrap' }).check({ force: true });
    await page.getByRole('switch', { name: 'Times' }).check({ force: true });
    await log.locator('[data-ts]').first().waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download log' }).click()]);
    expect(download.suggestedFilename()).toBe(`task-${taskId.slice(-8)}-log.txt`);
    await screenshot(page, 'depth', 'log-tools');
    await page.getByRole('link', { name: 'Spiders' }).click();
    const last = page.getByLabel('Last run of depth-spider');
    await last.locator('[data-status="finished"]').waitFor({ timeout: 30_000 });
    await screenshot(page, 'depth', 'spiders-last-run');
  });

  it('says the master cannot be reached (no raw "Failed to fetch"), greys the badges, and recovers', async () => {
    await page.goto(`${base}/nodes`);
    await page.locator('[data-status="online"]').first().waitFor();
    m.proc.kill('SIGKILL');
    await m.proc.exited;
    const banner = page.getByRole('alert', { name: 'The master cannot be reached' });
    await banner.waitFor({ timeout: 30_000 });
    await page.locator('[data-status="online"][data-stale]').first().waitFor();
    expect(await page.getByText('Failed to fetch').count()).toBe(0);
    await screenshot(page, 'depth', 'master-unreachable');
    // Retry while it is still down keeps the banner.
    await banner.getByRole('button', { name: 'Retry now' }).click();
    await banner.waitFor();
    await cluster.restartMaster(m, 'SIGKILL');
    await banner.getByRole('button', { name: 'Retry now' }).click().catch(() => undefined);
    await banner.waitFor({ state: 'hidden', timeout: 30_000 });
    await page.locator('[data-status="online"]:not([data-stale])').first().waitFor({ timeout: 30_000 });
  });
});

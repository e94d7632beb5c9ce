import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { screenshot, signIn, TestBrowser } from './support/browser';
import { Master, TestCluster } from './support/cluster';
import { waitFor } from './support/wait';

/** Flips a switch from the keyboard (focus, Space), as a user without a mouse would. */
async function toggleByKeyboard(toggle: Locator, want: boolean): Promise<void> {
  await toggle.focus();
  await toggle.press('Space');
  await waitFor(`switch ${want ? 'on' : 'off'}`, async () => (await toggle.isChecked()) === want, 10_000);
}

/**
 * Journeys 1-4 and 6-8 of issue 12 in real Chromium against a real master, worker and
 * database. They run in order on one cluster: the spider made in journey 2 is edited in 3,
 * run in 4 and cancelled in 6. Journey 5 (results) is in web-results.e2e-spec.ts.
 */
describe('web dashboard journeys', () => {
  const cluster = new TestCluster('web-journeys');
  let m: Master;
  let base: string;
  let browser: TestBrowser;
  let page: Page;
  let spiderId: string;
  let nodeId: string;
  const gate = () => join(cluster.dir, 'run.gate');

  beforeAll(async () => {
    m = await cluster.startMaster({ CRAWLNEST_PENDING_TIMEOUT_MS: '600000' });
    base = `http://127.0.0.1:${m.httpPort}`;
    await cluster.startWorker({ masters: [m], name: 'web-worker', env: { CRAWLNEST_KILL_GRACE_MS: '1000' } });
    nodeId = await cluster.waitNodeReady(m.api, 'web-worker');
    browser = await TestBrowser.launch();
    page = await browser.newPage();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await cluster.stop();
  });

  it('the master serves the app at / with deep links, cache headers, and leaves /api and /metrics alone', async () => {
    const index = await fetch(`${base}/tasks/0123456789abcdef01234567`);
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const html = await index.text();
    expect(html).toContain('<div id="root">');
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const js = await fetch(base + asset);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // Nothing from a CDN: every script and stylesheet is served by the master itself.
    expect(html).not.toMatch(/(src|href)="https?:/);
    const unknownApi = await fetch(`${base}/api/no-such-route`, { headers: { authorization: `Bearer ${cluster.apiToken}` } });
    expect(unknownApi.status).toBe(404);
    expect(unknownApi.headers.get('content-type')).toContain('application/json');
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(401);
  });

  it('journey 1: sign in with the token (refused when wrong), kept out of URLs; a 401 brings the sign-in back', async () => {
    await page.goto(base + '/');
    await screenshot(page, 'j1', 'sign-in');
    await page.getByLabel('API token').fill('wrong-token-000000000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'refused (401)' }).waitFor();
    await signIn(page, base, cluster.apiToken);
    expect(page.url()).not.toContain(cluster.apiToken);
    expect(await page.evaluate(() => sessionStorage.getItem('crawlnest.apiToken'))).toBe(cluster.apiToken);
    await page.getByRole('link', { name: /^running: \d+ tasks$/ }).waitFor();
    await screenshot(page, 'j1', 'overview');
    // A token the master no longer accepts: the first 401 forgets it and shows the sign-in.
    await page.evaluate(() => sessionStorage.setItem('crawlnest.apiToken', 'revoked-token-0000000000'));
    await page.goto(base + '/nodes');
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('crawlnest.apiToken'))).toBeNull();
    await signIn(page, base, cluster.apiToken);
  });

  it('journey 2: create a spider and upload a folder with nested directories; its tree shows', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'web-upload-'));
    const proj = join(folder, 'myspider');
    mkdirSync(join(proj, 'pkg', 'deep'), { recursive: true });
    writeFileSync(
      join(proj, 'run.sh'),
      'echo start\nfor i in 1 2 3 4 5; do echo "early $i"; done\nwhile [ ! -f "$GATE" ]; do sleep 0.1; done\nfor i in 1 2 3 4 5; do echo "late $i"; done\n',
    );
    writeFileSync(join(proj, 'pkg', 'util.py'), 'def hello():\n    return "hi"\n');
    writeFileSync(join(proj, 'pkg', 'deep', 'data.txt'), 'deep data\n');

    await page.getByRole('link', { name: 'Spiders' }).click();
    await page.getByRole('button', { name: 'New spider' }).click();
    await page.getByLabel('Name').fill('web-journey');
    await page.getByLabel('Command').fill('sh run.sh');
    await screenshot(page, 'j2', 'new-spider');
    await page.getByRole('button', { name: 'Create spider' }).click();
    await page.getByRole('heading', { name: 'web-journey' }).waitFor();
    spiderId = /\/spiders\/([0-9a-f]{24})/.exec(page.url())?.[1] ?? '';
    expect(spiderId).toMatch(/^[0-9a-f]{24}$/);

    await page.getByLabel('Folder to upload').setInputFiles(proj);
    await page.getByRole('status').filter({ hasText: 'Version 1: 3 files' }).waitFor();
    for (const path of ['run.sh', 'pkg', 'pkg/util.py', 'pkg/deep', 'pkg/deep/data.txt']) {
      await page.getByRole('treeitem', { name: path, exact: true }).waitFor();
    }
    await screenshot(page, 'j2', 'spider-files');
    const files = (await m.api.get(`/api/spiders/${spiderId}/files`)).body as { files: { path: string }[] };
    expect(files.files.map((f) => f.path).sort()).toEqual(['pkg/deep/data.txt', 'pkg/util.py', 'run.sh']);
  });

  it('journey 3: edit a file in the editor and save it as a new version', async () => {
    await page.getByRole('button', { name: 'Open run.sh' }).click();
    const editor = page.locator('.cm-content');
    await editor.getByText('echo start').waitFor();
    await editor.click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.insertText('echo "edited in the browser"\n');
    await page.getByRole('button', { name: 'Save file' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved as version 2' }).waitFor();
    await screenshot(page, 'j3', 'file-saved');
    const text = (await m.api.get(`/api/spiders/${spiderId}/files/run.sh`)).text;
    expect(text.startsWith('echo "edited in the browser"\necho start\n')).toBe(true);
    expect((await m.api.get(`/api/spiders/${spiderId}`)).body.version).toBe(2);
  });

  it('journey 4: run the spider and watch its log lines appear live until finished', async () => {
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByLabel('Environment').fill(`GATE=${gate()}`);
    await screenshot(page, 'j4', 'run-dialog');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/\/tasks\/[0-9a-f]{24}$/);
    const log = page.getByRole('log', { name: 'Task log' });
    // The task holds at the gate: these lines can only have come through the live stream.
    await log.getByText('early 5').waitFor({ timeout: 60_000 });
    await log.getByText('edited in the browser').waitFor();
    await page.getByLabel('Task status').getByText('running').waitFor();
    expect(await log.getByText('late 1').count()).toBe(0);
    await screenshot(page, 'j4', 'task-running');
    writeFileSync(gate(), '');
    await log.getByText('late 5').waitFor({ timeout: 30_000 });
    await page.getByLabel('Task status').getByText('finished').waitFor({ timeout: 30_000 });
    await page.getByRole('status', { name: 'Log status' }).filter({ hasText: 'ended: finished' }).waitFor();
    await screenshot(page, 'j4', 'task-finished');
  });

  it('journey 6: cancel a long task', async () => {
    await page.goto(`${base}/spiders/${spiderId}`);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    // No GATE: the script waits for a file named "" forever.
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/\/tasks\/[0-9a-f]{24}$/);
    const taskId = /\/tasks\/([0-9a-f]{24})$/.exec(page.url())?.[1] as string;
    await page.getByLabel('Task status').getByText('running').waitFor({ timeout: 60_000 });
    await page.getByRole('log', { name: 'Task log' }).getByText('early 5').waitFor();
    await page.getByRole('button', { name: 'Cancel task' }).click();
    // Asked in the app's own dialog, not the browser's confirm().
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel the task' }).click();
    await page.getByLabel('Task status').getByText('cancelled').waitFor({ timeout: 30_000 });
    await screenshot(page, 'j6', 'task-cancelled');
    expect((await m.api.get(`/api/tasks/${taskId}`)).body.status).toBe('cancelled');
    expect(await page.getByRole('button', { name: 'Cancel task' }).isDisabled()).toBe(true);
  });

  it('journey 7: create a schedule (cron in words, next runs) and see its tasks appear', async () => {
    const tick = (await m.api.post('/api/spiders', { name: 'web-tick', cmd: 'echo tick' })).body.id as string;
    await page.getByRole('link', { name: 'Schedules' }).click();
    await page.getByRole('button', { name: 'New schedule' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Spider').click();
    await page.getByRole('option', { name: 'web-tick' }).click();
    await dialog.getByLabel('Cron expression').fill('*/2 * * * * *');
    await dialog.getByRole('status', { name: 'Cron preview' }).filter({ hasText: 'Every 2 seconds' }).waitFor();
    await dialog.getByLabel('Cron expression').fill('61 * * * *');
    await dialog.getByRole('status', { name: 'Cron preview' }).filter({ hasText: 'minutes part must be >= 0 and <= 59' }).waitFor();
    // Not sent while the preview says the cron is invalid.
    expect(await dialog.getByRole('button', { name: 'Create schedule' }).isDisabled()).toBe(true);
    await screenshot(page, 'j7', 'schedule-refused');
    await dialog.getByLabel('Cron expression').fill('*/2 * * * * *');
    await screenshot(page, 'j7', 'new-schedule');
    await dialog.getByRole('button', { name: 'Create schedule' }).click();
    const row = page.getByRole('row').filter({ hasText: '*/2 * * * * *' });
    await row.waitFor();
    await row.getByText('Every 2 seconds').waitFor();
    await screenshot(page, 'j7', 'schedules');
    await page.goto(`${base}/tasks?spiderId=${tick}`);
    await waitFor('two scheduled tasks listed', async () => (await page.getByRole('table', { name: 'Tasks' }).getByRole('link').count()) >= 2, 30_000, 250);
    await screenshot(page, 'j7', 'scheduled-tasks');
    // Off again with its toggle: the schedule stops feeding the node before journey 8.
    await page.getByRole('link', { name: 'Schedules' }).click();
    await toggleByKeyboard(page.getByRole('switch', { name: /^Enable schedule web-tick/ }), false);
    await waitFor('schedule disabled', async () => {
      const list = (await m.api.get('/api/schedules')).body as { spiderId: string; enabled: boolean }[];
      return list.find((s) => s.spiderId === tick)?.enabled === false;
    });
  });

  it('journey 8: disable the only node, run a task, and see it pending with the reason', async () => {
    await page.getByRole('link', { name: 'Nodes' }).click();
    await toggleByKeyboard(page.getByRole('switch', { name: 'Enable node web-worker' }), false);
    await waitFor('node disabled', async () => (await m.api.get(`/api/nodes/${nodeId}`)).body.enabled === false);
    await screenshot(page, 'j8', 'node-disabled');
    const waiting = (await m.api.post('/api/spiders', { name: 'web-pending', cmd: 'echo ran' })).body.id as string;
    await page.goto(`${base}/spiders/${waiting}`);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/\/tasks\/[0-9a-f]{24}$/);
    await page.getByLabel('Task status').getByText('pending').waitFor();
    await page.getByRole('status', { name: 'Why it waits' }).filter({ hasText: 'web-worker (disabled)' }).waitFor();
    await screenshot(page, 'j8', 'task-pending');
    // Enabled again, the same task starts and finishes.
    await page.getByRole('link', { name: 'Nodes' }).click();
    await toggleByKeyboard(page.getByRole('switch', { name: 'Enable node web-worker' }), true);
    await page.goBack();
    await page.getByLabel('Task status').getByText('finished').waitFor({ timeout: 60_000 });
  });
});

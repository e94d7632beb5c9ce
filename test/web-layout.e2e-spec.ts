import type { Page } from 'playwright-core';
import { screenshot, signedInPage, type TestBrowser } from './support/browser';
import { Master, TestCluster } from './support/cluster';
import { waitFor } from './support/wait';

/**
 * Issue 23, layout check: on every page (the node page with its running task and charts, the
 * access and notification pages too) at 1280×800 and 1920×1080 no badge or button text is
 * clipped (`scrollWidth <= clientWidth` for every badge and button, and their labels), with the
 * long statuses on screen: ONLINE and OFFLINE nodes, CANCELLED, FINISHED and ERROR tasks.
 */
describe('web dashboard layout: no clipped badge or button', () => {
  const cluster = new TestCluster('web-layout');
  let m: Master;
  let base: string;
  let browser: TestBrowser;
  let page: Page;
  let spider: string;
  let onlineNode: string;
  const tasks: Record<string, string> = {};

  beforeAll(async () => {
    m = await cluster.startMaster();
    base = `http://127.0.0.1:${m.httpPort}`;
    await cluster.startWorker({ masters: [m], name: 'layout-online-worker' });
    const gone = await cluster.startWorker({ masters: [m], name: 'layout-gone-worker' });
    onlineNode = await cluster.waitNodeReady(m.api, 'layout-online-worker');
    await cluster.waitNodeReady(m.api, 'layout-gone-worker');
    await gone.proc.stop();
    await waitFor('a node offline', async () => ((await m.api.get('/api/nodes')).body as { name: string; status: string }[]).some((n) => n.name === 'layout-gone-worker' && n.status === 'offline'), 90_000, 250);

    spider = (await m.api.post('/api/spiders', { name: 'layout-spider-with-a-rather-long-name', cmd: 'sh run.sh' })).body.id as string;
    const item = JSON.stringify({ type: 'data', payload: [{ title: 'a', nested: { x: 1 } }], ipc: true });
    await m.api.putFiles(`/api/spiders/${spider}/files`, { 'run.sh': `echo '${item}'\nif [ "$1" = fail ]; then echo boom >&2; exit 3; fi\nif [ "$1" = long ]; then sleep 600; fi\n` });
    const start = async (param: string) => (await m.api.post('/api/tasks', { spiderId: spider, param })).body.tasks[0].id as string;
    const until = (id: string, status: string) => waitFor(`task ${id} ${status}`, async () => (await m.api.get(`/api/tasks/${id}`)).body.status === status, 60_000, 200);
    tasks.finished = await start('ok');
    await until(tasks.finished, 'finished');
    tasks.error = await start('fail');
    await until(tasks.error, 'error');
    tasks.cancelled = await start('long');
    await until(tasks.cancelled, 'running');
    await m.api.post(`/api/tasks/${tasks.cancelled}/cancel`);
    await until(tasks.cancelled, 'cancelled');
    tasks.running = await start('long');
    await until(tasks.running, 'running');
    await m.api.post('/api/schedules', { spiderId: spider, cron: '0 0 1 1 *', enabled: false });
    ({ browser, page } = await signedInPage(base, cluster.apiToken));
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await cluster.stop();
  });

  /** Every visible badge and button (and their label spans) whose text overflows its box. */
  const clipped = (p: Page) =>
    p.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('.mantine-Badge-root, .mantine-Badge-label, button, .mantine-Button-label')]
        .filter((el) => el.offsetParent !== null && el.clientWidth > 0)
        .filter((el) => el.scrollWidth > el.clientWidth)
        .map((el) => `${el.tagName.toLowerCase()}.${el.className.split(' ')[0]} "${(el.textContent ?? '').trim()}" ${el.scrollWidth}>${el.clientWidth}`),
    );

  const pages = (): [string, string, string?][] => [
    ['overview', '/'],
    ['nodes', '/nodes', 'offline'],
    ['node', `/nodes/${onlineNode}`, 'running'],
    ['spiders', '/spiders'],
    ['spider', `/spiders/${spider}`],
    ['tasks', '/tasks', 'cancelled'],
    ['task-cancelled', `/tasks/${tasks.cancelled}`, 'cancelled'],
    ['task-error', `/tasks/${tasks.error}`, 'error'],
    ['schedules', '/schedules'],
    ['results', `/results?spiderId=${spider}`],
    ['notifications', '/notifications'],
    ['users', '/users'],
    ['projects', '/projects'],
    ['tokens', '/tokens'],
    ['audit', '/audit'],
  ];

  for (const [w, h] of [[1280, 800], [1920, 1080]] as const) {
    it(`at ${w}×${h} every page shows its badges and buttons whole`, async () => {
      await page.setViewportSize({ width: w, height: h });
      const problems: string[] = [];
      for (const [name, path, badge] of pages()) {
        await page.goto(base + path);
        await page.locator('main h2, main h1').first().waitFor();
        if (badge) await page.locator(`[data-status="${badge}"]`).first().waitFor();
        // Live data settles (the lists poll every 2 s).
        await page.waitForLoadState('networkidle').catch(() => undefined);
        await screenshot(page, `layout-${w}x${h}`, name);
        for (const c of await clipped(page)) problems.push(`${name}: ${c}`);
      }
      expect(problems).toEqual([]);
    });
  }

  it("a cancelled task's log ends with a line saying so, shown on its page", async () => {
    const last = await waitFor('final log line', async () => {
      const lines = (await m.api.get(`/api/tasks/${tasks.cancelled}/logs?after=0&limit=5000`)).body.lines as { text: string }[];
      return lines.length && /^\[crawlnest\] task cancelled: /.test(lines[lines.length - 1].text) ? lines[lines.length - 1].text : undefined;
    }, 30_000, 250);
    await page.goto(`${base}/tasks/${tasks.cancelled}`);
    await page.getByRole('log', { name: 'Task log' }).getByText(last).waitFor();
    await screenshot(page, 'layout', 'cancelled-log');
  });

  it('the statuses are told apart on the task list: CANCELLED, ERROR, FINISHED, RUNNING read in full', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${base}/tasks`);
    for (const s of ['cancelled', 'error', 'finished', 'running']) {
      const badge = page.locator(`[data-status="${s}"]`).first();
      await badge.waitFor();
      expect(await badge.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
      expect((await badge.innerText()).toLowerCase()).toBe(s);
    }
  });
});

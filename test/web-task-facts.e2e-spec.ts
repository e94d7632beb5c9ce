import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { screenshot, signedInPage, type TestBrowser } from './support/browser';
import { Master, TestCluster } from './support/cluster';
import { waitFor } from './support/wait';

/** The dashboard's duration text ("850 ms", "3s", "1m 05s", "1h 02m") back to ms. */
function durationMs(text: string): number {
  const t = text.trim();
  let m = /^(\d+) ms/.exec(t);
  if (m) return Number(m[1]);
  m = /^(\d+)s/.exec(t);
  if (m) return Number(m[1]) * 1000;
  m = /^(\d+)m (\d+)s/.exec(t);
  if (m) return (Number(m[1]) * 60 + Number(m[2])) * 1000;
  m = /^(\d+)h (\d+)m/.exec(t);
  if (m) return (Number(m[1]) * 60 + Number(m[2])) * 60_000;
  throw new Error(`not a duration: ${JSON.stringify(text)}`);
}

/** Waits until `read` shows a duration at least `byMs` above `from`, without reloading the page. */
async function countsUpFrom(what: string, read: () => Promise<string>, from: number, byMs: number, timeoutMs: number): Promise<number> {
  return waitFor(`${what} counts up from ${from} ms by ${byMs} ms`, async () => {
    const v = durationMs(await read());
    return v >= from + byMs ? v : undefined;
  }, timeoutMs, 100);
}

/**
 * Issue 20, point 11, in the dashboard: a running task's duration counts up on its page and in
 * the task list, nodes are named, and an offline node shows no running count or machine figures.
 */
describe('web: task durations, node names, offline nodes', () => {
  const cluster = new TestCluster('web-task-facts');
  let m: Master;
  let base: string;
  let browser: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    m = await cluster.startMaster({ CRAWLNEST_NODE_TIMEOUT_MS: '2000', CRAWLNEST_FENCE_MS: '0' });
    base = `http://127.0.0.1:${m.httpPort}`;
    ({ browser, page } = await signedInPage(base, cluster.apiToken));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await cluster.stop();
  });

  it('a running task: its page and the task list count the duration up and name the node; it stops when the task ends', async () => {
    await cluster.startWorker({ masters: [m], name: 'web-facts-node', env: { CRAWLNEST_LABELS: 'pool=count' } });
    await cluster.waitNodeReady(m.api, 'web-facts-node');
    const gate = join(cluster.dir, 'count.gate');
    const spiderId = (await m.api.post('/api/spiders', { name: 'web-count', cmd: 'while [ ! -f "$GATE" ]; do sleep 0.1; done' })).body.id as string;
    const id = (await m.api.post('/api/tasks', { spiderId, env: { GATE: gate }, labels: { pool: 'count' } })).body.tasks[0].id as string;
    await waitFor('task running', async () => (await m.api.get(`/api/tasks/${id}`)).body.status === 'running');

    await page.goto(`${base}/tasks/${id}`);
    await page.getByLabel('Task status').getByText('running').waitFor();
    // The value under the "Duration" caption of the task's fields.
    const onPage = page.getByText('Duration', { exact: true }).locator('xpath=following-sibling::*[1]');
    const first = durationMs(await onPage.innerText());
    await countsUpFrom('the task page duration', () => onPage.innerText(), first, 2000, 8000);
    await page.getByText('web-facts-node', { exact: true }).first().waitFor();
    await screenshot(page, 'facts', 'task-running');

    await page.goto(`${base}/tasks`);
    const row: Locator = page.getByRole('row').filter({ has: page.getByRole('link', { name: `Task ${id}` }) });
    await row.getByText('web-facts-node').waitFor();
    const cell = row.getByRole('cell').nth(5);
    const inList = durationMs(await cell.innerText());
    // The list polls every 5 s; between polls the duration must still move on.
    await countsUpFrom('the task list duration', () => cell.innerText(), inList, 2000, 8000);
    await screenshot(page, 'facts', 'task-list-running');

    writeFileSync(gate, '');
    await page.goto(`${base}/tasks/${id}`);
    await page.getByLabel('Task status').getByText('finished').waitFor({ timeout: 30_000 });
    const ended = (await m.api.get(`/api/tasks/${id}`)).body as { durationMs: number };
    await waitFor('the page shows the final duration', async () => durationMs(await onPage.innerText()) === Math.floor(ended.durationMs / 1000) * 1000 || undefined, 5000);
  }, 120_000);

  it('an offline node: no running count, CPU or memory on the Nodes page', async () => {
    const w = await cluster.startWorker({ masters: [m], name: 'web-gone-node', env: { CRAWLNEST_LABELS: 'pool=gone' } });
    const nodeId = await cluster.waitNodeReady(m.api, 'web-gone-node');
    const spiderId = (await m.api.post('/api/spiders', { name: 'web-gone', cmd: 'sleep 60' })).body.id as string;
    await m.api.post('/api/tasks', { spiderId, labels: { pool: 'gone' } });
    await waitFor('the node reports its running task and resources', async () => {
      const n = (await m.api.get(`/api/nodes/${nodeId}`)).body;
      return n.runningTasks === 1 && n.resources ? n : undefined;
    });
    await page.goto(`${base}/nodes`);
    const row = page.getByRole('row').filter({ hasText: 'web-gone-node' });
    await row.getByText(/^1\/\d+$/).waitFor();
    w.proc.kill('SIGKILL');
    await w.proc.exited;
    await row.getByText('offline').waitFor({ timeout: 20_000 });
    await screenshot(page, 'facts', 'node-offline');
    const cells = await row.getByRole('cell').allInnerTexts();
    // Name, Status, Task-ready, Running, Labels, CPU, Memory, …
    expect(cells[3]).toMatch(/^—\/\d+$/);
    expect(cells[5]).toBe('—');
    expect(cells[6]).toBe('—');
  }, 120_000);
});

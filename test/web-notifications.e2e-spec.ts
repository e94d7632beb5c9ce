import type { Page } from 'playwright-core';
import { screenshot, signedInPage, type TestBrowser } from './support/browser';
import { Master, TestCluster } from './support/cluster';
import { HookReceiver } from './support/notify-receivers';
import { waitFor } from './support/wait';

/** Picks options of a Mantine MultiSelect labelled `label`, as a user would. */
async function pick(page: Page, label: string, option: string): Promise<void> {
  // The input sits under the pills wrapper, which takes the pointer: a forced click is what a user's click on the field does.
  await page.getByRole('combobox', { name: label }).click({ force: true });
  await page.getByRole('option', { name: option }).click();
  await page.keyboard.press('Escape');
}

/** Waits for the form's dialog to close; when it stays, fails with what it says (a refusal shows there). */
async function closed(page: Page): Promise<void> {
  try {
    await page.getByRole('dialog').waitFor({ state: 'detached', timeout: 15_000 });
  } catch {
    await screenshot(page, 'notify', 'dialog-stayed');
    throw new Error(`the dialog stayed open: ${await page.getByRole('dialog').innerText().catch(() => '?')}`);
  }
}

/**
 * The dashboard's notifications: a channel made and tested (the outcome shown, a failure
 * then a success), a rule made, edited and switched off and on, a failing task's alert in the
 * deliveries history (filters, retry with the same delivery id), the spider page's rules and
 * last alerts, and a channel deleted through the app's confirm dialog.
 */
describe('web dashboard: notifications', () => {
  const cluster = new TestCluster('web-notifications');
  let m: Master;
  let base: string;
  let browser: TestBrowser;
  let page: Page;
  let hooks: HookReceiver;
  let spiderId: string;

  beforeAll(async () => {
    hooks = await HookReceiver.start();
    m = await cluster.startMaster();
    base = `http://127.0.0.1:${m.httpPort}`;
    // No worker: the alert comes from a task cancelled while it waits (task.cancelled).
    spiderId = (await m.api.post('/api/spiders', { name: 'web-notify', cmd: 'true' })).body.id;
    ({ browser, page } = await signedInPage(base, cluster.apiToken));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await cluster.stop();
    await hooks?.close();
  });

  it('a channel is created and tested: the outcome is shown, failure then success', async () => {
    hooks.secret('/web', 'web-secret-123');
    hooks.script('/web', [{ status: 500 }]);
    await page.getByRole('link', { name: 'Notifications' }).click();
    await page.getByRole('heading', { name: 'Notifications' }).waitFor();
    await page.getByRole('button', { name: 'New channel' }).click();
    await page.getByRole('textbox', { name: 'Name' }).fill('ops-hook');
    await page.getByRole('textbox', { name: 'URL' }).fill(hooks.url('/web'));
    await page.getByLabel('Signing secret').fill('web-secret-123');
    await page.getByRole('button', { name: 'Create channel' }).click();
    const row = page.getByRole('table', { name: 'Channels' }).getByRole('row').filter({ hasText: 'ops-hook' });
    await row.waitFor();
    // The secret is never shown again: only that the channel signs.
    await row.getByText('signed').waitFor();
    expect(await page.content()).not.toContain('web-secret-123');
    await page.getByRole('button', { name: 'Test channel ops-hook' }).click();
    await page.getByRole('alert', { name: 'Test message failed' }).filter({ hasText: '500' }).waitFor();
    await screenshot(page, 'notify', 'test-failed');
    await page.getByRole('button', { name: 'Test channel ops-hook' }).click();
    await page.getByRole('alert', { name: 'Test message delivered' }).waitFor();
    await screenshot(page, 'notify', 'test-delivered');
    expect(hooks.on('/web').length).toBe(2);
    expect(hooks.on('/web').every((r) => r.signatureOk)).toBe(true);
  });

  it('a rule is created for the spider, edited, switched off and on', async () => {
    await page.getByRole('tab', { name: 'Rules' }).click();
    await page.getByRole('button', { name: 'New rule' }).click();
    await page.getByRole('textbox', { name: 'Name' }).fill('web failures');
    await pick(page, 'Events', 'task.cancelled');
    await pick(page, 'Channels', 'ops-hook (webhook)');
    await pick(page, 'Spiders (none: every spider of the project)', 'web-notify');
    await page.getByRole('button', { name: 'Create rule' }).click();
    await closed(page);
    const row = page.getByRole('table', { name: 'Rules' }).getByRole('row').filter({ hasText: 'web failures' });
    await row.getByText('task.cancelled').waitFor();
    await page.getByRole('button', { name: 'Edit rule web failures' }).click();
    await page.getByRole('textbox', { name: 'Name' }).fill('web task failures');
    await page.getByRole('button', { name: 'Save rule' }).click();
    await closed(page);
    await page.getByRole('table', { name: 'Rules' }).getByRole('row').filter({ hasText: 'web task failures' }).waitFor();
    const toggle = page.getByRole('switch', { name: 'Enable rule web task failures' });
    await toggle.click({ force: true });
    await waitFor('rule off', async () => ((await m.api.get('/api/notifications/rules')).body[0].enabled === false) || undefined, 10_000);
    // The switch shows what the master answered before it is switched back.
    await waitFor('switch shown off', async () => ((await toggle.isChecked()) === false) || undefined, 10_000, 100);
    await toggle.click({ force: true });
    await waitFor('rule on', async () => ((await m.api.get('/api/notifications/rules')).body[0].enabled === true) || undefined, 10_000);
    await screenshot(page, 'notify', 'rules');
  });

  it("a cancelled task's alert is in the history, filtered, and retried with the same delivery id; the spider page shows its rules and last alerts", async () => {
    const t = await m.api.post('/api/tasks', { spiderId });
    expect(t.status).toBe(201);
    expect((await m.api.post(`/api/tasks/${t.body.tasks[0].id}/cancel`, {})).status).toBeLessThan(300);
    const [alert] = await waitFor('the alert', () => {
      const got = hooks.on('/web').filter((r) => (r.body as { type?: string }).type === 'task.cancelled');
      return got.length ? got : undefined;
    }, 60_000);
    const deliveryId = String(alert.headers['x-crawlnest-delivery']);
    await page.getByRole('tab', { name: 'Deliveries' }).click();
    const table = page.getByRole('table', { name: 'Deliveries' });
    await table.getByRole('row').filter({ hasText: 'web-notify' }).filter({ hasText: 'sent' }).first().waitFor({ timeout: 15_000 });
    // Filter by status: only the failed test send is left.
    await page.getByRole('combobox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'failed' }).click();
    await waitFor('only failed rows', async () => ((await table.getByRole('row').filter({ hasText: 'sent' }).count()) === 0 && (await table.getByRole('row').filter({ hasText: 'failed' }).count()) > 0) || undefined, 10_000);
    await screenshot(page, 'notify', 'deliveries-failed');
    await page.getByRole('combobox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'sent' }).click();
    await page.getByRole('button', { name: `Retry delivery ${deliveryId}` }).click();
    await waitFor('the retried alert', () => (hooks.on('/web').filter((r) => r.headers['x-crawlnest-delivery'] === deliveryId).length >= 2) || undefined, 30_000);

    await page.goto(`${base}/spiders/${spiderId}`);
    await page.getByRole('tab', { name: 'Alerts' }).click();
    await page.getByRole('table', { name: 'Rules' }).getByRole('row').filter({ hasText: 'web task failures' }).waitFor();
    await page.getByRole('table', { name: 'Deliveries' }).getByRole('row').filter({ hasText: 'web-notify' }).first().waitFor();
    await screenshot(page, 'notify', 'spider-alerts');
  });

  it('a channel is deleted through the confirm dialog (a channel a rule uses is refused with the reason)', async () => {
    await page.goto(`${base}/notifications`);
    await page.getByRole('button', { name: 'Delete channel ops-hook' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('alert').filter({ hasText: 'used by rule' }).waitFor();
    await page.getByRole('tab', { name: 'Rules' }).click();
    await page.getByRole('button', { name: 'Delete rule web task failures' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('table', { name: 'Rules' }).getByRole('row').filter({ hasText: 'web task failures' }).waitFor({ state: 'detached' });
    await page.getByRole('tab', { name: 'Channels' }).click();
    await page.getByRole('button', { name: 'Delete channel ops-hook' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('table', { name: 'Channels' }).getByRole('row').filter({ hasText: 'ops-hook' }).waitFor({ state: 'detached' });
    await screenshot(page, 'notify', 'channel-deleted');
    expect((await m.api.get('/api/notifications/channels')).body).toEqual([]);
  });
});

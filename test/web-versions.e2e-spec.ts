import type { Page } from 'playwright-core';
import { screenshot, signedInPage, type TestBrowser } from './support/browser';
import { Master, TestCluster } from './support/cluster';
import { tarGzTree } from './support/spider-tree';
import { waitFor } from './support/wait';

const ITEMS = 'import scrapy\n\n\nclass ShopItem(scrapy.Item):\n    title = scrapy.Field()\n    price = scrapy.Field()\n';

/**
 * Issue 20 in real Chromium: the file editor keeps what it saved (10 s later and after a
 * reload), refuses to overwrite a newer save, and the Versions tab views, diffs and restores.
 */
describe('web dashboard: file editor and versions', () => {
  const cluster = new TestCluster('web-versions');
  let m: Master;
  let base: string;
  let browser: TestBrowser;
  let page: Page;
  let spiderId: string;

  const editorText = () => page.locator('.cm-content').innerText();
  const serverText = async (path: string) => (await m.api.get(`/api/spiders/${spiderId}/files/${path}`)).text;

  beforeAll(async () => {
    m = await cluster.startMaster();
    base = `http://127.0.0.1:${m.httpPort}`;
    spiderId = (await m.api.post('/api/spiders', { name: 'shop', cmd: 'scrapy crawl shop' })).body.id;
    expect((await m.api.putFiles(`/api/spiders/${spiderId}/files`, { 'shop/items.py': ITEMS, 'scrapy.cfg': '[settings]\n' })).body).toMatchObject({ version: 1 });
    ({ browser, page } = await signedInPage(base, cluster.apiToken));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await cluster.stop();
  });

  async function openFile(path: string, expectText: string): Promise<void> {
    await page.getByRole('button', { name: `Open ${path}` }).click();
    await page.locator('.cm-content').getByText(expectText).first().waitFor();
  }

  it('edit -> save: the editor still shows the saved text 10 s later, and after a reload; the next save keeps it', async () => {
    await page.goto(`${base}/spiders/${spiderId}`);
    await openFile('shop/items.py', 'class ShopItem');
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText('    url = scrapy.Field()\n');
    // Saved at once after typing, as a quick user does.
    await page.getByRole('button', { name: 'Save file' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved as version 2' }).waitFor();
    const saved = ITEMS + '    url = scrapy.Field()\n';
    expect(await serverText('shop/items.py')).toBe(saved);
    // For 10 s the editor keeps showing it, never an empty or older text.
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      const shown = await editorText();
      expect(shown).toContain('url = scrapy.Field()');
      expect(shown).toContain('class ShopItem');
      await page.waitForTimeout(250);
    }
    await screenshot(page, 'v1', 'saved-10s-later');
    await page.reload();
    await openFile('shop/items.py', 'url = scrapy.Field()');
    expect(await editorText()).toContain('class ShopItem');
    // The next edit builds on the saved text.
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText('# edit 2\n');
    await page.getByRole('button', { name: 'Save file' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved as version 3' }).waitFor();
    expect(await serverText('shop/items.py')).toBe(saved + '# edit 2\n');
  });

  it('a save over a newer version of the file is refused with a clear message, nothing is overwritten', async () => {
    await page.reload();
    await openFile('shop/items.py', '# edit 2');
    // Someone else saves the file meanwhile.
    expect((await m.api.put(`/api/spiders/${spiderId}/files/shop/items.py`, 'other = True\n', 'application/octet-stream')).body).toEqual({ version: 4 });
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText('# mine\n');
    await page.getByRole('button', { name: 'Save file' }).click();
    await page.getByRole('alert').filter({ hasText: /changed in version 4/ }).waitFor();
    await screenshot(page, 'v2', 'save-refused');
    expect(await serverText('shop/items.py')).toBe('other = True\n');
    expect((await m.api.get(`/api/spiders/${spiderId}`)).body.version).toBe(4);
    // The user's text is still in the editor.
    expect(await editorText()).toContain('# mine');
  });

  it('the Versions tab shows a version\'s files, diffs two versions and restores one after a confirmation', async () => {
    await page.reload();
    await page.getByRole('tab', { name: 'Versions' }).click();
    const table = page.getByRole('table', { name: 'Versions' });
    await table.getByRole('cell', { name: '4 (current)' }).waitFor();
    // View version 1 and one of its files.
    await page.getByRole('button', { name: 'View version 1' }).click();
    await page.getByRole('button', { name: 'Show shop/items.py of version 1' }).click();
    await page.getByLabel('Content of shop/items.py in version 1').getByText('class ShopItem').waitFor();
    expect(await page.getByLabel('Content of shop/items.py in version 1').innerText()).not.toContain('url = scrapy.Field()');
    // Diff 1 -> 3.
    await page.getByLabel('From version').selectOption('1');
    await page.getByLabel('To version').selectOption('3');
    await page.getByRole('button', { name: 'Compare' }).click();
    const diff = page.getByLabel('Diff of shop/items.py');
    await diff.getByText('+    url = scrapy.Field()').waitFor();
    await diff.getByText('+# edit 2').waitFor();
    await screenshot(page, 'v3', 'diff');
    // Restore version 3: a confirmation first; cancelling changes nothing.
    await page.getByRole('button', { name: 'Restore version 3' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(/new version/).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await m.api.get(`/api/spiders/${spiderId}`)).body.version).toBe(4);
    await page.getByRole('button', { name: 'Restore version 3' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Restore', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Restored version 3 as version 5' }).waitFor();
    await table.getByRole('cell', { name: '5 (current)' }).waitFor();
    await screenshot(page, 'v3', 'restored');
    expect(await serverText('shop/items.py')).toBe(ITEMS + '    url = scrapy.Field()\n# edit 2\n');
    // The Files tab shows the restored content.
    await page.getByRole('tab', { name: 'Files' }).click();
    await openFile('shop/items.py', '# edit 2');
    await waitFor('version 5 shown', async () => (await page.getByText('Version 5 ·').count()) > 0);
  });

  it('an archive upload says when its top-level folder was dropped, and an identical one that nothing changed', async () => {
    const archive = await tarGzTree({ 'shop/scrapy.cfg': { content: '[settings]\n' }, 'shop/shop/items.py': { content: 'x = 1\n' } });
    const input = page.getByLabel('Archive to upload');
    await input.setInputFiles({ name: 'shop.tar.gz', mimeType: 'application/gzip', buffer: archive });
    await page.getByRole('status').filter({ hasText: "Version 6: 2 files (the archive's top-level folder shop/ was dropped from every path)" }).waitFor();
    await input.setInputFiles({ name: 'shop.tar.gz', mimeType: 'application/gzip', buffer: archive });
    await page.getByRole('status').filter({ hasText: 'Version 6: 2 files (unchanged, no new version' }).waitFor();
    await screenshot(page, 'v4', 'upload-unchanged');
    expect((await m.api.get(`/api/spiders/${spiderId}`)).body.version).toBe(6);
  });
});

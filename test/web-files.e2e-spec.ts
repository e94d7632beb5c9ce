import type { Page } from 'playwright-core';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { screenshot, signedInPage, type TestBrowser } from './support/browser';
import { Master, TestCluster } from './support/cluster';

/**
 * Issue 23 (files): in real Chromium a folder is created, a file moved into it and another
 * deleted, all staged and saved as ONE new version seen in the Versions tab; uploads go into
 * the selected folder; folders collapse; a file and the whole version download.
 */
describe('web dashboard: managing spider files', () => {
  const cluster = new TestCluster('web-files');
  let m: Master;
  let base: string;
  let browser: TestBrowser;
  let page: Page;
  let spiderId: string;

  const paths = async () => ((await m.api.get(`/api/spiders/${spiderId}/files`)).body.files as { path: string }[]).map((f) => f.path).sort();
  const versionCount = async () => ((await m.api.get(`/api/spiders/${spiderId}/versions`)).body as unknown[]).length;
  const act = (name: string) => page.getByRole('toolbar', { name: 'File actions' }).getByRole('button', { name, exact: true });
  const item = (path: string) => page.getByRole('treeitem', { name: path, exact: true });

  beforeAll(async () => {
    m = await cluster.startMaster();
    base = `http://127.0.0.1:${m.httpPort}`;
    spiderId = (await m.api.post('/api/spiders', { name: 'shop', cmd: 'python3 main.py' })).body.id;
    const up = await m.api.putFiles(`/api/spiders/${spiderId}/files`, { 'main.py': 'import util\n', 'util.py': 'X = 1\n', 'old.py': 'gone\n', 'pkg/a.py': 'A\n' });
    expect(up.body).toMatchObject({ version: 1 });
    ({ browser, page } = await signedInPage(base, cluster.apiToken));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await cluster.stop();
  });

  it('a folder made, a file moved into it and one deleted are saved together as one version, seen in the Versions tab', async () => {
    await page.goto(`${base}/spiders/${spiderId}`);
    await item('pkg/a.py').waitFor();
    await screenshot(page, 'files', 'tree');
    // New folder "lib" at the top level.
    await act('New folder').click();
    await page.getByRole('dialog').getByLabel('Folder name').fill('lib');
    await page.getByRole('dialog').getByRole('button', { name: 'Stage' }).click();
    await item('lib').waitFor();
    // Move util.py into it.
    await page.getByRole('button', { name: 'Open util.py' }).click();
    await act('Move').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('combobox', { name: 'Into folder' }).click();
    await dialog.getByRole('option', { name: 'lib/' }).click();
    await dialog.getByRole('button', { name: 'Stage' }).click();
    await item('lib/util.py').waitFor();
    // Delete old.py.
    await page.getByRole('button', { name: 'Open old.py' }).click();
    // Delete asks first, in the app's own dialog: "Keep" keeps the file.
    await act('Delete').click();
    const confirm = page.getByRole('dialog', { name: 'Please confirm' });
    await confirm.getByText('Delete old.py?', { exact: false }).waitFor();
    await screenshot(page, 'files', 'confirm-delete');
    await confirm.getByRole('button', { name: 'Keep' }).click();
    await confirm.waitFor({ state: 'hidden' });
    expect(await item('old.py').count()).toBe(1);
    await act('Delete').click();
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
    await item('old.py').waitFor({ state: 'detached' });
    const pending = page.getByRole('region', { name: 'Changes not saved yet' });
    await pending.getByText('3 changes not saved (made on version 1)').waitFor();
    await screenshot(page, 'files', 'three-changes-staged');
    // Nothing reached the master yet.
    expect(await paths()).toEqual(['main.py', 'old.py', 'pkg/a.py', 'util.py']);
    await pending.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Changes saved as version 2' }).waitFor();
    expect(await paths()).toEqual(['lib/util.py', 'main.py', 'pkg/a.py']);
    expect(await versionCount()).toBe(2);
    expect((await m.api.get(`/api/spiders/${spiderId}/files/lib/util.py`)).text).toBe('X = 1\n');
    await screenshot(page, 'files', 'saved-as-one-version');
    // The Versions tab shows the one new version and what it changed.
    await page.getByRole('tab', { name: 'Versions' }).click();
    const table = page.getByRole('table', { name: 'Versions' });
    await table.getByRole('cell', { name: '2 (current)' }).waitFor();
    await page.getByLabel('From version').selectOption('1');
    await page.getByLabel('To version').selectOption('2');
    await page.getByRole('button', { name: 'Compare' }).click();
    const changes = page.getByLabel('Changes from version 1 to 2');
    await changes.getByText('lib/util.py').first().waitFor();
    await changes.getByText('old.py').first().waitFor();
    await screenshot(page, 'files', 'versions-tab');
  });

  it('uploads into the selected folder and a new file, saved together; folders collapse and expand', async () => {
    await page.getByRole('tab', { name: 'Files' }).click();
    await page.getByRole('button', { name: 'Select folder pkg' }).click();
    const chooser = page.waitForEvent('filechooser');
    await act('Upload into pkg/').click();
    await (await chooser).setFiles([{ name: 'b.py', mimeType: 'text/x-python', buffer: Buffer.from('B = 2\n') }]);
    await item('pkg/b.py').waitFor();
    await act('New file').click();
    await page.getByRole('dialog').getByLabel('File name').fill('c.py');
    await page.getByRole('dialog').getByLabel('Content').fill('C = 3\n');
    await page.getByRole('dialog').getByRole('button', { name: 'Stage' }).click();
    await item('pkg/c.py').waitFor();
    // Collapse pkg: its files leave the tree; expand brings them back.
    await page.getByRole('button', { name: 'Collapse pkg' }).click();
    await item('pkg/b.py').waitFor({ state: 'detached' });
    expect(await item('pkg').getAttribute('aria-expanded')).toBe('false');
    await screenshot(page, 'files', 'collapsed');
    await page.getByRole('button', { name: 'Expand pkg' }).click();
    await item('pkg/b.py').waitFor();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Changes saved as version 3' }).waitFor();
    expect(await paths()).toEqual(['lib/util.py', 'main.py', 'pkg/a.py', 'pkg/b.py', 'pkg/c.py']);
    expect((await m.api.get(`/api/spiders/${spiderId}/files/pkg/c.py`)).text).toBe('C = 3\n');
  });

  it('a rename staged on a version someone else changed meanwhile is refused, nothing saved', async () => {
    await page.getByRole('button', { name: 'Open main.py' }).click();
    await act('Rename').click();
    await page.getByRole('dialog').getByLabel('New name').fill('run.py');
    await page.getByRole('dialog').getByRole('button', { name: 'Stage' }).click();
    await item('run.py').waitFor();
    expect((await m.api.put(`/api/spiders/${spiderId}/files/main.py`, 'import util  # theirs\n', 'application/octet-stream')).body).toEqual({ version: 4 });
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('alert').filter({ hasText: /changed after version 3/ }).waitFor();
    await screenshot(page, 'files', 'stale-refused');
    expect(await paths()).toContain('main.py');
    await page.getByRole('button', { name: 'Discard changes' }).click();
    await page.getByRole('dialog', { name: 'Please confirm' }).getByText('Discard the change not saved?').waitFor();
    await page.getByRole('dialog', { name: 'Please confirm' }).getByRole('button', { name: 'Discard', exact: true }).click();
    await item('main.py').waitFor();
  });

  it('downloads the open file and the whole version as a zip', async () => {
    // The refused save made the tab reload the file list: it names the other writer's version.
    await page.getByText(/^Version 4 · 5 files/).waitFor();
    await page.getByRole('button', { name: 'Open pkg/c.py' }).click();
    const fileDl = page.waitForEvent('download');
    await act('Download file').click();
    const file = await fileDl;
    expect(file.suggestedFilename()).toBe('c.py');
    const filePath = join(tmpdir(), `web-files-${process.pid}-c.py`);
    await file.saveAs(filePath);
    expect(await readFile(filePath, 'utf8')).toBe('C = 3\n');
    const zipDl = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download version as zip' }).click();
    const zip = await zipDl;
    expect(zip.suggestedFilename()).toBe('shop-v4.zip');
    const zipPath = join(tmpdir(), `web-files-${process.pid}.zip`);
    await zip.saveAs(zipPath);
    const bytes = await readFile(zipPath);
    expect(bytes.subarray(0, 2).toString()).toBe('PK');
    expect(bytes.length).toBeGreaterThan(100);
  });
});

import type { Page } from 'playwright-core';
import { screenshot, TestBrowser } from './support/browser';
import { Master, TestCluster } from './support/cluster';
import { addMember, createProject, createUser, passwordOf, spiderFixture } from './support/access-fixtures';

/** Picks an option of a Mantine Select labelled `label`, as a user would (open, click). */
async function choose(page: Page, label: string, option: string): Promise<void> {
  await page.getByRole('combobox', { name: label }).click();
  await page.getByRole('option', { name: option }).click();
}

/**
 * Team access in the dashboard: password sign-in (an httpOnly cookie the page's script never
 * sees), the current user in the header, the project switcher, and a viewer who cannot run.
 */
describe('web dashboard: team access', () => {
  const cluster = new TestCluster('web-access');
  let m: Master;
  let base: string;
  let browser: TestBrowser;
  let page: Page;
  let alphaSpider: string;
  let betaSpider: string;

  beforeAll(async () => {
    m = await cluster.startMaster();
    base = `http://127.0.0.1:${m.httpPort}`;
    const alpha = await createProject(m.api, 'alpha');
    const beta = await createProject(m.api, 'beta');
    alphaSpider = (await spiderFixture(m.api, alpha)).spiderId;
    betaSpider = (await spiderFixture(m.api, beta)).spiderId;
    const webby = await createUser(m.api, 'webby');
    await addMember(m.api, alpha, webby, 'viewer');
    await addMember(m.api, beta, webby, 'editor');
    browser = await TestBrowser.launch();
    page = await browser.newPage();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await cluster.stop();
  });

  it('signs in with a password: the user is in the header, the session cookie is out of reach of scripts', async () => {
    await page.goto(base + '/');
    await page.getByLabel('Username').fill('webby');
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill('not-the-password-at-all');
    await page.getByRole('button', { name: 'Log in with password' }).click();
    await page.getByRole('alert').filter({ hasText: 'wrong username or password' }).waitFor();
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(passwordOf('webby'));
    await page.getByRole('button', { name: 'Log in with password' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByLabel('Signed in as').filter({ hasText: 'webby (member)' }).waitFor();
    await screenshot(page, 'access', 'signed-in');
    const visible = await page.evaluate(() => ({ cookies: document.cookie, token: sessionStorage.getItem('crawlnest.apiToken') }));
    expect(visible.cookies).not.toContain('crawlnest_session');
    expect(visible.cookies).toContain('crawlnest_csrf');
    expect(visible.token).toBeNull();
    // A reload keeps the session (the cookie), no token pasted anywhere.
    await page.reload();
    await page.getByLabel('Signed in as').filter({ hasText: 'webby (member)' }).waitFor();
  });

  it('the project switcher narrows the spiders to one project', async () => {
    await page.getByRole('link', { name: 'Spiders' }).click();
    await page.getByRole('heading', { name: 'Spiders' }).waitFor();
    const rows = page.getByRole('table', { name: 'Spiders' }).getByRole('row');
    await rows.nth(2).waitFor(); // header + both projects' spiders
    await choose(page, 'Project', 'alpha (viewer)');
    await page.waitForFunction(() => document.querySelectorAll('table[aria-label="Spiders"] tbody tr').length === 1);
    await choose(page, 'Project', 'beta (editor)');
    await page.waitForFunction(() => document.querySelectorAll('table[aria-label="Spiders"] tbody tr').length === 1);
    await screenshot(page, 'access', 'switched-to-beta');
  });

  it('a viewer cannot run a task: Run is disabled with the role needed; as editor elsewhere they can', async () => {
    await page.goto(`${base}/spiders/${alphaSpider}`);
    const run = page.getByRole('button', { name: 'Run', exact: true });
    await run.waitFor();
    expect(await run.isDisabled()).toBe(true);
    await page.getByRole('note').filter({ hasText: 'Needs the runner role in this project (you are viewer)' }).waitFor();
    await screenshot(page, 'access', 'viewer-cannot-run');
    // The master refuses it too, whatever the page shows.
    const direct = await page.evaluate(async (spiderId) => {
      const csrf = /crawlnest_csrf=([^;]+)/.exec(document.cookie)?.[1] ?? '';
      const r = await fetch('/api/tasks', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': decodeURIComponent(csrf) }, body: JSON.stringify({ spiderId }) });
      return { status: r.status, body: (await r.json()) as { message: string } };
    }, alphaSpider);
    expect(direct.status).toBe(403);
    expect(direct.body.message).toContain('runner');

    await page.goto(`${base}/spiders/${betaSpider}`);
    await page.getByRole('heading', { level: 2 }).waitFor();
    expect(await page.getByRole('button', { name: 'Run', exact: true }).isDisabled()).toBe(false);
  });

  it('a cookie-authenticated write from the page works (it sends the CSRF token), and sign-out ends the session', async () => {
    await page.getByRole('link', { name: 'Tokens' }).click();
    await page.getByLabel('Token name').fill('from-the-browser');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByText('Copy it now: it is not shown again').waitFor();
    await page.getByRole('table', { name: 'Tokens' }).getByText('from-the-browser').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Log in with password' }).waitFor();
    const after = await page.evaluate(async () => (await fetch('/api/me')).status);
    expect(after).toBe(401);
  });
});

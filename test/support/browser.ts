import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { PROJECT_ROOT } from './ferretdb-server';

/** Debian's Chromium (`apt-get install -y chromium`); never a downloaded one (the network is closed). */
export const CHROMIUM = process.env.CRAWLNEST_E2E_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(PROJECT_ROOT, '.test-results', 'screenshots');

// Without the networking flags Chromium's own background connections are refused here.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

/** One headless Chromium with a fresh profile, removed on close. */
export class TestBrowser {
  private constructor(
    readonly context: BrowserContext,
    private readonly profile: string,
  ) {}

  static async launch(): Promise<TestBrowser> {
    const profile = mkdtempSync(join(tmpdir(), 'crawlnest-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      acceptDownloads: true,
      viewport: { width: 1400, height: 900 },
    });
    return new TestBrowser(context, profile);
  }

  async newPage(): Promise<Page> {
    const page = await this.context.newPage();
    page.setDefaultTimeout(20_000);
    return page;
  }

  async close(): Promise<void> {
    await this.context.close();
    rmSync(this.profile, { recursive: true, force: true });
  }
}

/** Saves a screenshot of the page a journey visits under .test-results/screenshots. */
export async function screenshot(page: Page, journey: string, step: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${journey}-${step}.png`) });
}

/** Signs in through the form, as a user would. */
export async function signIn(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(baseUrl + '/');
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
}

/** A fresh browser with a page signed in to the dashboard: where most journeys start. */
export async function signedInPage(baseUrl: string, token: string): Promise<{ browser: TestBrowser; page: Page }> {
  const browser = await TestBrowser.launch();
  try {
    const page = await browser.newPage();
    await signIn(page, baseUrl, token);
    return { browser, page };
  } catch (err) {
    // The suite never gets the browser to close in its afterAll: close it here.
    await browser.close();
    throw err;
  }
}

import { execFile } from 'node:child_process';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Master, TestCluster } from './support/cluster';
import { PROJECT_ROOT } from './support/ferretdb-server';
import { exportedItems } from './support/results-helpers';
import { waitFor } from './support/wait';

const run = promisify(execFile);
const VENV_BIN = join(PROJECT_ROOT, '.tools/venv/bin');
const PAGES = 3;
const PER_PAGE = 4;
const PER_CRAWL = PAGES + PAGES * PER_PAGE;

/** A shop on 127.0.0.1: /list?page=N (product links, a next link), /item/K; /slow never answers quickly. */
function shop(): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    res.setHeader('content-type', 'text/html; charset=utf-8');
    if (url.pathname === '/list') {
      const page = Number(url.searchParams.get('page') ?? '1');
      const links = Array.from({ length: PER_PAGE }, (_, i) => (page - 1) * PER_PAGE + i + 1).map((k) => `<a class="product" href="/item/${k}">P${k}</a>`).join('');
      const next = page < PAGES ? `<a class="next" href="/list?page=${page + 1}">next</a>` : '';
      return res.end(`<html><body><h1>Page ${page}</h1>${links}${next}</body></html>`);
    }
    const m = /^\/item\/(\d+)$/.exec(url.pathname);
    if (m) return res.end(`<html><body><h1 class="name">Prodüct ${m[1]}</h1></body></html>`);
    if (url.pathname === '/slow') return void setTimeout(() => res.end('<html></html>'), 120_000);
    res.statusCode = 404;
    res.end('not found');
  });
}

const SHOP_SPIDER = `
import scrapy


class ShopSpider(scrapy.Spider):
    name = "shop"

    def __init__(self, base=None, tag="none", **kw):
        super().__init__(**kw)
        self.start_urls = [base + "/list?page=1"]
        self.tag = tag

    def parse(self, response):
        yield {"kind": "listing", "tag": self.tag, "job": getattr(self, "_job", None), "delay": self.settings.get("DOWNLOAD_DELAY")}
        for href in response.css("a.product::attr(href)").getall():
            yield response.follow(href, self.parse_item)
        nxt = response.css("a.next::attr(href)").get()
        if nxt:
            yield response.follow(nxt, self.parse)

    def parse_item(self, response):
        yield {"kind": "product", "url": response.url, "name": response.css("h1.name::text").get()}
`;

/** The same crawl through crawlab-sdk's own pipeline: its items must not be stored twice. */
const SDK_SPIDER = SHOP_SPIDER.replace('name = "shop"', 'name = "shopsdk"\n    custom_settings = {"ITEM_PIPELINES": {"crawlab.CrawlabPipeline": 300}}').replace('class ShopSpider', 'class ShopSdkSpider');

const SLOW_SPIDER = `
import scrapy


class SlowSpider(scrapy.Spider):
    name = "slow"

    def __init__(self, base=None, **kw):
        super().__init__(**kw)
        self.start_urls = [base + "/slow"]

    def parse(self, response):
        pass
`;

function projectFiles(url: string, token: string): Record<string, string> {
  return {
    'scrapy.cfg': `[settings]\ndefault = shop.settings\n\n[deploy]\nurl = ${url}\nusername = anyone\npassword = ${token}\nproject = shop\n`,
    // Its own environment: the worker builds a venv from this file (docs/environments.md).
    'requirements.txt': 'scrapy\ncrawlab-sdk==0.7.0\n',
    // scrapyd-deploy builds the egg with this setup.py; requirements.txt rides at the egg's root.
    'setup.py': 'from setuptools import setup, find_packages\nsetup(name="shop", version="1.0", packages=find_packages(), data_files=[("", ["requirements.txt"])], entry_points={"scrapy": ["settings = shop.settings"]})\n',
    'shop/__init__.py': '',
    'shop/settings.py': 'BOT_NAME = "shop"\nSPIDER_MODULES = ["shop.spiders"]\nROBOTSTXT_OBEY = False\nTELNETCONSOLE_ENABLED = False\nLOG_LEVEL = "INFO"\n',
    'shop/spiders/__init__.py': '',
    'shop/spiders/shop.py': SHOP_SPIDER,
    'shop/spiders/shopsdk.py': SDK_SPIDER,
    'shop/spiders/slow.py': SLOW_SPIDER,
  };
}

function writeTree(dir: string, files: Record<string, string>): void {
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), content);
  }
}

describe('the Scrapyd-compatible API with the real scrapyd-client and plain HTTP', () => {
  const cluster = new TestCluster('scrapyd');
  const site = shop();
  let m: Master;
  let base: string;
  let auth: string;

  /** A Scrapyd call the way clients make it: basic auth, a form body for POST. */
  async function scrapyd(endpoint: string, form?: Record<string, string | string[]>, token = cluster.apiToken): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = { authorization: `Basic ${Buffer.from(`someone:${token}`).toString('base64')}` };
    let body: URLSearchParams | undefined;
    if (form) {
      body = new URLSearchParams();
      for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    }
    const res = await fetch(`http://127.0.0.1:${m.httpPort}/scrapyd/${endpoint}`, { method: form ? 'POST' : 'GET', headers, body });
    const text = await res.text();
    return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text };
  }

  async function getText(path: string): Promise<{ status: number; text: string }> {
    const res = await fetch(`http://127.0.0.1:${m.httpPort}${path}`, { headers: { authorization: auth } });
    return { status: res.status, text: await res.text() };
  }

  async function ended(jobid: string) {
    return waitFor(`job ${jobid} finished`, async () => {
      const s = await scrapyd(`status.json?job=${jobid}`);
      return s.body.currstate === 'finished' ? s.body : undefined;
    }, 180_000, 300);
  }

  beforeAll(async () => {
    if (!existsSync(join(VENV_BIN, 'scrapyd-deploy'))) throw new Error(`${VENV_BIN}/scrapyd-deploy missing: run bash scripts/setup-python.sh`);
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    m = await cluster.startMaster();
    auth = `Basic ${Buffer.from(`x:${cluster.apiToken}`).toString('base64')}`;
    await cluster.startWorker({ masters: [m], name: 'py1', env: { PATH: `${VENV_BIN}:${process.env.PATH ?? ''}` } });
    await cluster.waitNodeReady(m.api, 'py1');
  });
  afterAll(async () => {
    await cluster.stop();
    site.closeAllConnections();
    await new Promise<void>((r) => site.close(() => r()));
  });

  it('scrapyd-deploy deploys a project with its own requirements.txt: one Crawlnest spider per Scrapy spider', async () => {
    const dir = join(cluster.dir, 'shop-project');
    writeTree(dir, projectFiles(`http://127.0.0.1:${m.httpPort}/scrapyd/`, cluster.apiToken));
    // Through the venv's python: the script's shebang names the directory the venv was made in.
    const out = await run(join(VENV_BIN, 'python'), [join(VENV_BIN, 'scrapyd-deploy'), '-v', 'r1'], { cwd: dir, timeout: 300_000, env: { ...process.env, PATH: `${VENV_BIN}:${process.env.PATH ?? ''}` } });
    const answer = JSON.parse(out.stdout.slice(out.stdout.indexOf('{')));
    expect(answer).toMatchObject({ status: 'ok', project: 'shop', version: 'r1', spiders: 3, node_name: expect.any(String) });
    expect(answer.listed_by).toMatch(/^scrapy list/);

    const spiders = (await m.api.get('/api/spiders')).body as { name: string; cmd: string }[];
    expect(spiders.filter((s) => s.name.startsWith('shop.')).map((s) => [s.name, s.cmd]).sort()).toEqual([
      ['shop.shop', 'scrapy crawl shop'],
      ['shop.shopsdk', 'scrapy crawl shopsdk'],
      ['shop.slow', 'scrapy crawl slow'],
    ]);
    expect((await scrapyd('listprojects.json')).body).toMatchObject({ status: 'ok', projects: ['shop'] });
    expect((await scrapyd('listversions.json?project=shop')).body).toMatchObject({ status: 'ok', versions: ['r1'] });
    expect((await scrapyd('listspiders.json?project=shop')).body).toMatchObject({ status: 'ok', spiders: ['shop', 'shopsdk', 'slow'] });
  }, 400_000);

  it('schedule → listjobs/status → log and items URLs; every item lands in the results once, with _tid/_sid', async () => {
    const s = await scrapyd('schedule.json', { project: 'shop', spider: 'shop', base, tag: 'a b', setting: 'DOWNLOAD_DELAY=0.01', jobid: 'job-one' });
    expect(s.body).toMatchObject({ status: 'ok', jobid: 'job-one' });
    const status = await ended('job-one');
    expect(status.job).toMatchObject({ id: 'job-one', spider: 'shop', crawlnest_status: 'finished', log_url: '/scrapyd/logs/shop/shop/job-one.log', items_url: '/scrapyd/items/shop/shop/job-one.jl' });
    const jobs = (await scrapyd('listjobs.json?project=shop')).body;
    expect(jobs.status).toBe('ok');
    expect(jobs.finished.map((j: { id: string }) => j.id)).toContain('job-one');
    expect(jobs.finished[0]).toEqual(expect.objectContaining({ start_time: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/), end_time: expect.any(String) }));

    const log = await getText(status.job.log_url);
    expect(log.status).toBe(200);
    expect(log.text).toContain('Spider closed (finished)');
    const jl = await getText(status.job.items_url);
    const items = jl.text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(items).toHaveLength(PER_CRAWL);
    const listing = items.find((i) => i.kind === 'listing');
    // Spider arguments (-a, with a space), _job as Scrapyd passes it, and the caller's setting.
    expect(listing).toMatchObject({ tag: 'a b', job: 'job-one', delay: '0.01' });

    const spiderId = ((await m.api.get('/api/spiders')).body as { id: string; name: string }[]).find((x) => x.name === 'shop.shop')!.id;
    const stored = await exportedItems(m.api, spiderId);
    const taskId = status.job.crawlnest_task;
    expect(stored).toHaveLength(PER_CRAWL);
    expect(stored.every((i) => i._tid === taskId && i._sid === spiderId)).toBe(true);
    expect(new Set(stored.filter((i) => i.kind === 'product').map((i) => i.url)).size).toBe(PAGES * PER_PAGE);
  }, 300_000);

  it("a spider running crawlab-sdk's pipeline stores each item once; without a jobid the jobid is the task id", async () => {
    const s = await scrapyd('schedule.json', { project: 'shop', spider: 'shopsdk', base });
    expect(s.body.status).toBe('ok');
    const status = await ended(s.body.jobid);
    expect(status.job.crawlnest_task).toBe(s.body.jobid);
    const spiderId = ((await m.api.get('/api/spiders')).body as { id: string; name: string }[]).find((x) => x.name === 'shop.shopsdk')!.id;
    const stored = await exportedItems(m.api, spiderId);
    expect(stored).toHaveLength(PER_CRAWL);
    expect(stored.find((i) => i.kind === 'listing')).toMatchObject({ job: s.body.jobid });
  }, 300_000);

  it('cancel.json stops a running job: prevstate running, then finished (cancelled); a second cancel has no prevstate', async () => {
    const s = await scrapyd('schedule.json', { project: 'shop', spider: 'slow', base, jobid: 'slow-1' });
    expect(s.body.status).toBe('ok');
    await waitFor('slow-1 running', async () => ((await scrapyd('status.json?job=slow-1&project=shop')).body.currstate === 'running' ? true : undefined), 60_000, 200);
    const c = await scrapyd('cancel.json', { project: 'shop', job: 'slow-1' });
    expect(c.body).toMatchObject({ status: 'ok', prevstate: 'running' });
    const done = await ended('slow-1');
    expect(done.job.crawlnest_status).toBe('cancelled');
    expect((await scrapyd('cancel.json', { project: 'shop', job: 'slow-1' })).body).toMatchObject({ status: 'ok', prevstate: null });
    expect((await scrapyd('daemonstatus.json')).body).toMatchObject({ status: 'ok', node_name: expect.any(String), pending: 0, running: 0, finished: 3 });
  }, 120_000);

  it('python-scrapyd-api (its endpoints pointed under /scrapyd/) lists, schedules, reads job status and gets errors as exceptions', async () => {
    const script = `
import json, sys
from scrapyd_api import ScrapydAPI
from scrapyd_api.exceptions import ScrapydResponseError
names = ["add_version", "cancel", "delete_project", "delete_version", "list_jobs", "list_projects", "list_spiders", "list_versions", "schedule"]
files = ["addversion", "cancel", "delproject", "delversion", "listjobs", "listprojects", "listspiders", "listversions", "schedule"]
api = ScrapydAPI(sys.argv[1], auth=("x", sys.argv[2]), endpoints={n: "/scrapyd/%s.json" % f for n, f in zip(names, files)})
out = {"projects": api.list_projects(), "spiders": api.list_spiders("shop"), "versions": api.list_versions("shop")}
job = api.schedule("shop", "shop", base=sys.argv[3], tag="via-python")
out["job"] = job
out["state"] = api.job_status("shop", job)
try:
    api.schedule("shop", "nope")
except ScrapydResponseError as e:
    out["error"] = str(e)
print(json.dumps(out))
`;
    const r = await run(join(VENV_BIN, 'python'), ['-c', script, `http://127.0.0.1:${m.httpPort}`, cluster.apiToken, base], { timeout: 60_000 });
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ projects: ['shop'], spiders: ['shop', 'shopsdk', 'slow'], versions: ['r1'], job: expect.any(String), error: "spider 'nope' not found" });
    expect(['pending', 'running', 'finished']).toContain(out.state);
    await ended(out.job);
    const jl = await getText(`/scrapyd/items/shop/shop/${out.job}.jl`);
    expect(jl.text.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((i) => i.kind === 'listing')).toMatchObject({ tag: 'via-python', job: out.job });
  }, 120_000);

  it("errors come back in Scrapyd's shape: HTTP 200, status error, a message, node_name", async () => {
    const cases: [string, Record<string, string> | undefined, RegExp][] = [
      ['schedule.json', { project: 'nope', spider: 'shop' }, /project 'nope' not found/],
      ['schedule.json', { project: 'shop', spider: 'nope' }, /spider 'nope' not found/],
      ['schedule.json', { project: 'shop' }, /'spider' parameter is required/],
      ['schedule.json', { project: 'shop', spider: 'shop', jobid: 'job-one' }, /jobid 'job-one' is already taken/],
      ['schedule.json', { project: 'shop', spider: 'shop', _version: 'old' }, /latest version/],
      ['listspiders.json', { project: 'nope' }, /project 'nope' not found/],
      ['listspiders.json', { project: 'shop', _version: 'nope' }, /version 'nope'/],
      ['cancel.json', { project: 'nope', job: 'x' }, /project 'nope' not found/],
      ['delversion.json', { project: 'shop', version: 'nope' }, /version 'nope' of project 'shop' not found/],
      ['delproject.json', { project: 'nope' }, /project 'nope' not found/],
      ['addversion.json', { project: 'shop', version: 'r2' }, /'egg' file is required/],
    ];
    for (const [endpoint, form, message] of cases) {
      const r = await scrapyd(endpoint, form);
      expect({ endpoint, status: r.status, body: r.body }).toEqual({ endpoint, status: 200, body: { node_name: expect.any(String), status: 'error', message: expect.stringMatching(message) } });
    }

    const bad = new FormData();
    bad.append('project', 'broken');
    bad.append('version', 'v1');
    bad.append('egg', new Blob([new Uint8Array(Buffer.from('this is not a zip file'))]), 'broken.egg');
    const r = await fetch(`http://127.0.0.1:${m.httpPort}/scrapyd/addversion.json`, { method: 'POST', headers: { authorization: auth }, body: bad });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ status: 'error', message: expect.stringMatching(/^egg: not a valid egg/) });
    expect((await scrapyd('listprojects.json')).body.projects).toEqual(['shop']);

    expect((await scrapyd('status.json?job=unknown-job')).body).toMatchObject({ status: 'ok', currstate: 'unknown' });
    expect((await getText('/scrapyd/logs/shop/shop/unknown-job.log')).status).toBe(404);
    expect((await getText('/scrapyd/items/shop/shopsdk/job-one.jl')).status).toBe(404); // job-one is spider shop's
    const wrong = await scrapyd('daemonstatus.json', undefined, 'wrong-token-0123456789');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ status: 'error' });
    const none = await fetch(`http://127.0.0.1:${m.httpPort}/scrapyd/daemonstatus.json`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic/);
  }, 120_000);

  it('delversion of the last version and delproject remove the project and its spiders', async () => {
    expect((await scrapyd('delversion.json', { project: 'shop', version: 'r1' })).body).toMatchObject({ status: 'ok' });
    expect((await scrapyd('listprojects.json')).body).toMatchObject({ status: 'ok', projects: [] });
    expect(((await m.api.get('/api/spiders')).body as { name: string }[]).filter((s) => s.name === 'shop' || s.name.startsWith('shop.'))).toEqual([]);
    expect((await scrapyd('listversions.json?project=shop')).body).toMatchObject({ status: 'ok', versions: [] });
  });
});

import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { Master, TestCluster } from './support/cluster';
import { PROJECT_ROOT } from './support/ferretdb-server';
import { endedWithCounts, exportedItems, spiderWithFiles } from './support/results-helpers';

const VENV_BIN = join(PROJECT_ROOT, '.tools/venv/bin');
const PAGES = 5;
const PER_PAGE = 10;

/** A shop on 127.0.0.1: /list?page=N (10 product links, a next link), /item/K detail pages. */
function shop(): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    res.setHeader('content-type', 'text/html; charset=utf-8');
    if (url.pathname === '/list') {
      const page = Number(url.searchParams.get('page') ?? '1');
      const links = Array.from({ length: PER_PAGE }, (_, i) => (page - 1) * PER_PAGE + i + 1)
        .map((k) => `<li><a class="product" href="/item/${k}">Product ${k}</a></li>`)
        .join('');
      const next = page < PAGES ? `<a class="next" href="/list?page=${page + 1}">next</a>` : '';
      return res.end(`<html><body><h1>Page ${page}</h1><ul>${links}</ul>${next}</body></html>`);
    }
    const m = /^\/item\/(\d+)$/.exec(url.pathname);
    if (m) {
      const k = Number(m[1]);
      return res.end(`<html><body><h1 class="name">Ünïcode "product", #${k}</h1><span class="price">${(k * 1.25).toFixed(2)}</span><p class="desc">line one\nline two, with comma</p></body></html>`);
    }
    res.statusCode = 404;
    res.end('not found');
  });
}

const SPIDER = `
import scrapy


class ShopSpider(scrapy.Spider):
    name = "shop"

    def __init__(self, base=None, **kw):
        super().__init__(**kw)
        self.start_urls = [base + "/list?page=1"]

    def parse(self, response):
        links = response.css("a.product::attr(href)").getall()
        # Item type 1: one per listing page.
        yield {"kind": "listing", "page": int(response.css("h1::text").re_first(r"\\d+")), "links": len(links)}
        for href in links:
            yield response.follow(href, self.parse_item)
        nxt = response.css("a.next::attr(href)").get()
        if nxt:
            yield response.follow(nxt, self.parse)

    def parse_item(self, response):
        # Item type 2: one per detail page.
        yield {
            "kind": "product",
            "url": response.url,
            "name": response.css("h1.name::text").get(),
            "price": float(response.css("span.price::text").get()),
            "desc": response.css("p.desc::text").get(),
        }
`;

const FILES = {
  'scrapy.cfg': '[settings]\ndefault = shop.settings\n',
  'shop/__init__.py': '',
  'shop/spiders/__init__.py': '',
  'shop/spiders/shop.py': SPIDER,
  'shop/settings.py': [
    'BOT_NAME = "shop"',
    'SPIDER_MODULES = ["shop.spiders"]',
    'ROBOTSTXT_OBEY = False',
    'TELNETCONSOLE_ENABLED = False',
    'LOG_LEVEL = "INFO"',
    "ITEM_PIPELINES = {'crawlab.CrawlabPipeline': 300}",
  ].join('\n'),
};

describe('results from a real Scrapy project with crawlab-sdk 0.7.0 CrawlabPipeline', () => {
  const cluster = new TestCluster('results-scrapy');
  const site = shop();
  let m: Master;
  beforeAll(async () => {
    if (!existsSync(join(VENV_BIN, 'scrapy'))) throw new Error(`${VENV_BIN}/scrapy missing: run bash scripts/setup-python.sh`);
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', () => r()));
    m = await cluster.startMaster();
    for (const name of ['py1', 'py2']) {
      await cluster.startWorker({ masters: [m], name, env: { PATH: `${VENV_BIN}:${process.env.PATH ?? ''}` } });
      await cluster.waitNodeReady(m.api, name);
    }
  });
  afterAll(async () => {
    await cluster.stop();
    await new Promise<void>((r) => site.close(() => r()));
  });

  it('a crawl on each of two workers stores every item once per task, with _tid/_sid; CSV parses back to the same values', async () => {
    const base = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    const sid = await spiderWithFiles(m.api, { name: 'shop', cmd: 'scrapy crawl shop', param: `-a base=${base}` }, FILES);
    const created = await m.api.post('/api/tasks', { spiderId: sid, mode: 'all-nodes' });
    expect(created.status).toBe(201);
    const ids: string[] = created.body.tasks.map((t: { id: string }) => t.id);
    expect(ids).toHaveLength(2);
    const perTask = PAGES + PAGES * PER_PAGE;
    for (const id of ids) {
      const t = await endedWithCounts(m.api, id, 120_000);
      expect(t).toMatchObject({ status: 'finished', resultCount: perTask, resultErrors: 0, resultDuplicates: 0 });
    }
    expect((await m.api.get(`/api/spiders/${sid}`)).body.resultCount).toBe(2 * perTask);

    const items = await exportedItems(m.api, sid);
    expect(items).toHaveLength(2 * perTask);
    for (const id of ids) {
      const mine = items.filter((i) => i._tid === id);
      expect(mine.every((i) => i._sid === sid)).toBe(true);
      expect(mine.filter((i) => i.kind === 'listing').map((i) => i.page).sort()).toEqual([1, 2, 3, 4, 5]);
      const urls = mine.filter((i) => i.kind === 'product').map((i) => i.url);
      expect(new Set(urls).size).toBe(PAGES * PER_PAGE);
    }
    const p7 = items.find((i) => i.kind === 'product' && String(i.url).endsWith('/item/7'))!;
    expect(p7).toMatchObject({ name: 'Ünïcode "product", #7', price: 8.75, desc: 'line one\nline two, with comma' });

    const csv = await m.api.get(`/api/spiders/${sid}/results/export?format=csv`);
    const rows = parse(csv.text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(2 * perTask);
    const row7 = rows.find((r) => r.url === p7.url && r._tid === p7._tid)!;
    expect(row7).toMatchObject({ kind: 'product', name: 'Ünïcode "product", #7', price: '8.75', desc: 'line one\nline two, with comma', _sid: sid });
    const listing = rows.find((r) => r.kind === 'listing' && r.page === '3')!;
    expect(listing).toMatchObject({ links: '10', url: '', name: '' });
  }, 180_000);
});

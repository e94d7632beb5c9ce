import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import * as yazl from 'yazl';
import { Master, TestCluster } from './support/cluster';
import { taskEnded, taskOutput } from './support/spider-tree';

/**
 * The real-client check of issue 11: a Scrapy project using crawlab-sdk's pipeline, zipped as
 * a folder the way users do it, shipped with its own requirements.txt, runs `scrapy crawl` on
 * a worker whose Python has no Scrapy. It scrapes a site this test serves on 127.0.0.1.
 */
const PAGE = `<html><body>
<div class="quote"><span class="text">Simple is better.</span><small class="author">Tim</small></div>
<div class="quote"><span class="text">Errors should never pass silently.</span><small class="author">Tim</small></div>
</body></html>`;

function project(url: string): Record<string, string> {
  return {
    'shop/requirements.txt': 'scrapy\ncrawlab-sdk==0.7.0\n',
    'shop/scrapy.cfg': '[settings]\ndefault = shop.settings\n',
    'shop/shop/__init__.py': '',
    'shop/shop/settings.py': [
      'BOT_NAME = "shop"',
      'SPIDER_MODULES = ["shop.spiders"]',
      'ROBOTSTXT_OBEY = False',
      'LOG_LEVEL = "INFO"',
      'TELNETCONSOLE_ENABLED = False',
      'ITEM_PIPELINES = {"crawlab.CrawlabPipeline": 300}',
      '',
    ].join('\n'),
    'shop/shop/spiders/__init__.py': '',
    'shop/shop/spiders/quotes.py': [
      'import scrapy',
      '',
      'class QuotesSpider(scrapy.Spider):',
      '    name = "quotes"',
      `    start_urls = [${JSON.stringify(url)}]`,
      '',
      '    def parse(self, response):',
      '        for q in response.css("div.quote"):',
      '            yield {"text": q.css("span.text::text").get(), "author": q.css("small.author::text").get()}',
      '',
    ].join('\n'),
  };
}

async function zip(entries: Record<string, string>): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, content] of Object.entries(entries)) z.addBuffer(Buffer.from(content), name, { mode: 0o100644 });
  z.end();
  const parts: Buffer[] = [];
  for await (const c of z.outputStream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('a Scrapy + crawlab-sdk project with its own requirements.txt', () => {
  const cluster = new TestCluster('environments-scrapy');
  let master: Master;
  let site: Server;
  let url: string;

  beforeAll(async () => {
    site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE));
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
    master = await cluster.startMaster();
    await cluster.startWorker({ masters: [master], name: 'w1' });
    await cluster.waitNodeReady(master.api, 'w1');
  });

  afterAll(async () => {
    await cluster.stop();
    await new Promise((r) => site.close(r));
  });

  it("runs `scrapy crawl` on a worker without Scrapy; its items pass crawlab-sdk's pipeline", async () => {
    const spiderId = (await master.api.post('/api/spiders', { name: 'shop', cmd: 'scrapy crawl quotes' })).body.id;
    const up = await master.api.put(`/api/spiders/${spiderId}/files`, await zip(project(url)), 'application/zip');
    expect(up.status).toBe(200);
    expect(up.body.unwrapped).toBe('shop/');
    const r = await master.api.post('/api/tasks', { spiderId });
    const t = await taskEnded(master.api, r.body.tasks[0].id, 300_000);
    const out = await taskOutput(master.api, t.id);
    expect({ status: t.status, error: t.error }).toEqual({ status: 'finished', error: null });
    // Scrapy's closing stats count the items; crawlab-sdk's pipeline ran for each (it is in
    // ITEM_PIPELINES, so a missing crawlab-sdk would have failed the crawl at start). Its
    // `{"type":"data",...}` lines are results where the results feature is merged, log lines
    // otherwise, so the stats line is what this check relies on.
    expect(out.some((l) => l.includes("'item_scraped_count': 2"))).toBe(true);
    expect(out.some((l) => l.includes('Enabled item pipelines:'))).toBe(true);
    expect(out.join('\n')).toContain('crawlab.CrawlabPipeline');
  }, 330_000);
});

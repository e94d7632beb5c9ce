/** Where the pipeline lands in a Scrapyd-deployed tree (next to scrapy.cfg, on Scrapy's sys.path). */
export const ITEMS_PIPELINE_FILE = 'crawlnest_scrapyd.py';

/**
 * A Scrapy item pipeline Crawlnest adds to every tree deployed through addversion.json and
 * enables on runs scheduled through schedule.json (`-s ITEM_PIPELINES_BASE=…`). It prints each
 * item as crawlab-sdk's result line, which the worker's result capture stores with `_tid`/`_sid`.
 * A project that already runs crawlab-sdk's pipeline stores its items through it: this one then
 * stays off, so no item is stored twice.
 */
export const ITEMS_PIPELINE_SOURCE = `# Added by Crawlnest's Scrapyd-compatible API (docs/scrapyd.md). Do not edit: replaced on deploy.
import json
import sys

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured


class CrawlnestItemsPipeline:
    @classmethod
    def from_crawler(cls, crawler):
        pipelines = crawler.settings.getwithbase("ITEM_PIPELINES")
        names = [p if isinstance(p, str) else getattr(p, "__module__", "") + "." + getattr(p, "__name__", "") for p in pipelines]
        if any(n.split(".")[0] == "crawlab" for n in names):
            raise NotConfigured("crawlab-sdk's pipeline already stores the items")
        return cls()

    def process_item(self, item, spider=None):
        line = json.dumps({"type": "data", "payload": ItemAdapter(item).asdict(), "ipc": True}, default=str)
        sys.stdout.write(line + "\\n")
        sys.stdout.flush()
        return item
`;

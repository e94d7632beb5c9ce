import { Injectable, Logger } from '@nestjs/common';
import { ManifestCache, toolsForTree } from '@crawlnest/sync';

/**
 * The tools a spider's current version needs on a worker (python3 for requirements.txt,
 * npm for package.json), from its cached manifest. A failed lookup needs nothing: the
 * dispatcher then places the task as before, and the worker reports a missing tool itself.
 */
@Injectable()
export class SpiderToolsLookup {
  private readonly log = new Logger(SpiderToolsLookup.name);

  constructor(private readonly manifests: ManifestCache) {}

  /** `version`: the spider's current version when the caller already read it (0: looked up here, one query). */
  async forSpider(spiderId: string, version = 0): Promise<string[]> {
    try {
      const m = await this.manifests.get(spiderId, version);
      return toolsForTree(m.files.map((f) => f.path));
    } catch (err) {
      this.log.debug({ msg: 'spider tools lookup failed', spiderId, err: String(err) });
      return [];
    }
  }
}

import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { Command } from 'commander';
import type { CrawlnestApi } from '../api/crawlnest-api';
import { ApiError } from '../api/http-client';
import { findSpiderByName, resolveProject } from '../api/resolve';
import type { UploadLimits } from '../api/types';
import { connect } from '../context';
import { CollectedFile, collectFiles } from '../deploy/collect-files';
import { packedSizeWithin } from '../deploy/measure-archive';
import { packArchive } from '../deploy/pack-archive';
import { CliError, UsageError } from '../errors';
import { humanBytes, note, printJson } from '../output/print';
import { ByteProgress } from '../output/progress';

type DeployOptions = { name?: string; cmd?: string; param?: string; project?: string; json?: boolean };

export function deployCommand(): Command {
  return new Command('deploy')
    .argument('<dir>', 'folder whose contents become the spider root as they are, a lone sub-folder included (scrapy.cfg at its top for Scrapy)')
    .description("create the spider or upload a new version: streams a tar.gz of DIR, honouring .gitignore and .crawlnestignore; refuses before creating anything when the packed size is over the master's limit")
    .option('--name <name>', 'spider name (default: the folder name)')
    .option('--cmd <cmd>', 'command to run (required for a new spider; updates an existing one)')
    .option('--param <param>', 'arguments appended to the command')
    .option('--project <project>', 'project of a new spider (name or id); may be left out by a member of one project')
    .option('--json', 'print the API answer {version, fileCount, totalBytes, unwrapped[, unchanged]}')
    .action(async (dir: string, o: DeployOptions) => {
      const root = resolve(dir);
      if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`${dir} is not a folder`);
      const name = o.name ?? basename(root);
      const files = collectFiles(root);
      if (files.length === 0) throw new UsageError(`${dir} has no file to upload (all ignored?)`);
      const api = connect();
      const rawBytes = files.reduce((n, f) => n + f.size, 0);
      // Before anything is created: an upload the master would refuse is refused here.
      await checkLimits(api, root, dir, files, rawBytes);
      let spider = await findSpiderByName(api, name);
      let created = false;
      if (!spider) {
        if (!o.cmd) throw new UsageError(`spider '${name}' does not exist yet: give --cmd to create it`);
        const projectId = o.project ? (await resolveProject(api, o.project)).id : undefined;
        spider = await api.createSpider({ name, cmd: o.cmd, param: o.param ?? '', projectId });
        created = true;
        note(`created spider ${spider.name} (${spider.id})`);
      } else if (o.cmd !== undefined || o.param !== undefined) {
        spider = await api.updateSpider(spider.id, { cmd: o.cmd, param: o.param });
      }
      note(`packing ${files.length} files (${humanBytes(rawBytes)}) from ${root}`);
      const progress = new ByteProgress('upload', rawBytes);
      const archive = packArchive(root, files.map((f) => f.path));
      // The upload reads from `progress`; a packing error (unreadable file) fails the upload.
      archive.on('error', (e: Error) => progress.destroy(e));
      archive.pipe(progress);
      let result;
      try {
        // DIR is what the user named: its contents are the root, a lone folder in it included.
        result = await api.uploadArchive(spider.id, progress, { unwrap: false });
      } catch (e) {
        progress.abort();
        // A spider this run created with nothing in it would only be in the way of the next try.
        if (created) await removeCreated(api, spider.id, spider.name);
        throw e;
      }
      progress.finish();
      if (result.unwrapped) note(`the master dropped the top-level folder ${result.unwrapped} from every path (it does not know unwrap=false)`);
      if (o.json) printJson(result);
      else if (result.unchanged) process.stdout.write(`deployed ${spider.name} (${spider.id}): unchanged, still version ${result.version} (${result.fileCount} files, ${humanBytes(result.totalBytes)}); nothing to sync\n`);
      else process.stdout.write(`deployed ${spider.name} (${spider.id}): version ${result.version}, ${result.fileCount} files, ${humanBytes(result.totalBytes)}\n`);
    });
}

/** The master's limits, or null from a master that does not publish them (it still checks). */
async function uploadLimits(api: CrawlnestApi): Promise<UploadLimits | null> {
  try {
    return await api.uploadLimits();
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

async function checkLimits(api: CrawlnestApi, root: string, dir: string, files: CollectedFile[], rawBytes: number): Promise<void> {
  const limits = await uploadLimits(api);
  if (!limits) return;
  const leaveOut = `leave files out with a .crawlnestignore in ${dir}`;
  if (files.length > limits.maxTreeFiles) {
    throw new CliError(`${dir} has ${files.length} files to upload, over the master's limit of ${limits.maxTreeFiles} (CRAWLNEST_MAX_TREE_FILES): ${leaveOut}, or raise CRAWLNEST_MAX_TREE_FILES on the master; nothing was created or uploaded`);
  }
  if (rawBytes > limits.maxTreeBytes) {
    throw new CliError(`${dir} holds ${humanBytes(rawBytes)} to upload, over the master's limit of ${humanBytes(limits.maxTreeBytes)} (CRAWLNEST_MAX_TREE_BYTES): ${leaveOut}, or raise CRAWLNEST_MAX_TREE_BYTES on the master; nothing was created or uploaded`);
  }
  const packed = await packedSizeWithin(root, files, limits.maxUploadBytes);
  if (packed.bytes > limits.maxUploadBytes) {
    throw new CliError(
      `${dir} packs to ${humanBytes(packed.bytes)} (${packed.bytes} bytes), over the master's upload limit of ${humanBytes(limits.maxUploadBytes)} (${limits.maxUploadBytes} bytes, CRAWLNEST_MAX_UPLOAD_BYTES): ${leaveOut}, or raise CRAWLNEST_MAX_UPLOAD_BYTES on the master; nothing was created or uploaded`,
    );
  }
}

async function removeCreated(api: CrawlnestApi, id: string, name: string): Promise<void> {
  try {
    await api.deleteSpider(id);
    note(`removed spider ${name} (${id}) again: it was created by this deploy and its upload failed`);
  } catch (e) {
    note(`could not remove spider ${name} (${id}) after its upload failed: ${(e as Error).message}; remove it with \`crawlnest spiders rm ${id}\``);
  }
}

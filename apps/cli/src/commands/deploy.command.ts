import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { Command } from 'commander';
import { findSpiderByName, resolveProject } from '../api/resolve';
import { connect } from '../context';
import { collectFiles } from '../deploy/collect-files';
import { packArchive } from '../deploy/pack-archive';
import { UsageError } from '../errors';
import { humanBytes, note, printJson } from '../output/print';
import { ByteProgress } from '../output/progress';

type DeployOptions = { name?: string; cmd?: string; param?: string; project?: string; json?: boolean };

export function deployCommand(): Command {
  return new Command('deploy')
    .argument('<dir>', 'folder whose contents become the spider root (scrapy.cfg at its top for Scrapy)')
    .description('create the spider or upload a new version: streams a tar.gz of DIR, honouring .gitignore and .crawlnestignore')
    .option('--name <name>', 'spider name (default: the folder name)')
    .option('--cmd <cmd>', 'command to run (required for a new spider; updates an existing one)')
    .option('--param <param>', 'arguments appended to the command')
    .option('--project <project>', 'project of a new spider (name or id); may be left out by a member of one project')
    .option('--json', 'print the API answer {version, fileCount, totalBytes}')
    .action(async (dir: string, o: DeployOptions) => {
      const root = resolve(dir);
      if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`${dir} is not a folder`);
      const name = o.name ?? basename(root);
      const files = collectFiles(root);
      if (files.length === 0) throw new UsageError(`${dir} has no file to upload (all ignored?)`);
      const api = connect();
      let spider = await findSpiderByName(api, name);
      if (!spider) {
        if (!o.cmd) throw new UsageError(`spider '${name}' does not exist yet: give --cmd to create it`);
        const projectId = o.project ? (await resolveProject(api, o.project)).id : undefined;
        spider = await api.createSpider({ name, cmd: o.cmd, param: o.param ?? '', projectId });
        note(`created spider ${spider.name} (${spider.id})`);
      } else if (o.cmd !== undefined || o.param !== undefined) {
        spider = await api.updateSpider(spider.id, { cmd: o.cmd, param: o.param });
      }
      const rawBytes = files.reduce((n, f) => n + f.size, 0);
      note(`packing ${files.length} files (${humanBytes(rawBytes)}) from ${root}`);
      const progress = new ByteProgress('upload', rawBytes);
      const archive = packArchive(root, files.map((f) => f.path));
      // The upload reads from `progress`; a packing error (unreadable file) fails the upload.
      archive.on('error', (e: Error) => progress.destroy(e));
      archive.pipe(progress);
      let result;
      try {
        result = await api.uploadArchive(spider.id, progress);
      } catch (e) {
        progress.abort();
        throw e;
      }
      progress.finish();
      if (o.json) printJson(result);
      else process.stdout.write(`deployed ${spider.name} (${spider.id}): version ${result.version}, ${result.fileCount} files, ${humanBytes(result.totalBytes)}\n`);
    });
}

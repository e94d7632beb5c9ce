import { Command } from 'commander';
import { resolveProject, resolveSpider } from '../api/resolve';
import type { Spider } from '../api/types';
import { connect } from '../context';
import { humanBytes, note, printJson, printTable } from '../output/print';

export function spiderRows(spiders: Spider[]): void {
  printTable(
    ['id', 'name', 'cmd', 'version', 'files', 'size', 'updated'],
    spiders.map((s) => [s.id, s.name, s.cmd, s.version, s.fileCount, humanBytes(s.totalBytes ?? 0), s.updatedAt]),
  );
}

export function spidersCommand(): Command {
  const cmd = new Command('spiders').description('list, create and remove spiders');
  cmd
    .command('ls')
    .description('list spiders')
    .option('--json', 'print the API objects')
    .action(async (o: { json?: boolean }) => {
      const spiders = await connect().listSpiders();
      if (o.json) printJson(spiders);
      else spiderRows(spiders);
    });
  cmd
    .command('create <name>')
    .description('create a spider (names are unique); upload its files with `crawlnest deploy`')
    .requiredOption('--cmd <cmd>', 'command to run, e.g. "scrapy crawl quotes"')
    .option('--param <param>', 'arguments appended to the command', '')
    .option('--description <text>', 'free text', '')
    .option('--project <project>', 'project (name or id); may be left out by a member of one project')
    .option('--json', 'print the API object')
    .action(async (name: string, o: { cmd: string; param: string; description: string; project?: string; json?: boolean }) => {
      const api = connect();
      const projectId = o.project ? (await resolveProject(api, o.project)).id : undefined;
      const s = await api.createSpider({ name, cmd: o.cmd, param: o.param, description: o.description, projectId });
      if (o.json) printJson(s);
      else note(`created spider ${s.name} (${s.id})`);
    });
  cmd
    .command('rm <spider>')
    .description('delete a spider (by name or id) and its versions')
    .action(async (ref: string) => {
      const api = connect();
      const s = await resolveSpider(api, ref);
      await api.deleteSpider(s.id);
      note(`deleted spider ${s.name} (${s.id})`);
    });
  return cmd;
}

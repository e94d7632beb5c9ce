import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Command } from 'commander';
import { resolveSpider } from '../api/resolve';
import { connect } from '../context';
import { UsageError } from '../errors';
import { humanBytes, note, printJson, printTable } from '../output/print';

function versionArg(text: string): number {
  if (!/^[1-9][0-9]*$/.test(text)) throw new UsageError(`'${text}' is not a version number`);
  return Number(text);
}

/** `crawlnest versions …`: the versions of a spider's files, read, compared and restored. */
export function versionsCommand(): Command {
  const cmd = new Command('versions').description("list, show, compare and restore the versions of a spider's files");
  cmd
    .command('ls <spider>')
    .description('the versions the spider keeps, newest first')
    .option('--json', 'print the API objects')
    .action(async (ref: string, o: { json?: boolean }) => {
      const api = connect();
      const s = await resolveSpider(api, ref);
      const versions = await api.listVersions(s.id);
      if (o.json) return printJson(versions);
      printTable(
        ['version', 'files', 'size', 'created', 'note'],
        versions.map((v) => [v.version, v.fileCount, humanBytes(v.totalBytes), v.createdAt, [v.version === s.version ? 'current' : '', v.restoredFrom ? `restores ${v.restoredFrom}` : ''].filter(Boolean).join(', ')]),
      );
    });
  cmd
    .command('show <spider> <version> [path]')
    .description('the files of a version; with PATH, that file\'s content on stdout')
    .option('--json', 'print the API objects (the manifest)')
    .action(async (ref: string, v: string, path: string | undefined, o: { json?: boolean }) => {
      const version = versionArg(v);
      const api = connect();
      const s = await resolveSpider(api, ref);
      if (path !== undefined) {
        const res = await api.versionFile(s.id, version, path);
        await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), process.stdout, { end: false });
        return;
      }
      const files = await api.versionFiles(s.id, version);
      if (o.json) return printJson(files);
      printTable(['path', 'size', 'mode', 'sha256'], files.map((f) => [f.path, humanBytes(f.size), f.mode.toString(8), f.sha256.slice(0, 12)]));
    });
  cmd
    .command('diff <spider> <a> <b>')
    .description('files added, removed and changed from version A to version B, with text diffs')
    .option('--json', 'print the API object')
    .action(async (ref: string, a: string, b: string, o: { json?: boolean }) => {
      const [from, to] = [versionArg(a), versionArg(b)];
      const api = connect();
      const s = await resolveSpider(api, ref);
      const d = await api.diffVersions(s.id, from, to);
      if (o.json) return printJson(d);
      for (const f of d.added) process.stdout.write(`added    ${f.path} (${humanBytes(f.size)})\n`);
      for (const f of d.removed) process.stdout.write(`removed  ${f.path}\n`);
      for (const c of d.changed) {
        const what = c.from.sha256 === c.to.sha256 ? `mode ${c.from.mode.toString(8)} -> ${c.to.mode.toString(8)}` : c.diff === undefined ? 'binary or large, no text diff' : '';
        process.stdout.write(`changed  ${c.path}${what ? ` (${what})` : ''}\n`);
      }
      if (d.added.length + d.removed.length + d.changed.length === 0) note(`versions ${from} and ${to} hold the same files`);
      for (const c of d.changed) if (c.diff) process.stdout.write(`\n${c.diff}`);
    });
  cmd
    .command('restore <spider> <version>')
    .description("make a new version with that version's files (history only grows)")
    .option('--json', 'print the API object')
    .action(async (ref: string, v: string, o: { json?: boolean }) => {
      const version = versionArg(v);
      const api = connect();
      const s = await resolveSpider(api, ref);
      const r = await api.restoreVersion(s.id, version);
      if (o.json) return printJson(r);
      if (r.unchanged) process.stdout.write(`${s.name}: version ${r.version} already holds the files of version ${version}; nothing changed\n`);
      else process.stdout.write(`${s.name}: restored version ${version} as version ${r.version}\n`);
    });
  return cmd;
}

import { createWriteStream } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Command, Option } from 'commander';
import { resolveSpider } from '../api/resolve';
import { connect } from '../context';
import { UsageError } from '../errors';
import { note } from '../output/print';
import { ByteProgress } from '../output/progress';

export const EXPORT_FORMATS = ['csv', 'json', 'jsonl'] as const;

export function resultsCommand(): Command {
  return new Command('results')
    .argument('<spider>', 'spider name or id')
    .description("export a spider's results (all tasks, or one with --task), streamed to a file or stdout")
    .option('--task <task>', 'only the results of this task')
    .addOption(new Option('--format <format>', 'file format').choices(EXPORT_FORMATS).default('jsonl'))
    .option('-o, --output <file>', 'write here (with a progress bar) instead of stdout')
    .option('--bom', 'start a CSV with a UTF-8 byte order mark, so Excel reads it as UTF-8')
    .action(async (ref: string, o: { task?: string; format: string; output?: string; bom?: boolean }) => {
      const api = connect();
      const spider = await resolveSpider(api, ref);
      if (o.bom && o.format !== 'csv') throw new UsageError('--bom applies to --format csv only');
      const res = await api.exportResults(spider.id, { format: o.format, taskId: o.task, bom: o.bom ? '1' : undefined });
      if (!res.body) throw new Error('the export answered without a body');
      const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
      if (!o.output) {
        await pipeline(body, process.stdout as unknown as Writable, { end: false });
        return;
      }
      const length = Number(res.headers.get('content-length')) || null;
      const progress = new ByteProgress('export', length);
      try {
        await pipeline(body, progress, createWriteStream(o.output));
      } catch (e) {
        progress.abort();
        throw e;
      }
      progress.finish();
      note(`wrote ${o.output} (${o.format}, ${progress.total} bytes)`);
    });
}

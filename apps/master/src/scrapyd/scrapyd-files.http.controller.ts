import { Controller, Get, Param, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NotFoundError } from '@crawlnest/node';
import { ResultsQueryService } from '@crawlnest/results';
import { TaskService } from '@crawlnest/task';
import { Public } from '../security/bearer-auth.guard';
import { jsonStream } from '../http/results-export';
import { ScrapydBasicAuthGuard } from './scrapyd-basic-auth.guard';
import { ScrapydFileErrorFilter } from './scrapyd-error.filter';
import { ScrapydService } from './scrapyd.service';

/** A job's log and items where Scrapyd serves them: /logs/<project>/<spider>/<job>.log, /items/….jl. */
@ApiExcludeController()
@Public()
@UseGuards(ScrapydBasicAuthGuard)
@UseFilters(ScrapydFileErrorFilter)
@Controller('scrapyd')
export class ScrapydFilesHttpController {
  constructor(
    private readonly scrapyd: ScrapydService,
    private readonly tasks: TaskService,
    private readonly results: ResultsQueryService,
  ) {}

  @Get('logs/:project/:spider/:file')
  async log(@Param('project') project: string, @Param('spider') spider: string, @Param('file') file: string, @Res() res: Response): Promise<void> {
    const job = await this.scrapyd.jobTask(project, spider, stripExt(file, '.log'));
    const tasks = this.tasks;
    res.type('text/plain; charset=utf-8');
    await pipeline(
      Readable.from(
        (async function* () {
          let after = 0;
          for (;;) {
            const page = await tasks.logs(job.taskId, after, 1000);
            if (page.lines.length) yield page.lines.map((l) => l.text + '\n').join('');
            if (page.lines.length < 1000) return;
            after = page.nextAfter;
          }
        })(),
      ),
      res,
    );
  }

  @Get('items/:project/:spider/:file')
  async items(@Param('project') project: string, @Param('spider') spider: string, @Param('file') file: string, @Res() res: Response): Promise<void> {
    const job = await this.scrapyd.jobTask(project, spider, stripExt(file, '.jl'));
    const { cursor } = await this.results.exportSource(job.spiderId, job.taskId);
    res.type('application/x-jsonlines; charset=utf-8');
    try {
      await pipeline(jsonStream(cursor, true), res);
    } finally {
      await cursor.close();
    }
  }
}

function stripExt(file: string, ext: string): string {
  if (!file.endsWith(ext)) throw new NotFoundError('file', file);
  return file.slice(0, -ext.length);
}

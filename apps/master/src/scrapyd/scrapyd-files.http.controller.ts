import { Controller, Get, Param, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NotFoundError } from '@crawlnest/node';
import { ResultsQueryService } from '@crawlnest/results';
import { TaskService } from '@crawlnest/task';
import { Public } from '../security/bearer-auth.guard';
import { jsonStream } from '../http/results-export';
import { ScrapydAccess } from './scrapyd-access';
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
    private readonly access: ScrapydAccess,
  ) {}

  /** A project the caller may not read answers like a missing file. */
  private async readable(req: Request, project: string): Promise<void> {
    const visible = await this.access.visibleProjects(req);
    if (visible && !visible.has(project)) throw new NotFoundError('project', project);
  }

  @Get('logs/:project/:spider/:file')
  async log(@Req() req: Request, @Param('project') project: string, @Param('spider') spider: string, @Param('file') file: string, @Res() res: Response): Promise<void> {
    await this.readable(req, project);
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
  async items(@Req() req: Request, @Param('project') project: string, @Param('spider') spider: string, @Param('file') file: string, @Res() res: Response): Promise<void> {
    await this.readable(req, project);
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

import { All, Controller, Inject, Req, UploadedFiles, UseFilters, UseGuards, UseInterceptors } from '@nestjs/common';
import { AnyFilesInterceptor } from '@nestjs/platform-express';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request } from 'express';
import 'multer';
import { removeStaged } from '@crawlnest/sync';
import { Public } from '../security/bearer-auth.guard';
import type { StagedPart } from '../http/upload-staging.storage';
import { parseSchedule, ScheduleForm, ScrapydInputError } from './scrapyd-args';
import { ScrapydAccess } from './scrapyd-access';
import { ScrapydBasicAuthGuard } from './scrapyd-basic-auth.guard';
import { ScrapydErrorFilter } from './scrapyd-error.filter';
import { SCRAPYD_OPTIONS, ScrapydOptions } from './scrapyd.options';
import { ScrapydService } from './scrapyd.service';

/** Query and form fields together (Scrapyd reads both). */
function form(req: Request): ScheduleForm {
  const body = typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body) ? (req.body as ScheduleForm) : {};
  return { ...(req.query as ScheduleForm), ...body };
}

function required(f: ScheduleForm, name: string): string {
  const v = f[name];
  const s = Array.isArray(v) ? v[v.length - 1] : v;
  if (!s) throw new ScrapydInputError(`'${name}' parameter is required`);
  return s;
}

function optional(f: ScheduleForm, name: string): string | null {
  const v = f[name];
  return (Array.isArray(v) ? v[v.length - 1] : v) || null;
}

/**
 * Scrapyd 1.6's JSON API (docs/scrapyd.md) at /scrapyd/*.json. Answers carry `node_name` and
 * `status`; errors are HTTP 200 with status "error". GET and POST are both accepted. Each
 * route checks the caller's role in the project it names (ScrapydAccess).
 */
@ApiExcludeController()
@Public()
@UseGuards(ScrapydBasicAuthGuard)
@UseFilters(ScrapydErrorFilter)
@Controller('scrapyd')
export class ScrapydHttpController {
  constructor(
    private readonly scrapyd: ScrapydService,
    private readonly access: ScrapydAccess,
    @Inject(SCRAPYD_OPTIONS) private readonly opts: ScrapydOptions,
  ) {}

  private ok<T extends object>(body: T) {
    return { node_name: this.opts.nodeName, status: 'ok', ...body };
  }

  @All('daemonstatus.json')
  async daemonStatus(@Req() req: Request) {
    return this.ok(await this.scrapyd.daemonStatus(await this.access.visibleProjects(req)));
  }

  @All('addversion.json')
  @UseInterceptors(AnyFilesInterceptor({ preservePath: false }))
  async addVersion(@Req() req: Request, @UploadedFiles() parts: StagedPart[] | undefined) {
    const staged = parts ?? [];
    try {
      const f = form(req);
      const project = required(f, 'project');
      const version = required(f, 'version');
      const egg = staged.find((p) => p.fieldname === 'egg');
      if (!egg) throw new ScrapydInputError("'egg' file is required (multipart/form-data)");
      const target = await this.access.deployTarget(req, project);
      const r = await this.scrapyd.addVersion(project, version, egg.path, target);
      return this.ok({ project, version, spiders: r.spiders, listed_by: r.listedBy });
    } finally {
      await removeStaged(staged.map((p) => ({ file: p.path })));
    }
  }

  @All('schedule.json')
  async schedule(@Req() req: Request) {
    const sched = parseSchedule(form(req));
    await this.access.require(req, sched.project, 'run');
    const jobid = await this.scrapyd.schedule(sched);
    return this.ok({ jobid });
  }

  @All('cancel.json')
  async cancel(@Req() req: Request) {
    const f = form(req);
    const project = required(f, 'project');
    await this.access.require(req, project, 'run');
    const prevstate = await this.scrapyd.cancel(project, required(f, 'job'));
    return this.ok({ prevstate });
  }

  @All('status.json')
  async status(@Req() req: Request) {
    const f = form(req);
    return this.ok(await this.scrapyd.status(required(f, 'job'), optional(f, 'project'), await this.access.visibleProjects(req)));
  }

  @All('listjobs.json')
  async listJobs(@Req() req: Request) {
    const project = optional(form(req), 'project');
    if (project !== null) await this.access.require(req, project, 'read');
    return this.ok(await this.scrapyd.listJobs(project, await this.access.visibleProjects(req)));
  }

  @All('listprojects.json')
  async listProjects(@Req() req: Request) {
    return this.ok({ projects: await this.scrapyd.listProjects(await this.access.visibleProjects(req)) });
  }

  @All('listversions.json')
  async listVersions(@Req() req: Request) {
    const project = required(form(req), 'project');
    await this.access.require(req, project, 'read');
    return this.ok({ versions: await this.scrapyd.listVersions(project) });
  }

  @All('listspiders.json')
  async listSpiders(@Req() req: Request) {
    const f = form(req);
    const project = required(f, 'project');
    await this.access.require(req, project, 'read');
    return this.ok({ spiders: await this.scrapyd.listSpiders(project, optional(f, '_version')) });
  }

  @All('delversion.json')
  async delVersion(@Req() req: Request) {
    const f = form(req);
    const project = required(f, 'project');
    await this.access.require(req, project, 'edit');
    await this.scrapyd.deleteVersion(project, required(f, 'version'));
    return this.ok({});
  }

  @All('delproject.json')
  async delProject(@Req() req: Request) {
    const project = required(form(req), 'project');
    await this.access.require(req, project, 'edit');
    await this.scrapyd.deleteProject(project);
    return this.ok({});
  }
}

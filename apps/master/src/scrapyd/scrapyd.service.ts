import { Inject, Injectable, Logger } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { NotFoundError } from '@crawlnest/node';
import { readZip, removeStaged, SpiderFilesService, SpiderRecord, SpiderRepository, SpiderService, StagedFile, stageStream, SYNC_MASTER_OPTIONS, SyncMasterOptions } from '@crawlnest/sync';
import { TaskService, TaskView } from '@crawlnest/task';
import { scrapyCfg, settingsModuleOf, spiderNamesInListing, spiderNamesInSource } from './egg-tree';
import { ITEMS_PIPELINE_FILE, ITEMS_PIPELINE_SOURCE } from './items-pipeline.source';
import { crawlParams, SAFE_NAME, ScheduleRequest, ScrapydInputError } from './scrapyd-args';
import { jobState, jobView } from './scrapyd-jobs';
import { SCRAPYD_OPTIONS, SCRAPYD_PREFIX, ScrapydOptions } from './scrapyd.options';
import { ScrapydJob, ScrapydRepository } from './scrapyd.repository';

const ENDED = new Set(['finished', 'error', 'cancelled', 'abnormal']);

/** Scrapyd's API over Crawlnest's spiders, versions and tasks (docs/scrapyd.md). */
@Injectable()
export class ScrapydService {
  private readonly log = new Logger(ScrapydService.name);

  constructor(
    private readonly repo: ScrapydRepository,
    private readonly spiders: SpiderService,
    private readonly spiderRecords: SpiderRepository,
    private readonly files: SpiderFilesService,
    private readonly tasks: TaskService,
    @Inject(SYNC_MASTER_OPTIONS) private readonly limits: SyncMasterOptions,
    @Inject(SCRAPYD_OPTIONS) private readonly opts: ScrapydOptions,
  ) {}

  /** `visible`: the projects the caller may see (null: all). */
  async daemonStatus(visible: ReadonlySet<string> | null): Promise<{ pending: number; running: number; finished: number }> {
    const counts = { pending: 0, running: 0, finished: 0 };
    for (const { job, task } of await this.jobTasks(null)) if (!visible || visible.has(job.project)) counts[jobState(task.status)]++;
    return counts;
  }

  /**
   * The egg's files become a new version of the project's tree (the project spider, which runs
   * `scrapy list`), then of each of its spiders `<project>.<spider>`. Staged files are removed
   * whatever the outcome. `projectId`: the Crawlnest project a new Scrapyd project goes to
   * (undefined: the default project).
   */
  async addVersion(project: string, version: string, egg: string, projectId?: string): Promise<{ spiders: number; listedBy: string }> {
    checkName('project', project);
    checkName('version', version);
    let files: StagedFile[] = [];
    try {
      try {
        files = await readZip(egg, this.limits.uploadDir, this.limits);
      } catch (err) {
        throw new ScrapydInputError(`egg: not a valid egg (zip) file: ${err instanceof Error ? err.message : String(err)}`);
      }
      const entryPoints = files.find((f) => f.path === 'EGG-INFO/entry_points.txt');
      const settings = entryPoints ? settingsModuleOf(await readFile(entryPoints.file, 'utf8')) : null;
      if (!settings) throw new ScrapydInputError('egg: no [scrapy] settings entry in EGG-INFO/entry_points.txt (build it with scrapyd-deploy)');
      files = files.filter((f) => f.path !== ITEMS_PIPELINE_FILE && (f.path !== 'scrapy.cfg' || !entryPoints));
      files.push(await this.stageText('scrapy.cfg', scrapyCfg(settings)), await this.stageText(ITEMS_PIPELINE_FILE, ITEMS_PIPELINE_SOURCE));

      const projectSpider = await this.projectSpider(project, projectId);
      const tree = await this.files.replaceAll(String(projectSpider._id), files);
      const listing = await this.runScrapyList(String(projectSpider._id), files, settings);
      for (const name of listing.names) {
        const spider = await this.crawlSpider(project, name, projectSpider.projectId);
        await this.files.replaceAll(String(spider._id), files);
      }
      await this.repo.saveVersion({ project, version, spiders: listing.names, treeVersion: tree.version, listedBy: listing.by });
      this.log.log({ msg: 'scrapyd version added', project, version, spiders: listing.names.length, listedBy: listing.by, treeVersion: tree.version });
      return { spiders: listing.names.length, listedBy: listing.by };
    } finally {
      await removeStaged(files);
    }
  }

  async schedule(req: ScheduleRequest): Promise<string> {
    const latest = await this.latestVersion(req.project);
    if (req.version !== null && req.version !== latest.version) {
      throw new ScrapydInputError(`version '${req.version}': Crawlnest runs the latest version of a project ('${latest.version}') only`);
    }
    if (!latest.spiders.includes(req.spider)) throw new ScrapydInputError(`spider '${req.spider}' not found`);
    const spider = await this.spiderRecords.findByName(`${req.project}.${req.spider}`);
    if (!spider) throw new ScrapydInputError(`spider '${req.spider}' not found`);
    const reserved = req.jobid ?? `pending-${Date.now()}-${Math.random().toString(16).slice(2)}`;
    if (req.jobid && !(await this.repo.tryInsertJob({ _id: req.jobid, project: req.project, spider: req.spider, spiderId: String(spider._id), taskId: null }))) {
      throw new ScrapydInputError(`jobid '${req.jobid}' is already taken`);
    }
    let task: TaskView;
    try {
      [task] = await this.tasks.create({
        spiderId: String(spider._id),
        mode: 'random',
        nodeIds: [],
        labels: [],
        cmd: `scrapy crawl ${req.spider}`,
        param: crawlParams(req),
        env: req.jobid ? [{ key: 'SCRAPY_JOB', value: req.jobid }] : [],
        priority: req.priority,
        timeoutSec: 0,
        maxRetries: 0,
      });
    } catch (err) {
      if (req.jobid) await this.repo.deleteJob(reserved);
      throw err;
    }
    if (req.jobid) await this.repo.setJobTask(req.jobid, task.id);
    else await this.repo.tryInsertJob({ _id: task.id, project: req.project, spider: req.spider, spiderId: String(spider._id), taskId: task.id });
    return req.jobid ?? task.id;
  }

  async listJobs(project: string | null, visible: ReadonlySet<string> | null): Promise<Record<'pending' | 'running' | 'finished', Record<string, unknown>[]>> {
    if (project !== null) await this.requireProject(project);
    const out: Record<'pending' | 'running' | 'finished', Record<string, unknown>[]> = { pending: [], running: [], finished: [] };
    for (const { job, task } of await this.jobTasks(project)) if (!visible || visible.has(job.project)) out[jobState(task.status)].push(jobView(this.ref(job), task, SCRAPYD_PREFIX));
    return out;
  }

  async status(jobid: string, project: string | null, visible: ReadonlySet<string> | null): Promise<{ currstate: string; job?: Record<string, unknown> }> {
    const job = await this.repo.job(jobid);
    if (!job || !job.taskId || (project !== null && job.project !== project) || (visible && !visible.has(job.project))) return { currstate: 'unknown' };
    const task = await this.taskOf(job);
    if (!task) return { currstate: 'unknown' };
    return { currstate: jobState(task.status), job: jobView(this.ref(job), task, SCRAPYD_PREFIX) };
  }

  /** Scrapyd's prevstate: the state before the cancel; null for a job that had already ended or is unknown. */
  async cancel(project: string, jobid: string): Promise<string | null> {
    await this.requireProject(project);
    const job = await this.repo.job(jobid);
    if (!job || job.project !== project || !job.taskId) return null;
    const task = await this.taskOf(job);
    if (!task || ENDED.has(task.status)) return null;
    try {
      await this.tasks.cancel(job.taskId);
    } catch (err) {
      // It ended between the read and the cancel.
      this.log.log({ msg: 'scrapyd cancel of an ending task', jobid, err: err instanceof Error ? err.message : String(err) });
      return null;
    }
    return jobState(task.status);
  }

  async listProjects(visible: ReadonlySet<string> | null): Promise<string[]> {
    return (await this.repo.projectNames()).filter((p) => !visible || visible.has(p));
  }

  async listVersions(project: string): Promise<string[]> {
    const p = await this.repo.project(project);
    if (!p) return [];
    return (await this.repo.versionsOf(project)).map((v) => v.version);
  }

  async listSpiders(project: string, version: string | null): Promise<string[]> {
    const versions = await this.repo.versionsOf(project);
    if (!(await this.repo.project(project)) || versions.length === 0) throw new ScrapydInputError(`project '${project}' not found`);
    const v = version === null ? versions[versions.length - 1] : versions.find((x) => x.version === version);
    if (!v) throw new ScrapydInputError(`version '${version}' of project '${project}' not found`);
    return v.spiders;
  }

  /** Removing the last version removes the project, as Scrapyd does. */
  async deleteVersion(project: string, version: string): Promise<void> {
    await this.requireProject(project);
    if (!(await this.repo.deleteVersion(project, version))) throw new ScrapydInputError(`version '${version}' of project '${project}' not found`);
    if ((await this.repo.versionsOf(project)).length === 0) await this.deleteProject(project);
  }

  /** The project's spiders (theirs and the project spider, with their files) go with it. */
  async deleteProject(project: string): Promise<void> {
    const p = await this.requireProject(project);
    const prefix = `${project}.`;
    for (const s of await this.spiders.list()) {
      if (s.name.startsWith(prefix) || s.id === p.spiderId) await this.spiders.delete(s.id).catch((err: unknown) => this.rethrowUnlessGone(err));
    }
    await this.repo.deleteProject(project);
  }

  /** The job's task for /logs and /items, checked against the path's project and spider. */
  async jobTask(project: string, spider: string, jobid: string): Promise<{ taskId: string; spiderId: string }> {
    const job = await this.repo.job(jobid);
    if (!job || !job.taskId || job.project !== project || job.spider !== spider) throw new NotFoundError('job', `${project}/${spider}/${jobid}`);
    return { taskId: job.taskId, spiderId: job.spiderId };
  }

  private rethrowUnlessGone(err: unknown): void {
    if (!(err instanceof NotFoundError)) throw err;
  }

  private ref(job: ScrapydJob) {
    return { jobid: job._id, project: job.project, spider: job.spider, taskId: job.taskId ?? '' };
  }

  private async jobTasks(project: string | null): Promise<{ job: ScrapydJob; task: TaskView }[]> {
    const out: { job: ScrapydJob; task: TaskView }[] = [];
    for (const job of await this.repo.recentJobs(project)) {
      const task = await this.taskOf(job);
      if (task) out.push({ job, task });
    }
    return out;
  }

  /** null: no task yet (a jobid being scheduled) or the task was removed by retention. */
  private async taskOf(job: ScrapydJob): Promise<TaskView | null> {
    if (!job.taskId) return null;
    try {
      return await this.tasks.get(job.taskId);
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }

  private async requireProject(project: string) {
    const p = await this.repo.project(project);
    if (!p) throw new ScrapydInputError(`project '${project}' not found`);
    return p;
  }

  private async latestVersion(project: string) {
    await this.requireProject(project);
    const versions = await this.repo.versionsOf(project);
    if (versions.length === 0) throw new ScrapydInputError(`project '${project}' not found`);
    return versions[versions.length - 1];
  }

  /** The spider that holds the project's tree and runs `scrapy list` (named like the project). */
  private async projectSpider(project: string, projectId: string | undefined): Promise<SpiderRecord> {
    const known = await this.repo.project(project);
    if (known) {
      const s = await this.spiderRecords.findById(known.spiderId);
      if (s) return s;
    } else if (await this.spiderRecords.findByName(project)) {
      throw new ScrapydInputError(`project '${project}': a spider of that name exists and was not deployed through this API`);
    }
    const created = await this.spiders.create({ ...NEW_SPIDER, projectId, name: project, cmd: 'scrapy list', description: `Scrapyd project ${project}: its deployed tree; runs \`scrapy list\`` });
    await this.repo.saveProject(project, created.id);
    const s = await this.spiderRecords.findById(created.id);
    if (!s) throw new Error(`project spider ${created.id} vanished`);
    return s;
  }

  private async crawlSpider(project: string, name: string, projectId: string | undefined): Promise<SpiderRecord> {
    const full = `${project}.${name}`;
    const found = await this.spiderRecords.findByName(full);
    if (found) return found;
    const created = await this.spiders.create({ ...NEW_SPIDER, projectId, name: full, cmd: `scrapy crawl ${name}`, description: `Scrapy spider ${name} of Scrapyd project ${project}` });
    const s = await this.spiderRecords.findById(created.id);
    if (!s) throw new Error(`spider ${created.id} vanished`);
    return s;
  }

  /**
   * `scrapy list` on a worker, in the tree's environment (its requirements.txt). A failed
   * listing is the deploy's error, with the log's last lines; no answer in time falls back to
   * reading the spiders package's sources.
   */
  private async runScrapyList(projectSpiderId: string, files: StagedFile[], settings: string): Promise<{ names: string[]; by: string }> {
    const [task] = await this.tasks.create({ spiderId: projectSpiderId, mode: 'random', nodeIds: [], labels: [], cmd: 'scrapy list', param: '', env: [], priority: 10, timeoutSec: Math.ceil(this.opts.listTimeoutMs / 1000), maxRetries: 0 });
    const deadline = Date.now() + this.opts.listTimeoutMs;
    let t = task;
    while (!ENDED.has(t.status) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 300));
      t = await this.tasks.get(task.id);
    }
    if (t.status === 'finished') return { names: spiderNamesInListing(await this.logLines(task.id, 'stdout')), by: `scrapy list (task ${task.id})` };
    if (ENDED.has(t.status)) {
      const tail = (await this.logLines(task.id, null)).slice(-15).join('\n');
      throw new ScrapydInputError(`scrapy list failed on a worker (task ${task.id}, ${t.status}${t.error ? `: ${t.error}` : ''}):\n${tail}`);
    }
    await this.tasks.cancel(task.id).catch((err: unknown) => this.log.warn({ msg: 'cancel of a late scrapy list failed', task: task.id, err: String(err) }));
    const pkg = settings.split('.')[0];
    const sources = await Promise.all(files.filter((f) => f.path.startsWith(`${pkg}/spiders/`) && f.path.endsWith('.py')).map((f) => readFile(f.file, 'utf8')));
    this.log.warn({ msg: 'scrapy list did not answer in time: spiders read from the sources', task: task.id, timeoutMs: this.opts.listTimeoutMs });
    return { names: spiderNamesInSource(sources), by: `the sources of ${pkg}/spiders (scrapy list did not end within ${this.opts.listTimeoutMs} ms)` };
  }

  private async logLines(taskId: string, stream: 'stdout' | null): Promise<string[]> {
    const out: string[] = [];
    let after = 0;
    for (;;) {
      const page = await this.tasks.logs(taskId, after, 1000);
      for (const l of page.lines) if (stream === null || l.stream === stream) out.push(l.text);
      if (page.lines.length < 1000) return out;
      after = page.nextAfter;
    }
  }

  private async stageText(path: string, text: string): Promise<StagedFile> {
    return { path, ...(await stageStream(Readable.from([Buffer.from(text)]), this.limits.uploadDir, this.limits.maxUploadBytes, path)) };
  }
}

const NEW_SPIDER = { param: '', resultsCollection: undefined, dedup: null, killGraceSec: 0, keepVersions: null };

function checkName(what: string, value: string): void {
  if (!SAFE_NAME.test(value)) throw new ScrapydInputError(`${what} '${value}': only letters, digits, '_', '.', '-' (up to 100)`);
}

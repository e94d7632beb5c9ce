import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { isDuplicateKeyError } from '@crawlnest/node';
import { SCRAPYD_JOB_MODEL, SCRAPYD_PROJECT_MODEL, SCRAPYD_VERSION_MODEL } from './scrapyd.schema';

export type ScrapydProject = { _id: string; spiderId: string; createdAt: Date };
export type ScrapydVersion = { _id: string; project: string; version: string; spiders: string[]; treeVersion: number; listedBy: string; addedAt: Date };
export type ScrapydJob = { _id: string; project: string; spider: string; spiderId: string; taskId: string | null; createdAt: Date };

/** Jobs a listing reads at most (Scrapyd itself keeps 100 finished jobs). */
const MAX_JOBS_READ = 500;

/**
 * The Scrapyd view's own records. Projects, versions and jobs are few; listings filter by
 * project without an index (a scan on FerretDB, cheap at this size; MongoDB uses `project_1`).
 */
@Injectable()
export class ScrapydRepository {
  constructor(
    @InjectModel(SCRAPYD_PROJECT_MODEL) private readonly projects: Model<ScrapydProject>,
    @InjectModel(SCRAPYD_VERSION_MODEL) private readonly versions: Model<ScrapydVersion>,
    @InjectModel(SCRAPYD_JOB_MODEL) private readonly jobs: Model<ScrapydJob>,
  ) {}

  project(name: string): Promise<ScrapydProject | null> {
    return this.projects.findById(name).lean<ScrapydProject>();
  }

  /** Keeps the first record when two deploys of a new project race. */
  async saveProject(name: string, spiderId: string): Promise<void> {
    try {
      await this.projects.create({ _id: name, spiderId, createdAt: new Date() });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
  }

  async projectNames(): Promise<string[]> {
    const rows = await this.projects.find({}, { _id: 1 }).lean<{ _id: string }[]>();
    return rows.map((r) => r._id).sort();
  }

  async deleteProject(name: string): Promise<void> {
    await this.versions.deleteMany({ project: name });
    await this.jobs.deleteMany({ project: name });
    await this.projects.deleteOne({ _id: name });
  }

  async saveVersion(v: Omit<ScrapydVersion, '_id' | 'addedAt'>): Promise<void> {
    const _id = `${v.project}\n${v.version}`;
    await this.versions.deleteOne({ _id });
    await this.versions.create({ ...v, _id, addedAt: new Date() });
  }

  /** Oldest first, as listversions.json answers. */
  async versionsOf(project: string): Promise<ScrapydVersion[]> {
    const rows = await this.versions.find({ project }).lean<ScrapydVersion[]>();
    return rows.sort((a, b) => new Date(a.addedAt).getTime() - new Date(b.addedAt).getTime());
  }

  async deleteVersion(project: string, version: string): Promise<boolean> {
    const r = await this.versions.deleteOne({ _id: `${project}\n${version}` });
    return r.deletedCount > 0;
  }

  /** false: the jobid is taken. */
  async tryInsertJob(job: Omit<ScrapydJob, 'createdAt'>): Promise<boolean> {
    try {
      await this.jobs.create({ ...job, createdAt: new Date() });
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  async setJobTask(jobid: string, taskId: string): Promise<void> {
    await this.jobs.updateOne({ _id: jobid }, { $set: { taskId } });
  }

  async deleteJob(jobid: string): Promise<void> {
    await this.jobs.deleteOne({ _id: jobid });
  }

  job(jobid: string): Promise<ScrapydJob | null> {
    return this.jobs.findById(jobid).lean<ScrapydJob>();
  }

  /** Newest first, at most MAX_JOBS_READ; `project` null: every project's. */
  async recentJobs(project: string | null): Promise<ScrapydJob[]> {
    const rows = await this.jobs.find(project === null ? {} : { project }).lean<ScrapydJob[]>();
    return rows.sort((a, b) => new Date(b.createdAt).getTime() - new Date(a.createdAt).getTime()).slice(0, MAX_JOBS_READ);
  }
}

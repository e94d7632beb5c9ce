import { Schema } from 'mongoose';

export const SCRAPYD_PROJECT_MODEL = 'ScrapydProject';
export const SCRAPYD_VERSION_MODEL = 'ScrapydVersion';
export const SCRAPYD_JOB_MODEL = 'ScrapydJob';

/** A project deployed through addversion.json (`_id` = project name) and the spider holding its tree. */
export const ScrapydProjectSchema = new Schema(
  {
    _id: { type: String, required: true },
    spiderId: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'scrapyd_projects', versionKey: false },
);

/**
 * One Scrapyd version of a project (`_id` = `<project>\n<version>`): its spiders as
 * `scrapy list` printed them, and the Crawlnest version of the project's tree it became.
 */
export const ScrapydVersionSchema = new Schema(
  {
    _id: { type: String, required: true },
    project: { type: String, required: true },
    version: { type: String, required: true },
    spiders: { type: [String], default: [] },
    treeVersion: { type: Number, required: true },
    listedBy: { type: String, required: true },
    addedAt: { type: Date, required: true },
  },
  { collection: 'scrapyd_versions', versionKey: false },
);

/**
 * A scheduled job (`_id` = the jobid: the caller's, else the task id; the unique `_id` makes a
 * reused jobid fail atomically on FerretDB as on MongoDB). Few per project: Scrapyd-style
 * listings scan them.
 */
export const ScrapydJobSchema = new Schema(
  {
    _id: { type: String, required: true },
    project: { type: String, required: true },
    spider: { type: String, required: true },
    spiderId: { type: String, required: true },
    taskId: { type: String, default: null },
    createdAt: { type: Date, required: true },
  },
  { collection: 'scrapyd_jobs', versionKey: false },
);

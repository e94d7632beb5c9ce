import type { Types } from 'mongoose';
import type { ManifestEntry } from './manifest';

/** The project created on start that holds the spiders from before projects ("default" in hex, padded). */
export const DEFAULT_PROJECT_ID = '64656661756c740000000000';

export type SpiderRecord = {
  _id: Types.ObjectId;
  name: string;
  cmd: string;
  param: string;
  description: string;
  /** Versions to keep; null or absent: the master's CRAWLNEST_KEEP_VERSIONS. */
  keepVersions?: number | null;
  version: number;
  fileCount: number;
  totalBytes: number;
  /** Where its results go (results lib); absent on spiders created before results existed. */
  resultsCollection?: string;
  dedup?: SpiderDedup | null;
  /** SIGTERM → SIGKILL grace for its tasks, seconds; 0 or absent: the worker's default. */
  killGraceSec?: number;
  /** The project it belongs to; absent on spiders stored before projects: the `default` project. */
  projectId?: string;
  createdAt: Date;
  updatedAt: Date;
};

/** Results dedup of a spider: one stored item per value of `keys`. */
export type SpiderDedup = { keys: string[]; mode: 'ignore' | 'overwrite' };

export type SpiderView = {
  id: string;
  name: string;
  cmd: string;
  param: string;
  description: string;
  keepVersions: number | null;
  version: number;
  fileCount: number;
  totalBytes: number;
  resultsCollection: string;
  dedup: SpiderDedup | null;
  killGraceSec: number;
  projectId: string;
  createdAt: string;
  updatedAt: string;
};

export type SpiderVersionRecord = {
  _id: string;
  spiderId: string;
  version: number;
  files: ManifestEntry[];
  createdAt: Date;
  restoredFrom?: number;
};

export function toSpiderView(s: SpiderRecord): SpiderView {
  return {
    id: String(s._id),
    name: s.name,
    cmd: s.cmd,
    param: s.param,
    description: s.description,
    keepVersions: s.keepVersions ?? null,
    version: s.version,
    fileCount: s.fileCount,
    totalBytes: s.totalBytes,
    resultsCollection: s.resultsCollection ?? defaultResultsCollectionName(s.name, String(s._id)),
    dedup: s.dedup ?? null,
    killGraceSec: s.killGraceSec ?? 0,
    projectId: s.projectId ?? DEFAULT_PROJECT_ID,
    createdAt: new Date(s.createdAt).toISOString(),
    updatedAt: new Date(s.updatedAt).toISOString(),
  };
}

/** `results_<slug of the spider name>`; the spider id stands in when the name has no letters or digits. */
export function defaultResultsCollectionName(spiderName: string, spiderId: string): string {
  const slug = spiderName
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 60);
  return `results_${slug || spiderId}`;
}

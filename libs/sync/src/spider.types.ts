import type { Types } from 'mongoose';
import type { ManifestEntry } from './manifest';

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
  createdAt: Date;
  updatedAt: Date;
};

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
  createdAt: string;
  updatedAt: string;
};

export type SpiderVersionRecord = {
  _id: string;
  spiderId: string;
  version: number;
  files: ManifestEntry[];
  createdAt: Date;
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
    createdAt: new Date(s.createdAt).toISOString(),
    updatedAt: new Date(s.updatedAt).toISOString(),
  };
}

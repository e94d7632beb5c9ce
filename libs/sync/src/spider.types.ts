import type { Types } from 'mongoose';
import type { ManifestEntry } from './manifest';

export type SpiderRecord = {
  _id: Types.ObjectId;
  name: string;
  cmd: string;
  param: string;
  description: string;
  version: number;
  fileCount: number;
  totalBytes: number;
  /** SIGTERM → SIGKILL grace for its tasks, seconds; 0 or absent: the worker's default. */
  killGraceSec?: number;
  createdAt: Date;
  updatedAt: Date;
};

export type SpiderView = {
  id: string;
  name: string;
  cmd: string;
  param: string;
  description: string;
  version: number;
  fileCount: number;
  totalBytes: number;
  killGraceSec: number;
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
    version: s.version,
    fileCount: s.fileCount,
    totalBytes: s.totalBytes,
    killGraceSec: s.killGraceSec ?? 0,
    createdAt: new Date(s.createdAt).toISOString(),
    updatedAt: new Date(s.updatedAt).toISOString(),
  };
}

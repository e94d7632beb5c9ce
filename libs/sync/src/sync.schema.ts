import { Schema } from 'mongoose';

export const SPIDER_MODEL = 'Spider';
export const SPIDER_HEAD_MODEL = 'SpiderHead';
export const SPIDER_VERSION_MODEL = 'SpiderVersion';
export const BLOB_MODEL = 'Blob';
export const BLOB_CHUNK_MODEL = 'BlobChunk';

/**
 * What users edit on a spider (collection `spiders`): written by create and PATCH only
 * (docs/consistency.md). Uploads move the spider's head in `spider_heads` instead: on FerretDB
 * an update writes back the whole document it read, so an upload writing here could undo a
 * concurrent PATCH.
 */
export const SpiderSchema = new Schema(
  {
    name: { type: String, required: true },
    cmd: { type: String, required: true },
    param: { type: String, default: '' },
    description: { type: String, default: '' },
    version: { type: Number, default: 0 },
    fileCount: { type: Number, default: 0 },
    totalBytes: { type: Number, default: 0 },
    resultsCollection: { type: String },
    dedup: { type: { keys: [String], mode: String, _id: false }, default: null },
    killGraceSec: { type: Number, default: 0 },
    /** Versions to keep; null: CRAWLNEST_KEEP_VERSIONS. */
    keepVersions: { type: Number, default: null },
    /** Absent on spiders from before projects: DEFAULT_PROJECT_ID. */
    projectId: { type: String },
  },
  { collection: 'spiders', versionKey: false, timestamps: true },
);
// Names are unique (the CLI and scripts name spiders): the index makes a concurrent
// create or rename with a taken name fail atomically, on FerretDB as on MongoDB.
SpiderSchema.index({ name: 1 }, { unique: true, name: 'spider_name_unique' });

/** The spider's current version and its size (`_id` = spider id), written only by uploads. */
export const SpiderHeadSchema = new Schema(
  {
    _id: { type: String, required: true },
    version: { type: Number, required: true },
    fileCount: { type: Number, required: true },
    totalBytes: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'spider_heads', versionKey: false },
);

const EntrySchema = new Schema(
  { path: String, size: Number, mode: Number, sha256: String },
  { _id: false },
);

/**
 * One immutable version of a spider's tree. `_id` is `<spiderId>:<version>`: inserting it
 * is how a new version number is claimed, atomically on every backend.
 */
export const SpiderVersionSchema = new Schema(
  {
    _id: { type: String, required: true },
    spiderId: { type: String, required: true, index: true },
    version: { type: Number, required: true },
    files: { type: [EntrySchema], default: [] },
    createdAt: { type: Date, required: true },
    /** Made by restoring this version (POST …/versions/:version/restore); absent otherwise. */
    restoredFrom: { type: Number },
  },
  { collection: 'spider_versions', versionKey: false },
);

/** Content by sha256, stored once. The blob doc is written last and marks the chunks complete. */
export const BlobSchema = new Schema(
  {
    _id: { type: String, required: true },
    size: { type: Number, required: true },
    chunks: { type: Number, required: true },
    /** 2: chunks spread over `blob_chunks_00`..`ff` (see chunkShard); absent: `blob_chunks`. */
    layout: { type: Number },
    gen: { type: String },
    createdAt: { type: Date, required: true },
    touchedAt: { type: Date },
  },
  { collection: 'blobs', versionKey: false },
);

export const BlobChunkSchema = new Schema(
  {
    _id: { type: String, required: true },
    data: { type: Buffer, required: true },
  },
  { collection: 'blob_chunks', versionKey: false },
);

export const SYNC_MASTER_OPTIONS = Symbol('SYNC_MASTER_OPTIONS');

export type SyncMasterOptions = {
  clusterSecret: string;
  /** Largest upload body accepted (413 beyond). */
  maxUploadBytes: number;
  /** Cap on the uncompressed size of one tree. */
  maxTotalBytes: number;
  /** Cap on the number of files in one tree. */
  maxFiles: number;
  /** Where uploads are staged on disk before their content goes to the database. */
  uploadDir: string;
  /** Versions each spider keeps (its own `keepVersions` wins); default 10. */
  keepVersions?: number;
  /** How often one replica runs the storage collector; default 60 s. */
  storageGcIntervalMs?: number;
  /** Content stored or reused by an upload this recently is never collected; default 10 min. */
  blobGraceMs?: number;
  /** Where the master keeps verified copies of stored content (blob-disk.cache.ts); default `<uploadDir>/../blob-cache`. */
  blobCacheDir?: string;
  /** Bytes that cache may hold; default 2 GiB, 0 turns it off. */
  blobCacheBytes?: number;
};

import { ManifestEntry } from '../manifest';

/** Files up to this size go in DownloadMany batches; larger ones get a call each. */
const SMALL_FILE_BYTES = 256 * 1024;
/** At most the master's MAX_DOWNLOAD_MANY_ITEMS (64), which masters of every release accept. */
const BATCH_FILES = 64;
const BATCH_BYTES = 2 * 1024 * 1024;

/** Groups small files into batches (bounded by count and bytes); large files stay alone. */
export function downloadJobs(entries: ManifestEntry[]): ManifestEntry[][] {
  const jobs: ManifestEntry[][] = [];
  let batch: ManifestEntry[] = [];
  let batchBytes = 0;
  for (const e of entries) {
    if (e.size > SMALL_FILE_BYTES) {
      jobs.push([e]);
      continue;
    }
    if (batch.length === BATCH_FILES || batchBytes + e.size > BATCH_BYTES) {
      jobs.push(batch);
      batch = [];
      batchBytes = 0;
    }
    batch.push(e);
    batchBytes += e.size;
  }
  if (batch.length > 0) jobs.push(batch);
  return jobs;
}

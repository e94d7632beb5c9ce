import type { Request } from 'express';
import type { StorageEngine } from 'multer';
import { rm } from 'node:fs/promises';
import { PayloadTooLargeError } from '@crawlnest/node';
import { assertSafePath, stageStream } from '@crawlnest/sync';
import { withUploadLimitHint } from './upload-limit-hint';

export type StagingLimits = { uploadDir: string; maxUploadBytes: number; maxTotalBytes: number; maxFiles: number };

/** What a multipart part becomes: its staged file and the sha256 computed while writing it. */
export type StagedPart = Express.Multer.File & { sha256: string };

/**
 * Multer storage that streams each part to a file under the master's data dir, hashing on
 * the way, so a multipart upload never sits in memory. The part's filename (its spider
 * path) is checked before a byte is written; the request's file count and total size are
 * capped here, with 413, as they arrive.
 */
export class UploadStagingStorage implements StorageEngine {
  private readonly seen = new WeakMap<Request, { files: number; bytes: number }>();

  constructor(private readonly limits: StagingLimits) {}

  _handleFile(req: Request, file: Express.Multer.File, cb: (error?: unknown, info?: Partial<StagedPart>) => void): void {
    this.handle(req, file).then(
      (info) => cb(null, info),
      (err: unknown) => cb(withUploadLimitHint(err)),
    );
  }

  _removeFile(_req: Request, file: Express.Multer.File, cb: (error: Error | null) => void): void {
    rm(file.path, { force: true }).then(
      () => cb(null),
      (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))),
    );
  }

  private async handle(req: Request, file: Express.Multer.File): Promise<Partial<StagedPart>> {
    assertSafePath(file.originalname, 'multipart file name');
    const seen = this.seen.get(req) ?? { files: 0, bytes: 0 };
    this.seen.set(req, seen);
    if (++seen.files > this.limits.maxFiles) throw new PayloadTooLargeError(`more than ${this.limits.maxFiles} files`);
    const room = Math.min(this.limits.maxUploadBytes, this.limits.maxTotalBytes - seen.bytes);
    const staged = await stageStream(file.stream, this.limits.uploadDir, room, `file ${JSON.stringify(file.originalname)}`);
    seen.bytes += staged.size;
    return { path: staged.file, size: staged.size, sha256: staged.sha256 };
  }
}

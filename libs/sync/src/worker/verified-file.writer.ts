import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, WriteStream } from 'node:fs';
import { chmod, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ManifestEntry } from '../manifest';

/** Content that did not hash to its manifest entry (e.g. a stream cut short): worth another try. */
export class ContentMismatchError extends Error {}

/**
 * One file arriving from the master: written to a temp file beside its target, hashed on
 * the way, and renamed into place only when size and sha256 match the manifest. Nothing
 * partial is ever visible at the target path.
 */
export class VerifiedFileWriter {
  private readonly hash = createHash('sha256');
  private size = 0;
  private readonly out: WriteStream;
  private readonly tmp: string;

  constructor(
    readonly entry: ManifestEntry,
    targetDir: string,
  ) {
    this.tmp = join(targetDir, `.crawlnest-${randomBytes(6).toString('hex')}.part`);
    this.out = createWriteStream(this.tmp, { mode: 0o600 });
  }

  async write(data: Buffer): Promise<void> {
    this.hash.update(data);
    this.size += data.length;
    if (!this.out.write(data)) await new Promise<void>((r) => this.out.once('drain', () => r()));
  }

  /** Verifies, applies the mode and renames to the target `resolveTarget` gives (checked late). */
  async commit(resolveTarget: () => Promise<string>): Promise<void> {
    await new Promise<void>((res, rej) => this.out.end((err?: Error | null) => (err ? rej(err) : res())));
    const digest = this.hash.digest('hex');
    const e = this.entry;
    if (this.size !== e.size || digest !== e.sha256) {
      throw new ContentMismatchError(`content of ${e.path} does not match its manifest (sha256 ${digest}, ${this.size} bytes)`);
    }
    await chmod(this.tmp, e.mode & 0o777);
    await rename(this.tmp, await resolveTarget());
  }

  async discard(): Promise<void> {
    this.out.destroy();
    await rm(this.tmp, { force: true });
  }
}

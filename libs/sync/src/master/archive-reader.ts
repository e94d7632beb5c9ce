import { BadInputError, PayloadTooLargeError } from '@crawlnest/node';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar-stream';
import * as yauzl from 'yauzl';
import { normalizeEntryName, pathProblem } from '../path-check';
import { removeStaged, StagedFile, stageStream } from './upload-staging';

export type ArchiveLimits = { maxFiles: number; maxTotalBytes: number };

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

/** Counts files and declared bytes before they are extracted, so a zip bomb stops at the cap. */
class Budget {
  private files = 0;
  private bytes = 0;
  constructor(private readonly limits: ArchiveLimits) {}
  addFile(): void {
    if (++this.files > this.limits.maxFiles) throw new PayloadTooLargeError(`archive holds more than ${this.limits.maxFiles} files`);
  }
  addBytes(n: number): void {
    this.bytes += n;
    if (this.bytes > this.limits.maxTotalBytes) {
      throw new PayloadTooLargeError(`archive expands to more than ${this.limits.maxTotalBytes} bytes`);
    }
  }
}

/** Offending entries listed in one refusal, so the user fixes them all in one go. */
export const MAX_LISTED_REFUSALS = 20;

/** Collects every offending entry of an archive; the archive is refused once all were seen. */
class Refusals {
  private readonly list: string[] = [];
  add(problem: string): void {
    this.list.push(problem);
  }
  throwIfAny(): void {
    if (this.list.length === 0) return;
    if (this.list.length === 1) throw new BadInputError(this.list[0]);
    const shown = this.list.slice(0, MAX_LISTED_REFUSALS);
    const more = this.list.length - shown.length;
    throw new BadInputError(`${this.list.length} archive entries refused: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`);
  }
}

/** The entry's normalized path, or null (with the problem recorded) when it is refused. */
function checkedName(raw: string, refusals: Refusals): string | null {
  const name = normalizeEntryName(raw);
  const problem = pathProblem(name);
  if (problem) {
    refusals.add(`archive entry ${JSON.stringify(raw)} ${problem}`);
    return null;
  }
  return name;
}

/** Removes what was extracted so far when the archive turns out to be refused. */
async function extracting(files: StagedFile[], work: () => Promise<void>): Promise<StagedFile[]> {
  try {
    await work();
    return files;
  } catch (err) {
    await removeStaged(files);
    throw err;
  }
}

/**
 * Extracts a zip archive file into `stagingDir`, one staged file per entry. Regular files
 * and directories only; links, devices and the like are refused by name. Reads from disk,
 * so memory stays bounded whatever the archive size.
 */
export async function readZip(archive: string, stagingDir: string, limits: ArchiveLimits): Promise<StagedFile[]> {
  const budget = new Budget(limits);
  const refusals = new Refusals();
  const zip = await new Promise<yauzl.ZipFile>((res, rej) =>
    // strictFileNames: a backslash is refused, not silently turned into a separator.
    yauzl.open(archive, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true, autoClose: false }, (err, z) =>
      err || !z ? rej(new BadInputError(`not a valid zip archive: ${err?.message ?? 'empty'}`)) : res(z),
    ),
  );
  const files: StagedFile[] = [];
  const openEntry = (entry: yauzl.Entry) =>
    new Promise<Readable>((res, rej) =>
      zip.openReadStream(entry, (err, stream) =>
        err || !stream ? rej(new BadInputError(`bad zip entry ${JSON.stringify(entry.fileName)}: ${err?.message}`)) : res(stream),
      ),
    );
  const nextEntry = () =>
    new Promise<yauzl.Entry | null>((res, rej) => {
      const onEntry = (e: yauzl.Entry) => done(() => res(e));
      const onEnd = () => done(() => res(null));
      const onError = (err: Error) => done(() => rej(new BadInputError(`bad zip archive: ${err.message}`)));
      const done = (f: () => void) => {
        zip.off('entry', onEntry).off('end', onEnd).off('error', onError);
        f();
      };
      zip.once('entry', onEntry).once('end', onEnd).once('error', onError);
      zip.readEntry();
    });
  try {
    return await extracting(files, async () => {
      for (let entry = await nextEntry(); entry; entry = await nextEntry()) {
        const unixMode = (entry.externalFileAttributes >>> 16) & 0xffff;
        const type = unixMode & S_IFMT;
        if (entry.fileName.endsWith('/') && (type === 0 || type === S_IFDIR)) continue;
        if (type !== 0 && type !== S_IFREG) {
          refusals.add(`archive entry ${JSON.stringify(entry.fileName)} is not a regular file (link or device)`);
          continue;
        }
        const path = checkedName(entry.fileName, refusals);
        if (path === null) continue;
        budget.addFile();
        budget.addBytes(entry.uncompressedSize);
        const staged = await stageStream(await openEntry(entry), stagingDir, entry.uncompressedSize, `archive entry ${JSON.stringify(entry.fileName)}`);
        files.push({ path, ...staged, mode: type === S_IFREG ? unixMode & 0o777 : undefined });
      }
      refusals.throwIfAny();
    });
  } finally {
    zip.close();
  }
}

/** Extracts a .tar.gz archive file into `stagingDir`, streaming; same rules as readZip. */
export async function readTarGz(archive: string, stagingDir: string, limits: ArchiveLimits): Promise<StagedFile[]> {
  const budget = new Budget(limits);
  const refusals = new Refusals();
  const extract = tar.extract();
  // Errors of the gunzip/parse pipeline surface through the iterator below.
  pipeline(createReadStream(archive), createGunzip(), extract).catch(() => undefined);
  const files: StagedFile[] = [];
  try {
    return await extracting(files, async () => {
      for await (const entry of extract) {
        const header = entry.header;
        if (header.type === 'directory') {
          entry.resume();
          continue;
        }
        if (header.type !== 'file' && header.type !== 'contiguous-file') {
          refusals.add(`archive entry ${JSON.stringify(header.name)} is a ${header.type}, not a regular file`);
          entry.resume();
          continue;
        }
        const path = checkedName(header.name, refusals);
        if (path === null) {
          entry.resume();
          continue;
        }
        budget.addFile();
        const size = header.size ?? 0;
        budget.addBytes(size);
        const staged = await stageStream(entry as AsyncIterable<Buffer>, stagingDir, size, `archive entry ${JSON.stringify(header.name)}`);
        files.push({ path, ...staged, mode: header.mode });
      }
      refusals.throwIfAny();
    });
  } catch (e) {
    if (e instanceof BadInputError || e instanceof PayloadTooLargeError) throw e;
    throw new BadInputError(`bad tar.gz archive: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    extract.destroy();
  }
}

import { BadInputError, PayloadTooLargeError } from '@crawlnest/node';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar-stream';
import * as yauzl from 'yauzl';
import { normalizeEntryName, pathProblem } from '../path-check';
import type { IncomingFile } from './spider-files.service';

export type ArchiveLimits = { maxFiles: number; maxTotalBytes: number };

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

/** Counts files and bytes as they come out, so a zip bomb stops at the cap. */
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

function checkedName(raw: string): string {
  const name = normalizeEntryName(raw);
  const problem = pathProblem(name);
  if (problem) throw new BadInputError(`archive entry ${JSON.stringify(raw)} ${problem}`);
  return name;
}

/** Regular files and directories only; links, devices and the like are refused by name. */
export async function readZip(data: Buffer, limits: ArchiveLimits): Promise<IncomingFile[]> {
  const budget = new Budget(limits);
  const zip = await new Promise<yauzl.ZipFile>((res, rej) =>
    yauzl.fromBuffer(data, { lazyEntries: true, strictFileNames: false, validateEntrySizes: true }, (err, z) =>
      err || !z ? rej(new BadInputError(`not a valid zip archive: ${err?.message ?? 'empty'}`)) : res(z),
    ),
  );
  const files: IncomingFile[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', (err: Error) => reject(err instanceof BadInputError ? err : new BadInputError(`bad zip archive: ${err.message}`)));
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        try {
          const unixMode = (entry.externalFileAttributes >>> 16) & 0xffff;
          const type = unixMode & S_IFMT;
          const isDir = entry.fileName.endsWith('/');
          if (isDir && (type === 0 || type === S_IFDIR)) {
            zip.readEntry();
            return;
          }
          if (type !== 0 && type !== S_IFREG) {
            throw new BadInputError(`archive entry ${JSON.stringify(entry.fileName)} is not a regular file (link or device)`);
          }
          const path = checkedName(entry.fileName);
          budget.addFile();
          budget.addBytes(entry.uncompressedSize);
          zip.openReadStream(entry, (err, stream) => {
            if (err || !stream) return reject(new BadInputError(`bad zip entry ${JSON.stringify(entry.fileName)}: ${err?.message}`));
            const parts: Buffer[] = [];
            stream.on('data', (c: Buffer) => parts.push(c));
            stream.on('error', (e) => reject(new BadInputError(`bad zip entry ${JSON.stringify(entry.fileName)}: ${e.message}`)));
            stream.on('end', () => {
              files.push({ path, data: Buffer.concat(parts), mode: type === S_IFREG ? unixMode & 0o777 : undefined });
              zip.readEntry();
            });
          });
        } catch (e) {
          reject(e);
        }
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
  return files;
}

export async function readTarGz(data: Buffer, limits: ArchiveLimits): Promise<IncomingFile[]> {
  const budget = new Budget(limits);
  const extract = tar.extract();
  // Errors of the gunzip/parse pipeline surface through the iterator below.
  pipeline(Readable.from([data]), createGunzip(), extract).catch(() => undefined);
  const files: IncomingFile[] = [];
  try {
    for await (const entry of extract) {
      const header = entry.header;
      if (header.type === 'directory') {
        entry.resume();
        continue;
      }
      if (header.type !== 'file' && header.type !== 'contiguous-file') {
        throw new BadInputError(`archive entry ${JSON.stringify(header.name)} is a ${header.type}, not a regular file`);
      }
      const path = checkedName(header.name);
      budget.addFile();
      const parts: Buffer[] = [];
      for await (const chunk of entry) {
        const c = chunk as Buffer;
        budget.addBytes(c.length);
        parts.push(c);
      }
      files.push({ path, data: Buffer.concat(parts), mode: header.mode });
    }
  } catch (e) {
    if (e instanceof BadInputError || e instanceof PayloadTooLargeError) throw e;
    throw new BadInputError(`bad tar.gz archive: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    extract.destroy();
  }
  return files;
}

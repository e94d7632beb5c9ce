import { BadInputError, PayloadTooLargeError } from '@crawlnest/node';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform, TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * One file of an upload, already on the master's disk (not in memory) with its sha256
 * computed while it was written. Content reaches the database only after every path and
 * limit of the upload has been checked, so a refused upload stores nothing.
 */
export type StagedFile = { path: string; file: string; size: number; sha256: string; mode?: number };

/**
 * Hashes and counts bytes on their way to disk. Past the cap it keeps reading but drops
 * the bytes: destroying an HTTP request mid-body resets the connection, and the client
 * would never see its 413.
 */
class HashAndCount extends Transform {
  readonly hash = createHash('sha256');
  size = 0;
  constructor(private readonly maxBytes: number) {
    super();
  }
  get tooLarge(): boolean {
    return this.size > this.maxBytes;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    if (this.tooLarge) return done();
    this.hash.update(chunk);
    done(null, chunk);
  }
}

export function stagingName(dir: string): string {
  return join(dir, `upload-${Date.now()}-${randomBytes(8).toString('hex')}`);
}

/**
 * Streams `input` into a new file under `dir`, hashing on the way. Memory stays at a few
 * stream buffers whatever the size; beyond `maxBytes` the file is removed and a 413 thrown.
 */
export async function stageStream(input: Readable | AsyncIterable<Buffer>, dir: string, maxBytes: number, what: string): Promise<{ file: string; size: number; sha256: string }> {
  await mkdir(dir, { recursive: true });
  const file = stagingName(dir);
  const counter = new HashAndCount(maxBytes);
  try {
    await pipeline(input, counter, createWriteStream(file, { mode: 0o600 }));
  } catch (err) {
    await rm(file, { force: true });
    if (err instanceof PayloadTooLargeError || err instanceof BadInputError) throw err;
    throw new BadInputError(`${what}: upload interrupted (${err instanceof Error ? err.message : String(err)})`);
  }
  if (counter.tooLarge) {
    await rm(file, { force: true });
    throw new PayloadTooLargeError(`${what} is larger than ${maxBytes} bytes`);
  }
  return { file, size: counter.size, sha256: counter.hash.digest('hex') };
}

export async function removeStaged(files: { file: string }[]): Promise<void> {
  await Promise.all(files.map((f) => rm(f.file, { force: true })));
}

/**
 * Leftovers of uploads cut short by a crash; called once at start. Only old ones: another
 * replica sharing the data dir may be staging an upload right now.
 */
export async function clearStagingDir(dir: string, olderThanMs = 3_600_000): Promise<number> {
  await mkdir(dir, { recursive: true });
  const names = (await readdir(dir)).filter((n) => n.startsWith('upload-'));
  let removed = 0;
  for (const n of names) {
    const st = await stat(join(dir, n)).catch(() => null);
    if (!st || Date.now() - st.mtimeMs < olderThanMs) continue;
    await rm(join(dir, n), { force: true, recursive: true });
    removed++;
  }
  return removed;
}

import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CollectedFile } from './collect-files';
import { packArchive } from './pack-archive';

const BLOCK = 512;

/**
 * Pure: an upper bound of the packed (tar.gz) size of `files`, without reading them. Tar
 * stores a header block (plus a long-name header at worst) and the content padded to 512-byte
 * blocks; gzip never grows its input by more than 5 bytes per 16 KiB stored block plus its
 * header and trailer.
 */
export function packedSizeBound(files: CollectedFile[]): number {
  let tar = 2 * BLOCK * 10; // end-of-archive blocks, padded to a record
  for (const f of files) tar += 3 * BLOCK + Math.ceil(f.size / BLOCK) * BLOCK;
  return tar + Math.ceil(tar / 16_384) * 5 + 64;
}

/** The exact packed size: packs once into a counter (nothing written to disk or kept). */
export async function packedSize(root: string, paths: string[]): Promise<number> {
  let n = 0;
  const counter = new Writable({
    write(chunk: Buffer, _enc, cb) {
      n += chunk.length;
      cb();
    },
  });
  await pipeline(packArchive(root, paths), counter);
  return n;
}

/**
 * The packed size when it could be over `limit` (measured exactly), or the bound when the
 * bound already fits: packing twice is only paid for uploads near or over the limit.
 */
export async function packedSizeWithin(root: string, files: CollectedFile[], limit: number): Promise<{ bytes: number; exact: boolean }> {
  const bound = packedSizeBound(files);
  if (bound <= limit) return { bytes: bound, exact: false };
  return { bytes: await packedSize(root, files.map((f) => f.path)), exact: true };
}

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LocalEntry } from '../manifest';

export type LocalIndex = { version: number; files: Record<string, LocalEntry> };

/** The worker's record of what it wrote into a spider directory (kept beside it). */
export async function readLocalIndex(file: string): Promise<LocalIndex> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as LocalIndex;
    if (typeof parsed.version === 'number' && parsed.files && typeof parsed.files === 'object') return parsed;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && !(err instanceof SyntaxError)) throw err;
  }
  return { version: 0, files: {} };
}

export async function writeLocalIndex(file: string, index: LocalIndex): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(`${file}.tmp`, JSON.stringify(index));
  await rename(`${file}.tmp`, file);
}

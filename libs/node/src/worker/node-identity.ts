import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The worker's persistent identity: a key kept in its workspace, so a restarted worker
 * updates its node instead of creating a second one.
 */
export async function loadOrCreateNodeKey(workspace: string): Promise<string> {
  const file = join(workspace, 'node-key');
  try {
    const key = (await readFile(file, 'utf8')).trim();
    if (/^[0-9a-f-]{36}$/.test(key)) return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(workspace, { recursive: true });
  const key = randomUUID();
  await writeFile(`${file}.tmp`, key + '\n', { mode: 0o600 });
  await rename(`${file}.tmp`, file);
  return key;
}

import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A secret kept in the data dir: read if present, else generated once and saved (0600),
 * so the embedded default needs no setup and keeps the same token across restarts.
 */
export async function loadOrCreateSecret(dataDir: string, name: string): Promise<{ value: string; created: boolean }> {
  const file = join(dataDir, name);
  try {
    const value = (await readFile(file, 'utf8')).trim();
    if (value.length >= 16) return { value, created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dataDir, { recursive: true });
  const value = randomBytes(24).toString('hex');
  await writeFile(file, value + '\n', { mode: 0o600 });
  return { value, created: true };
}

import { rmSync } from 'node:fs';
import type { FerretDbServer } from './ferretdb-server';

export default async function globalTeardown(): Promise<void> {
  const db = (globalThis as { __crawlnestDb?: FerretDbServer }).__crawlnestDb;
  if (!db) return;
  db.process.kill('SIGTERM');
  await new Promise<void>((res) => {
    if (db.process.exitCode !== null) return res();
    const t = setTimeout(() => {
      db.process.kill('SIGKILL');
      res();
    }, 5000);
    db.process.once('exit', () => {
      clearTimeout(t);
      res();
    });
  });
  if (!process.env.CRAWLNEST_KEEP_TEST_DIRS) rmSync(db.dir, { recursive: true, force: true });
}

import { writeFileSync } from 'node:fs';
import { startFerretDb } from './ferretdb-server';

/** One FerretDB for the whole run; suites get their own database in it. */
export default async function globalSetup(): Promise<void> {
  const db = await startFerretDb();
  process.env.CRAWLNEST_E2E_MONGO_URI = db.uri;
  process.env.CRAWLNEST_E2E_FERRETDB_PID = String(db.process.pid);
  process.env.CRAWLNEST_E2E_FERRETDB_DIR = db.dir;
  (globalThis as { __crawlnestDb?: unknown }).__crawlnestDb = db;
  writeFileSync(`${db.dir}/uri`, db.uri);
}

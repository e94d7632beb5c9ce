import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Benchmark, formatFigure } from './bench-kit';
import { startFerretDb } from '../test/support/ferretdb-server';

/**
 * `npm run bench [filter]`: runs every `*.bench.js` beside this file (compiled from
 * `bench/*.bench.ts`) against one real FerretDB, and prints each figure with its goal or
 * baseline.
 */
async function main(): Promise<void> {
  const filter = process.argv[2];
  const files = readdirSync(__dirname).filter((f) => f.endsWith('.bench.js') && (!filter || f.includes(filter)));
  const db = await startFerretDb();
  process.env.CRAWLNEST_E2E_MONGO_URI = db.uri;
  let failed = false;
  try {
    for (const f of files) {
      const mod = (await import(join(__dirname, f))) as { default: Benchmark };
      const b = mod.default;
      process.stdout.write(`\n${b.name}\n`);
      try {
        for (const fig of await b.run()) process.stdout.write(formatFigure(fig) + '\n');
      } catch (err) {
        failed = true;
        process.stdout.write(`  FAILED: ${err instanceof Error ? err.stack : String(err)}\n`);
      }
    }
  } finally {
    db.process.kill('SIGTERM');
  }
  process.exit(failed ? 1 : 0);
}

void main();

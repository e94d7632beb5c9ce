import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where a multi-step change can be cut by a crash; the e2e suite cuts the database there. */
export type CrashPoint = 'after-dispatch-claim' | 'mid-queue-move' | 'after-close-claim' | 'mid-archive-move';

const hit = new Set<CrashPoint>();

/**
 * A test hook, inert unless `CRAWLNEST_TEST_CRASH_POINTS` (comma-separated points) and
 * `CRAWLNEST_TEST_CRASH_DIR` are set, which only the e2e suites do. The first time the
 * process reaches a listed point it writes `<dir>/<point>` and holds that change until the
 * test removes the file (having killed the database meanwhile), so the next step runs into
 * the outage exactly there. Gives up waiting after 60 s.
 */
export async function crashPoint(point: CrashPoint): Promise<void> {
  const dir = process.env.CRAWLNEST_TEST_CRASH_DIR;
  const points = process.env.CRAWLNEST_TEST_CRASH_POINTS;
  if (!dir || !points || hit.has(point) || !points.split(',').includes(point)) return;
  hit.add(point);
  mkdirSync(dir, { recursive: true });
  const marker = join(dir, point);
  writeFileSync(marker, String(process.pid));
  const deadline = Date.now() + 60_000;
  while (existsSync(marker) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

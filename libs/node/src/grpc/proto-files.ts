import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The proto/ folder sits at the repository root. Lib code runs from different depths
 * (ts sources under jest, dist/apps/<app>/libs/... when built), so walk up to find it
 * instead of hard-coding a relative path.
 */
export function findProtoDir(start: string = __dirname): string {
  let dir = start;
  for (;;) {
    const candidate = join(dir, 'proto');
    if (existsSync(join(candidate, 'node.proto'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`proto/ not found above ${start}`);
    dir = parent;
  }
}

export const PROTO_PACKAGES = {
  node: 'crawlnest.node.v1',
  task: 'crawlnest.task.v1',
  sync: 'crawlnest.sync.v1',
  results: 'crawlnest.results.v1',
} as const;

export function protoPaths(): string[] {
  const dir = findProtoDir();
  return ['node.proto', 'task.proto', 'sync.proto', 'results.proto'].map((f) => join(dir, f));
}

/** Server and client must agree on these, or fields silently vanish (TOOLCHAIN.md). */
export function protoLoaderOptions() {
  return {
    keepCase: false,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  };
}

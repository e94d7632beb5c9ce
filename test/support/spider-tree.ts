import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import type { ApiClient } from './api-client';
import { waitFor } from './wait';

/** A spider tree for tests: path → content and optional mode. */
export type TreeFile = { content: string | Buffer; mode?: number };
export type Tree = Record<string, TreeFile>;

export type Task = {
  id: string;
  status: string;
  exitCode: number | null;
  error: string | null;
  nodeId: string | null;
  sync: { filesTotal: number; filesTransferred: number; bytesTransferred: number; filesDeleted: number; durationMs: number } | null;
};

export const sha256 = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

export async function tarGzTree(tree: Tree): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, f] of Object.entries(tree)) pack.entry({ name, mode: f.mode ?? 0o644 }, typeof f.content === 'string' ? Buffer.from(f.content) : f.content);
  pack.finalize();
  const parts: Buffer[] = [];
  for await (const c of pack) parts.push(c as Buffer);
  return gzipSync(Buffer.concat(parts));
}

/**
 * A shell script that proves, from inside the task, that the spider dir holds exactly
 * `tree` (no file more, none less), every file with its sha256, and that the files with an
 * executable mode are executable. It prints SYNC-OK only then.
 */
export function verifyScript(tree: Tree, self: string): string {
  const expected = Object.entries(tree)
    .filter(([p]) => p !== self)
    .map(([p, f]) => `${sha256(f.content)}  ${p}`)
    .join('\n');
  const listed = [...Object.keys(tree)].sort().map((p) => `./${p}`).join('\n');
  const execs = Object.entries(tree).filter(([, f]) => ((f.mode ?? 0o644) & 0o111) !== 0).map(([p]) => p);
  return [
    '#!/bin/sh',
    'set -e',
    'tmp=$(mktemp)',
    `cat > "$tmp" <<'CRAWLNEST_EOF'\n${expected}\nCRAWLNEST_EOF`,
    'sha256sum -c --quiet "$tmp"',
    `cat > "$tmp" <<'CRAWLNEST_EOF'\n${listed}\nCRAWLNEST_EOF`,
    'find . -type f | LC_ALL=C sort | diff "$tmp" - >&2',
    ...execs.map((p) => `test -x '${p}'`),
    'rm -f "$tmp"',
    'echo SYNC-OK',
  ].join('\n');
}

export async function taskEnded(api: ApiClient, id: string, timeoutMs = 60_000): Promise<Task> {
  return waitFor(`task ${id} ends`, async () => {
    const t = (await api.get<Task>(`/api/tasks/${id}`)).body;
    return ['finished', 'error', 'cancelled', 'abnormal'].includes(t.status) ? t : undefined;
  }, timeoutMs, 100);
}

export async function taskOutput(api: ApiClient, id: string): Promise<string[]> {
  const r = await api.get<{ lines: { text: string }[] }>(`/api/tasks/${id}/logs?limit=1000`);
  return r.body.lines.map((l) => l.text);
}

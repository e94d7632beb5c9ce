import { execFile } from 'node:child_process';

export type Runtime = { name: string; version: string };

/** The tools whose presence and version a worker advertises. */
const PROBES: { name: string; argv: string[]; parse: (out: string) => string }[] = [
  { name: 'python3', argv: ['python3', '--version'], parse: (o) => o.replace(/^Python\s+/i, '') },
  { name: 'node', argv: ['node', '--version'], parse: (o) => o.replace(/^v/, '') },
  { name: 'npm', argv: ['npm', '--version'], parse: (o) => o },
];

/** Asks each tool for its version; a tool that is missing (or hangs) is left out. */
export async function probeRuntimes(env: NodeJS.ProcessEnv = process.env): Promise<Runtime[]> {
  const found = await Promise.all(
    PROBES.map(
      (p) =>
        new Promise<Runtime | null>((resolve) => {
          execFile(p.argv[0], p.argv.slice(1), { env, timeout: 15_000 }, (err, stdout, stderr) => {
            const out = `${stdout}${stderr}`.trim().split('\n')[0]?.trim() ?? '';
            resolve(err || !out ? null : { name: p.name, version: p.parse(out) });
          });
        }),
    ),
  );
  return found.filter((r): r is Runtime => r !== null);
}

import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, waitFor } from './wait';

/** The checkout root, found from wherever this file runs (test/ under jest, dist/bench/ in benches). */
export const PROJECT_ROOT = (() => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'nest-cli.json'))) {
    const up = resolve(dir, '..');
    if (up === dir) throw new Error(`project root not found above ${__dirname}`);
    dir = up;
  }
  return dir;
})();
export const FERRETDB_BIN = join(PROJECT_ROOT, '.tools', 'bin', 'ferretdb');

export type FerretDbServer = { uri: string; port: number; dir: string; process: ChildProcess };

/**
 * A FerretDB (SQLite backend) on a free loopback port in a fresh temp dir; with `at`, on
 * that dir and port again (a restart on the same data, for suites that kill the database).
 */
export async function startFerretDb(at?: { dir: string; port: number }): Promise<FerretDbServer> {
  if (!existsSync(FERRETDB_BIN)) throw new Error(`${FERRETDB_BIN} missing: run \`npm run setup\` first`);
  const dir = at?.dir ?? mkdtempSync(join(tmpdir(), 'crawlnest-e2e-db-'));
  const port = at?.port ?? (await freePort());
  const log = openSync(join(dir, 'ferretdb.log'), 'a');
  const child = spawn(
    FERRETDB_BIN,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${dir}/`,
      `--listen-addr=127.0.0.1:${port}`,
      `--state-dir=${dir}`,
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-level=error',
    ],
    { stdio: ['ignore', log, log], env: { ...process.env, DO_NOT_TRACK: '1' } },
  );
  closeSync(log); // the child has its own copy; ours would stay open for the whole run
  await waitFor('FerretDB accepts connections', () => canConnect(port), 30_000);
  return { uri: `mongodb://127.0.0.1:${port}/`, port, dir, process: child };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = require('node:net').connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      res(true);
    });
    s.once('error', () => res(false));
  });
}

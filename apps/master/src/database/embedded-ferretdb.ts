import { Logger } from '@nestjs/common';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { freePort } from '@crawlnest/node';
import mongoose from 'mongoose';
import { findProjectRoot } from '../project-root';

export type EmbeddedDatabase = { uri: string; started: boolean; release(): Promise<void> };

type ServerState = { pid: number; port: number };

const log = new Logger('EmbeddedFerretDB');

/** Thrown when the embedded database cannot be provided; main() prints it and exits. */
export class EmbeddedDatabaseError extends Error {}

/**
 * Provides the embedded FerretDB (SQLite backend) under `<dataDir>/ferretdb`. A server
 * already running for that data dir is reused, so several masters can share it; each
 * master registers itself as a user, and the last one to leave stops the server.
 */
export async function acquireEmbeddedDatabase(dataDir: string, preferredPort?: number): Promise<EmbeddedDatabase> {
  const dir = resolve(dataDir, 'ferretdb');
  const usersDir = join(dir, 'users');
  const stateFile = join(dir, 'server.json');
  await mkdir(join(dir, 'sqlite'), { recursive: true });
  await mkdir(usersDir, { recursive: true });

  let state = await readState(stateFile);
  let started = false;
  if (!state || !isAlive(state.pid) || !(await answers(state.port))) {
    const binary = ensureBinary();
    const port = preferredPort ?? (await freePort());
    const logFd = openSync(join(dir, 'ferretdb.log'), 'a');
    const child = spawn(
      binary,
      [
        '--handler=sqlite',
        `--sqlite-url=file:${join(dir, 'sqlite')}/`,
        `--listen-addr=127.0.0.1:${port}`,
        `--state-dir=${dir}`,
        '--debug-addr=-',
        '--telemetry=disable',
        '--log-level=error',
      ],
      // Detached: it must outlive a master that is killed, for the next master to reuse.
      { detached: true, stdio: ['ignore', logFd, logFd], env: { ...process.env, DO_NOT_TRACK: '1' } },
    );
    child.unref();
    if (!child.pid) throw new EmbeddedDatabaseError('could not start FerretDB');
    state = { pid: child.pid, port };
    await waitUntilAnswers(port, 30_000, child.pid);
    await writeFile(stateFile, JSON.stringify(state));
    started = true;
    log.log({ msg: 'embedded FerretDB started', port, pid: child.pid, dir });
  } else {
    log.log({ msg: 'embedded FerretDB reused', port: state.port, pid: state.pid });
  }
  const me = join(usersDir, String(process.pid));
  await writeFile(me, '');
  const server = state;
  return {
    uri: `mongodb://127.0.0.1:${server.port}/`,
    started,
    async release() {
      await rm(me, { force: true });
      const others = (await readdir(usersDir)).map(Number).filter((pid) => pid !== process.pid && isAlive(pid));
      if (others.length > 0) return;
      try {
        process.kill(server.pid, 'SIGTERM');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      }
      await rm(stateFile, { force: true });
      log.log({ msg: 'embedded FerretDB stopped', pid: server.pid });
    },
  };
}

/** The binary built by scripts/build-ferretdb.sh, building it on first use. */
function ensureBinary(): string {
  const root = findProjectRoot();
  const binary = join(root, '.tools', 'bin', 'ferretdb');
  if (existsSync(binary)) return binary;
  const hasGo = spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;
  if (!hasGo) {
    throw new EmbeddedDatabaseError(
      'CRAWLNEST_MONGO_URI is not set and the embedded database (FerretDB) is not built, and Go is not installed to build it. ' +
        'Either install Go and run `npm run setup`, or set CRAWLNEST_MONGO_URI=mongodb://<host>:27017 to use your MongoDB.',
    );
  }
  log.log('building the embedded database (FerretDB v1.24.2, with the _id index patch), first time only');
  const r = spawnSync('bash', [join(root, 'scripts', 'build-ferretdb.sh')], { stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(binary)) {
    throw new EmbeddedDatabaseError('building FerretDB failed (see above); or set CRAWLNEST_MONGO_URI to use your MongoDB');
  }
  return binary;
}

async function readState(file: string): Promise<ServerState | null> {
  try {
    const s = JSON.parse(await readFile(file, 'utf8')) as ServerState;
    return typeof s.pid === 'number' && typeof s.port === 'number' ? s : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function answers(port: number): Promise<boolean> {
  const conn = mongoose.createConnection(`mongodb://127.0.0.1:${port}/admin`, { serverSelectionTimeoutMS: 1000 });
  try {
    await conn.asPromise();
    await conn.db?.admin().ping();
    return true;
  } catch {
    return false;
  } finally {
    await conn.close().catch(() => undefined);
  }
}

async function waitUntilAnswers(port: number, timeoutMs: number, pid: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await answers(port)) return;
    if (!isAlive(pid)) throw new EmbeddedDatabaseError('FerretDB exited during start; see <dataDir>/ferretdb/ferretdb.log');
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new EmbeddedDatabaseError(`FerretDB did not answer on port ${port} within ${timeoutMs} ms`);
}

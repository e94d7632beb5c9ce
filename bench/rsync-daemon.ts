import { ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitFor } from '../test/support/wait';
import { connect } from 'node:net';

/** True when an `rsync` binary is on PATH. */
export function rsyncAvailable(): boolean {
  return spawnSync('rsync', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** An rsync daemon on 127.0.0.1 serving `source` as module `tree`; stopped by `stop()`. */
export class RsyncDaemon {
  private constructor(
    private readonly proc: ChildProcess,
    readonly port: number,
  ) {}

  static async start(source: string, workDir: string): Promise<RsyncDaemon> {
    const port = await freePort();
    const conf = join(workDir, 'rsyncd.conf');
    writeFileSync(
      conf,
      [`address = 127.0.0.1`, `port = ${port}`, 'use chroot = no', `pid file = ${join(workDir, 'rsyncd.pid')}`, `log file = ${join(workDir, 'rsyncd.log')}`, '[tree]', `path = ${source}`, 'read only = yes'].join('\n') + '\n',
    );
    const proc = spawn('rsync', ['--daemon', '--no-detach', `--config=${conf}`], { stdio: 'ignore' });
    await waitFor('rsync daemon listens', () => canConnect(port), 10_000);
    return new RsyncDaemon(proc, port);
  }

  /** `rsync -a` of the whole module into `dest`; returns the bytes received as rsync counts them. */
  pull(dest: string): Promise<number> {
    return new Promise((res, rej) =>
      execFile('rsync', ['-a', '--delete', '--stats', `rsync://127.0.0.1:${this.port}/tree/`, `${dest}/`], (err, stdout) => {
        if (err) return rej(err);
        const m = /Total bytes received: ([\d,.]+)/.exec(stdout);
        res(m ? Number(m[1].replace(/[,.]/g, '')) : NaN);
      }),
    );
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGTERM');
    await exited;
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      res(true);
    });
    s.once('error', () => res(false));
  });
}

import { Logger } from '@nestjs/common';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processesInGroup, readProcStat } from './proc-stat';

export type GroupRecord = { pgid: number; startTicks: string; taskId: string; attempt: number };

/**
 * The process groups of the tasks this worker runs, one small file each in its workspace, so a
 * worker that died (SIGKILL, OOM, power cut of the process) can find and kill what its previous
 * life left running when it starts again. The leader's start time from /proc/<pid>/stat is
 * recorded with the group id, so a pid the kernel handed to an unrelated process since is
 * left alone.
 */
export class ProcessGroupRecords {
  private readonly log = new Logger(ProcessGroupRecords.name);
  private readonly dir: string;

  constructor(workspace: string) {
    this.dir = join(workspace, 'process-groups');
    mkdirSync(this.dir, { recursive: true });
  }

  /** Right after the spawn: the leader's pid is the group id (spawned detached). */
  record(pgid: number, taskId: string, attempt: number): void {
    const st = readProcStat(pgid);
    if (!st) return; // exited already: nothing to find later
    const rec: GroupRecord = { pgid, startTicks: st.startTicks, taskId, attempt };
    writeFileSync(join(this.dir, `${pgid}.json`), JSON.stringify(rec));
  }

  remove(pgid: number): void {
    rmSync(join(this.dir, `${pgid}.json`), { force: true });
  }

  /**
   * At start, before any task runs: SIGKILL every recorded group that still has processes,
   * then forget the records. Returns what was killed (for the log and the tests).
   */
  killLeftovers(): { killed: GroupRecord[]; skipped: GroupRecord[] } {
    const killed: GroupRecord[] = [];
    const skipped: GroupRecord[] = [];
    for (const file of readdirSync(this.dir)) {
      if (!file.endsWith('.json')) continue;
      const path = join(this.dir, file);
      let rec: GroupRecord;
      try {
        rec = JSON.parse(readFileSync(path, 'utf8')) as GroupRecord;
      } catch (err) {
        this.log.warn({ msg: 'unreadable process group record removed', file, err: String(err) });
        rmSync(path, { force: true });
        continue;
      }
      if (this.stillOurs(rec)) {
        this.kill(rec.pgid);
        killed.push(rec);
        this.log.warn({ msg: 'killed a task process group left by the previous worker', ...rec });
      } else {
        skipped.push(rec);
      }
      rmSync(path, { force: true });
    }
    return { killed, skipped };
  }

  /**
   * The leader alive with the recorded start time: ours. The leader alive with another start
   * time: the pid was reused (the kernel does not reuse a pid while a group of that id has
   * members, so our group is gone). The leader gone: its group lives on only if members remain,
   * and these started no earlier than the leader.
   */
  private stillOurs(rec: GroupRecord): boolean {
    const leader = readProcStat(rec.pgid);
    if (leader) return leader.startTicks === rec.startTicks && leader.pgrp === rec.pgid;
    return processesInGroup(rec.pgid).some((p) => BigInt(p.startTicks) >= BigInt(rec.startTicks));
  }

  private kill(pgid: number): void {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') this.log.warn({ msg: 'killing a leftover process group failed', pgid, err: String(err) });
    }
  }
}

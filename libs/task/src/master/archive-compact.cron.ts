import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { TaskArchiveRepository } from './task-archive.repository';
import { TASK_MASTER_OPTIONS, TaskMasterOptions } from './task-master.options';

const DEFAULT_INTERVAL_MS = 60_000;

/**
 * Every `archiveCompactMs` each replica seals its shelves of ended hours and merges the small
 * shelves of ended hours into few (TaskArchiveRepository.compactEndedHours): a quiet hour ends
 * as one shelf, so a month of light traffic is not tens of thousands of tables. Every replica
 * runs it; the merges are claimed per group in the hour's directory.
 */
@Injectable()
export class ArchiveCompactCron implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger(ArchiveCompactCron.name);
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly archive: TaskArchiveRepository,
    @Inject(TASK_MASTER_OPTIONS) private readonly opts: TaskMasterOptions,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.tick(), this.opts.archiveCompactMs ?? DEFAULT_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const r = await this.archive.compactEndedHours();
      if (r.replaced > 0 || r.dropped > 0) this.log.log({ msg: 'archive shelves compacted', ...r });
    } catch (err) {
      this.log.warn({ msg: 'archive compaction pass failed; retried next interval', err: String(err) });
    } finally {
      this.running = false;
    }
  }
}

import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { NotFoundError } from '@crawlnest/node';
import { GIT_OPTIONS, GitOptions } from './git.options';
import { GitSourceRepository } from './git-source.repository';
import { GitPullService } from './git-pull.service';

/**
 * Auto-pull: every tick, each source whose interval slot (now / autoPullSec) is new is pulled
 * by the one replica whose claim insert for that slot wins (unique `_id`, atomic on FerretDB as
 * on MongoDB), so N replicas pull once per interval, not N times.
 */
@Injectable()
export class GitAutoPullCron implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(GitAutoPullCron.name);
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private ticks = 0;

  constructor(
    private readonly git: GitPullService,
    private readonly repo: GitSourceRepository,
    @Inject(GIT_OPTIONS) private readonly opts: GitOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.opts.autoPullTickMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The source of a deleted spider is removed, not retried every interval. */
  private async forgetIfSpiderGone(spiderId: string, err: unknown): Promise<void> {
    if (!(err instanceof NotFoundError) || !err.message.startsWith('spider ')) return;
    await this.repo.delete(spiderId);
    this.log.log({ msg: 'git source of a deleted spider removed', spider: spiderId });
  }

  async tick(now = Date.now()): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (const s of await this.git.autoPullSources()) {
        const slot = Math.floor(now / (Math.max(10, s.autoPullSec) * 1000));
        if (!(await this.repo.claimSlot(s._id, slot, this.opts.replicaId))) continue;
        // A failed pull is recorded on the source (lastError) and logged by the service.
        await this.git.pull(s._id).catch((err: unknown) => this.forgetIfSpiderGone(s._id, err));
      }
      if (++this.ticks % 100 === 0) await this.repo.forgetClaimsBefore(new Date(now - 86_400_000));
    } catch (err) {
      this.log.error({ msg: 'git auto-pull tick failed', err: err instanceof Error ? err.message : String(err) });
    } finally {
      this.running = false;
    }
  }
}

import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { OnePass } from '@crawlnest/node';
import { DeliveryRepository } from './delivery.repository';
import { NOTIFY_MASTER_OPTIONS, NotifyMasterOptions } from './notify-master.options';

const FIRST_SWEEP_MS = 60_000;
const EVERY_MS = 3_600_000;

/**
 * Keeps the deliveries history bounded: settled deliveries (and the attempt claims) older than
 * CRAWLNEST_NOTIFY_RETENTION_DAYS go, hourly, on every replica (a delete twice deletes nothing more).
 */
@Injectable()
export class NotifyRetentionCron implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(NotifyRetentionCron.name);
  private timer: NodeJS.Timeout | null = null;
  private readonly pass = new OnePass();

  constructor(
    private readonly deliveries: DeliveryRepository,
    @Inject(NOTIFY_MASTER_OPTIONS) private readonly opts: NotifyMasterOptions,
  ) {}

  onApplicationBootstrap(): void {
    const run = () =>
      void this.pass.run(() =>
        this.sweep().then(
          () => undefined,
          (err: unknown) => this.log.warn({ msg: 'notification history sweep failed', err: String(err) }),
        ),
      );
    const first = setTimeout(() => {
      run();
      this.timer = setInterval(run, EVERY_MS);
      this.timer.unref();
    }, FIRST_SWEEP_MS);
    first.unref();
    this.timer = first;
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      clearInterval(this.timer);
    }
    await this.pass.stop();
  }

  async sweep(now = Date.now()): Promise<number> {
    const cutoff = new Date(now - this.opts.retentionDays * 86_400_000);
    const removed = await this.deliveries.pruneBefore(cutoff);
    if (removed > 0) this.log.log({ msg: 'notification history pruned', removed, before: cutoff.toISOString() });
    return removed;
  }
}

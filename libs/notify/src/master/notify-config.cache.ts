import { Injectable, Logger } from '@nestjs/common';
import type { ChannelRecord, RuleRecord } from '../notify.types';
import { NotifyConfigRepository } from './config.repository';

/** Reloaded at most this often; writes through this replica's API reload at once. */
const TTL_MS = 2000;

/** Rules and channels in memory: the notifier reads them for every fact. */
@Injectable()
export class NotifyConfigCache {
  private readonly log = new Logger(NotifyConfigCache.name);
  private loaded: { at: number; rules: RuleRecord[]; channels: Map<string, ChannelRecord> } | null = null;
  private loading: Promise<void> | null = null;

  constructor(private readonly repo: NotifyConfigRepository) {}

  async rules(): Promise<RuleRecord[]> {
    return (await this.fresh()).rules;
  }

  async channel(id: string): Promise<ChannelRecord | undefined> {
    return (await this.fresh()).channels.get(id);
  }

  /** Without waiting: null when nothing was loaded yet (the caller then assumes rules may exist). */
  peekRules(): RuleRecord[] | null {
    if (!this.loaded || Date.now() - this.loaded.at > TTL_MS) this.fresh().catch((err: unknown) => this.log.warn({ msg: 'notification rules reload failed', err: String(err) }));
    return this.loaded?.rules ?? null;
  }

  /** A write on this replica: the next read reloads, and peekRules answers "unknown" until then. */
  invalidate(): void {
    this.loaded = null;
  }

  private async fresh() {
    if (!this.loaded || Date.now() - this.loaded.at > TTL_MS) {
      this.loading ??= (async () => {
        try {
          const [rules, channels] = await Promise.all([this.repo.allRules(), this.repo.allChannels()]);
          this.loaded = { at: Date.now(), rules, channels: new Map(channels.map((c) => [String(c._id), c])) };
        } finally {
          this.loading = null;
        }
      })();
      await this.loading;
    }
    return this.loaded as NonNullable<typeof this.loaded>;
  }
}

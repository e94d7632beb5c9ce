import { Injectable, Logger } from '@nestjs/common';
import type { ChannelRecord, RuleRecord } from '../notify.types';
import { NotifyConfigRepository } from './config.repository';

/**
 * How often a replica asks whether the configuration changed (one read by `_id`); a write
 * through this replica's API is seen at once, one through another replica within this.
 */
const VERSION_CHECK_MS = 2000;

type Loaded = { version: string | null; checkedAt: number; rules: RuleRecord[]; channels: Map<string, ChannelRecord> };

/**
 * Rules and channels in memory: the notifier matches every fact against them and the close
 * path's sink asks whether any rule listens, so neither reads them from the database. Reloaded
 * whole only when the version document changed (every write bumps it).
 */
@Injectable()
export class NotifyConfigCache {
  private readonly log = new Logger(NotifyConfigCache.name);
  private loaded: Loaded | null = null;
  private loading: Promise<Loaded> | null = null;
  /** Bumped by a local write: a reload that started before it must not install what it read. */
  private gen = 0;

  constructor(private readonly repo: NotifyConfigRepository) {}

  async rules(): Promise<RuleRecord[]> {
    return (await this.fresh()).rules;
  }

  async channel(id: string): Promise<ChannelRecord | undefined> {
    return (await this.fresh()).channels.get(id);
  }

  /** Without waiting: null when nothing was loaded yet (the caller then assumes rules may exist). */
  peekRules(): RuleRecord[] | null {
    if (!this.loaded || Date.now() - this.loaded.checkedAt > VERSION_CHECK_MS) this.fresh().catch((err: unknown) => this.log.warn({ msg: 'notification rules reload failed', err: String(err) }));
    return this.loaded?.rules ?? null;
  }

  /** A channel or rule was written on this replica: bump the version (the other replicas reload at their next check) and reload here. */
  async changed(): Promise<void> {
    await this.repo.bumpVersion();
    this.gen++;
    this.loaded = null;
    this.loading = null;
  }

  private async fresh(): Promise<Loaded> {
    const l = this.loaded;
    if (l && Date.now() - l.checkedAt <= VERSION_CHECK_MS) return l;
    if (!this.loading) {
      const p: Promise<Loaded> = this.reload(l).finally(() => {
        if (this.loading === p) this.loading = null;
      });
      this.loading = p;
    }
    return this.loading;
  }

  private async reload(prev: Loaded | null): Promise<Loaded> {
    const gen = this.gen;
    const version = await this.repo.version();
    if (prev && version === prev.version && this.loaded === prev) {
      prev.checkedAt = Date.now();
      return prev;
    }
    const [rules, channels] = await Promise.all([this.repo.allRules(), this.repo.allChannels()]);
    const next = { version, checkedAt: Date.now(), rules, channels: new Map(channels.map((c) => [String(c._id), c])) };
    if (gen === this.gen) this.loaded = next;
    return next;
  }
}

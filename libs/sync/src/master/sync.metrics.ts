import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Metric } from 'prom-client';
import type { EventEmitter } from 'node:events';
import { ManifestCache } from './manifest-cache';

/** Events after which a server-streaming call writes nothing more. */
const CALL_ENDS = ['finish', 'close', 'cancelled', 'error'] as const;

/**
 * File-sync metrics of this replica. The metrics belong to no registry: the app registers
 * `metrics()` in its own.
 */
@Injectable()
export class SyncMetrics {
  private readonly bytesSent = new Counter({
    name: 'crawlnest_sync_bytes_sent_total',
    help: 'File content bytes streamed to workers (Download, DownloadMany)',
    registers: [],
  });
  private readonly downloadStreams = new Gauge({
    name: 'crawlnest_sync_download_streams_open',
    help: 'Download and DownloadMany calls in flight on this replica',
    registers: [],
  });
  private readonly manifestBuilds: Counter;

  constructor(manifests: ManifestCache) {
    // The cache already counts its builds; the counter catches up with it at scrape time.
    let seen = 0;
    this.manifestBuilds = new Counter({
      name: 'crawlnest_sync_manifest_builds_total',
      help: 'Spider manifests built from the database (cache misses; concurrent requests share one build)',
      registers: [],
      collect: () => {
        const now = manifests.buildCount;
        if (now > seen) this.manifestBuilds.inc(now - seen);
        seen = now;
      },
    });
  }

  sent(bytes: number): void {
    this.bytesSent.inc(bytes);
  }

  /** Counts the call as open until it ends, whichever way it ends. */
  downloadOpened(call: EventEmitter): void {
    this.downloadStreams.inc();
    let open = true;
    const ended = () => {
      if (!open) return;
      open = false;
      this.downloadStreams.dec();
      for (const e of CALL_ENDS) call.off(e, ended);
    };
    for (const e of CALL_ENDS) call.once(e, ended);
  }

  metrics(): Metric[] {
    return [this.bytesSent, this.downloadStreams, this.manifestBuilds];
  }
}

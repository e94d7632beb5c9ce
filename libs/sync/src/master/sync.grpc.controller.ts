import { Controller, Inject, Logger } from '@nestjs/common';
import { GrpcMethod, RpcException } from '@nestjs/microservices';
import { Metadata, ServerWritableStream, status } from '@grpc/grpc-js';
import { EMPTY, Observable } from 'rxjs';
import { assertClusterSecret, NotFoundError } from '@crawlnest/node';
import { chunkManifest } from '../manifest';
import { BlobReadCache, BlobSource } from './blob-read.cache';
import { ManifestCache } from './manifest-cache';
import { SYNC_MASTER_OPTIONS, SyncMasterOptions } from './sync-master.options';
import { SyncMetrics } from './sync.metrics';

type ManifestRequest = { spiderId: string; version: number };
type DownloadRequest = { sha256: string };
type DownloadManyRequest = { sha256: string[] };

/** Most items one DownloadMany call may ask for. */
export const MAX_DOWNLOAD_MANY_ITEMS = 64;
/**
 * DownloadMany reads the next single-chunk files while earlier ones are sent (a disk read, or
 * a database round trip when the master's disk cache lacks the content). Bounded by bytes and count.
 */
const READ_AHEAD_BYTES = 2 * 1024 * 1024;
const READ_AHEAD_ITEMS = 16;
const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Server-streaming RPCs. The handlers write to the call themselves so they can wait for
 * 'drain' (backpressure), then return EMPTY for Nest to end the call.
 */
@Controller()
export class SyncGrpcController {
  private readonly log = new Logger(SyncGrpcController.name);

  constructor(
    private readonly manifests: ManifestCache,
    private readonly blobs: BlobReadCache,
    private readonly metrics: SyncMetrics,
    @Inject(SYNC_MASTER_OPTIONS) private readonly opts: SyncMasterOptions,
  ) {}

  @GrpcMethod('SyncService', 'GetManifest')
  async getManifest(req: ManifestRequest, md: Metadata, call: ServerWritableStream<ManifestRequest, unknown>): Promise<Observable<never>> {
    this.authorize(md, 'GetManifest');
    const m = await this.manifests.get(req.spiderId, req.version).catch((err: unknown) => {
      throw toRpcError(err);
    });
    for (const entries of chunkManifest(m.files)) {
      await writeWithBackpressure(call, { version: m.version, totalFiles: m.files.length, entries });
    }
    return EMPTY;
  }

  @GrpcMethod('SyncService', 'Download')
  async download(req: DownloadRequest, md: Metadata, call: ServerWritableStream<DownloadRequest, unknown>): Promise<Observable<never>> {
    this.authorize(md, 'Download');
    if (!SHA256.test(req.sha256)) throw new RpcException({ code: status.INVALID_ARGUMENT, message: 'bad sha256' });
    const src = await this.blobs.open(req.sha256);
    if (!src) throw new RpcException({ code: status.NOT_FOUND, message: `content ${req.sha256} not found` });
    this.metrics.downloadOpened(call);
    // One chunk (<= 1 MB) in memory at a time: the next is read only once the previous one
    // has left (drain), whatever the file size.
    for (let i = 0; i < src.chunks; i++) {
      if (call.cancelled) break;
      const data = await src.chunk(i);
      await writeWithBackpressure(call, { data });
      this.metrics.sent(data.length);
    }
    return EMPTY;
  }

  @GrpcMethod('SyncService', 'DownloadMany')
  async downloadMany(req: DownloadManyRequest, md: Metadata, call: ServerWritableStream<DownloadManyRequest, unknown>): Promise<Observable<never>> {
    this.authorize(md, 'DownloadMany');
    const wanted = req.sha256 ?? [];
    if (wanted.length === 0 || wanted.length > MAX_DOWNLOAD_MANY_ITEMS || !wanted.every((h) => SHA256.test(h))) {
      throw new RpcException({ code: status.INVALID_ARGUMENT, message: `expected 1..${MAX_DOWNLOAD_MANY_ITEMS} sha256 values` });
    }
    const sources = await Promise.all(wanted.map((h) => this.blobs.open(h)));
    const missing = wanted.find((_, i) => !sources[i]);
    if (missing) throw new RpcException({ code: status.NOT_FOUND, message: `content ${missing} not found` });
    this.metrics.downloadOpened(call);
    const found = sources as BlobSource[];
    const ahead = new Map<number, Promise<Buffer>>();
    let aheadBytes = 0;
    let nextRead = 0;
    const readAhead = () => {
      while (nextRead < found.length && ahead.size < READ_AHEAD_ITEMS) {
        const b = found[nextRead];
        if (b.chunks !== 1) break; // multi-chunk files stream in order, one chunk at a time
        if (ahead.size > 0 && aheadBytes + b.size > READ_AHEAD_BYTES) break;
        const p = b.chunk(0);
        p.catch(() => undefined); // awaited (and its error thrown) when its turn comes
        ahead.set(nextRead++, p);
        aheadBytes += b.size;
      }
    };
    for (let item = 0; item < found.length; item++) {
      const src = found[item];
      if (nextRead === item && src.chunks !== 1) nextRead++; // not read ahead: streamed below
      readAhead();
      const early = ahead.get(item);
      if (early) {
        const data = await early;
        ahead.delete(item);
        aheadBytes -= src.size;
        if (call.cancelled) return EMPTY;
        readAhead();
        await writeWithBackpressure(call, { data, item, itemEnd: true });
        this.metrics.sent(data.length);
        continue;
      }
      for (let i = 0; i < src.chunks; i++) {
        if (call.cancelled) return EMPTY;
        const data = await src.chunk(i);
        await writeWithBackpressure(call, { data, item, itemEnd: i + 1 === src.chunks });
        this.metrics.sent(data.length);
      }
    }
    return EMPTY;
  }

  private authorize(md: Metadata, rpc: string): void {
    assertClusterSecret(md, this.opts.clusterSecret, rpc, this.log);
  }
}

/** Resolves once the message may be followed by another; also when the caller went away. */
function writeWithBackpressure(call: ServerWritableStream<unknown, unknown>, msg: unknown): Promise<void> {
  if (call.write(msg)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      call.off('drain', done).off('cancelled', done).off('close', done);
      resolve();
    };
    call.once('drain', done).once('cancelled', done).once('close', done);
  });
}

function toRpcError(err: unknown): RpcException {
  if (err instanceof NotFoundError) return new RpcException({ code: status.NOT_FOUND, message: err.message });
  return new RpcException({ code: status.INTERNAL, message: err instanceof Error ? err.message : String(err) });
}

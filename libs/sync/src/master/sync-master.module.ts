import { DynamicModule, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import {
  BLOB_CHUNK_MODEL,
  BLOB_MODEL,
  BlobChunkSchema,
  BlobSchema,
  SPIDER_HEAD_MODEL,
  SPIDER_MODEL,
  SPIDER_VERSION_MODEL,
  SpiderHeadSchema,
  SpiderSchema,
  SpiderVersionSchema,
} from '../sync.schema';
import { BlobRepository } from './blob.repository';
import { BlobReadCache } from './blob-read.cache';
import { BlobDiskCache } from './blob-disk.cache';
import { dirname, join } from 'node:path';
import { ManifestCache } from './manifest-cache';
import { SpiderFilesService } from './spider-files.service';
import { SpiderVersionsService } from './spider-versions.service';
import { SpiderRepository } from './spider.repository';
import { SpiderService } from './spider.service';
import { SpiderVersionRepository } from './spider-version.repository';
import { SyncGrpcController } from './sync.grpc.controller';
import { SyncMetrics } from './sync.metrics';
import { StorageGcService } from './storage-gc.service';
import { SYNC_MASTER_OPTIONS, SyncMasterOptions } from './sync-master.options';

const DEFAULT_BLOB_CACHE_BYTES = 2 * 1024 ** 3;

@Module({})
export class SyncMasterModule {
  static forRoot(options: SyncMasterOptions): DynamicModule {
    return {
      module: SyncMasterModule,
      global: true,
      imports: [
        MongooseModule.forFeature([
          { name: SPIDER_MODEL, schema: SpiderSchema },
          { name: SPIDER_HEAD_MODEL, schema: SpiderHeadSchema },
          { name: SPIDER_VERSION_MODEL, schema: SpiderVersionSchema },
          { name: BLOB_MODEL, schema: BlobSchema },
          { name: BLOB_CHUNK_MODEL, schema: BlobChunkSchema },
        ]),
      ],
      controllers: [SyncGrpcController],
      providers: [
        { provide: SYNC_MASTER_OPTIONS, useValue: options },
        SpiderRepository,
        SpiderVersionRepository,
        BlobRepository,
        {
          provide: BlobDiskCache,
          useFactory: () =>
            new BlobDiskCache({ dir: options.blobCacheDir ?? join(dirname(options.uploadDir), 'blob-cache'), maxBytes: options.blobCacheBytes ?? DEFAULT_BLOB_CACHE_BYTES }),
        },
        BlobReadCache,
        ManifestCache,
        SpiderService,
        SpiderFilesService,
        SpiderVersionsService,
        SyncMetrics,
        StorageGcService,
      ],
      exports: [SYNC_MASTER_OPTIONS, SpiderService, SpiderFilesService, SpiderVersionsService, SpiderRepository, ManifestCache, SyncMetrics, StorageGcService],
    };
  }
}

import { Module } from '@nestjs/common';
import { SpiderSyncService } from './spider-sync.service';

@Module({
  providers: [SpiderSyncService],
  exports: [SpiderSyncService],
})
export class SyncWorkerModule {}

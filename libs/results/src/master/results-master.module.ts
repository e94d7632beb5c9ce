import { DbFlavor } from '@crawlnest/node';
import { DynamicModule, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import {
  DEDUP_BACKFILL_LEASE_MODEL,
  DEDUP_BACKFILL_MODEL,
  DedupBackfillLeaseSchema,
  DedupBackfillSchema,
  RESULT_BATCH_MARK_MODEL,
  RESULT_FIELD_MODEL,
  RESULT_KEY_MODEL,
  RESULT_LEDGER_MODEL,
  ResultBatchMarkSchema,
  ResultFieldSchema,
  ResultKeySchema,
  ResultLedgerSchema,
} from '../results.schema';
import { DedupBackfillRepository } from './dedup-backfill.repository';
import { DedupBackfillRunner } from './dedup-backfill.runner';
import { DedupBackfillService } from './dedup-backfill.service';
import { DedupStoreService } from './dedup-store.service';
import { ResultClaimsRepository } from './result-claims.repository';
import { ResultIngestService } from './result-ingest.service';
import { ResultMetaRepository } from './result-meta.repository';
import { ResultDirectoryRepository } from './result-directory.repository';
import { ResultStoreRepository } from './result-store.repository';
import { ResultsGrpcController } from './results.grpc.controller';
import { ResultsMetrics } from './results.metrics';
import { ResultsQueryService } from './results-query.service';
import { RESULTS_MASTER_OPTIONS, ResultsMasterOptions } from './results-master.options';

/** Master side of results: the gRPC ingest, reads for the REST controller, counts, dedup backfills, metrics. */
import { ResultDailyRepository } from './result-daily.repository';
import { ResultDailyService } from './result-daily.service';
@Module({})
export class ResultsMasterModule {
  static forRoot(options: ResultsMasterOptions): DynamicModule {
    return {
      module: ResultsMasterModule,
      global: true,
      imports: [
        MongooseModule.forFeature([
          { name: RESULT_LEDGER_MODEL, schema: ResultLedgerSchema },
          { name: RESULT_KEY_MODEL, schema: ResultKeySchema },
          { name: RESULT_FIELD_MODEL, schema: ResultFieldSchema },
          { name: RESULT_BATCH_MARK_MODEL, schema: ResultBatchMarkSchema },
          { name: DEDUP_BACKFILL_MODEL, schema: DedupBackfillSchema },
          { name: DEDUP_BACKFILL_LEASE_MODEL, schema: DedupBackfillLeaseSchema },
        ]),
      ],
      controllers: [ResultsGrpcController],
      providers: [
        { provide: RESULTS_MASTER_OPTIONS, useValue: options },
        ResultStoreRepository,
        ResultDirectoryRepository,
        DbFlavor,
        ResultMetaRepository,
        ResultClaimsRepository,
        DedupBackfillRepository,
        DedupBackfillService,
        DedupBackfillRunner,
        DedupStoreService,
        ResultIngestService,
        ResultsQueryService,
        ResultsMetrics,
        ResultDailyRepository,
        ResultDailyService,
      ],
      exports: [ResultsQueryService, ResultDailyService, ResultsMetrics, RESULTS_MASTER_OPTIONS],
    };
  }
}

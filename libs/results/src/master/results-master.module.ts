import { DynamicModule, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { RESULT_FIELD_MODEL, RESULT_KEY_MODEL, RESULT_LEDGER_MODEL, ResultFieldSchema, ResultKeySchema, ResultLedgerSchema } from '../results.schema';
import { ResultIngestService } from './result-ingest.service';
import { ResultMetaRepository } from './result-meta.repository';
import { ResultStoreRepository } from './result-store.repository';
import { ResultsGrpcController } from './results.grpc.controller';
import { ResultsMetrics } from './results.metrics';
import { ResultsQueryService } from './results-query.service';
import { RESULTS_MASTER_OPTIONS, ResultsMasterOptions } from './results-master.options';

/** Master side of results: the gRPC ingest, reads for the REST controller, counts, metrics. */
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
        ]),
      ],
      controllers: [ResultsGrpcController],
      providers: [
        { provide: RESULTS_MASTER_OPTIONS, useValue: options },
        ResultStoreRepository,
        ResultMetaRepository,
        ResultIngestService,
        ResultsQueryService,
        ResultsMetrics,
      ],
      exports: [ResultsQueryService, ResultsMetrics, RESULTS_MASTER_OPTIONS],
    };
  }
}

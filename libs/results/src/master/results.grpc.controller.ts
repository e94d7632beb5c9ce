import { Controller, Inject, Logger } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { assertClusterSecret } from '@crawlnest/node';
import { AppendAnswer, AttemptRef, ItemIn, ResultIngestService } from './result-ingest.service';
import { RESULTS_MASTER_OPTIONS, ResultsMasterOptions } from './results-master.options';

@Controller()
export class ResultsGrpcController {
  private readonly log = new Logger(ResultsGrpcController.name);

  constructor(
    private readonly ingest: ResultIngestService,
    @Inject(RESULTS_MASTER_OPTIONS) private readonly opts: ResultsMasterOptions,
  ) {}

  @GrpcMethod('ResultService', 'AppendResults')
  appendResults(req: { ref: AttemptRef; items: ItemIn[] }, md: Metadata): Promise<AppendAnswer> {
    assertClusterSecret(md, this.opts.clusterSecret, 'AppendResults', this.log);
    return this.ingest.append(req.ref, req.items ?? []);
  }
}

import { DynamicModule, Module } from '@nestjs/common';
import { RESULT_CAPTURE_FACTORY } from '@crawlnest/task';
import { ResultCaptureService } from './result-capture.service';
import { ResultsClient } from './results.client';
import { RESULTS_WORKER_OPTIONS, ResultsWorkerOptions } from './results-worker.options';

/** Worker side of results: the task runner finds the capture through RESULT_CAPTURE_FACTORY. */
@Module({})
export class ResultsWorkerModule {
  static forRoot(options: ResultsWorkerOptions): DynamicModule {
    return {
      module: ResultsWorkerModule,
      global: true,
      providers: [
        { provide: RESULTS_WORKER_OPTIONS, useValue: options },
        ResultsClient,
        ResultCaptureService,
        { provide: RESULT_CAPTURE_FACTORY, useExisting: ResultCaptureService },
      ],
      exports: [RESULT_CAPTURE_FACTORY],
    };
  }
}

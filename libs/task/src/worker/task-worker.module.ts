import { DynamicModule, Module } from '@nestjs/common';
import { SyncWorkerModule } from '@crawlnest/sync';
import { TaskReporterClient } from './task-reporter.client';
import { TaskRunnerService } from './task-runner.service';
import { TASK_WORKER_OPTIONS, TaskWorkerOptions } from './task-worker.options';

@Module({})
export class TaskWorkerModule {
  static forRoot(options: TaskWorkerOptions): DynamicModule {
    return {
      module: TaskWorkerModule,
      imports: [SyncWorkerModule],
      providers: [{ provide: TASK_WORKER_OPTIONS, useValue: options }, TaskReporterClient, TaskRunnerService],
    };
  }
}

import { DynamicModule, Module } from '@nestjs/common';
import { ENV_WORKER_OPTIONS, EnvWorkerOptions } from './env-worker.options';
import { EnvironmentService } from './environment.service';
import { EnvInventoryReporter } from './env-inventory.reporter';

/** Global so the task runner and the master link can both reach the one environment cache. */
@Module({})
export class EnvWorkerModule {
  static forRoot(options: EnvWorkerOptions): DynamicModule {
    return {
      module: EnvWorkerModule,
      global: true,
      providers: [{ provide: ENV_WORKER_OPTIONS, useValue: options }, EnvironmentService, EnvInventoryReporter],
      exports: [EnvironmentService],
    };
  }
}

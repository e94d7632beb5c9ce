import { DynamicModule, Module } from '@nestjs/common';
import { NodeMetrics } from '@crawlnest/node';
import { SyncMetrics } from '@crawlnest/sync';
import { TaskMetrics } from '@crawlnest/task';
import { ResultsMetrics } from '@crawlnest/results';
import { NotifyMetrics } from '@crawlnest/notify';
import { MetricsHttpController } from './metrics.http.controller';
import { DbCommandMetrics } from './db-commands.metrics';
import { METRICS_PORT_OPTIONS, MetricsPortListener, MetricsPortOptions } from './metrics-port.listener';
import { buildMetricsRegistry, METRICS_REGISTRY } from './metrics.registry';

/** Prometheus metrics of this replica: `/metrics` on the API port and, optionally, on a private port. */
@Module({})
export class MetricsModule {
  static forRoot(options: MetricsPortOptions): DynamicModule {
    return {
      module: MetricsModule,
      controllers: [MetricsHttpController],
      providers: [
        { provide: METRICS_PORT_OPTIONS, useValue: options },
        {
          provide: METRICS_REGISTRY,
          inject: [NodeMetrics, TaskMetrics, SyncMetrics, ResultsMetrics, NotifyMetrics, DbCommandMetrics],
          useFactory: (node: NodeMetrics, task: TaskMetrics, sync: SyncMetrics, results: ResultsMetrics, notify: NotifyMetrics, db: DbCommandMetrics) =>
            buildMetricsRegistry([...node.metrics(), ...task.metrics(), ...sync.metrics(), ...results.metrics(), ...notify.metrics(), ...db.metrics()]),
        },
        DbCommandMetrics,
        MetricsPortListener,
      ],
    };
  }
}

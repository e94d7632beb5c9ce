import { DbFlavor } from '@crawlnest/node';
import { DynamicModule, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { SCHEDULE_MODEL, SCHEDULE_STATE_MODEL, ScheduleSchema, ScheduleStateSchema, TASK_CLAIM_MODEL, TASK_MODEL, TASK_QUEUE_MODEL, TaskClaimSchema, TaskQueueSchema, TaskSchema } from '../task.schema';
import { ScheduleRepository } from './schedule.repository';
import { ScheduleStateRepository } from './schedule-state.repository';
import { ScheduleRunner } from './schedule.runner';
import { ScheduleService } from './schedule.service';
import { ClaimRepository } from './claim.repository';
import { DispatcherService } from './dispatcher.service';
import { SpiderToolsLookup } from './spider-tools.lookup';
import { TaskGrpcController } from './task.grpc.controller';
import { TaskLogRepository } from './task-log.repository';
import { TaskReconcileCron } from './task-reconcile.cron';
import { TaskReportService } from './task-report.service';
import { TaskRepository } from './task.repository';
import { StaleRunReaper } from './stale-run.reaper';
import { TaskService } from './task.service';
import { TaskArchiveRepository } from './task-archive.repository';
import { TaskCountersService } from './task-counters.service';
import { TaskDailyService } from './task-daily.service';
import { OpenTasksSnapshot } from './open-tasks.snapshot';
import { TaskHistoryService } from './task-history.service';
import { TaskRetentionCron } from './task-retention.cron';
import { TaskMetrics } from './task.metrics';
import { TASK_MASTER_OPTIONS, TaskMasterOptions } from './task-master.options';

@Module({})
export class TaskMasterModule {
  static forRoot(options: TaskMasterOptions): DynamicModule {
    return {
      module: TaskMasterModule,
      // Global like the node and sync modules, so the app can read its services (e.g. metrics) from any module.
      global: true,
      imports: [
        MongooseModule.forFeature([
          { name: TASK_MODEL, schema: TaskSchema },
          { name: TASK_QUEUE_MODEL, schema: TaskQueueSchema },
          { name: TASK_CLAIM_MODEL, schema: TaskClaimSchema },
          { name: SCHEDULE_MODEL, schema: ScheduleSchema },
          { name: SCHEDULE_STATE_MODEL, schema: ScheduleStateSchema },
        ]),
      ],
      controllers: [TaskGrpcController],
      providers: [
        { provide: TASK_MASTER_OPTIONS, useValue: options },
        DbFlavor,
        TaskRepository,
        ClaimRepository,
        TaskLogRepository,
        DispatcherService,
        SpiderToolsLookup,
        TaskReportService,
        TaskService,
        TaskMetrics,
        TaskReconcileCron,
        StaleRunReaper,
        ScheduleRepository,
        ScheduleStateRepository,
        ScheduleRunner,
        ScheduleService,
        TaskArchiveRepository,
        TaskCountersService,
        TaskDailyService,
        OpenTasksSnapshot,
        TaskHistoryService,
        TaskRetentionCron,
      ],
      exports: [TaskService, DispatcherService, ScheduleService, TaskMetrics, TaskRetentionCron, TaskDailyService],
    };
  }
}
